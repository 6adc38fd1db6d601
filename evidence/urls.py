from django.urls import path

from fedwork import params

from . import views

params.register_converters()

app_name = "evidence"
urlpatterns = [
    path("activity/<int:pk>/upload/", views.attachment_upload, name="upload"),
    path("<int:pk>/", views.attachment_file, name="file"),
    path("<int:pk>/thumbnail/", views.attachment_thumbnail, name="thumbnail"),
    path("<int:pk>/delete/", views.attachment_delete, name="delete"),
    path("storage/<code:code>/", views.storage, name="storage"),
]
