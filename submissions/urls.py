from django.urls import path

from fedwork import params

from . import views

params.register_converters()

app_name = "submissions"
urlpatterns = [
    path("", views.index, name="index"),
    path("submit/", views.submit, name="submit"),
    path("schedule/", views.schedule, name="schedule"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<code:code>/<str:frequency>/<int:number>/", views.completeness_detail, name="completeness"),
    path("<code:code>/burden/", views.burden_ledger, name="burden"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("reminders/", views.reminder_settings, name="reminders"),
]
