from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fedwork.divisions import DEPTHS, DivisionFileError, load_divisions, read_divisions
from fedwork.models import Level
from fedwork.progress import ProgressBar

DEPTH_NAMES = {str(level): level for level in DEPTHS}


class Command(BaseCommand):
    help = _(
        "从区划 CSV 目录（provinces.csv、cities.csv、areas.csv、streets.csv[.gz]、villages.csv[.gz]）"
        "加载妇联组织树。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=_("区划 CSV 所在目录"))
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            metavar="CODE",
            help=_("只加载该省（两位代码，可重复）；不填则加载全国"),
        )
        parser.add_argument(
            "--depth",
            choices=list(DEPTH_NAMES),
            default=str(Level.COUNTY),
            help=_("加载到哪一级（默认 county）"),
        )

    def handle(self, *args, path: Path, provinces, depth, **options):
        if not path.is_dir():
            raise CommandError(_("目录不存在：%(path)s") % {"path": path})
        if provinces and any(len(code) != 2 or not code.isdigit() for code in provinces):
            raise CommandError(_("省份代码应为两位数字，例如 43。"))
        progress = ProgressBar(self.stderr._out) if options["verbosity"] > 0 else None
        try:
            result = load_divisions(read_divisions(path, provinces=provinces, depth=depth), progress=progress)
        except DivisionFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "完成：新增 %(created)d 个，更名 %(renamed)d 个，未变 %(unchanged)d 个，"
                    "缺少上级而跳过 %(orphans)d 个。"
                )
                % {
                    "created": result.created,
                    "renamed": result.renamed,
                    "unchanged": result.unchanged,
                    "orphans": result.skipped_orphans,
                }
            )
        )
