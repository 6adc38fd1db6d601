"""Excel import of activities: the template download, the upload with its preview, and the confirm step.

Between preview and confirm the uploaded bytes wait in ``var/imports/<token>.xlsx``; only the random
token is kept in the session, so a user can only ever confirm the file they uploaded themselves.
"""

import logging
import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fedwork import access, params
from fedwork.context_processors import selected_year

from .importing import (
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    XLSX_CONTENT_TYPE,
    ImportFileError,
    ImportReport,
    ImportRowsError,
    build_template,
    import_activities,
    may_import,
)

logger = logging.getLogger(__name__)

SESSION_KEY = "activity_import"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Previews nobody confirmed are removed when the next upload comes in.
STALE_AFTER_SECONDS = 24 * 3600


class ActivityImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件"),
        help_text=gettext_lazy("使用下载的模板填写的 .xlsx 文件，不超过 10 MB、20000 行。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件过大（不超过 10 MB）。"))
        return upload


def _imports_dir() -> Path:
    directory = Path(settings.BASE_DIR) / "var" / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _stored_path(token: str) -> Path | None:
    # The token comes from our own session, but the pattern check keeps any path trickery out regardless.
    if not TOKEN_PATTERN.match(token or ""):
        return None
    return _imports_dir() / f"{token}.xlsx"


def _forget_upload(request: HttpRequest) -> None:
    stored = request.session.pop(SESSION_KEY, None)
    path = _stored_path(stored.get("token", "")) if isinstance(stored, dict) else None
    if path is not None:
        path.unlink(missing_ok=True)


def _remove_stale_uploads() -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    for path in _imports_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue  # another request removed it first


def _remember_upload(request: HttpRequest, file_bytes: bytes, year: int, name: str) -> None:
    _forget_upload(request)
    _remove_stale_uploads()
    token = secrets.token_urlsafe(24)
    _stored_path(token).write_bytes(file_bytes)
    request.session[SESSION_KEY] = {"token": token, "year": year, "name": name}


def _require_importer(request: HttpRequest) -> None:
    """Staff of a federation (and superusers) import; everyone else gets a 404, as elsewhere."""
    if not may_import(request.user):
        raise Http404


def _render_preview(request: HttpRequest, report: ImportReport, name: str, status: int = 200) -> HttpResponse:
    context = {"report": report, "name": name, "federation": access.home_federation(request.user)}
    return render(request, "activities/import_preview.html", context, status=status)


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    """The .xlsx template of ``?federation=CODE&year=YYYY`` (default: the user's federation and year)."""
    code = params.query_code(request)
    if code:
        federation = access.get_federation_for_user_or_404(request.user, code)
    else:
        federation = access.home_federation(request.user)
        if federation is None:
            raise Http404
    year = params.query_year(request, default=selected_year(request))
    content = build_template(federation, year)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"活动导入模板-{federation.code}-{year}.xlsx"
    )
    return response


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a filled template; answer with the preview of every row and every error."""
    _require_importer(request)
    year = selected_year(request)
    federation = access.home_federation(request.user)
    form = ActivityImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        file_bytes = upload.read()
        try:
            report = import_activities(file_bytes=file_bytes, user=request.user, year=year, dry_run=True)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if report.ok:
                _remember_upload(request, file_bytes, year, upload.name)
            else:
                _forget_upload(request)
            return _render_preview(request, report, upload.name)
    context = {"form": form, "year": year, "federation": federation, "max_rows": MAX_DATA_ROWS}
    return render(request, "activities/import_form.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the previewed file: validated again and saved in one transaction, or nothing is saved."""
    _require_importer(request)
    stored = request.session.get(SESSION_KEY)
    path = _stored_path(stored.get("token", "")) if isinstance(stored, dict) else None
    if path is None or not path.exists():
        messages.error(request, _("没有待确认的导入，或已过期，请重新上传文件。"))
        return redirect("activities:import")
    try:
        file_bytes = path.read_bytes()
        report = import_activities(
            file_bytes=file_bytes, user=request.user, year=stored["year"], dry_run=False
        )
    except ImportRowsError as error:
        # Something changed since the preview (a work point removed, a type disabled …).
        _forget_upload(request)
        messages.error(request, _("数据在预览后发生了变化，导入未执行，未保存任何活动。请修改后重新上传。"))
        return _render_preview(request, error.report, stored.get("name", ""))
    except (ImportFileError, OSError):
        _forget_upload(request)
        messages.error(request, _("无法读取待导入的文件，请重新上传。"))
        return redirect("activities:import")
    _forget_upload(request)
    counts = {"count": report.imported, "year": report.year}
    messages.success(request, _("已导入 %(count)d 项活动（%(year)d年）。") % counts)
    return redirect(reverse("activities:list"))
