from django.urls import path

from fedwork import params

from . import views

params.register_converters()

app_name = "assessments"
urlpatterns = [
    path("", views.index, name="index"),
    path("scheme/new/<code:code>/", views.scheme_create, name="scheme-create"),
    path("scheme/<int:pk>/", views.scheme_detail, name="scheme"),
    path("scheme/<int:pk>/import/", views.scheme_import, name="scheme-import"),
    path("scheme/<int:pk>/publish/", views.scheme_publish, name="scheme-publish"),
    path("scheme/<int:pk>/results/", views.scheme_results, name="results"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/self/", views.self_assessment, name="self"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/table.xlsx", views.table_xlsx, name="table-xlsx"),
    path("<int:pk>/letter.docx", views.letter_docx, name="letter-docx"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/finalize/", views.finalize, name="finalize"),
    path("score/<int:pk>/objection/", views.objection, name="objection"),
    path("score/<int:pk>/answer/", views.answer, name="answer"),
]
