from django.urls import path

from fedwork import params

from . import audit, export_views, summary_views, views

params.register_converters()

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<code:code>/", views.dashboard, name="dashboard"),
    path("<code:code>/export.xlsx", export_views.annual_export, name="export"),
    path("<code:code>/summary/", summary_views.summary, name="summary"),
    path("<code:code>/summary.docx", summary_views.summary_docx, name="summary-docx"),
    path("<code:code>/audit/", audit.audit, name="audit"),
]
