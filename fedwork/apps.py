from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FedworkConfig(AppConfig):
    name = "fedwork"
    verbose_name = _("组织体系")
