import json
import statistics
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fedwork.models import Federation
from plans.parsing import DocumentError, parse_document
from plans.parsing.scoring import Score, score_plan
from plans.services import plan_import


class Command(BaseCommand):
    help = _(
        "读取工作要点文档（.txt、.docx 或 .pdf），为某妇联某年度生成工作要点草稿；"
        "--score 目录：按目录中的 expected.json 评估识别效果。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--federation", help=_("妇联代码，如 43"))
        parser.add_argument("--year", type=int)
        parser.add_argument("--dry-run", action="store_true", help=_("只解析，不保存"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出解析结果"))
        parser.add_argument(
            "--timing",
            type=int,
            metavar="N",
            help=_("只计时：解析文档 N 次，输出每次用时的中位数（秒），不保存"),
        )
        parser.add_argument(
            "--score",
            type=Path,
            metavar="DIR",
            help=_(
                "解析目录中 expected.json 列出的每个文档，"
                "输出目标找到数/应有数、误报目标数、标题正确数/应有数"
            ),
        )

    def handle(
        self, *args, file: Path | None, federation, year, dry_run, json: bool, score, timing, **options
    ):
        if score is not None:
            return self._score(score, verbose=options["verbosity"] > 1)
        if timing is not None:
            return self._timing(file, timing)
        if file is None or federation is None or year is None:
            raise CommandError(_("请给出文档、--federation 和 --year（或用 --score 目录）。"))
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
        elif warning := parsed.year_warning(year):
            self.stderr.write(self.style.WARNING(warning))
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

    def _timing(self, file: Path | None, runs: int) -> None:
        """Parse ``file`` ``runs`` times (under the usual time limit) and print the median wall time in
        seconds: the repeatable measure behind the README's "a 50-page notice parses in … s"."""
        if file is None or runs < 1:
            raise CommandError(_("请给出文档和大于 0 的次数：import_plan 文档 --timing 5"))
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(_("无法读取文件：%(file)s") % {"file": file}) from error
        seconds = []
        for _run in range(runs):
            started = time.perf_counter()
            try:
                parsed = parse_document(data, file.name)
            except DocumentError as error:
                raise CommandError(str(error)) from error
            seconds.append(time.perf_counter() - started)
        self.stdout.write(
            _(
                "%(name)s：解析 %(runs)d 次，中位数 %(median).2f 秒"
                "（最短 %(min).2f，最长 %(max).2f），%(points)d 条一级要点"
            )
            % {
                "name": file.name,
                "runs": runs,
                "median": statistics.median(seconds),
                "min": min(seconds),
                "max": max(seconds),
                "points": len(parsed.points),
            }
        )

    def _score(self, folder: Path, *, verbose: bool) -> None:
        """Parse every document that ``folder``/expected.json describes and print how it fares."""
        try:
            expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(
                _("无法读取 %(file)s：%(error)s") % {"file": folder / "expected.json", "error": error}
            ) from error
        total = Score()
        for name, entry in sorted(expected.items()):
            if name.startswith("_"):
                continue
            try:
                result = score_plan(parse_document((folder / name).read_bytes(), name), entry)
            except (OSError, DocumentError) as error:
                result = Score(
                    targets_expected=len(entry.get("targets", [])),
                    headings_expected=len(entry.get("headings", [])),
                    problems=[str(error)],
                )
            total.add(result)
            self.stdout.write(
                _(
                    "%(name)s：目标 %(found)d/%(expected)d，误报 %(false)d，"
                    "标题 %(right)d/%(headings)d%(verdict)s"
                )
                % {
                    "name": name,
                    "found": result.targets_found,
                    "expected": result.targets_expected,
                    "false": result.false_targets,
                    "right": result.headings_right,
                    "headings": result.headings_expected,
                    "verdict": "" if result.perfect else _("（有问题）"),
                }
            )
            if verbose:
                for problem in result.problems:
                    self.stdout.write(f"    {problem}")
        self.stdout.write(
            _(
                "合计：目标 %(found)d/%(expected)d（%(share)s），误报 %(false)d，"
                "标题 %(right)d/%(headings)d（%(hshare)s）"
            )
            % {
                "found": total.targets_found,
                "expected": total.targets_expected,
                "share": _percent(total.targets_found, total.targets_expected),
                "false": total.false_targets,
                "right": total.headings_right,
                "headings": total.headings_expected,
                "hshare": _percent(total.headings_right, total.headings_expected),
            }
        )


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
