from django.utils.translation import gettext as _

from activities import totals
from reports.management.scope import RollupScopeCommand


class Command(RollupScopeCommand):
    help = _("由原始活动数据重新计算汇总数、活动数及下级达标数（可限定妇联及其下级、年度）。")

    def handle(self, *args, federation, year, **options):
        count = totals.rebuild(self.scope(federation), year)  # Reach and ActivityCount too (totals.rebuild)
        self.stdout.write(self.style.SUCCESS(_("已重算汇总数：%(count)d 行。") % {"count": count}))
