"""Excel import of activities: the template download, the upload with its preview, and the confirm step.

Between preview and confirm the uploaded bytes wait in ``var/imports/<token>.xlsx``. The random token
is the preview's id: the session keeps the last few (several tabs may be open) and the preview's form
posts its own, so a user only ever confirms the very file they previewed, and only once.
"""

import hashlib
import logging
import os
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
    ImportDuplicatesError,
    ImportFileError,
    ImportImplausibleError,
    ImportReport,
    ImportRowsError,
    build_template,
    import_activities,
    may_import,
)

logger = logging.getLogger(__name__)

# token → {"year", "name", "sha256"} of the previews awaiting confirmation, oldest first (a user may
# have several tabs open: each confirms its own preview).
PENDING_KEY = "activity_imports"
# Tokens of previews already confirmed, newest last: a second confirm is told so and saves nothing.
DONE_KEY = "activity_imports_done"
MAX_PENDING = 5
MAX_DONE = 20
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")
# Previews nobody confirmed (and the markers of confirmed ones) are removed when the next upload comes in.
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


def _stored_path(token: str, state: str = "xlsx") -> Path | None:
    """Where a preview's bytes wait: ``<token>.xlsx`` until confirmed, ``<token>.claimed`` while one
    confirm imports it, and an empty ``<token>.done`` marker once it has been imported."""
    # The token comes from the form, so the pattern check keeps any path trickery out.
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    return _imports_dir() / f"{token}.{state}"


def _pending(request: HttpRequest) -> dict[str, dict]:
    pending = request.session.get(PENDING_KEY)
    return pending if isinstance(pending, dict) else {}


def _remove_stale_uploads() -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    for path in _imports_dir().iterdir():
        try:
            if path.suffix in (".xlsx", ".claimed", ".done") and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue  # another request removed it first


def _remember_upload(request: HttpRequest, file_bytes: bytes, year: int, name: str) -> str:
    """Store a previewed file for its confirm; return its token (the preview's id)."""
    _remove_stale_uploads()
    token = secrets.token_urlsafe(24)
    _stored_path(token).write_bytes(file_bytes)
    pending = _pending(request)
    pending[token] = {"year": year, "name": name, "sha256": hashlib.sha256(file_bytes).hexdigest()}
    while len(pending) > MAX_PENDING:
        oldest = next(iter(pending))
        del pending[oldest]
        if (path := _stored_path(oldest)) is not None:
            path.unlink(missing_ok=True)
    request.session[PENDING_KEY] = pending
    return token


def _forget_upload(request: HttpRequest, token: str, *, done: bool) -> None:
    pending = _pending(request)
    pending.pop(token, None)
    request.session[PENDING_KEY] = pending
    if done:
        finished = [t for t in request.session.get(DONE_KEY, []) if t != token] + [token]
        request.session[DONE_KEY] = finished[-MAX_DONE:]


def _require_importer(request: HttpRequest) -> None:
    """Staff of a federation (and superusers) import; everyone else gets a 404, as elsewhere."""
    if not may_import(request.user):
        raise Http404


def _render_preview(
    request: HttpRequest, report: ImportReport, name: str, token: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "report": report,
        "name": name,
        "token": token,
        "federation": access.home_federation(request.user),
    }
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
            token = _remember_upload(request, file_bytes, year, upload.name) if report.ok else ""
            return _render_preview(request, report, upload.name, token)
    context = {"form": form, "year": year, "federation": federation, "max_rows": MAX_DATA_ROWS}
    return render(request, "activities/import_form.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the preview whose id (token) is posted: validated again and saved in one transaction, once.

    The claim is an atomic rename of the stored file, so of two confirms of the same preview (a double
    click, the back button, two tabs) exactly one imports; the other is told it was already imported.
    Rows that duplicate saved activities are saved only if the preview's checkbox was ticked, and
    implausible figures only if its 以上数值已核对无误 box was (the importer decides; the view passes
    the ticks).
    """
    _require_importer(request)
    token = request.POST.get("token", "")
    stored = _pending(request).get(token)
    done_path, claimed_path, path = (_stored_path(token, state) for state in ("done", "claimed", "xlsx"))
    # A token counts only if this session previewed it: nobody confirms another user's upload.
    if path is None or (stored is None and token not in request.session.get(DONE_KEY, [])):
        messages.error(request, _("没有待确认的导入，或已过期，请重新上传文件。"))
        return redirect("activities:import")
    try:
        # rename is atomic: of two confirms racing for the same preview, exactly one gets the file.
        os.rename(path, claimed_path)
    except FileNotFoundError:
        if done_path.exists() or claimed_path.exists():
            messages.info(request, _("该文件已导入，未重复保存。"))
            return redirect(reverse("activities:list"))
        messages.error(request, _("没有待确认的导入，或已过期，请重新上传文件。"))
        return redirect("activities:import")
    name = stored.get("name", "") if stored else ""
    try:
        file_bytes = claimed_path.read_bytes()
        if stored is None or hashlib.sha256(file_bytes).hexdigest() != stored.get("sha256"):
            raise ImportFileError(_("无法读取待导入的文件，请重新上传。"))
        report = import_activities(
            file_bytes=file_bytes,
            user=request.user,
            year=stored["year"],
            dry_run=False,
            allow_duplicates=request.POST.get("duplicates_checked") == "1",
            allow_implausible=request.POST.get("implausible_checked") == "1",
        )
    except ImportDuplicatesError as error:
        # Nothing was saved; the same preview may be confirmed again once the box is ticked.
        os.replace(claimed_path, path)
        messages.error(
            request, _("有重复的行：请核对下列重复行，确认确实是新活动后勾选复选框再导入。未保存任何活动。")
        )
        return _render_preview(request, error.report, name, token)
    except ImportImplausibleError as error:
        # Nothing was saved; as with duplicates, the same preview may be confirmed again once ticked.
        os.replace(claimed_path, path)
        messages.error(
            request,
            _("有数值异常大：请核对下列数值，确认无误后勾选“以上数值已核对无误”再导入。未保存任何活动。"),
        )
        return _render_preview(request, error.report, name, token)
    except ImportRowsError as error:
        # Something changed since the preview (a work point removed, a type disabled …).
        claimed_path.unlink(missing_ok=True)
        _forget_upload(request, token, done=False)
        messages.error(request, _("数据在预览后发生了变化，导入未执行，未保存任何活动。请修改后重新上传。"))
        return _render_preview(request, error.report, name)
    except (ImportFileError, OSError):
        claimed_path.unlink(missing_ok=True)
        _forget_upload(request, token, done=False)
        messages.error(request, _("无法读取待导入的文件，请重新上传。"))
        return redirect("activities:import")
    except BaseException:
        os.replace(claimed_path, path)  # an unexpected failure saved nothing: the preview stays confirmable
        raise
    # The marker first, then the claimed file goes: a racing confirm always finds one of the two.
    done_path.touch()
    claimed_path.unlink(missing_ok=True)
    _forget_upload(request, token, done=True)
    counts = {"count": report.imported, "year": report.year}
    messages.success(request, _("已导入 %(count)d 项活动（%(year)d年）。") % counts)
    return redirect(reverse("activities:list"))
