from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FedworkConfig(AppConfig):
    name = "fedwork"
    verbose_name = _("组织体系")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .context_processors import open_year_at_login

        user_logged_in.connect(open_year_at_login, dispatch_uid="fedwork.open_year_at_login")
        # django-axes ships no Chinese: its app reads "Axes" in the admin's menu otherwise.
        from django.apps import apps

        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = _("登录记录")
