"""Reminders (催办): once a day, each user gets one email digest of their 待办 (submissions.todo) when
something in it is due within three days or overdue and has not been sent to them that day.

- Each item sent is recorded (ReminderLog: user, day, item key); the unique constraint on the three
  makes a second run on the same day — or two runs at once — send nothing more.
- A child's report overdue past ``FEDWORK_REMINDER_GRACE_DAYS`` is in the digest of the upper
  federation's leaders and administrators (todo's 下级逾期未报).
- Users opt out on /submissions/reminders/ (ReminderPreference); users without an email address or a
  federation get nothing. Nothing is sent for check-ins: only for real deadlines.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fedwork.models import Role, User

from . import todo
from .models import ReminderLog

logger = logging.getLogger(__name__)


@dataclass
class Result:
    sent: list[str] = field(default_factory=list)  # usernames
    skipped: int = 0


def recipients():
    """Active users of a federation with an email address who have not opted out."""
    return (
        User.objects.filter(is_active=True, federation__isnull=False)
        .exclude(email="")
        .exclude(reminder_preference__email_digest=False)
        .select_related("federation")
        .order_by("federation__path", "pk")
    )


def _role_group(user: User) -> str:
    if user.role == Role.STAFF:
        return "staff"
    return "review" if user.role in todo.REVIEWERS else "other"


def subject(items: list[todo.Item]) -> str:
    return _("【妇联工作管理】待办提醒：%(count)d项需要处理") % {"count": len(items)}


def render_digest(user: User, items: list[todo.Item], today: date, site_url: str) -> str:
    context = {
        "user": user,
        "federation": user.federation,
        "groups": todo.Todo(items).groups(),
        "today": today,
        "site_url": site_url.rstrip("/"),
        "settings_url": reverse("submissions:reminders"),
        "home_url": reverse("home"),
    }
    return render_to_string("submissions/reminder_email.txt", context)


def send_reminders(*, today: date | None = None, site_url: str = "", dry_run: bool = False) -> Result:
    """Send the day's digests; returns who got one. ``site_url`` makes the links absolute."""
    today = today or timezone.localdate()
    year = today.year
    result = Result()
    # Items depend only on the federation and the role: compute them once per federation.
    actionable: dict[tuple[int, str], list[todo.Item]] = {}
    lagging: dict[int, list[todo.Item]] = {}
    logged = set(ReminderLog.objects.filter(day=today).values_list("user_id", "item_key"))
    connection = None if dry_run else get_connection()
    with translation.override(settings.LANGUAGE_CODE):
        for user in recipients().iterator(chunk_size=500):
            group = (user.federation_id, _role_group(user))
            if group not in actionable:
                actionable[group] = todo.actionable(user, year, today)
            items = actionable[group]
            fresh = [item for item in items if item.urgent and (user.pk, item.key) not in logged]
            if not fresh:
                result.skipped += 1
                continue
            if user.federation_id not in lagging:
                lagging[user.federation_id] = todo.lagging(user.federation, year)
            digest = items + lagging[user.federation_id]
            if dry_run:
                result.sent.append(user.get_username())
                continue
            if _send(user, digest, today, site_url, connection, logged):
                result.sent.append(user.get_username())
    return result


def _send(user: User, items: list[todo.Item], today: date, site_url: str, connection, logged: set) -> bool:
    """Record the items and send the digest, both or neither: a failed send leaves no record, so the
    next run tries again; an item another run recorded first stops this one (the unique constraint)."""
    message = EmailMessage(
        subject(items),
        render_digest(user, items, today, site_url),
        to=[user.email],
        connection=connection,
    )
    try:
        with transaction.atomic():
            ReminderLog.objects.bulk_create(
                ReminderLog(user=user, day=today, item_key=key)
                for key in dict.fromkeys(item.key for item in items)
                if (user.pk, key) not in logged
            )
            message.send()
    except IntegrityError:
        logger.info("reminder for %s already sent today by another run", user.get_username())
        return False
    except OSError:
        logger.exception("could not send the reminder to %s", user.get_username())
        return False
    return True
