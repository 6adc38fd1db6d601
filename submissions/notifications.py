"""In-app notifications (站内通知) for the events of a report, created by the transitions in
submissions.services (never by signals):

- submitted (上报): the direct upper federation's leaders and administrators, who review it;
- returned (退回): the submitting federation's staff, who correct and resubmit it;
- approved (审核通过) and reopened (重新打开): the staff member who submitted it.

The one doing the transition is never notified of their own act.
"""

from django.utils.translation import gettext as _

from fedwork.models import Role, User

from .models import Notification, Submission, SubmissionEvent


def recipients(submission: Submission, action: str) -> list[User]:
    """Who hears of ``action`` on ``submission`` (active users only)."""
    active = User.objects.filter(is_active=True)
    if action == SubmissionEvent.Action.SUBMITTED:
        if submission.federation.parent_id is None:
            return []
        return list(
            active.filter(federation_id=submission.federation.parent_id, role__in=[Role.LEADER, Role.ADMIN])
        )
    if action == SubmissionEvent.Action.RETURNED:
        return list(active.filter(federation_id=submission.federation_id, role=Role.STAFF))
    return list(active.filter(pk=submission.submitted_by_id))


def text_for(submission: Submission, action: str, note: str = "") -> str:
    values = {
        "federation": submission.federation.display_name,
        "period": submission.period.label,
        "note": note,
    }
    if action == SubmissionEvent.Action.SUBMITTED:
        return _("%(federation)s已上报%(period)s报表，等待您审核。") % values
    if action == SubmissionEvent.Action.RETURNED:
        return _("%(federation)s%(period)s报表被退回，原因：%(note)s。请修改后重新上报。") % values
    if action == SubmissionEvent.Action.APPROVED:
        return _("%(federation)s%(period)s报表已审核通过，该期数据已锁定。") % values
    return _("%(federation)s%(period)s报表已被上级重新打开，原因：%(note)s。请更正后重新上报。") % values


def notify(submission: Submission, action: str, by: User, note: str = "") -> list[Notification]:
    """Tell the people concerned that ``by`` did ``action`` to ``submission`` (one query to find them,
    one to write)."""
    text = text_for(submission, action, note)[:300]
    url = submission.get_absolute_url()
    return Notification.objects.bulk_create(
        Notification(user=user, text=text, url=url)
        for user in recipients(submission, action)
        if user.pk != by.pk
    )
