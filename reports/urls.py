from django.urls import path

from . import audit, export_views, summary_views, views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/export.xlsx", export_views.annual_export, name="export"),
    path("<str:code>/summary/", summary_views.summary, name="summary"),
    path("<str:code>/summary.docx", summary_views.summary_docx, name="summary-docx"),
    path("<str:code>/audit/", audit.audit, name="audit"),
]
