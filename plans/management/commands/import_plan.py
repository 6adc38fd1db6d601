import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fedwork.models import Federation
from plans.parsing import DocumentError, parse_document
from plans.services import plan_import


class Command(BaseCommand):
    help = _("读取工作要点文档（.txt 或 .docx），为某妇联某年度生成工作要点草稿。")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--federation", required=True, help=_("妇联代码，如 43"))
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--dry-run", action="store_true", help=_("只解析，不保存"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出解析结果"))

    def handle(self, *args, file: Path, federation, year, dry_run, json: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(_("无法读取文件：%(file)s") % {"file": file}) from error
        try:
            parsed = parse_document(data, file.name)
        except DocumentError as error:
            raise CommandError(str(error)) from error
        target = Federation.objects.filter(code=federation).first()
        if target is None:
            raise CommandError(_("找不到代码为 %(code)s 的妇联。") % {"code": federation})
        if json:
            self.stdout.write(_dumps(parsed.to_json()))
        if dry_run:
            if not json:
                self.stdout.write(
                    _("解析成功（未保存）：%(title)s，%(points)d 条一级要点，%(activities)d 项活动。")
                    % {
                        "title": parsed.title,
                        "points": len(parsed.points),
                        "activities": len(parsed.activities),
                    }
                )
            return
        try:
            plan = plan_import(parsed=parsed, federation=target, year=year, by=None, source_name=file.name)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        if not json:
            self.stdout.write(
                self.style.SUCCESS(
                    _("已生成草稿：%(title)s（%(targets)d 个目标）")
                    % {"title": plan.title, "targets": plan.targets.count()}
                )
            )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
