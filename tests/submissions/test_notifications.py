"""In-app notifications (issue #15): the transitions create them for the people concerned; each user
lists, opens and marks read their own only (anyone else's is a 404)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from submissions import services
from submissions.models import Notification, ReportingSchedule
from submissions.periods import Period

MAY = Period(2013, "month", 5)


@pytest.fixture
def monthly(tree):
    return ReportingSchedule.objects.create(
        federation=tree["changsha"], year=2013, frequency="month", due_day=5
    )


def _texts(user):
    return [n.text for n in Notification.objects.filter(user=user).order_by("pk")]


def test_the_transitions_notify_the_people_concerned(tree, people, monthly):
    staff, leader = people["furong_staff"], people["changsha_leader"]
    submission = services.submission_submit(federation=tree["furong"], period=MAY, by=staff)
    assert _texts(leader) == ["芙蓉区妇联已上报2013年5月报表，等待您审核。"]
    assert _texts(staff) == []  # not of one's own act
    services.submission_return(submission=submission, by=leader, reason="签到表缺页")
    assert _texts(staff) == ["芙蓉区妇联2013年5月报表被退回，原因：签到表缺页。请修改后重新上报。"]
    services.submission_submit(federation=tree["furong"], period=MAY, by=staff)
    services.submission_approve(submission=submission, by=leader)
    services.submission_reopen(submission=submission, by=leader, reason="数据需更正")
    assert _texts(staff)[1:] == [
        "芙蓉区妇联2013年5月报表已审核通过，该期数据已锁定。",
        "芙蓉区妇联2013年5月报表已被上级重新打开，原因：数据需更正。请更正后重新上报。",
    ]
    assert len(_texts(leader)) == 2
    # Nobody else hears of it: the sibling, the province, the cousin.
    for name in ["yuelu_staff", "hunan_admin", "hunan_leader", "lixia_staff"]:
        assert _texts(people[name]) == []
    assert {n.url for n in Notification.objects.all()} == {submission.get_absolute_url()}


def test_a_refused_transition_notifies_nobody(tree, people, monthly):
    submission = services.submission_submit(federation=tree["furong"], period=MAY, by=people["furong_staff"])
    with pytest.raises(ValidationError):
        services.submission_approve(submission=submission, by=people["yuelu_staff"])
    assert Notification.objects.count() == 1  # the submission's, to 长沙市's leader


def test_list_open_and_mark_read(tree, people, monthly, login):
    staff, leader = people["furong_staff"], people["changsha_leader"]
    submission = services.submission_submit(federation=tree["furong"], period=MAY, by=staff)
    services.submission_submit(federation=tree["yuelu"], period=MAY, by=people["yuelu_staff"])
    client = login(leader)
    page = client.get(reverse("submissions:notifications"))
    assert page.status_code == 200
    assert page.context["unread"][0].text.startswith("岳麓区妇联") and len(page.context["unread"]) == 2
    assert 'data-testid="todo-count"' in page.content.decode()

    furong = Notification.objects.get(user=leader, text__startswith="芙蓉区")
    opened = client.post(reverse("submissions:notification-read", kwargs={"pk": furong.pk}))
    assert opened.status_code == 302 and opened.url == submission.get_absolute_url()
    page = client.get(reverse("submissions:notifications"))
    assert [n.pk for n in page.context["read"]] == [furong.pk] and len(page.context["unread"]) == 1

    done = client.post(reverse("submissions:notifications-read-all"), follow=True)
    assert done.status_code == 200 and "已将1条通知标为已读" in done.content.decode()
    assert not Notification.objects.filter(user=leader).unread().exists()
    assert client.get(reverse("submissions:notification-read", kwargs={"pk": furong.pk})).status_code == 405


def test_a_user_never_sees_anothers_notifications(tree, people, monthly, login):
    services.submission_submit(federation=tree["furong"], period=MAY, by=people["furong_staff"])
    theirs = Notification.objects.get(user=people["changsha_leader"])
    for name in ["furong_staff", "yuelu_staff", "hunan_admin", "superuser"]:
        client = login(people[name])
        assert (
            client.post(reverse("submissions:notification-read", kwargs={"pk": theirs.pk})).status_code == 404
        )
        page = client.get(reverse("submissions:notifications"))
        assert page.status_code == 200 and theirs.text not in page.content.decode()
        client.post(reverse("submissions:notifications-read-all"))
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_anonymous_visitors_are_sent_to_login(client):
    for name in ["submissions:notifications", "submissions:reminders"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
