from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from activities.importing import (
    ImportDuplicatesError,
    ImportFileError,
    ImportImplausibleError,
    ImportReport,
    ImportRowsError,
    import_activities,
    template_year,
)


class Command(BaseCommand):
    # gettext, not gettext_lazy: argparse needs a real str (the module is loaded when the command runs).
    help = _("从 Excel（.xlsx，按活动导入模板填写）导入已完成的活动；任何一行有错都不保存。")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help=_("以该用户的身份导入（须为填报员或超级管理员）"))
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help=_("活动所属年度，开始日期须在该年内（默认取模板中记录的年度）"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不保存"))
        parser.add_argument(
            "--allow-duplicates",
            action="store_true",
            help=_("已核对：与已有活动或文件中其他行相同的行确实是新活动，照样导入"),
        )
        parser.add_argument(
            "--confirm-implausible",
            action="store_true",
            help=_("已核对：异常大的数值（如多输了0）确实无误，照样导入"),
        )

    def handle(
        self,
        *args,
        file: Path,
        user: str,
        year: int | None,
        dry_run: bool,
        allow_duplicates: bool,
        confirm_implausible: bool,
        **options,
    ):
        try:
            file_bytes = file.read_bytes()
        except OSError as error:
            raise CommandError(_("无法读取文件：%(file)s") % {"file": file}) from error
        importer = get_user_model().objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(_("找不到用户 %(user)s。") % {"user": user})
        try:
            year = year or template_year(file_bytes)
            if year is None:
                raise CommandError(
                    _("文件中没有记录年度（不是用下载的模板填写的？），请用 --year 指定年度。")
                )
            report = import_activities(
                file_bytes=file_bytes,
                user=importer,
                year=year,
                dry_run=dry_run,
                allow_duplicates=allow_duplicates,
                allow_implausible=confirm_implausible,
            )
        except PermissionDenied as error:
            raise CommandError(_("用户 %(user)s 无权导入活动（须为填报员）。") % {"user": user}) from error
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        except ImportRowsError as error:
            self._fail(error.report)
        except ImportDuplicatesError as error:
            self._fail_duplicates(error.report)
        except ImportImplausibleError as error:
            self._fail_implausible(error.report)
        if not report.ok:
            self._fail(report)
        if report.duplicates and not allow_duplicates:
            self._fail_duplicates(report)
        if report.implausible and not confirm_implausible:
            self._fail_implausible(report)
        counts = {"count": len(report.rows), "year": year}
        if dry_run:
            message = _("检查通过：%(count)d 项活动可以导入（%(year)d年，试运行，未保存）。")
            self.stdout.write(message % counts)
        else:
            counts["count"] = report.imported
            self.stdout.write(self.style.SUCCESS(_("已导入 %(count)d 项活动（%(year)d年）。") % counts))

    def _fail(self, report: ImportReport) -> None:
        for error in report.errors:
            self.stderr.write(str(error))
        raise CommandError(_("共 %(count)d 处错误，未导入任何活动。") % {"count": len(report.errors)})

    def _fail_duplicates(self, report: ImportReport) -> None:
        for row in report.duplicates:
            self.stderr.write(_("第%(row)s行：%(reason)s") % {"row": row.number, "reason": row.duplicate_of})
        raise CommandError(
            _("共 %(count)d 行重复，未导入任何活动。核对确实是新活动后，加 --allow-duplicates 再导入。")
            % {"count": len(report.duplicates)}
        )

    def _fail_implausible(self, report: ImportReport) -> None:
        for warning in report.implausible:
            self.stderr.write(str(warning))
        raise CommandError(
            _("%(reason)s核对无误后，加 --confirm-implausible 再导入。")
            % {"reason": ImportImplausibleError(report)}
        )
