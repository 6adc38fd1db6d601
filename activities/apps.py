from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("活动")

    def ready(self):
        from fedwork.models import subtree_moved

        from . import totals

        subtree_moved.connect(totals.on_subtree_moved, dispatch_uid="activities-totals-move")
