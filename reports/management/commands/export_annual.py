"""python manage.py export_annual --federation CODE --year YEAR [--as-of DATE] --output FILE.xlsx"""

from __future__ import annotations

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fedwork.models import Federation
from reports.export import write_annual_workbook

FIRST_YEAR, LAST_YEAR = 2000, 2100
YEAR_PATTERN = re.compile(r"[0-9]{4}")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Command(BaseCommand):
    help = _("导出妇联年度工作目标完成情况汇总表（Excel）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--federation", required=True, help=_("妇联代码"))
        # Taken as text and checked in handle(), so a bad value gets a clear Chinese message.
        parser.add_argument("--year", required=True, help=_("年度，如 2013"))
        parser.add_argument("--as-of", dest="as_of", help=_("统计截止日期，格式 YYYY-MM-DD"))
        parser.add_argument("--output", required=True, help=_("输出文件（.xlsx）"))

    def handle(self, *args, federation: str, year: str, as_of: str | None, output: str, **options) -> None:
        scope = Federation.objects.filter(code=federation).first()
        if scope is None:
            raise CommandError(_("找不到代码为 %(code)s 的妇联。") % {"code": federation})
        year_number = self._year(str(year))
        day = self._date(as_of) if as_of else None
        try:
            result = write_annual_workbook(scope, year_number, day, output)
        except OSError as error:
            raise CommandError(
                _("无法写入文件 %(path)s：%(error)s") % {"path": output, "error": error}
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("已导出 %(name)s %(year)d 年汇总表（截至 %(date)s）：%(path)s")
                % {"name": scope.name, "year": year_number, "date": result.as_of.isoformat(), "path": output}
            )
        )

    @staticmethod
    def _year(text: str) -> int:
        if not (YEAR_PATTERN.fullmatch(text) and FIRST_YEAR <= int(text) <= LAST_YEAR):
            raise CommandError(
                _("年度应为 %(first)d–%(last)d 之间的四位数字：%(value)s")
                % {"first": FIRST_YEAR, "last": LAST_YEAR, "value": text}
            )
        return int(text)

    @staticmethod
    def _date(text: str) -> date:
        message = _("统计截止日期应为 YYYY-MM-DD 格式的有效日期：%(value)s") % {"value": text}
        # fromisoformat alone would also take 20130531 and week dates; only YYYY-MM-DD is meant.
        if not DATE_PATTERN.fullmatch(text):
            raise CommandError(message)
        try:
            return date.fromisoformat(text)
        except ValueError as error:
            raise CommandError(message) from error
