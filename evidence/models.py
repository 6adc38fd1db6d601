"""Evidence files (佐证材料): photos, PDFs, Word and Excel files attached to an activity.

An attachment is uploaded once and cited by its id (the assessment and the year-end summary refer to
it later). Its file lives in Django's default storage under ``evidence/<federation code>/<year>/`` with
a random name — never the user's — and is served only by ``evidence.views.attachment_file`` after
the access rule (``fedwork.access.may_see_attachment``). Deleting keeps the row and the file for the
audit (``deleted_at``); purging, by an administrator, removes the file and records who and when.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from fedwork.fields import CleanCharField
from fedwork.models import Federation


def attachment_path(instance: "Attachment", filename: str) -> str:
    """``evidence/<federation code>/<year>/<uuid><ext>``: the extension is the detected type's, passed
    in as ``filename`` by the service; nothing of the user's file name reaches the path."""
    extension = filename[filename.rfind(".") :] if "." in filename else ""
    return f"evidence/{instance.federation.code}/{instance.year}/{uuid.uuid4().hex}{extension}"


def thumbnail_path(instance: "Attachment", filename: str) -> str:
    return f"evidence/{instance.federation.code}/{instance.year}/thumbs/{uuid.uuid4().hex}.jpg"


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("照片")
    PDF = "pdf", _("PDF")
    WORD = "word", _("Word 文档")
    EXCEL = "excel", _("Excel 表格")


class AttachmentQuerySet(models.QuerySet):
    def in_subtree(self, federation: Federation) -> "AttachmentQuerySet":
        """Files of the federation and everything below it (Federation.objects.subtree_q)."""
        return self.filter(Federation.objects.subtree_q(federation))

    def shown(self) -> "AttachmentQuerySet":
        """Neither deleted nor purged: what the activity page lists."""
        return self.filter(deleted_at__isnull=True, purged_at__isnull=True)

    def stored(self) -> "AttachmentQuerySet":
        """Whose file still takes space in the storage (deleted but not yet purged ones included)."""
        return self.filter(purged_at__isnull=True)

    def citable(self, federation: Federation, year: int) -> "AttachmentQuerySet":
        """The files a federation's year-end summary may cite as 附件: the year's shown files of its
        subtree, newest first (whoever may read the summary may read these: fedwork.access.can_view
        covers the subtree)."""
        return (
            self.in_subtree(federation)
            .shown()
            .filter(year=year)
            .select_related("federation")
            .order_by("-uploaded_at", "-pk")
        )

    def usage_by_federation_path(self) -> list[tuple[str, int, int]]:
        """(federation path, stored files, bytes) per federation holding stored files: one query."""
        return list(
            self.stored()
            .values_list("federation__path")
            .annotate(count=models.Count("pk"), bytes=Sum("size"))
            .order_by()
        )

    def storage_used(self) -> dict:
        """``{"count": int, "bytes": int}`` of the stored files (file plus thumbnail is counted as the
        file's size: thumbnails are a few kB)."""
        totals = self.stored().aggregate(count=models.Count("pk"), bytes=Sum("size"))
        return {"count": totals["count"], "bytes": totals["bytes"] or 0}


class Attachment(models.Model):
    federation = models.ForeignKey(
        Federation, verbose_name=_("妇联"), on_delete=models.PROTECT, related_name="attachments"
    )
    # Deleting an activity keeps its files for the audit: the link is cleared, the title kept.
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("活动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    activity_title = CleanCharField(_("活动名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255, blank=True)
    original_name = CleanCharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类别"), max_length=8, choices=AttachmentKind.choices)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("宽（像素）"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高（像素）"), null=True, blank=True)
    thumbnail = models.FileField(_("缩略图"), upload_to=thumbnail_path, max_length=255, blank=True)
    # From the photo's EXIF, as the camera wrote it: information only, never required, never judged.
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    place = models.CharField(_("拍摄位置"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    activity_deleted_at = models.DateTimeField(_("活动删除时间"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("删除人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    purged_at = models.DateTimeField(_("清除时间"), null=True, blank=True)
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("清除人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AttachmentQuerySet.as_manager()

    # How a row reaches its federation, for fedwork.access (scoping, the admin, form choices).
    federation_lookup = "federation"

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["federation", "year"], name="evidence_fed_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AttachmentKind.values), name="evidence_attachment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_attachment_sha256_hex"
            ),
            models.CheckConstraint(
                condition=Q(width__isnull=True, height__isnull=True)
                | Q(width__isnull=False, height__isnull=False),
                name="evidence_attachment_width_with_height",
            ),
            # A purged attachment has no file left; a stored one has one.
            models.CheckConstraint(
                condition=Q(purged_at__isnull=True, file__gt="") | Q(purged_at__isnull=False, file=""),
                name="evidence_attachment_file_until_purged",
            ),
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("evidence:file", kwargs={"pk": self.pk})

    @property
    def citation(self) -> str:
        """How a document cites the file in its 附件 list: 挂牌.jpg（芙蓉区妇联：妇女之家挂牌仪式）."""
        return f"{self.original_name}（{self.federation.display_name}：{self.activity_title}）"

    @property
    def is_image(self) -> bool:
        return self.kind == AttachmentKind.IMAGE

    @property
    def is_shown(self) -> bool:
        return self.deleted_at is None and self.purged_at is None

    @property
    def is_cited(self) -> bool:
        """Whether a year-end self-assessment cites this file (assessments.ItemScore.attachments): a
        cited file is the record its review and result rest on, so it is never purged."""
        from django.apps import apps  # assessments depends on evidence, not the other way round

        through = apps.get_model("assessments", "ItemScore").attachments.through
        return through.objects.filter(attachment_id=self.pk).exists()

    @property
    def served_inline(self) -> bool:
        """Photos and PDFs open in the browser (sandboxed); Word and Excel files download."""
        return self.kind in (AttachmentKind.IMAGE, AttachmentKind.PDF)
