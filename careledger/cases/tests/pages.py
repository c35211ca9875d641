"""Set-up shared by the case page tests (test_views_*.py).

The clock is fixed at 2026-11-20 10:00 Beijing time in the semester 2026-09-01 – 2027-01-15. 张三丰
(2023级汉语言文学1班, dorm 东区12栋305) has an open case since 2026-09-01, paired with erin, with no contacts:
every window that has ended is overdue. carol counsels the 2023 grade, dave teaches 李四's class (not
张三丰's), bob runs the college, ivan another college.
"""

from datetime import date, datetime

import time_machine
from django.test import TestCase
from django.urls import reverse

from careledger.cases.models import Case
from careledger.contacts.compliance import compliance_refresh_for_case
from careledger.contacts.models import Contact
from careledger.core.models import Semester
from tests.support.testing import build_school, make_case

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
ZHANG = "202301010001"
LI = "202301010002"


def make_semester() -> Semester:
    return Semester.objects.create(
        name="2026-2027学年第一学期",
        start=date(2026, 9, 1),
        end=date(2027, 1, 15),
        ledger_due=date(2026, 9, 19),
    )


def add_contact(case: Case, kind: str, day: date, by) -> Contact:
    contact = Contact.objects.create(
        case=case,
        kind=kind,
        occurred_at=datetime(day.year, day.month, day.day, 2, tzinfo=NOW.tzinfo),
        local_date=day,
        recorded_by=by,
    )
    compliance_refresh_for_case(case)  # written without the service: keep the maintained table as it would
    return contact


@time_machine.travel(NOW, tick=False)
class CaseViewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()
        cls.semester = make_semester()
        cls.case = make_case(cls.school, "zhang", mentor=cls.school.erin)

    def login(self, persona: str) -> None:
        self.client.force_login(self.school.users[persona])

    def detail_url(self, case: Case | None = None) -> str:
        return reverse("cases:detail", args=[(case or self.case).pk])
