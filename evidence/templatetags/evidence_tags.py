"""The evidence panel of the activity page: ``{% attachments_panel activity %}``."""

from django import template
from django.conf import settings

from fedwork import access

from ..models import Attachment

register = template.Library()


@register.inclusion_tag("evidence/_panel.html", takes_context=True)
def attachments_panel(context, activity) -> dict:
    """The activity's files the user may see (none for federations below, which see an upper
    federation's main activity but not its files), whether they may add or delete, and the limits."""
    user = context["request"].user
    if not access.can_view(user, activity.federation):
        return {"shown": False}
    attachments = list(Attachment.objects.filter(activity=activity).shown().select_related("uploaded_by"))
    for attachment in attachments:
        attachment.federation = activity.federation  # the access rule reads it; no query per file
    return {
        "shown": True,
        "activity": activity,
        "items": [(attachment, access.may_delete_attachment(user, attachment)) for attachment in attachments],
        "may_attach": access.may_attach(user, activity),
        "may_see_storage": access.may_see_storage(user, activity.federation),
        "max_mb": settings.FEDWORK_ATTACHMENT_MAX_MB,
        "max_files": settings.FEDWORK_ATTACHMENT_MAX_FILES,
        "csrf_token": context.get("csrf_token"),
    }
