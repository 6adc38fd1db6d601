"""Issue #15: random sequences of submit / return / approve / reopen by random users — only legal
transitions succeed, and the lock holds on the write path exactly while the period is approved."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.models import Role
from submissions import services
from submissions.models import Submission
from submissions.periods import Period
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
MAY = Period(2013, "month", 5)
ACTIONS = ["submit", "approve", "return", "reopen"]
ACTORS = ["staff", "reviewer", "reviewer_admin", "sibling", "grand", "county_leader"]
# (state, action) → next state, for the actors allowed to do it
LEGAL = {
    (None, "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("reopened", "submit"): "submitted",
    ("submitted", "approve"): "approved",
    ("submitted", "return"): "returned",
    ("approved", "reopen"): "reopened",
}
MAY_ACT = {"submit": {"staff"}, "approve": {"reviewer", "reviewer_admin"}}
MAY_ACT["return"] = MAY_ACT["reopen"] = MAY_ACT["approve"]


class SubmissionSequenceTest(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTORS)), max_size=10))
    def test_only_legal_transitions_and_the_lock_follows_approval(self, steps):
        tree = factories.build_tree()
        actors = {
            "staff": factories.user("furong-staff", tree["furong"], Role.STAFF),
            "reviewer": factories.user("changsha-leader", tree["changsha"], Role.LEADER),
            "reviewer_admin": factories.user("changsha-admin", tree["changsha"], Role.ADMIN),
            "sibling": factories.user("yuelu-staff", tree["yuelu"], Role.STAFF),
            "grand": factories.user("hunan-leader", tree["hunan"], Role.LEADER),
            "county_leader": factories.user("furong-leader", tree["furong"], Role.LEADER),
        }
        services.schedule_set(
            federation=tree["changsha"], year=2013, frequency="month", due_day=5, by=actors["reviewer_admin"]
        )
        trained = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
        activity = activity_services.activity_save(
            activity=Activity(
                federation=tree["furong"],
                year=2013,
                title="五月培训",
                type=ActivityType.objects.ensure_defaults().get(name="培训"),
                status=ActivityStatus.DONE,
                actual_start=datetime(2013, 5, 10, 9, tzinfo=BEIJING),
            ),
            figures={trained: Decimal(10)},
            by=actors["staff"],
        )
        state = None
        for action, actor in steps:
            submission = Submission.objects.filter(federation=tree["furong"]).first()
            expected = LEGAL.get((state, action)) if actor in MAY_ACT[action] else None
            try:
                if action == "submit":
                    services.submission_submit(federation=tree["furong"], period=MAY, by=actors[actor])
                elif submission is None:
                    raise ValidationError("nothing to review")
                elif action == "approve":
                    services.submission_approve(submission=submission, by=actors[actor])
                else:
                    change = services.submission_return if action == "return" else services.submission_reopen
                    change(submission=submission, by=actors[actor], reason="原因")
            except ValidationError:
                assert expected is None, (state, action, actor)
            else:
                assert expected is not None, (state, action, actor)
                state = expected
            stored = (
                Submission.objects.filter(federation=tree["furong"]).values_list("status", flat=True).first()
            )
            assert stored == state
            # The lock: an edit of May's activity succeeds exactly when the period is not approved.
            try:
                activity_services.activity_save(
                    activity=Activity.objects.get(pk=activity.pk),
                    figures={trained: Decimal(10)},
                    by=actors["staff"],
                )
            except ValidationError:
                assert state == "approved"
            else:
                assert state != "approved"
