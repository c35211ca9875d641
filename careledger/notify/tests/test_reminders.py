"""`careledger remind`: digests and ledger due reminders, each sent once, whatever the run count."""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from careledger.core import services as core_services
from careledger.ledgers.models import Ledger
from careledger.notify.models import Message
from tests.support.testing import make_case


@pytest.fixture
def semester(school):
    return core_services.semester_create(
        actor=school.alice,
        name="2026-2027学年第一学期",
        start=date(2026, 9, 1),
        end=date(2027, 1, 15),
        ledger_due=date(2026, 9, 19),
        key_periods=[core_services.PeriodInput("考前", date(2026, 12, 28), date(2027, 1, 8))],
    )


def remind(day: str) -> None:
    with time_machine.travel(f"{day}T07:00:00+08:00", tick=False):
        call_command("remind", stdout=open("/dev/null", "w"))  # noqa: SIM115


def recipients(kind: str, key_part: str = "") -> dict[str, set[str]]:
    out = {}
    for message in Message.objects.filter(kind=kind, dedupe_key__contains=key_part):
        out[message.dedupe_key] = set(message.deliveries.exclude(user=None).values_list("user__username", flat=True))
    return out


def test_ledger_reminders_7_days_1_day_and_overdue_each_once(school, semester):
    remind("2026-09-11")  # 8 days left: nothing yet
    assert not Message.objects.filter(kind="ledger_due").exists()
    remind("2026-09-12")
    remind("2026-09-12")  # twice the same morning
    remind("2026-09-13")  # the next day: same stage, nothing new
    sent = recipients("ledger_due")
    assert sorted(sent.values(), key=sorted) == [{"bob", "carol"}, {"ivan"}]
    Ledger.objects.create(
        semester=semester,
        college=school.wenxue,
        status="submitted",
        created_by=school.carol,
        submitted_at="2026-09-14T02:00:00Z",
    )
    remind("2026-09-18")
    remind("2026-09-20")
    stages = sorted(m.dedupe_key.rsplit(":", 1)[1] for m in Message.objects.filter(kind="ledger_due"))
    assert stages == ["1", "7", "7", "overdue"]  # 文学院 submitted: only 数学院 is told again
    assert "已过截止日期" in Message.objects.get(dedupe_key__endswith=":overdue").body


def test_one_digest_a_day_to_mentor_counselor_and_class_teacher_without_case_text(school, semester):
    make_case(school, "li", mentor=school.erin)
    remind("2026-10-02")
    remind("2026-10-02")
    digests = Message.objects.filter(kind="reminder")
    assert digests.count() == 3
    assert {d.deliveries.get().user.username for d in digests} == {"erin", "carol", "dave"}
    body = digests.first().body
    assert "1 名学生的谈心或下寝室已逾期" in body and "李四" not in body
    remind("2026-10-03")
    assert Message.objects.filter(kind="reminder").count() == 6


def test_key_period_starting_within_three_days(school, semester):
    make_case(school, "li", mentor=school.erin)
    remind("2026-12-26")
    assert "重点时段「考前」12月28日开始" in Message.objects.filter(kind="reminder").first().body


def test_nothing_to_say_sends_nothing(school, semester):
    remind("2026-10-02")  # no cases at all
    assert not Message.objects.filter(kind="reminder").exists()
