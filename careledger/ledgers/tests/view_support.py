"""What the ledger page tests share: the school, the clock, a base class with its logins and helpers.

Clock: 2026-09-10 10:00 Beijing time, in the semester 2026-09-01 – 2027-01-15 whose ledger is due
2026-09-19. carol counsels 文学院's 2023 grade (张三丰 in 2023-1班, 李四 in 2023-2班), dave teaches 李四's
class, bob runs 文学院, ivan 数学院 (赵六), alice is 学工处. sally is the 心理健康教育中心 section (psych only).
"""

from datetime import date, datetime

import time_machine
from django.test import TestCase
from django.urls import reverse

from careledger.accounts.models import Role
from careledger.cases import services as case_services
from careledger.cases.models import Case
from careledger.ledgers import services
from careledger.ledgers.models import Ledger, Section
from tests.support.testing import build_school, make_semester, make_user

NOW = datetime.fromisoformat("2026-09-10T10:00:00+08:00")
ZHANG, LI, WANG, ZHAO = "202301010001", "202301010002", "202401010001", "202302010001"
SIGNED = {"filled_by": "陈辅导员", "responsible": "李书记"}
CONFIRMED = {**SIGNED, "confirm": "on"}


def open_case(school, key: str, categories=(("economic", "单亲家庭"), ("psych", "情绪低落")), **extra) -> Case:
    return case_services.case_open(
        actor=school.ivan if key == "zhao" else school.carol,
        student=school.students[key],
        categories=[case_services.CategoryInput(category=c, detail=d) for c, d in categories],
        opened_on=extra.pop("opened_on", date(2026, 9, 2)),
        plan=extra.pop("plan", "每周谈心"),
        **extra,
    )


@time_machine.travel(NOW, tick=False)
class LedgerViewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()
        cls.semester = make_semester(cls.school)
        section = Section.objects.create(code="psych_center", name="心理健康教育中心", categories=["psych"])
        cls.sally = make_user("sally", role=Role.SECTION, section=section)

    def login(self, persona: str) -> None:
        user = self.sally if persona == "sally" else self.school.users[persona]
        self.client.force_login(user)

    def start_ledger(self, persona: str = "carol") -> Ledger:
        return services.ledger_open(
            actor=self.school.users[persona], semester=self.semester, college=self.school.wenxue
        )

    def submit(self, ledger: Ledger, persona: str = "bob") -> Ledger:
        """Signed and sent by the college_admin (负责人), past the warnings."""
        return services.ledger_submit(actor=self.school.users[persona], ledger=ledger, confirm=True, **SIGNED)

    def assert_login_redirect(self, url: str, method: str = "get") -> None:
        response = getattr(self.client, method)(url)
        self.assertRedirects(response, f"{reverse('login')}?next={url}", fetch_redirect_response=False)
