"""Reminders (催办, issue #15): one digest per user when something is due within three days or overdue,
never the same item twice a day, opt-out respected, the upper federation told of a child overdue past
the grace period; once through a real SMTP server on loopback.

The scenario is test_todo's (2013-07-03)."""

import email
import socket
from datetime import date
from email import policy
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from activities.models import Activity
from submissions.models import ReminderLog, ReminderPreference
from submissions.reminders import send_reminders
from tests.submissions import test_todo
from tests.submissions.test_todo import TODAY

# test_todo's scenario (and its pinned date), shared as fixtures.
scenario, today = test_todo.scenario, test_todo.today

DIGESTS = {"furong_staff", "yuelu_staff", "changsha_leader", "hunan_admin", "hunan_leader"}


@pytest.fixture
def emails(people):
    for user in people.values():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return {name: user.email for name, user in people.items()}


def _to(name, emails):
    return [message for message in mail.outbox if message.to == [emails[name]]]


def test_one_digest_per_user_and_none_the_second_time(people, scenario, emails):
    result = send_reminders(today=TODAY, site_url="https://fedwork.example.org/")
    # hunan_staff and lixia_staff have nothing; the superuser has no federation.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(emails[name] for name in DIGESTS)
    assert len(result.sent) == len(DIGESTS)
    furong = _to("furong_staff", emails)[0]
    assert "待办提醒" in furong.subject
    assert "2013年第二季度报表将于2013年7月5日截止" in furong.body
    assert "培训人数与签到表不符" in furong.body and "巾帼志愿服务进社区" in furong.body
    assert "https://fedwork.example.org/submissions/reminders/" in furong.body
    assert f"https://fedwork.example.org{scenario['returned'].get_absolute_url()}" in furong.body

    mail.outbox.clear()
    assert send_reminders(today=TODAY).sent == []
    assert mail.outbox == []
    assert ReminderLog.objects.filter(day=TODAY, user=people["furong_staff"]).count() == 4

    # The next day the overdue items are reminded again (once).
    send_reminders(today=date(2013, 7, 4))
    assert len(_to("yuelu_staff", emails)) == 1


def test_later_the_same_day_only_a_new_deadline_sends_again(people, scenario, emails):
    send_reminders(today=TODAY)
    mail.outbox.clear()
    scenario["returned"].status = "submitted"
    scenario["returned"].save()  # 芙蓉区 resubmitted Q1: 长沙市 has a new report to review…
    assert send_reminders(today=TODAY).sent == []  # … which is no deadline: no email for it alone
    activity = scenario["activity"]
    late = Activity.objects.get(pk=activity.pk)
    late.pk, late.title = None, "另一项逾期活动"
    late.save()  # a new overdue activity of 芙蓉区
    assert send_reminders(today=TODAY).sent == ["furong-staff"]
    assert "另一项逾期活动" in mail.outbox[0].body


def test_opt_out_is_respected(people, scenario, emails, login):
    client = login(people["hunan_leader"])
    page = client.get(reverse("submissions:reminders"))
    assert page.status_code == 200 and "接收邮件提醒" in page.content.decode()
    response = client.post(reverse("submissions:reminders"), {})  # the box unticked
    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=people["hunan_leader"]).email_digest is False
    send_reminders(today=TODAY)
    assert _to("hunan_leader", emails) == []
    assert len(_to("hunan_admin", emails)) == 1
    client.post(reverse("submissions:reminders"), {"email_digest": "on"})
    assert ReminderPreference.objects.get(user=people["hunan_leader"]).email_digest is True


def test_the_upper_federation_is_told_after_the_grace_period(people, scenario, emails, settings):
    send_reminders(today=TODAY)
    leader = _to("changsha_leader", emails)[0].body
    assert "2013年第一季度报表逾期超过3天未报：芙蓉区妇联、岳麓区妇联" in leader
    assert "2013年上半年报表逾期" not in leader  # due 7-01: within the grace period

    mail.outbox.clear()
    ReminderLog.objects.all().delete()
    settings.FEDWORK_REMINDER_GRACE_DAYS = 1
    send_reminders(today=TODAY)
    leader = _to("changsha_leader", emails)[0].body
    assert "2013年上半年报表逾期超过1天未报：岳麓区妇联" in leader  # 芙蓉区 submitted its H1
    # The staff of the late child are reminded of their own report, not of the escalation.
    assert "逾期超过" not in _to("yuelu_staff", emails)[0].body


def test_users_without_an_email_or_inactive_get_nothing(people, scenario, emails):
    people["yuelu_staff"].email = ""
    people["yuelu_staff"].save()
    people["furong_staff"].is_active = False
    people["furong_staff"].save()
    send_reminders(today=TODAY)
    assert _to("yuelu_staff", emails) == [] and _to("furong_staff", emails) == []


def test_the_command_and_its_dry_run(people, scenario, emails):
    out = StringIO()
    call_command("send_reminders", "--date", "2013-07-03", "--dry-run", stdout=out)
    assert "would send 5 digest(s)" in out.getvalue() and mail.outbox == []
    assert not ReminderLog.objects.exists()
    call_command("send_reminders", "--date", "2013-07-03", stdout=out)
    assert len(mail.outbox) == 5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 OK"


def test_a_real_smtp_server_receives_the_digest(people, scenario, emails, settings):
    """The configured path: Django's SMTP backend (EMAIL_URL=smtp://…) to a server on loopback."""
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        call_command("send_reminders", "--date", "2013-07-03", stdout=StringIO())
    finally:
        controller.stop()
    assert sorted(rcpt for envelope in handler.messages for rcpt in envelope.rcpt_tos) == sorted(
        emails[name] for name in DIGESTS
    )
    received = [
        email.message_from_bytes(envelope.content, policy=policy.default) for envelope in handler.messages
    ]
    furong = next(message for message in received if message["To"] == emails["furong_staff"])
    assert furong["Subject"].strip() == "【妇联工作管理】待办提醒：4项需要处理"
    assert "2013年第二季度报表将于2013年7月5日截止" in furong.get_content()
