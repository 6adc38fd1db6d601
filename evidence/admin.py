"""Evidence files in the admin: read-only and scoped like every record, with a purge action."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fedwork import access
from fedwork.admin import ReadOnlyAdmin

from . import services
from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "federation",
        "activity_title",
        "kind",
        "size",
        "uploaded_by",
        "uploaded_at",
        "deleted_at",
        "purged_at",
    ]
    list_filter = ["kind", "year"]
    search_fields = ["original_name", "activity_title", "sha256"]
    list_select_related = ["federation", "uploaded_by"]
    actions = ["purge"]
    # The storage names are never links: files open only through the access-checked view.
    exclude = ["file", "thumbnail"]
    readonly_fields = ["open_file"]
    show_full_result_count = False

    def view_on_site(self, obj):
        return obj.activity.get_absolute_url() if obj.activity_id else None

    @admin.display(description=_("文件"))
    def open_file(self, obj):
        if not obj.file:
            return _("已清除")
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), obj)

    @admin.action(description=_("清除所选文件（从存储中永久删除）"))
    def purge(self, request, queryset):
        purged = skipped = cited = 0
        for attachment in queryset.select_related("federation"):
            if access.may_purge_attachment(request.user, attachment):
                try:
                    services.attachment_purge(attachment=attachment, by=request.user)
                except ValidationError:
                    cited += 1
                else:
                    purged += 1
            else:
                skipped += 1
        messages.success(
            request,
            ngettext("已清除 %(count)d 个文件。", "已清除 %(count)d 个文件。", purged) % {"count": purged},
        )
        if skipped:
            messages.warning(
                request,
                ngettext(
                    "%(count)d 个文件未清除：只能清除已删除的文件或所属活动已删除的文件。",
                    "%(count)d 个文件未清除：只能清除已删除的文件或所属活动已删除的文件。",
                    skipped,
                )
                % {"count": skipped},
            )
        if cited:
            messages.warning(
                request,
                ngettext(
                    "%(count)d 个文件被考核引用，未清除。",
                    "%(count)d 个文件被考核引用，未清除。",
                    cited,
                )
                % {"count": cited},
            )
