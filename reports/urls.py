from django.urls import path

from fedwork import params

from .views import audit, dashboard, export, summary

params.register_converters()

app_name = "reports"
urlpatterns = [
    path("", dashboard.index, name="index"),
    path("<code:code>/", dashboard.dashboard, name="dashboard"),
    path("<code:code>/export.xlsx", export.annual_export, name="export"),
    path("<code:code>/summary/", summary.summary, name="summary"),
    path("<code:code>/summary.docx", summary.summary_docx, name="summary-docx"),
    path("<code:code>/audit/", audit.audit, name="audit"),
]
