import calendar as pycalendar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fedwork import access, params
from fedwork.concurrency import ALREADY_SUBMITTED_MESSAGE
from fedwork.context_processors import selected_year
from fedwork.models import Federation
from plans.models import PlannedActivity, PlanStatus

from . import services
from .calendar_feed import build_feed
from .forms import ActivityForm, CalendarFilterForm
from .models import Activity, ActivityStatus, CalendarFeed


def _home(request):
    federation = access.home_federation(request.user)
    if federation is None:
        raise Http404
    return federation


def _visible_activities(user, federation):
    """The user's own subtree, plus the main activities their ancestors announce."""
    return Activity.objects.for_user(user) | Activity.objects.main_of_ancestors(federation)


def _filtered(request, federation, year):
    """Own activities, upper ones, planned items from upper plans, and the filter form, for the calendar."""
    form = CalendarFilterForm(request.GET or None, federation=federation, year=year)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    own = Activity.objects.for_year(year)
    own = own.in_subtree(federation) if data.get("below") else own.filter(federation=federation)
    upper = Activity.objects.main_of_ancestors(federation).for_year(year)
    if data.get("type"):
        own, upper = own.filter(type=data["type"]), upper.filter(type=data["type"])
    if data.get("work_point"):
        own, upper = own.filter(work_points=data["work_point"]), upper.filter(work_points=data["work_point"])
    if data.get("status") == "overdue":
        own, upper = own.overdue(), upper.overdue()
    elif data.get("status"):
        own, upper = own.filter(status=data["status"]), upper.filter(status=data["status"])
    planned = PlannedActivity.objects.none()
    if not any(data.get(key) for key in ("type", "work_point", "status")):
        planned = PlannedActivity.objects.filter(
            plan__federation_id__in=Federation.objects.ancestor_pks(federation),
            plan__year=year,
            plan__status__in=[PlanStatus.PUBLISHED, PlanStatus.ARCHIVED],
        ).select_related("plan__federation")
    related = ["type", "federation"]
    return own.select_related(*related), upper.select_related(*related), planned, form


@login_required
def index(request):
    return redirect("activities:calendar")


class CalendarEntry:
    """One of the federation's own activities as the month shows it, built from a plain row.

    A busy month holds hundreds of them, and a model instance costs several times a plain object to
    build. The last planned day and the detail URL are the model's own methods.
    """

    FIELDS = (
        "pk",
        "federation_id",
        "year",
        "title",
        "status",
        "calendar_day",
        "planned_month",
        "planned_start",
        "planned_end",
        "planned_last_day",
    )
    __slots__ = (*FIELDS, "today")
    is_upper = False
    compute_planned_last_day = Activity.compute_planned_last_day
    get_absolute_url = Activity.get_absolute_url

    def __init__(self, row, today):
        (  # FIELDS, in order: unpacking costs a fifth of a setattr loop, per row of a busy month
            self.pk,
            self.federation_id,
            self.year,
            self.title,
            self.status,
            self.calendar_day,
            self.planned_month,
            self.planned_start,
            self.planned_end,
            self.planned_last_day,
        ) = row
        self.today = today

    @property
    def is_overdue(self) -> bool:
        # Activity.is_overdue's rule with the page's today: timezone.localdate() costs ~8 µs a call.
        last = self.planned_last_day or self.compute_planned_last_day()
        return self.status == ActivityStatus.PLANNED and last is not None and last < self.today


@login_required
def calendar_month(request):
    federation, year = _home(request), selected_year(request)
    today = timezone.localdate()
    month = params.query_month(request, default=today.month if today.year == year else 1)
    own, upper, planned, form = _filtered(request, federation, year)
    own = [CalendarEntry(row, today) for row in own.in_month(year, month).values_list(*CalendarEntry.FIELDS)]
    upper = list(upper.select_related(None).select_related("federation").in_month(year, month))
    for activity in upper:
        activity.is_upper = True  # ancestors' main activities: never the federation's own
    by_day, month_only = {}, []
    for activity in own + upper:
        (by_day.setdefault(activity.calendar_day, []) if activity.calendar_day else month_only).append(
            activity
        )
    weeks = [
        [(day, day.month == month, by_day.get(day, [])) for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    query = request.GET.copy()
    query.pop("m", None)
    context = {
        "federation": federation,
        "year": year,
        "month": month,
        "weeks": weeks,
        "today": today,
        "month_only": month_only,
        "planned": list(planned.filter(month=month)),
        "form": form,
        "query": query.urlencode(),
        "prev_month": month - 1 if month > 1 else None,
        "next_month": month + 1 if month < 12 else None,
        "may_create": access.can_edit_records(request.user, federation),
        "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
    }
    return render(request, "activities/activity_calendar.html", context)


@login_required
def activity_list(request):
    federation, year = _home(request), selected_year(request)
    own, upper, planned, form = _filtered(request, federation, year)
    context = {
        "federation": federation,
        "year": year,
        "form": form,
        "activities": own.prefetch_related("figures__indicator"),
        "upper": upper,
        "planned": planned,
        "query": request.GET.urlencode(),
        "may_create": access.can_edit_records(request.user, federation),
    }
    return render(request, "activities/activity_list.html", context)


@login_required
def activity_detail(request, pk):
    federation = _home(request)
    activity = get_object_or_404(
        _visible_activities(request.user, federation).select_related(
            "federation", "type", "created_by", "updated_by"
        ),
        pk=pk,
    )
    history = activity.history.select_related("history_user").order_by("-history_date")[:20]
    context = {
        "activity": activity,
        "figures": activity.figures.select_related("indicator").order_by("indicator__code"),
        "history": history,
        "may_edit": access.can_edit_records(request.user, activity.federation),
    }
    return render(request, "activities/activity_detail.html", context)


def _save_form(request, form, activity) -> bool:
    """Save through the one write path; False (with the form error set) when it refuses: the edit is
    stale, or its period is locked by an approved report."""
    try:
        _save(request, form, activity)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    _warn_about_rules(request, activity, form.figures())
    return True


def _warn_about_rules(request, activity, figures) -> None:
    """Validation rules set above (办结 ≤ 受理 …) warn on entry; they block only the report."""
    from submissions.checks import violations

    values = {indicator.pk: value for indicator, value in figures.items() if value is not None}
    for message in violations(activity.federation, values) if values else []:
        messages.warning(request, _("请核对：") + message)


def _save(request, form, activity):
    services.activity_save(
        activity=activity,
        figures=form.figures(),
        by=request.user,
        work_points=[form.cleaned_data["work_point"]] if form.cleaned_data.get("work_point") else [],
        achieves=form.cleaned_data.get("achieves") if "achieves" in form.fields else None,
        seen_version=form.cleaned_data.get("seen_version") if activity.pk else None,
    )


@login_required
def activity_create(request):
    federation, year = _home(request), selected_year(request)
    access.require_edit(request.user, federation)
    activity = Activity(federation=federation, year=year)
    initial = {"status": ActivityStatus.DONE}
    if request.GET.get("type"):
        initial["type"] = params.query_id(request, "type")
    form = ActivityForm(
        request.POST or None, instance=activity, federation=federation, year=year, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # The form's one-time token: a second POST of the same page (a double click) saves nothing.
            earlier = form.claim_token()
            if earlier is not None:
                messages.info(request, ALREADY_SUBMITTED_MESSAGE)
                return redirect(earlier.result_url or reverse("activities:list"))
            if _save_form(request, form, form.instance):
                form.record_result(form.instance.get_absolute_url())
                messages.success(request, _("已保存活动“%(title)s”。") % {"title": form.instance.title})
                if "add_another" in request.POST:
                    return redirect(f"{reverse('activities:create')}?type={form.instance.type_id}")
                return redirect(form.instance)
            transaction.set_rollback(True)  # nothing saved: the token may be used again
    return _render_form(request, form, federation=federation, year=year)


def _render_form(request, form, **context):
    point_indicators = {str(pk): sorted(codes) for pk, codes in form.point_indicators.items()}
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "point_indicators": point_indicators, **context},
    )


def _activity_for_edit(request, pk) -> Activity:
    activity = get_object_or_404(Activity.objects.for_user(request.user).select_related("federation"), pk=pk)
    access.require_edit(request.user, activity.federation)
    return activity


@login_required
def activity_edit(request, pk):
    activity = _activity_for_edit(request, pk)
    form = ActivityForm(
        request.POST or None, instance=activity, federation=activity.federation, year=activity.year
    )
    if request.method == "POST" and form.is_valid() and _save_form(request, form, form.instance):
        messages.success(request, _("已保存。"))
        return redirect(activity)
    return _render_form(request, form, federation=activity.federation, year=activity.year, activity=activity)


@login_required
def activity_delete(request, pk):
    activity = _activity_for_edit(request, pk)
    if request.method == "POST":
        try:
            services.activity_delete(activity=activity, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(activity)
        messages.success(request, _("已删除活动“%(title)s”，删除记录已保留。") % {"title": activity.title})
        return redirect("activities:list")
    return render(
        request,
        "plans/confirm_delete.html",
        {"object": activity, "what": _("活动"), "cancel_url": activity.get_absolute_url()},
    )


@login_required
def feed_settings(request):
    federation = _home(request)
    if request.method == "POST":
        access.require_edit(request.user, federation)
    feed, _created = CalendarFeed.objects.get_or_create(federation=federation)
    if request.method == "POST":
        feed.token = CalendarFeed._meta.get_field("token").default()
        feed.save(update_fields=["token"])
        messages.success(request, _("已更换订阅地址，旧地址立即失效。"))
        return redirect("activities:feed")
    url = request.build_absolute_uri(feed.get_absolute_url())
    return render(
        request,
        "activities/feed_settings.html",
        {
            "feed_url": url,
            "federation": federation,
            "may_reset": access.can_edit_records(request.user, federation),
        },
    )


FEED_LIMIT = 1000  # the most recent events; a phone calendar needs no more


def ical_feed(request, token):
    """The private feed: no login (phones cannot log in), the unguessable token is the key."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("federation"), token=token)
    federation = feed.federation
    activities = (
        (Activity.objects.filter(federation=federation) | Activity.objects.main_of_ancestors(federation))
        .select_related("federation", "type")
        .order_by("-calendar_day")[:FEED_LIMIT]
    )
    body = build_feed(federation, activities, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="fedwork-{federation.code}.ics"'
    return response
