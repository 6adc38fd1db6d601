"""Periodic reports (issue #15): periods, the submit/review cycle, the lock on every write path,
completeness, and who may do what."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType
from activities.totals import differences
from fedwork.models import Role, User
from submissions import services
from submissions.models import ReportingSchedule, Submission, SubmissionEvent, SubmissionStatus
from submissions.periods import Frequency, Period, periods_containing
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
MAY = Period(2013, Frequency.MONTH, 5)


def test_periods_cover_their_months_and_fall_due_after_them():
    assert list(Period(2013, "quarter", 2).months) == [4, 5, 6]
    assert Period(2013, "half", 2).last_day == date(2013, 12, 31)
    assert Period(2013, "month", 1).due_date(5) == date(2013, 2, 5)
    assert Period(2013, "year", 1).due_date(20) == date(2014, 1, 20)
    assert Period(2013, "month", 1).due_date(31 - 3) == date(2013, 2, 28)
    assert str(Period(2013, "quarter", 3).label) == "2013年第三季度"
    assert {p.frequency: p.number for p in periods_containing(2013, 8)} == {
        "month": 8,
        "quarter": 3,
        "half": 2,
        "year": 1,
    }
    with pytest.raises(ValueError):
        Period(2013, "quarter", 5)


@pytest.fixture
def trained(tree):
    return factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])


def changsha_staff(tree):
    return User.objects.filter(username="changsha-staff").first() or factories.user(
        "changsha-staff", tree["changsha"], Role.STAFF
    )


@pytest.fixture
def monthly(tree, people):
    """长沙市 asks its counties for a monthly report by the 5th of the next month."""
    return services.schedule_set(
        federation=tree["changsha"], year=2013, frequency="month", due_day=5, by=changsha_staff(tree)
    )


def record(federation, day: date, figures, by=None) -> Activity:
    return activity_services.activity_save(
        activity=Activity(
            federation=federation,
            year=day.year,
            title="巾帼培训班",
            type=ActivityType.objects.ensure_defaults().get(name="培训"),
            status=ActivityStatus.DONE,
            actual_start=datetime(day.year, day.month, day.day, 9, tzinfo=BEIJING),
        ),
        figures=figures,
        by=by,
    )


def test_the_nearest_upper_schedule_wins(tree, people, monthly):
    assert list(ReportingSchedule.objects.effective_for(tree["furong"], 2013)) == [monthly]
    services.schedule_set(
        federation=tree["hunan"], year=2013, frequency="quarter", due_day=10, by=people["hunan_staff"]
    )
    assert list(ReportingSchedule.objects.effective_for(tree["furong"], 2013)) == [monthly]
    assert [s.frequency for s in ReportingSchedule.objects.effective_for(tree["changsha"], 2013)] == [
        "quarter"
    ]
    assert not ReportingSchedule.objects.effective_for(tree["hunan"], 2013).exists()  # not its own
    with pytest.raises(ValidationError):
        services.schedule_set(
            federation=tree["changsha"], year=2013, frequency="year", due_day=5, by=people["furong_staff"]
        )


def test_submit_return_resubmit_approve_and_the_lock(tree, people, trained, monthly):
    furong, staff, leader = tree["furong"], people["furong_staff"], people["changsha_leader"]
    may = record(furong, date(2013, 5, 10), {trained: Decimal(30)}, by=staff)
    record(furong, date(2013, 5, 20), {trained: Decimal(12)}, by=staff)
    record(furong, date(2013, 6, 2), {trained: Decimal(99)}, by=staff)  # June: not in May's report

    submission = services.submission_submit(federation=furong, period=MAY, by=staff, note="五月")
    assert (submission.status, submission.figures, submission.activity_count) == (
        "submitted",
        {str(trained.pk): "42.00"},
        2,
    )
    assert submission.due_date == date(2013, 6, 5)
    with pytest.raises(ValidationError):
        services.submission_submit(federation=furong, period=MAY, by=staff)  # already waiting
    for outsider in [people["hunan_leader"], people["yuelu_staff"], staff, people["lixia_staff"]]:
        with pytest.raises(ValidationError):
            services.submission_approve(submission=submission, by=outsider)
    with pytest.raises(ValidationError):
        services.submission_return(submission=submission, by=leader, reason="  ")
    services.submission_return(submission=submission, by=leader, reason="培训人数与签到表不符")

    activity_services.activity_save(activity=may, figures={trained: Decimal(25)}, by=staff)
    submission = services.submission_submit(federation=furong, period=MAY, by=staff)
    assert submission.figures == {str(trained.pk): "37.00"}
    services.submission_approve(submission=submission, by=leader)

    # Locked: no edit, no new activity, no deletion in May, on the one write path.
    with pytest.raises(ValidationError, match="已审核通过并锁定"):
        activity_services.activity_save(activity=may, figures={trained: Decimal(1)}, by=staff)
    with pytest.raises(ValidationError):
        record(furong, date(2013, 5, 30), {trained: Decimal(5)}, by=staff)
    with pytest.raises(ValidationError):
        activity_services.activity_delete(activity=Activity.objects.get(pk=may.pk), by=staff)
    june = Activity.objects.get(federation=furong, calendar_day=date(2013, 6, 2))
    june.actual_start = datetime(2013, 5, 31, 9, tzinfo=BEIJING)  # moving into May is a write to May
    with pytest.raises(ValidationError):
        activity_services.activity_save(activity=june, figures={}, by=staff)
    record(furong, date(2013, 6, 30), {trained: Decimal(5)}, by=staff)  # June stays open
    record(tree["yuelu"], date(2013, 5, 30), {trained: Decimal(5)})  # other federations too
    assert Activity.objects.get(pk=may.pk).figures.get().value == Decimal(25)

    with pytest.raises(ValidationError):
        services.submission_reopen(submission=submission, by=leader, reason="")
    services.submission_reopen(submission=submission, by=leader, reason="数据需更正")
    activity_services.activity_save(
        activity=Activity.objects.get(pk=may.pk), figures={trained: Decimal(26)}, by=staff
    )
    actions = list(
        SubmissionEvent.objects.filter(submission=submission).order_by("pk").values_list("action", "note")
    )
    assert actions == [
        ("submitted", "五月"),
        ("returned", "培训人数与签到表不符"),
        ("submitted", ""),
        ("approved", ""),
        ("reopened", "数据需更正"),
    ]
    assert [row[0] for row in services.changes_since(submission)] == [trained.pk]
    assert differences() == []


def test_a_period_that_has_not_ended_or_was_not_asked_for_cannot_be_submitted(tree, people, monthly):
    with pytest.raises(ValidationError, match="尚未结束"):
        services.submission_submit(
            federation=tree["furong"], period=Period(2099, "month", 1), by=people["furong_staff"]
        )
    with pytest.raises(ValidationError, match="没有要求"):
        services.submission_submit(
            federation=tree["furong"], period=Period(2013, "quarter", 1), by=people["furong_staff"]
        )
    with pytest.raises(ValidationError):
        services.submission_submit(federation=tree["furong"], period=MAY, by=people["changsha_leader"])


def test_completeness_counts_children_and_lists_the_missing(tree, people, trained, monthly):
    furong_submission = services.submission_submit(
        federation=tree["furong"], period=MAY, by=people["furong_staff"]
    )
    result = services.completeness(tree["changsha"], MAY)
    assert (result.expected, result.submitted, result.on_time, result.approved, result.returned) == (
        2,
        1,
        0,
        0,
        0,
    )
    assert [f.code for f in result.missing] == ["430104"]
    assert result.rate == Decimal("50.0") and result.timely_rate == Decimal("0.0")
    Submission.objects.filter(pk=furong_submission.pk).update(
        first_submitted_at=datetime(2013, 6, 4, 9, tzinfo=BEIJING)
    )
    services.submission_approve(submission=furong_submission, by=people["changsha_leader"])
    result = services.completeness(tree["changsha"], MAY)
    assert (result.on_time, result.approved, result.timely_rate) == (1, 1, Decimal("50.0"))


def test_children_report_on_the_nearest_schedule_read_in_one_query(
    tree, people, monthly, django_assert_num_queries
):
    """children_schedules: the federation's own schedules, else the nearest upper federation's; and
    completeness given them finds the same due date as when it looks them up itself."""
    services.schedule_set(
        federation=tree["hunan"], year=2013, frequency="quarter", due_day=10, by=people["hunan_admin"]
    )
    with django_assert_num_queries(1):
        changsha = services.children_schedules(tree["changsha"], 2013)
    assert [(s.federation_id, s.frequency) for s in changsha] == [(tree["changsha"].pk, "month")]
    assert services.children_schedules(tree["furong"], 2013) == changsha  # inherited from 长沙市
    assert [s.frequency for s in services.children_schedules(tree["hunan"], 2013)] == ["quarter"]
    assert services.children_schedules(tree["hunan"], 2014) == []
    for federation in (tree["hunan"], tree["changsha"]):
        schedules = services.children_schedules(federation, 2013)
        for period in (MAY, Period(2013, "quarter", 2)):
            given = services.completeness(federation, period, schedules=schedules)
            assert given.due == services.completeness(federation, period).due
    assert services.completeness(tree["changsha"], MAY, schedules=changsha).due == date(2013, 6, 5)


def test_pages_submit_review_and_drill_down(tree, people, trained, monthly, login, client):
    record(tree["furong"], date(2013, 5, 10), {trained: Decimal(30)}, by=people["furong_staff"])
    staff = login(people["furong_staff"])
    staff.post(reverse("set-year"), {"year": "2013"})
    page = staff.get(reverse("submissions:index"))
    assert page.status_code == 200 and "2013年5月" in page.content.decode()
    response = staff.post(
        reverse("submissions:submit"), {"frequency": "month", "number": "5", "note": "按时"}
    )
    submission = Submission.objects.get(federation=tree["furong"])
    assert response.status_code == 302 and response.url == submission.get_absolute_url()
    detail = staff.get(submission.get_absolute_url()).content.decode()
    assert "培训妇女人数" in detail and "30" in detail and 'name="decision"' not in detail

    for outsider in ["yuelu_staff", "lixia_staff"]:
        other = login(people[outsider])
        assert other.get(submission.get_absolute_url()).status_code == 404
        assert (
            other.post(
                reverse("submissions:review", args=[submission.pk]),
                {"decision": "approve", "seen_version": submission.version},
            ).status_code
            == 404
        )
    hunan = login(people["hunan_leader"])  # sees it, but is not the direct upper federation
    assert hunan.get(submission.get_absolute_url()).status_code == 200
    assert (
        hunan.post(
            reverse("submissions:review", args=[submission.pk]),
            {"decision": "approve", "seen_version": submission.version},
        ).status_code
        == 404
    )

    leader = login(people["changsha_leader"])
    leader.post(reverse("set-year"), {"year": "2013"})
    url = reverse("submissions:review", args=[submission.pk])
    leader.post(url, {"decision": "return", "note": "", "seen_version": submission.version})
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SUBMITTED  # reason required
    leader.post(url, {"decision": "approve", "note": "", "seen_version": submission.version})
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.APPROVED
    index = leader.get(reverse("submissions:index")).content.decode()
    assert "上报率" in index
    drill = leader.get(reverse("submissions:completeness", args=["4301", "month", 5]))
    assert drill.status_code == 200
    assert "岳麓区" in drill.content.decode() and "催报名单" in drill.content.decode()
    assert leader.get(reverse("submissions:completeness", args=["370102", "month", 5])).status_code == 404
    assert leader.get(reverse("submissions:completeness", args=["4301", "week", 5])).status_code == 404

    # The locked month on the form: a Chinese error, nothing saved.
    staff = login(people["furong_staff"])
    may = Activity.objects.get(federation=tree["furong"])
    response = staff.post(reverse("activities:delete", args=[may.pk]))
    assert response.status_code == 302 and Activity.objects.filter(pk=may.pk).exists()


def test_schedule_page_is_for_staff_and_admins(tree, people, login):
    assert login(people["changsha_leader"]).get(reverse("submissions:schedule")).status_code == 404
    leader = login(changsha_staff(tree))
    leader.post(reverse("set-year"), {"year": "2013"})
    response = leader.post(
        reverse("submissions:schedule"),
        {
            "month_on": "on",
            "month_day": "5",
            "quarter_day": "10",
            "half_day": "5",
            "year_day": "15",
            "year_on": "on",
        },
    )
    assert response.status_code == 302
    assert dict(
        ReportingSchedule.objects.filter(federation=tree["changsha"]).values_list("frequency", "due_day")
    ) == {
        "month": 5,
        "year": 15,
    }


def test_only_legal_transitions_succeed(tree, people, trained, monthly):
    """Every (state, action, actor) combination: the state machine in the module docstring, no more."""
    from itertools import product

    actors = {
        "staff": people["furong_staff"],
        "reviewer": people["changsha_leader"],
        "sibling": people["yuelu_staff"],
        "grand": people["hunan_leader"],
    }
    legal = {
        (None, "submit", "staff"): "submitted",
        ("returned", "submit", "staff"): "submitted",
        ("reopened", "submit", "staff"): "submitted",
        ("submitted", "approve", "reviewer"): "approved",
        ("submitted", "return", "reviewer"): "returned",
        ("approved", "reopen", "reviewer"): "reopened",
    }
    paths = {
        None: [],
        "submitted": ["submit"],
        "returned": ["submit", "return"],
        "approved": ["submit", "approve"],
        "reopened": ["submit", "approve", "reopen"],
    }

    def act(action, actor, submission):
        by = actors[actor]
        if action == "submit":
            return services.submission_submit(federation=tree["furong"], period=MAY, by=by)
        change = {
            "approve": services.submission_approve,
            "return": services.submission_return,
            "reopen": services.submission_reopen,
        }[action]
        kwargs = {} if action == "approve" else {"reason": "原因"}
        return change(submission=submission, by=by, **kwargs)

    for state, action, actor in product(paths, ["submit", "approve", "return", "reopen"], actors):
        Submission.objects.all().delete()
        submission = None
        for step in paths[state]:
            submission = act(step, "staff" if step == "submit" else "reviewer", submission)
        if submission is None and action != "submit":
            continue
        expected = legal.get((state, action, actor))
        if expected is None:
            with pytest.raises(ValidationError):
                act(action, actor, submission)
            assert (Submission.objects.first().status if submission else None) == state
        else:
            assert act(action, actor, submission).status == expected


def test_the_api_gives_completeness_within_reach(tree, people, monthly, login):
    services.submission_submit(federation=tree["furong"], period=MAY, by=people["furong_staff"])
    leader = login(people["changsha_leader"])
    data = leader.get("/api/v1/completeness/4301/2013/month/5/").json()
    assert (data["expected"], data["submitted"], data["rate"]) == (2, 1, 50.0)
    assert [(c["federation"], c["status"]) for c in data["children"]] == [
        ("430102", "submitted"),
        ("430104", "missing"),
    ]
    assert leader.get("/api/v1/completeness/370102/2013/month/5/").status_code == 404
    assert leader.get("/api/v1/completeness/4301/2013/month/13/").status_code == 404
    assert login(people["yuelu_staff"]).get("/api/v1/completeness/4301/2013/month/5/").status_code == 404


def test_validation_rules_warn_on_entry_and_block_the_report(tree, people, monthly, login):
    from submissions.checks import violations
    from submissions.models import ValidationRule

    received = factories.indicator("XF01", "受理信访件数", "件", tree["nation"])
    closed = factories.indicator("XF02", "办结信访件数", "件", tree["nation"])
    ValidationRule.objects.create(federation=tree["hunan"], left=closed, operator="<=", right=received)
    assert violations(tree["lixia"], {closed.pk: Decimal(5)}) == []  # Hunan's rule, not Shandong's
    assert violations(tree["furong"], {closed.pk: Decimal(5), received.pk: Decimal(6)}) == []

    staff = login(people["furong_staff"])
    staff.post(reverse("set-year"), {"year": "2013"})
    response = staff.post(
        reverse("activities:create"),
        {
            "type": ActivityType.objects.get(name="会议").pk,
            "title": "信访接待日",
            "status": "done",
            "actual_start": "2013-05-08 09:00",
            "fig_XF01": "3",
            "fig_XF02": "4",
        },
        follow=True,
    )
    assert "请核对：“办结信访件数”（4）应不大于“受理信访件数”（3）" in response.content.decode()
    assert Activity.objects.filter(title="信访接待日").exists()  # a warning, saved anyway
    with pytest.raises(ValidationError, match="未通过校验"):
        services.submission_submit(federation=tree["furong"], period=MAY, by=people["furong_staff"])
    assert not Submission.objects.exists()
    # The list of violations per period, where staff submit.
    page = staff.get(reverse("submissions:index")).content.decode()
    row = page[page.index("2013年5月") : page.index("2013年6月")]
    assert 'data-testid="violation"' in row and "办结信访件数" in row


def test_outliers_are_flagged_to_the_reviewer_from_the_federations_own_history(
    tree, people, trained, monthly, login
):
    staff = people["furong_staff"]
    for month, value in [(1, 30), (2, 32), (3, 29), (4, 31)]:
        record(tree["furong"], date(2013, month, 10), {trained: Decimal(value)}, by=staff)
        submission = services.submission_submit(
            federation=tree["furong"], period=Period(2013, "month", month), by=staff
        )
        services.submission_approve(submission=submission, by=people["changsha_leader"])
    record(tree["furong"], date(2013, 5, 10), {trained: Decimal(3000)}, by=staff)
    may = services.submission_submit(federation=tree["furong"], period=MAY, by=staff)
    from submissions.checks import outliers

    assert outliers(may) == {trained.pk: Decimal("30.5")}
    page = login(people["changsha_leader"]).get(may.get_absolute_url()).content.decode()
    assert 'data-testid="outliers"' in page and "以往中位数 30.5" in page
    assert 'data-testid="outliers"' not in login(staff).get(may.get_absolute_url()).content.decode()


def test_the_annual_export_has_the_reports_sheet(tree, people, monthly, login):
    import io

    import openpyxl

    services.submission_submit(federation=tree["furong"], period=MAY, by=people["furong_staff"])
    leader = login(people["changsha_leader"])
    response = leader.get(reverse("reports:export", args=["4301"]), {"year": "2013", "as_of": "2013-12-31"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["报送情况"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    may = next(row for row in rows if row[0] == "2013年5月")
    assert may[2:7] == [2, 1, 0, 0, 0] and may[7] == 0.5 and may[9] == "岳麓区妇联"
    assert len([row for row in rows if row[0] and row[0].startswith("2013年")]) == 12


def test_on_time_never_exceeds_submitted(tree, people, monthly):
    submission = services.submission_submit(federation=tree["furong"], period=MAY, by=people["furong_staff"])
    Submission.objects.filter(pk=submission.pk).update(
        first_submitted_at=datetime(2013, 6, 1, tzinfo=BEIJING)
    )
    services.submission_return(submission=submission, by=people["changsha_leader"], reason="请核对")
    result = services.completeness(tree["changsha"], MAY)
    assert (result.submitted, result.on_time, result.returned) == (0, 0, 1)


def test_deleting_plan_items_never_unlinks_activities_of_a_locked_month(
    tree, people, trained, monthly, login
):
    """Found by the attack session: the plan pages unlinked a locked month's activities."""
    from plans.models import Plan, Target, WorkPoint

    staff = people["furong_staff"]
    plan = factories.plan(tree["furong"])
    point = factories.point(plan, "巾帼建功")
    target = factories.target(point, trained, 100)
    may = activity_services.activity_save(
        activity=Activity(
            federation=tree["furong"],
            year=2013,
            title="五月培训",
            type=ActivityType.objects.ensure_defaults().get(name="培训"),
            status=ActivityStatus.DONE,
            actual_start=datetime(2013, 5, 10, 9, tzinfo=BEIJING),
        ),
        figures={trained: Decimal(10)},
        work_points=[point],
        achieves=[target],
        by=staff,
    )
    submission = services.submission_submit(federation=tree["furong"], period=MAY, by=staff)
    services.submission_approve(submission=submission, by=people["changsha_leader"])
    client = login(staff)
    client.post(reverse("set-year"), {"year": "2013"})
    for url in [
        reverse("plans:target-delete", args=[target.pk]),
        reverse("plans:point-delete", args=[point.pk]),
        reverse("plans:delete", args=[plan.pk]),
    ]:
        response = client.post(url, {"confirm_links": "on"})
        assert response.status_code == 200 and "已审核通过并锁定" in response.content.decode(), url
    assert Plan.objects.filter(pk=plan.pk).exists() and WorkPoint.objects.filter(pk=point.pk).exists()
    assert Target.objects.filter(pk=target.pk).exists()
    assert (list(may.work_points.all()), list(may.achieves.all())) == ([point], [target])


def test_approved_only_view_counts_what_was_approved(tree, people, trained, monthly, login):
    from reports.rollup import rollup
    from submissions.models import ApprovedTotal

    staff, leader = people["furong_staff"], people["changsha_leader"]
    plan = factories.plan(tree["changsha"], status="published")
    factories.target(factories.point(plan), trained, 100)
    record(tree["furong"], date(2013, 4, 10), {trained: Decimal(7)}, by=staff)
    record(tree["furong"], date(2013, 5, 10), {trained: Decimal(30)}, by=staff)
    may = services.submission_submit(federation=tree["furong"], period=MAY, by=staff)
    record(tree["furong"], date(2013, 5, 11), {trained: Decimal(4)}, by=staff)  # after the snapshot

    def achieved(approved_only):
        result = rollup(tree["changsha"], 2013, date(2013, 12, 31), approved_only=approved_only)
        return result.progress[0].achieved

    assert (achieved(False), achieved(True)) == (41, 0)
    services.submission_approve(submission=may, by=leader)
    assert (achieved(False), achieved(True)) == (41, 30)  # the approved snapshot, in every ancestor
    assert ApprovedTotal.objects.get(federation=tree["nation"], month=5).value == 30

    client = login(leader)
    client.post(reverse("set-year"), {"year": "2013"})
    page = client.get(
        reverse("reports:dashboard", args=["4301"]), {"view": "approved", "as_of": "2013-12-31"}
    )
    assert page.status_code == 200 and "仅已审核数据" in page.content.decode()
    data = client.get("/api/v1/rollup/4301/2013/", {"view": "approved", "as_of": "2013-12-31"}).json()
    assert data["view"] == "approved" and data["targets"][0]["achieved"] == 30
    assert client.get(reverse("reports:dashboard", args=["4301"]), {"view": "x"}).status_code == 404

    services.submission_reopen(submission=may, by=leader, reason="更正")
    assert achieved(True) == 0
    assert not ApprovedTotal.objects.exclude(value=0).exists()


def test_the_burden_ledger_counts_what_was_asked_entered_and_repeated(tree, people, trained, monthly, login):
    from submissions.burden import burden

    staff, leader = people["furong_staff"], people["changsha_leader"]
    services.schedule_set(
        federation=tree["changsha"], year=2013, frequency="quarter", due_day=10, by=changsha_staff(tree)
    )
    for month in (4, 5):
        record(tree["furong"], date(2013, month, 10), {trained: Decimal(5)}, by=staff)
        services.submission_submit(federation=tree["furong"], period=Period(2013, "month", month), by=staff)
    services.submission_submit(federation=tree["furong"], period=Period(2013, "quarter", 2), by=staff)
    months = burden(tree["furong"], 2013)
    assert [(setter, label) for setter, label in months[6].reports_due] == [
        ("长沙市妇联", "月报"),
        ("长沙市妇联", "季报"),
    ]
    assert (months[3].figures_entered, months[4].figures_entered) == (1, 1)
    assert (months[5].figures_reported, months[5].figures_repeated) == (1, 1)  # the quarter repeats April/May
    assert (months[4].figures_reported, months[4].figures_repeated) == (1, 0)

    assert login(leader).get(reverse("submissions:burden", args=["430102"])).status_code == 200
    for outsider in ["furong_staff", "yuelu_staff", "lixia_staff"]:
        assert login(people[outsider]).get(reverse("submissions:burden", args=["430102"])).status_code == 404


@pytest.mark.parametrize("created", [["quarter", "month"], ["month", "quarter"]])
def test_the_lock_names_the_same_period_whichever_report_was_approved_first(tree, people, created):
    """Two approved reports of one federation cover May (a monthly and a quarterly one): the lock's
    message names the same period whichever was stored first (locked_periods reads them in the
    reports' order, year, frequency and number, not in whatever order the database returns rows)."""
    now = datetime(2013, 7, 10, 9, tzinfo=BEIJING)
    for frequency in created:
        Submission.objects.create(
            federation=tree["furong"],
            year=2013,
            frequency=frequency,
            number={"month": 5, "quarter": 2}[frequency],
            status=SubmissionStatus.APPROVED,
            due_date=date(2013, 7, 5),
            first_submitted_at=now,
            submitted_at=now,
            submitted_by=people["furong_staff"],
        )
    locked = services.locked_periods([tree["furong"].pk], [2013])
    assert locked[(tree["furong"].pk, 2013)] == [MAY, Period(2013, Frequency.QUARTER, 2)]
    with pytest.raises(ValidationError, match="^\\['2013年5月的报表已审核通过并锁定"):
        services.ensure_unlocked([(tree["furong"].pk, 2013, 5)])
