from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from activities.importing import build_template
from fedwork.models import Federation


class Command(BaseCommand):
    # gettext, not gettext_lazy: argparse needs a real str (the module is loaded when the command runs).
    help = _("生成某妇联某年度的活动导入模板（.xlsx）。")

    def add_arguments(self, parser):
        parser.add_argument("--federation", required=True, help=_("妇联代码，如 430102"))
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True, type=Path, help=_("输出文件，如 模板.xlsx"))

    def handle(self, *args, federation: str, year: int, output: Path, **options):
        target = Federation.objects.filter(code=federation).first()
        if target is None:
            raise CommandError(_("找不到代码为 %(code)s 的妇联。") % {"code": federation})
        try:
            output.write_bytes(build_template(target, year))
        except OSError as error:
            raise CommandError(_("无法写入文件：%(file)s") % {"file": output}) from error
        self.stdout.write(self.style.SUCCESS(_("已生成模板：%(file)s") % {"file": output}))
