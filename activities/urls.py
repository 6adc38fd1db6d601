from django.urls import path

from fedwork import params

from . import import_views, views

params.register_converters()

app_name = "activities"
urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("list/", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/delete/", views.activity_delete, name="delete"),
    path("feed/", views.feed_settings, name="feed"),
    path("ical/<token:token>.ics", views.ical_feed, name="ical"),
    path("import/template/", import_views.template_download, name="import-template"),
    path("import/", import_views.import_upload, name="import"),
    path("import/confirm/", import_views.import_confirm, name="import-confirm"),
]
