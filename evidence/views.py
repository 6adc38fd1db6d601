"""Evidence pages: upload to an activity, serve a file or its thumbnail, delete, storage per subtree.

Files are never under a public URL: every byte goes out through :func:`attachment_file` or
:func:`attachment_thumbnail` after fedwork.access. Anyone the rule refuses — a sibling, an outsider,
an anonymous visitor — gets a 404, which does not even confirm that the file exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from activities.models import Activity
from fedwork import access
from fedwork.models import PATH_SEPARATOR, Federation

from . import services
from .models import Attachment

# Inline files (photos, PDFs) open as a sandboxed document of their own: no script, no same origin.
INLINE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
DOWNLOAD_POLICY = "sandbox; default-src 'none'"


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@login_required
@require_POST
def attachment_upload(request, pk):
    """POST ``files`` (one or more): stored all or none; answers JSON to the page's script, else a
    redirect back to the activity with a message."""
    activity = access.get_object_for_user_or_404(
        Activity.objects.select_related("federation"), request.user, pk=pk
    )
    if not access.may_attach(request.user, activity):
        raise Http404
    try:
        made = services.attachments_upload(
            activity=activity, files=request.FILES.getlist("files"), by=request.user
        )
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": error.messages}, status=400)
        for message in error.messages:
            messages.error(request, message)
        return redirect(activity)
    messages.success(
        request,
        ngettext("已上传 %(count)d 个文件。", "已上传 %(count)d 个文件。", len(made)) % {"count": len(made)},
    )
    if _wants_json(request):
        return JsonResponse({"ok": True, "count": len(made), "next": activity.get_absolute_url()})
    return redirect(activity)


def _attachment_for_user_or_404(user, pk) -> Attachment:
    if not user.is_authenticated:
        raise Http404  # not a login redirect: a file's address confirms nothing to anyone
    attachment = access.get_object_for_user_or_404(
        Attachment.objects.select_related("federation"), user, pk=pk
    )
    if not access.may_see_attachment(user, attachment):
        raise Http404
    return attachment


def _serve(field_file, *, content_type: str, filename: str, inline: bool) -> FileResponse:
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except OSError as error:  # gone from the storage: nothing to serve
        raise Http404 from error
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = INLINE_POLICY if inline else DOWNLOAD_POLICY
    response["Cache-Control"] = "private, max-age=3600"
    return response


def attachment_file(request, pk):
    """The file itself: photos and PDFs inline (sandboxed), Word and Excel as downloads."""
    attachment = _attachment_for_user_or_404(request.user, pk)
    return _serve(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=attachment.served_inline,
    )


def attachment_thumbnail(request, pk):
    attachment = _attachment_for_user_or_404(request.user, pk)
    return _serve(
        attachment.thumbnail,
        content_type="image/jpeg",
        filename=f"{attachment.pk}-thumbnail.jpg",
        inline=True,
    )


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = access.get_object_for_user_or_404(
        Attachment.objects.select_related("federation", "activity"), request.user, pk=pk
    )
    if not access.may_delete_attachment(request.user, attachment):
        raise Http404
    services.attachment_delete(attachment=attachment, by=request.user)
    messages.success(
        request, _("已删除“%(name)s”，文件仍为审计保留，管理员可清除。") % {"name": attachment.original_name}
    )
    if attachment.activity is not None:
        return redirect(attachment.activity)
    return redirect("evidence:storage", code=attachment.federation.code)


@login_required
def storage(request, code):
    """How much the subtree's files take in the storage, per direct child, for its administrators."""
    federation = access.get_federation_for_user_or_404(request.user, code)
    if not access.may_see_storage(request.user, federation):
        raise Http404
    attachments = Attachment.objects.in_subtree(federation)
    children = list(Federation.objects.children_of(federation).order_by("code"))
    rows = [{"federation": federation, "own": True, "count": 0, "bytes": 0}]
    rows += [{"federation": child, "own": False, "count": 0, "bytes": 0} for child in children]
    # One grouped query whatever the subtree's size: each federation's files go to the branch of the
    # child whose code follows this federation's path in theirs ("00/43/4301/" + "430102/…").
    branch = {child.code: row for child, row in zip(children, rows[1:], strict=True)}
    for path, count, size in attachments.usage_by_federation_path():
        rest = path[len(federation.path) :]
        row = rows[0] if not rest else branch[rest.split(PATH_SEPARATOR, 1)[0]]
        row["count"] += count
        row["bytes"] += size
    kept = (
        attachments.stored()
        .exclude(deleted_at__isnull=True, activity__isnull=False)
        .select_related("federation", "deleted_by")
        .order_by("-uploaded_at")[:200]
    )
    context = {
        "federation": federation,
        "total": attachments.storage_used(),
        "rows": rows,
        "kept": kept,
    }
    return render(request, "evidence/storage.html", context)
