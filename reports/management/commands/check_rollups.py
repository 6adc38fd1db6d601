from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from activities import totals
from activities.models import Reach
from reports.management.scope import RollupScopeCommand

SHOWN = 50


class Command(RollupScopeCommand):
    help = _(
        "核对汇总数、活动数与原始活动数据是否一致、下级达标数（覆盖率）与汇总数是否一致；"
        "不一致时列出差异并以非零状态退出。"
    )

    def handle(self, *args, federation, year, **options):
        scope = self.scope(federation)
        problems = totals.differences(scope, year)
        reach = totals.reach_differences(scope, year)
        counts = totals.count_differences(scope, year)
        if not problems and not reach and not counts:
            self.stdout.write(self.style.SUCCESS(_("汇总数与原始数据一致。")))
            return
        for (federation_id, year_, month, indicator_id), have, want in problems[:SHOWN]:
            self.stderr.write(
                _("妇联 %(f)s %(y)d年%(m)d月 指标 %(i)s：汇总 %(have)s，应为 %(want)s")
                % {"f": federation_id, "y": year_, "m": month, "i": indicator_id, "have": have, "want": want}
            )
        for (source, parent_id, year_, indicator_id, month), have, want in reach[:SHOWN]:
            self.stderr.write(
                _(
                    "妇联 %(f)s %(y)d年%(m)d月 指标 %(i)s 下级达标数（%(source)s）："
                    "记录 %(have)s，应为 %(want)s"
                )
                % {
                    "f": parent_id,
                    "y": year_,
                    "m": month,
                    "i": indicator_id,
                    "source": Reach.Source(source).label,
                    "have": have,
                    "want": want,
                }
            )
        for (federation_id, year_, day, month, status, due), have, want in counts[:SHOWN]:
            self.stderr.write(
                _(
                    "妇联 %(f)s %(y)d年 日期 %(d)s 月份 %(m)d 状态 %(s)s 截止 %(due)s "
                    "活动数：记录 %(have)s，应为 %(want)s"
                )
                % {
                    "f": federation_id,
                    "y": year_,
                    "d": day,
                    "m": month,
                    "s": status,
                    "due": due,
                    "have": have,
                    "want": want,
                }
            )
        total = len(problems) + len(reach) + len(counts)
        raise CommandError(_("共 %(count)d 处不一致。") % {"count": total})
