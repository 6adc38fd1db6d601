"""Checks on figures: validation rules between indicators (校验规则) and outliers (异常值).

Rules come from the federation and every federation above it; a figure that breaks one is a
warning when an activity is saved and blocks the report (submissions.services.submission_submit).
Outliers are figures far from the federation's own history of reports, by the median absolute
deviation (MAD): flagged to the reviewer, never refused.
"""

from decimal import Decimal
from statistics import median

from django.utils.translation import gettext as _

from fedwork.models import Federation

from .models import Submission, SubmissionStatus, ValidationRule

# A figure is an outlier when it lies more than this many scaled MADs from the median of at least
# MIN_HISTORY earlier reports (1.4826 × MAD estimates the standard deviation of normal data).
OUTLIER_THRESHOLD = Decimal("3.5")
MIN_HISTORY = 4
MAD_SCALE = Decimal("1.4826")


def rules_for(federation: Federation) -> list[ValidationRule]:
    """The rules that apply to a federation: its own and its ancestors' (one query)."""
    return list(
        ValidationRule.objects.filter(
            federation__code__in=[*federation.ancestor_codes, federation.code]
        ).select_related("left", "right")
    )


def violations(federation: Federation, figures: dict[int, Decimal], rules=None) -> list[str]:
    """A Chinese sentence for every rule these figures ({indicator id: value}) break."""
    messages = []
    for rule in rules if rules is not None else rules_for(federation):
        if rule.broken_by(figures):
            messages.append(
                _("“%(left)s”（%(lv)s）应%(op)s“%(right)s”（%(rv)s）。")
                % {
                    "left": rule.left.name,
                    "lv": figures.get(rule.left_id, Decimal(0)).normalize(),
                    "op": rule.get_operator_display(),
                    "right": rule.right.name,
                    "rv": figures.get(rule.right_id, Decimal(0)).normalize(),
                }
            )
    return messages


def outliers(submission: Submission) -> dict[int, Decimal]:
    """{indicator id: the median of earlier reports} for each figure of this report that lies far from
    the federation's own earlier reports of the same frequency (approved or waiting ones)."""
    history: dict[str, list[Decimal]] = {}
    earlier = Submission.objects.filter(
        federation_id=submission.federation_id,
        frequency=submission.frequency,
        status__in=[SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED],
    ).exclude(pk=submission.pk)
    for figures in earlier.values_list("figures", flat=True):
        for key, value in figures.items():
            history.setdefault(key, []).append(Decimal(value))
    flagged = {}
    for key, value in submission.figures.items():
        past = history.get(key, [])
        if len(past) < MIN_HISTORY:
            continue
        middle = median(past)
        spread = median(abs(x - middle) for x in past) * MAD_SCALE
        distance = abs(Decimal(value) - middle)
        if (spread == 0 and distance > 0 and distance > middle / 2) or (
            spread > 0 and distance > OUTLIER_THRESHOLD * spread
        ):
            flagged[int(key)] = middle
    return flagged
