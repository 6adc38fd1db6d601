from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from activities import totals
from fedwork.models import Federation

SHOWN = 50


class Command(BaseCommand):
    help = _("核对汇总数与原始活动数据是否一致；不一致时列出差异并以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("--federation", help=_("妇联代码"))
        parser.add_argument("--year", type=int)

    def handle(self, *args, federation, year, **options):
        scope = None
        if federation:
            scope = Federation.objects.filter(code=federation).first()
            if scope is None:
                raise CommandError(_("找不到代码为 %(code)s 的妇联。") % {"code": federation})
        problems = totals.differences(scope, year)
        if not problems:
            self.stdout.write(self.style.SUCCESS(_("汇总数与原始数据一致。")))
            return
        for (federation_id, year_, month, indicator_id), have, want in problems[:SHOWN]:
            self.stderr.write(
                _("妇联 %(f)s %(y)d年%(m)d月 指标 %(i)s：汇总 %(have)s，应为 %(want)s")
                % {"f": federation_id, "y": year_, "m": month, "i": indicator_id, "have": have, "want": want}
            )
        raise CommandError(_("共 %(count)d 处不一致。") % {"count": len(problems)})
