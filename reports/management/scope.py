"""The --federation/--year scope shared by the roll-up maintenance commands."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fedwork.models import Federation


class RollupScopeCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--federation", help=_("妇联代码（含其下级）"))
        parser.add_argument("--year", type=int)

    def scope(self, code: str | None) -> Federation | None:
        if not code:
            return None
        federation = Federation.objects.filter(code=code).first()
        if federation is None:
            raise CommandError(_("找不到代码为 %(code)s 的妇联。") % {"code": code})
        return federation
