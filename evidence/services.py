"""Writing evidence files: upload, delete (kept for the audit), purge, and keeping them when their
activity is deleted. Every write of an Attachment goes through here; access is decided by the caller
with fedwork.access (may_attach, may_delete_attachment, may_purge_attachment)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity

from .checks import CheckedFile, RefusedFile, inspect_upload
from .models import Attachment


def attachments_upload(*, activity: Activity, files: list, by) -> list[Attachment]:
    """Check every uploaded file by content (evidence.checks), then store them all, or none.

    ``files`` are Django ``UploadedFile`` objects (at most ``FEDWORK_ATTACHMENT_MAX_FILES``). Raises
    ValidationError with one Chinese message per refused file (nothing stored then); a file whose
    content (SHA-256 of what is stored) the activity already shows, or that comes twice in one
    upload, is refused the same way — a double click or a second tab stores nothing twice. Images are
    stored re-encoded, with a thumbnail; the shooting time in their EXIF is taken as Beijing time.
    """
    if not files:
        raise ValidationError(_("请选择要上传的文件。"))
    limit = settings.FEDWORK_ATTACHMENT_MAX_FILES
    if len(files) > limit:
        raise ValidationError(_("一次最多上传 %(count)d 个文件。") % {"count": limit})
    checked: list[CheckedFile] = []
    errors = []
    for uploaded in files:
        try:
            checked.append(inspect_upload(uploaded))
        except RefusedFile as refused:
            errors.append(str(refused))
    if errors:
        raise ValidationError(errors)
    return _store(activity, checked, by)


def _store(activity: Activity, checked: list[CheckedFile], by) -> list[Attachment]:
    written: list = []
    try:
        with transaction.atomic():
            # Two requests for one activity (a double click) queue here, so the second sees the first.
            Activity.objects.select_for_update().filter(pk=activity.pk).first()
            _refuse_duplicates(activity, checked)
            made = []
            for item in checked:
                attachment = Attachment(
                    federation=activity.federation,
                    activity=activity,
                    activity_title=activity.title,
                    year=activity.year,
                    original_name=item.original_name,
                    kind=item.kind,
                    content_type=item.content_type,
                    size=item.size,
                    sha256=item.sha256,
                    width=item.width,
                    height=item.height,
                    taken_at=(
                        timezone.make_aware(item.taken_at, timezone.get_default_timezone())
                        if item.taken_at
                        else None
                    ),
                    place=item.place,
                    uploaded_by=by,
                )
                attachment.file.save(f"upload{item.extension}", ContentFile(item.content), save=False)
                written.append(attachment.file)
                if item.thumbnail:
                    attachment.thumbnail.save("thumb.jpg", ContentFile(item.thumbnail), save=False)
                    written.append(attachment.thumbnail)
                attachment.save()
                made.append(attachment)
            return made
    except Exception:
        # The rows are rolled back; the files already written must not outlive them.
        for field_file in written:
            field_file.storage.delete(field_file.name)
        raise


def _refuse_duplicates(activity: Activity, checked: list[CheckedFile]) -> None:
    shown = dict(Attachment.objects.filter(activity=activity).shown().values_list("sha256", "original_name"))
    errors, seen = [], {}
    for item in checked:
        if item.sha256 in shown:
            errors.append(
                _("“%(name)s”与已上传的“%(other)s”内容相同，未重复上传。")
                % {"name": item.original_name, "other": shown[item.sha256]}
            )
        elif item.sha256 in seen:
            errors.append(
                _("“%(name)s”与“%(other)s”内容相同，未重复上传。")
                % {"name": item.original_name, "other": seen[item.sha256]}
            )
        seen.setdefault(item.sha256, item.original_name)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by) -> Attachment:
    """Hide a file from the activity page; the row and the file stay for the audit until purged (an
    assessment citing it shows it as deleted, and its administrators still open it)."""
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.deleted_at is None:
        attachment.deleted_at = timezone.now()
        attachment.deleted_by = by
        attachment.save(update_fields=["deleted_at", "deleted_by"])
    return attachment


def attachment_purge(*, attachment: Attachment, by) -> Attachment:
    """Remove the file and its thumbnail from the storage for good; the row records who and when.

    Only for a deleted file or one whose activity was deleted (access.may_purge_attachment decides
    who). The row is marked first and the storage emptied after the commit, so a failure leaves at
    worst an orphan file, never a row pointing at nothing. Raises ValidationError while a
    self-assessment cites the file (Attachment.is_cited): the evidence of a review stays."""
    with transaction.atomic():
        attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if attachment.purged_at is not None:
            return attachment
        if attachment.is_cited:
            raise ValidationError(
                _("“%(name)s”已被考核自评引用，不能清除。") % {"name": attachment.original_name}
            )
        names = [name for name in (attachment.file.name, attachment.thumbnail.name) if name]
        storage = attachment.file.storage
        now = timezone.now()
        attachment.purged_at = now
        attachment.purged_by = by
        if attachment.deleted_at is None:
            attachment.deleted_at, attachment.deleted_by = now, by
        attachment.file = ""
        attachment.thumbnail = ""
        attachment.save()
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return attachment


def attachments_keep_for_deleted_activity(*, activity: Activity) -> int:
    """Called by activities.services.activity_delete before the activity goes: its files stay (the
    foreign key is cleared by the database's SET_NULL), marked with when their activity was deleted.
    Returns how many were kept."""
    return Attachment.objects.filter(activity=activity).update(
        activity_deleted_at=timezone.now(), activity=None
    )
