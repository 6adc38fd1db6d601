"""Journey of issue #15: a township submits its month, the county returns it with a reason, the
township corrects a figure and resubmits, the county approves, the figures lock, and the city's
completeness shows the township on time.

The period is the last month that has ended, with reports due by the end of the month after it, so
the submission is on time whatever day the suite runs.
"""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities import services as activity_services
from activities.models import Activity, ActivityStatus, ActivityType, Figure
from fedwork.models import Federation, Role
from plans.models import Indicator
from submissions import services
from submissions.models import Submission, SubmissionStatus
from submissions.periods import Frequency, Period
from tests import factories
from tests.e2e.test_journeys import PASSWORD, choose_year, heading, login

pytestmark = pytest.mark.django_db(transaction=True)


def _last_ended_month() -> Period:
    today = timezone.localdate()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return Period(year, Frequency.MONTH, month)


def test_township_submits_county_returns_then_approves_and_the_city_sees_it(desktop, phone, screenshot):
    from playwright.sync_api import expect

    period = _last_ended_month()
    furong = Federation.objects.get(code="430102")
    township = Federation.objects.children_of(furong).order_by("code").first()
    changsha = Federation.objects.get(code="4301")
    township_staff = factories.user("township-staff", township, Role.STAFF)
    furong_leader = factories.user("furong-leader", furong, Role.LEADER)
    for user in (township_staff, furong_leader):
        user.set_password(PASSWORD)
        user.save()
    admin = furong_leader.__class__.objects.get(username="admin")
    services.schedule_set(federation=changsha, year=period.year, frequency="month", due_day=31, by=admin)
    trained = Indicator.objects.get(code="PX02")
    activity = activity_services.activity_save(
        activity=Activity(
            federation=township,
            year=period.year,
            title="社区妇女技能培训",
            type=ActivityType.objects.get(name="培训"),
            status=ActivityStatus.DONE,
            actual_start=timezone.make_aware(datetime(period.year, period.number, 12, 9)),
        ),
        figures={trained: Decimal(40)},
        by=township_staff,
    )

    # The township submits on a phone.
    # The demo's plans are 2013's, so a first login opens on 2013: each user picks the period's year.
    login(phone, "township-staff", township.display_name)
    choose_year(phone, period.year)
    phone.goto("/submissions/")
    expect(heading(phone)).to_contain_text("定期报送")
    row = phone.get_by_test_id("own-periods").locator("tr", has_text=period.label)
    row.get_by_role("button", name="上报").click()
    expect(phone.get_by_test_id("submission-status")).to_have_text("待审核")
    expect(phone.get_by_test_id("snapshot")).to_contain_text("40")

    # The county's leader finds it from the completeness table and returns it with a reason.
    login(desktop, "furong-leader", furong.display_name)
    choose_year(desktop, period.year)
    desktop.goto(f"/submissions/{furong.code}/month/{period.number}/")
    desktop.get_by_test_id("children").get_by_role("link", name="待审核").click()
    desktop.fill("#review-note", "培训人数与签到表不符，请核对")
    desktop.get_by_role("button", name="退回").click()
    expect(desktop.get_by_test_id("submission-status")).to_have_text("已退回")

    # The township sees the reason, corrects the figure and resubmits.
    phone.goto("/submissions/")
    expect(phone.get_by_test_id("own-periods")).to_contain_text("培训人数与签到表不符")
    phone.goto(f"/activities/{activity.pk}/edit/")
    phone.fill(f"#id_fig_{trained.code}", "38")
    phone.get_by_role("button", name="保存", exact=True).click()
    phone.goto(Submission.objects.for_period(period).get(federation=township).get_absolute_url())
    expect(phone.get_by_test_id("changes")).to_contain_text("40.00 → 38.00")
    phone.get_by_role("button", name="按当前数据重新上报").click()
    expect(phone.get_by_test_id("submission-status")).to_have_text("待审核")

    # The county approves: the month locks.
    desktop.reload()
    desktop.get_by_role("button", name="审核通过").click()
    expect(desktop.get_by_test_id("submission-status")).to_have_text("已通过")
    submission = Submission.objects.for_period(period).get(federation=township)
    assert (submission.status, submission.figures) == (SubmissionStatus.APPROVED, {str(trained.pk): "38.00"})
    phone.goto(f"/activities/{activity.pk}/edit/")
    phone.fill(f"#id_fig_{trained.code}", "99")
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.locator(".alert-danger, .invalid-feedback, .errorlist").first).to_contain_text(
        "已审核通过并锁定"
    )
    assert Figure.objects.get(activity=activity).value == Decimal(38)
    screenshot(phone, "journey-5-locked-month")

    # The city's leader drills down to 芙蓉区 and sees the township on time.
    login(desktop, "changsha-leader", changsha.display_name)
    choose_year(desktop, period.year)
    desktop.goto(f"/submissions/{changsha.code}/month/{period.number}/")
    desktop.get_by_test_id("children").get_by_role("link", name=furong.display_name).click()
    township_row = desktop.get_by_test_id("children").locator("tr", has_text=township.display_name)
    expect(township_row).to_contain_text("已通过")
    expect(township_row).not_to_contain_text("逾期")
    screenshot(desktop, "journey-5-city-completeness", focus=township_row)
