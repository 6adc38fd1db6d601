"""The iCalendar (RFC 5545) feed of a federation's activities, written with the icalendar package."""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Activity, ActivityStatus


def build_feed(federation, activities, *, base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//fedwork//妇联活动日历//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{federation.display_name}活动")
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for activity in activities:
        event = _event(activity, federation, base_url)
        if event is not None:
            calendar.add_component(event)
    return calendar.to_ical()


def _event(activity: Activity, federation, base_url: str) -> Event | None:
    event = Event()
    event.add("uid", f"activity-{activity.pk}@fedwork")
    upper = (
        "" if activity.federation_id == federation.pk else f"【上级活动·{activity.federation.display_name}】"
    )
    event.add("summary", f"{upper}{activity.title}")
    if activity.actual_start:
        event.add("dtstart", timezone.localtime(activity.actual_start))
        event.add(
            "dtend", timezone.localtime(activity.actual_end or activity.actual_start + timedelta(hours=2))
        )
    elif activity.planned_start:
        event.add("dtstart", activity.planned_start)
        event.add("dtend", (activity.planned_end or activity.planned_start) + timedelta(days=1))
    else:
        return None  # month-only plans have no day to put in a calendar
    if activity.place:
        event.add("location", activity.place)
    description = [activity.type.name, activity.get_status_display()]
    if activity.description:
        description.append(activity.description)
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED")
    event.add("url", base_url.rstrip("/") + activity.get_absolute_url())
    event.add("dtstamp", activity.updated_at)
    return event
