from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from activities import totals
from fedwork.models import Federation


class Command(BaseCommand):
    help = _("由原始活动数据重新计算汇总数（可限定妇联及其下级、年度）。")

    def add_arguments(self, parser):
        parser.add_argument("--federation", help=_("妇联代码"))
        parser.add_argument("--year", type=int)

    def handle(self, *args, federation, year, **options):
        scope = None
        if federation:
            scope = Federation.objects.filter(code=federation).first()
            if scope is None:
                raise CommandError(_("找不到代码为 %(code)s 的妇联。") % {"code": federation})
        count = totals.rebuild(scope, year)
        self.stdout.write(self.style.SUCCESS(_("已重算汇总数：%(count)d 行。") % {"count": count}))
