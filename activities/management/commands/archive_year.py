from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from activities import partitions


class Command(BaseCommand):
    help = _(
        "归档已结束的年度（仅 PostgreSQL）：摘下该年度的活动、活动数据、汇总数、达标数及其历史分区，"
        "导出为 gzip 压缩的 SQL 文件；默认保留摘下的表，--drop 则删除。"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help=_("要归档的年度"))
        parser.add_argument("--to", type=Path, help=_("导出文件（默认 archive/fedwork-YEAR.sql.gz）"))
        parser.add_argument("--drop", action="store_true", help=_("导出后删除摘下的分区表"))

    def handle(self, *args, year, to, drop, **options):
        if to is None:
            to = Path("archive") / f"fedwork-{year}.sql.gz"
            to.parent.mkdir(exist_ok=True)  # the default folder; a --to folder must exist
        try:
            done = partitions.archive_year(year, to=to, drop=drop)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for table, rows in done.tables.items():
            self.stdout.write(
                (
                    _("%(table)s：%(rows)d 行，已摘下并删除")
                    if drop
                    else _("%(table)s：%(rows)d 行，已摘下（保留）")
                )
                % {"table": table, "rows": rows}
            )
        for table, rows in done.links.items():
            self.stdout.write(_("%(table)s：已移除 %(rows)d 行") % {"table": table, "rows": rows})
        if done.attachments:
            self.stdout.write(_("佐证材料：%(n)d 个已解除与活动的关联") % {"n": done.attachments})
        self.stdout.write(
            self.style.SUCCESS(_("%(year)d 年已归档到 %(path)s") % {"year": year, "path": done.path})
        )
