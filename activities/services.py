"""Writing activities and their figures: the one path the form, the import and the demo share."""

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from fedwork.concurrency import claim_version
from fedwork.models import Federation
from plans.models import Indicator, IndicatorKind

from . import totals
from .models import Activity, Figure

# Rates and coverages are computed from other indicators; milestones are met by an activity itself.
ENTERABLE_KINDS = [IndicatorKind.SUM]
MAX_FIGURE = Decimal("1e15")


def enterable_indicators(federation: Federation) -> QuerySet[Indicator]:
    """Indicators an activity of this federation may record figures for."""
    return Indicator.objects.available_to(federation).filter(kind__in=ENTERABLE_KINDS).order_by("code")


def figure_error(indicator: Indicator, value: Decimal) -> str | None:
    """Why this value does not fit the indicator, in Chinese, or None when it fits."""
    if not value.is_finite():
        return _("请输入数字。")
    if value < 0:
        return _("不能为负数。")
    if value >= MAX_FIGURE:
        return _("数值过大。")
    if indicator.decimal_places == 0 and value != value.to_integral_value():
        return _("“%(name)s”以%(unit)s计，应为整数。") % {"name": indicator.name, "unit": indicator.unit}
    if value != value.quantize(Decimal(1).scaleb(-indicator.decimal_places)):
        return _("最多保留%(places)d位小数。") % {"places": indicator.decimal_places}
    return None


# Plausibility (a warning the user confirms, never a refusal): what one activity can record. No office
# sets these limits; they are orders of magnitude above the largest figure of one activity in the
# demo and in the 2013 provincial notices (十万人次 campaigns, 亿元-level loans), so only a typo
# (extra zeros, a phone number in the wrong box) reaches them. Units not listed use DEFAULT.
PLAUSIBLE_LIMITS = {
    "人": Decimal(10_000_000),
    "人次": Decimal(10_000_000),
    "名": Decimal(10_000_000),
    "户": Decimal(10_000_000),
    "万元": Decimal(1_000_000),  # 100亿元
    "元": Decimal(10_000_000_000),
}
DEFAULT_PLAUSIBLE_LIMIT = Decimal(1_000_000)


def implausible_figure(indicator: Indicator, value: Decimal) -> str | None:
    """A warning, in Chinese, when ``value`` is far beyond what one activity records for the indicator
    (PLAUSIBLE_LIMITS, by unit: 10,000,000人, 1,000,000万元, 1,000,000 of anything else); None when
    it is plausible. The form asks the user to tick 确认无误 before saving such a figure; the value is
    not refused (figure_error decides what is invalid)."""
    limit = PLAUSIBLE_LIMITS.get(indicator.unit, DEFAULT_PLAUSIBLE_LIMIT)
    if value < limit:
        return None
    from fedwork.numbers import quantity

    return _("“%(name)s”为%(value)s，数值异常大，请核对（是否多输了0？）。") % {
        "name": indicator.name,
        "value": quantity(value, indicator.unit),
    }


def _stored_exactly(value: Decimal) -> bool:
    """Whether Figure.value (two decimal places) holds this value without rounding it."""
    return value.is_finite() and value.as_tuple().exponent >= -2


def ensure_unlocked(*activities: Activity | None) -> None:
    """Refuse (ValidationError) a write that touches a period an approved report has locked: the
    activity's state before and after the write are both checked (submissions.services)."""
    from submissions.services import ensure_unlocked as refuse_locked

    refuse_locked(
        (activity.federation_id, activity.year, totals.activity_month(activity, fresh=True))
        for activity in activities
        if activity is not None
    )


@transaction.atomic
def activity_save(
    *,
    activity: Activity,
    figures: dict[Indicator, Decimal | None],
    by,
    work_points=None,
    achieves=None,
    seen_version: int | None = None,
) -> Activity:
    """Save an activity with its figures (None removes a figure) in one transaction.

    The roll-up totals of the federation and its ancestors change in the same transaction. A write
    into a period locked by an approved report raises ValidationError (ensure_unlocked). An edit
    from a form passes the version it was opened with (ActivityForm requires it); a stale one raises
    StaleEditError. Every edit moves the activity to the next version.
    """
    if activity.pk:
        if seen_version is None:
            # A write without a form (a command, a test): take the row as it is now, but still move
            # it to the next version, so that a form opened before this write is refused as stale.
            seen_version = (
                Activity.objects.select_for_update().values_list("version", flat=True).get(pk=activity.pk)
            )
        claim_version(activity, seen_version)
    new = activity.pk is None
    stored, before = (None, {}) if new else totals.stored_state(activity.pk)
    ensure_unlocked(activity, stored)
    if new:
        activity.created_by = by
    activity.updated_by = by
    activity.save()
    # A new activity has no relations or figures yet: nothing to read back, nothing to clear; add()
    # inserts the links without set()'s read of the current ones.
    if new:
        if work_points:
            activity.work_points.add(*work_points)
        if achieves:
            activity.achieves.add(*achieves)
    else:
        if work_points is not None:
            activity.work_points.set(work_points)
        if achieves is not None:
            activity.achieves.set(achieves)
    if stored is not None and stored.year != activity.year:
        # Figures carry their activity's year (Figure.year). On PostgreSQL the composite foreign key
        # has already moved them (ON UPDATE CASCADE); on SQLite this UPDATE does.
        activity.figures.exclude(year=activity.year).update(year=activity.year)
    existing = {} if new else {figure.indicator_id: figure for figure in activity.figures.all()}
    created = []
    for indicator, value in figures.items():
        figure = existing.get(indicator.pk)
        if value is None:
            if figure is not None:
                figure.delete()
        elif figure is None:
            created.append(Figure(activity=activity, indicator=indicator, value=value, year=activity.year))
        elif figure.value != value:
            figure.value = value
            figure.save(update_fields=["value"])
    if created:
        # Two INSERTs (the figures, their history rows) instead of two per figure: the write path's
        # round trips are most of its time. The history names the user the service was given.
        bulk_create_with_history(created, Figure, default_user=by)
    written = [(indicator.pk, value) for indicator, value in figures.items() if value is not None]
    if new and all(_stored_exactly(value) for _pk, value in written):
        saved = written  # a new activity's figures are the ones just written, as the database keeps them
    else:  # an edit keeps figures it did not touch; the database rounds beyond two places
        saved = activity.figures.values_list("indicator_id", "value")
    after = totals.contribution(activity, saved, activity.federation.path)
    totals.apply(totals.difference(after, before))
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, by) -> None:
    """Delete an activity and take its figures out of the totals; refused in a locked period. Its
    evidence files are kept for the audit until an administrator purges them (evidence.services)."""
    from evidence.services import attachments_keep_for_deleted_activity

    stored, before = totals.stored_state(activity.pk)
    ensure_unlocked(stored)
    attachments_keep_for_deleted_activity(activity=activity)
    activity._history_user = by  # simple-history records who deleted it
    activity.delete()
    totals.apply(totals.difference({}, before))


HISTORY_CHUNK = 500  # ids per INSERT … SELECT (SQLite allows 999 parameters per statement)


def insert_history(model, ids: list[int], *, by, reason: str) -> None:
    """Write the "created" history row of each just-inserted ``model`` row (ids), database-side: one
    INSERT … SELECT per HISTORY_CHUNK ids, copying simple_history's tracked columns from the rows as
    stored, with one history date (now), ``by`` as the history's user and ``reason`` as its change
    reason — the rows simple_history's bulk_create_with_history writes, without building a model
    instance per row in Python (two thirds of its time in an import of 2,000 rows, cProfile).
    No signals are sent (bulk_history_create sends none either)."""
    history = model.history.model
    columns = [field.column for field in history.tracked_fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    extra = ("history_date", "history_change_reason", "history_type", "history_user_id")
    insert = (
        f"INSERT INTO {quote(history._meta.db_table)} ({names}, {', '.join(quote(c) for c in extra)})"
        f" SELECT {names}, %s, %s, '+', %s FROM {quote(model._meta.db_table)}"
    )
    now, user_id = connection.ops.adapt_datetimefield_value(timezone.now()), getattr(by, "pk", None)
    order = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), HISTORY_CHUNK):
            chunk = ids[start : start + HISTORY_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"{insert} WHERE {order} IN ({marks}) ORDER BY {order}",
                [now, reason, user_id, *chunk],
            )


CHANGE_REASON = "Excel导入"  # not translated: stored in the history rows of imported activities


def activity_import_batch(
    activities: list[Activity], *, by, contributions: totals.Contribution, batch_size: int | None = None
) -> None:
    """Insert a batch of validated new activities (an Excel import) with their figures and work-point
    links, with history; add what they contribute to the roll-up totals to ``contributions``, which
    the import applies once just before it commits (totals.apply).

    Each activity carries ``_import_figures`` [(Indicator, Decimal)] and ``_import_work_point``.
    Refused (ValidationError) when any of them falls in a period an approved report has locked.
    Called only inside activities.importing.import_activities' transaction.
    """
    ensure_unlocked(*activities)
    for activity in activities:
        # bulk_create bypasses Activity.save(), which derives these two fields.
        activity.calendar_day = activity.compute_calendar_day()
        activity.planned_last_day = activity.compute_planned_last_day()
    # bulk_create sets the primary keys on PostgreSQL and SQLite, which the figures and links need.
    Activity.objects.bulk_create(activities, batch_size=batch_size)
    insert_history(Activity, [activity.pk for activity in activities], by=by, reason=CHANGE_REASON)
    figures = [
        Figure(activity_id=activity.pk, indicator_id=indicator.pk, value=value, year=activity.year)
        for activity in activities
        for indicator, value in activity._import_figures
    ]
    if figures:
        # No history row per imported figure: each activity's history entry above already says who
        # imported it, when and how (CHANGE_REASON), and the figures are created with it. Later edits
        # of a figure go through the form and are recorded as usual. (A history row per figure was
        # three more rows per imported line: a third of an import's time.)
        Figure.objects.bulk_create(figures, batch_size=batch_size)
    for activity in activities:
        for key, value in totals.contribution(
            activity,
            [(indicator.pk, value) for indicator, value in activity._import_figures],
            activity.federation.path,
        ).items():
            contributions[key] += value
    through = Activity.work_points.through
    links = [
        through(activity_id=activity.pk, workpoint_id=activity._import_work_point.pk)
        for activity in activities
        if activity._import_work_point is not None
    ]
    if links:
        through.objects.bulk_create(links, batch_size=batch_size)
