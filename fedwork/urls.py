from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.core import api

from . import params, views

params.register_converters()

# A database that does not answer is a 503 with a Chinese page, not a 500 (fedwork.views.server_error).
handler500 = "fedwork.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("year/", views.set_year, name="set-year"),
    path("federations/", views.federation_browse, name="federation-browse"),
    path("federations/<code:code>/", views.federation_detail, name="federation-detail"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("plans/", include("plans.urls")),
    path("activities/", include("activities.urls")),
    path("reports/", include("reports.urls")),
    path("submissions/", include("submissions.urls")),
    path("evidence/", include("evidence.urls")),
    path("assessments/", include("assessments.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
