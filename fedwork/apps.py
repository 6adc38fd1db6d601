from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FedworkConfig(AppConfig):
    name = "fedwork"
    verbose_name = _("组织体系")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .context_processors import open_year_at_login

        user_logged_in.connect(open_year_at_login, dispatch_uid="fedwork.open_year_at_login")
        _blank_choice_reads_please_choose()
        # django-axes ships no Chinese: its app reads "Axes" in the admin's menu otherwise.
        from django.apps import apps

        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = _("登录安全")


def _blank_choice_reads_please_choose() -> None:
    """Every select's empty option says 请选择, not Django's "---------": in the app's forms and the
    admin alike. Django takes both from module-level defaults (BLANK_CHOICE_DASH for a model
    field's choices, ModelChoiceField's empty_label for a foreign key); a field that names its own
    empty label (全部类型, —) keeps it."""
    from django.db.models import fields
    from django.forms import ModelChoiceField

    please_choose = _("请选择")
    fields.BLANK_CHOICE_DASH[:] = [("", please_choose)]  # the list object Field.get_choices holds
    ModelChoiceField.__init__.__kwdefaults__["empty_label"] = please_choose
