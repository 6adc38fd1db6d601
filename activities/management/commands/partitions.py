from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import partitions


class Command(BaseCommand):
    help = _(
        "列出活动表的年度分区（仅 PostgreSQL）；--ensure 为指定年度（默认今年和明年）建分区，"
        "须在该年度的第一条数据之前执行，可重复执行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ensure",
            type=int,
            nargs="*",
            metavar="YEAR",
            help=_("为这些年度建分区；不给年度时为今年和明年。"),
        )

    def handle(self, *args, ensure, **options):
        try:
            if ensure is not None:
                this_year = timezone.localdate().year
                for year in ensure or [this_year, this_year + 1]:
                    created = partitions.ensure_year(year)
                    if created:
                        self.stdout.write(
                            _("%(year)d 年：已建分区 %(tables)s")
                            % {"year": year, "tables": ", ".join(created)}
                        )
                    else:
                        self.stdout.write(_("%(year)d 年：分区已存在。") % {"year": year})
            for year, tables in partitions.partition_years().items():
                rows = tables.get("activities_activity", -1)
                self.stdout.write(
                    _("%(year)d 年：%(n)d 张分区表，活动约 %(rows)d 行")
                    % {"year": year, "n": len(tables), "rows": rows}
                    if rows >= 0
                    else _("%(year)d 年：%(n)d 张分区表（尚未统计行数）") % {"year": year, "n": len(tables)}
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
