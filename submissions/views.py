"""Periodic reports' pages: one's own periods, submitting, reviewing, completeness with drill-down, and
the schedule an upper federation sets. Every write goes through submissions.services; every access
question through fedwork.access (outsiders get 404)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fedwork import access
from fedwork.context_processors import selected_year
from fedwork.models import Federation
from plans.models import Indicator

from . import checks, services
from .forms import ReviewForm, ScheduleForm, SubmitForm
from .models import ReminderPreference, ReportingSchedule, Submission, SubmissionStatus
from .periods import SPAN, Frequency, Period, periods_of


@dataclass
class PeriodRow:
    """One of the federation's own periods, as its staff see it."""

    period: Period
    due: date
    submission: Submission | None
    today: date
    # The validation rules its current figures break (blocking its submission), for open periods.
    violations: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        """未到期 / 待上报 / 逾期未报, or the submission's status."""
        if self.submission is not None:
            return self.submission.get_status_display()
        if self.today <= self.period.last_day:
            return _("未到期")
        return _("逾期未报") if self.today > self.due else _("待上报")

    @property
    def css(self) -> str:
        if self.submission is not None:
            return {
                SubmissionStatus.APPROVED: "text-bg-success",
                SubmissionStatus.RETURNED: "text-bg-danger",
                SubmissionStatus.SUBMITTED: "text-bg-primary",
            }.get(self.submission.status, "text-bg-warning")
        if self.today <= self.period.last_day:
            return "text-bg-light"
        return "text-bg-danger" if self.today > self.due else "text-bg-warning"

    @property
    def may_submit(self) -> bool:
        ended = self.today > self.period.last_day
        open_again = self.submission is None or self.submission.status in (
            SubmissionStatus.RETURNED,
            SubmissionStatus.REOPENED,
        )
        return ended and open_again


def _own(request) -> Federation:
    federation = access.home_federation(request.user)
    if federation is None:
        raise Http404
    return federation


@login_required
def index(request):
    federation, year = _own(request), selected_year(request)
    today = timezone.localdate()
    schedules = list(ReportingSchedule.objects.effective_for(federation, year))
    submissions = {
        (s.frequency, s.number): s for s in Submission.objects.filter(federation=federation, year=year)
    }
    own_rows = [
        PeriodRow(
            period,
            period.due_date(schedule.due_day),
            submissions.get((period.frequency, period.number)),
            today,
        )
        for schedule in schedules
        for period in periods_of(year, schedule.frequency)
    ]
    rules = checks.rules_for(federation) if own_rows else []
    for row in own_rows if rules else []:
        if row.may_submit:
            figures, _count = services.snapshot(federation, row.period)
            values = {int(key): Decimal(value) for key, value in figures.items()}
            row.violations = checks.violations(federation, values, rules)
    # The children report on the schedule the federation set itself, else on the one it inherits.
    child_schedules = services.children_schedules(federation, year)
    has_children = Federation.objects.children_of(federation).exists()
    completeness = [
        services.completeness(federation, period, schedules=child_schedules)
        for schedule in (child_schedules if has_children else [])
        for period in periods_of(year, schedule.frequency)
        if period.last_day < today
    ]
    context = {
        "federation": federation,
        "year": year,
        "own_rows": own_rows,
        "completeness": completeness,
        "may_submit": access.may_submit(request.user, federation),
        "may_set_schedule": access.may_set_schedule(request.user, federation) and has_children,
        "submit_form": SubmitForm(),
    }
    return render(request, "submissions/index.html", context)


@require_POST
@login_required
def submit(request):
    federation, year = _own(request), selected_year(request)
    if not access.may_submit(request.user, federation):
        raise Http404
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("报送信息不完整，请重试。"))
        return redirect("submissions:index")
    period = Period(year, form.cleaned_data["frequency"], form.cleaned_data["number"])
    try:
        submission = services.submission_submit(
            federation=federation, period=period, by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("submissions:index")
    messages.success(request, _("已上报%(period)s报表，等待上级审核。") % {"period": period.label})
    return redirect(submission)


def _visible_submission(request, pk) -> Submission:
    return access.get_object_for_user_or_404(
        Submission.objects.select_related("federation", "submitted_by", "reviewed_by"), request.user, pk=pk
    )


@login_required
def detail(request, pk):
    submission = _visible_submission(request, pk)
    indicators = Indicator.objects.in_bulk([int(key) for key in submission.figures])
    figures = [(indicators.get(int(key)), value) for key, value in submission.figures.items()]
    changes = []
    if submission.status != SubmissionStatus.APPROVED:
        changed = services.changes_since(submission)
        names = Indicator.objects.in_bulk([row[0] for row in changed])
        changes = [(names.get(pk), before, now) for pk, before, now in changed]
    may_review = access.may_review(request.user, submission.federation)
    figure_values = {int(key): Decimal(value) for key, value in submission.figures.items()}
    unusual = checks.outliers(submission) if may_review else {}
    context = {
        "violations": checks.violations(submission.federation, figure_values),
        "outliers": [(indicators.get(pk), figure_values[pk], middle) for pk, middle in unusual.items()],
        "submission": submission,
        "figures": figures,
        "changes": changes,
        "events": submission.events.select_related("by")[:30],
        "may_review": may_review
        and submission.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED),
        "review_form": ReviewForm(initial={"seen_version": submission.version}),
        "may_resubmit": access.may_submit(request.user, submission.federation)
        and submission.status in (SubmissionStatus.RETURNED, SubmissionStatus.REOPENED),
        "submit_form": SubmitForm(initial={"frequency": submission.frequency, "number": submission.number}),
    }
    return render(request, "submissions/submission_detail.html", context)


@require_POST
@login_required
def review(request, pk):
    submission = _visible_submission(request, pk)
    if not access.may_review(request.user, submission.federation):
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(submission)
    if form.cleaned_data["seen_version"] != submission.version:
        messages.error(request, _("该报表在您查看后已有变化，请刷新后再审核。"))
        return redirect(submission)
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
    change, done = {
        "approve": (services.submission_approve, _("已审核通过，该期数据已锁定。")),
        "return": (services.submission_return, _("已退回，报送单位将看到退回原因。")),
        "reopen": (services.submission_reopen, _("已重新打开，该期数据解除锁定，此操作已记录。")),
    }[decision]
    try:
        if decision == "approve":
            change(submission=submission, by=request.user, note=note)
        else:
            change(submission=submission, by=request.user, reason=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(submission)


@login_required
def completeness_detail(request, code, frequency, number):
    federation = access.get_federation_for_user_or_404(request.user, code)
    if frequency not in SPAN or not 1 <= number <= 12 // SPAN[frequency]:
        raise Http404
    period = Period(selected_year(request), frequency, number)
    context = {
        "federation": federation,
        "breadcrumb": access.visible_ancestors(request.user, federation),
        "completeness": services.completeness(federation, period),
        "today": timezone.localdate(),
        "may_see_burden": access.may_see_burden(request.user, federation),
    }
    return render(request, "submissions/completeness.html", context)


@login_required
def schedule(request):
    federation, year = _own(request), selected_year(request)
    if not access.may_set_schedule(request.user, federation):
        raise Http404
    current = dict(
        ReportingSchedule.objects.filter(federation=federation, year=year).values_list("frequency", "due_day")
    )
    form = ScheduleForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        try:
            for frequency, due_day in chosen.items():
                services.schedule_set(
                    federation=federation, year=year, frequency=frequency, due_day=due_day, by=request.user
                )
            for gone in ReportingSchedule.objects.filter(federation=federation, year=year).exclude(
                frequency__in=list(chosen)
            ):
                services.schedule_remove(schedule=gone, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存%(year)d年的报送周期，下级妇联将按此报送。") % {"year": year})
            return redirect("submissions:index")
    context = {"form": form, "federation": federation, "year": year, "frequencies": Frequency}
    return render(request, "submissions/schedule_form.html", context)


# --- Notifications and reminder settings (one's own only: another user's notification is a 404) ------


@login_required
def notification_list(request):
    notifications = list(request.user.notifications.all()[:200])
    context = {
        "unread": [n for n in notifications if not n.is_read],
        "read": [n for n in notifications if n.is_read],
    }
    return render(request, "submissions/notification_list.html", context)


@require_POST
@login_required
def notification_read(request, pk):
    """Mark one of one's notifications read and follow its link."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    request.user.notifications.filter(pk=notification.pk).mark_read()
    # Links are the site's own paths (notifications.notify writes them); never follow anything else.
    if notification.url.startswith("/") and not notification.url.startswith("//"):
        return redirect(notification.url)
    return redirect("submissions:notifications")


@require_POST
@login_required
def notification_read_all(request):
    count = request.user.notifications.mark_read()
    messages.success(request, _("已将%(count)d条通知标为已读。") % {"count": count})
    return redirect("submissions:notifications")


ReminderPreferenceForm = modelform_factory(ReminderPreference, fields=["email_digest"])


@login_required
def reminder_settings(request):
    preference = ReminderPreference.objects.filter(user=request.user).first() or ReminderPreference(
        user=request.user
    )
    # An unticked box posts nothing: the form is bound on every POST, not only a non-empty one.
    form = ReminderPreferenceForm(request.POST if request.method == "POST" else None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.instance.email_digest:
            messages.success(request, _("已开启邮件提醒。"))
        else:
            messages.success(request, _("已关闭邮件提醒，待办事项仍会显示在首页。"))
        return redirect("submissions:reminders")
    return render(
        request,
        "submissions/reminder_settings.html",
        {"form": form, "has_email": bool(request.user.email)},
    )


@login_required
def burden_ledger(request, code):
    """基层负担台账: what the upper federations asked of a federation, month by month."""
    from .burden import burden

    federation = access.get_federation_for_user_or_404(request.user, code)
    if not access.may_see_burden(request.user, federation):
        raise Http404
    year = selected_year(request)
    months = burden(federation, year)
    context = {
        "federation": federation,
        "year": year,
        "months": months,
        "breadcrumb": access.visible_ancestors(request.user, federation),
        "children": Federation.objects.children_of(federation).order_by("code"),
        "totals": {
            "reports": sum(m.reports_count for m in months),
            "entered": sum(m.figures_entered for m in months),
            "reported": sum(m.figures_reported for m in months),
            "repeated": sum(m.figures_repeated for m in months),
        },
    }
    return render(request, "submissions/burden.html", context)
