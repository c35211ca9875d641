"""The case timeline in English has no Chinese left in it, except what people typed (names, texts)."""

import re
from datetime import date, datetime

import time_machine
from django.test import TestCase
from django.urls import reverse

from careledger.cases import services
from careledger.cases.models import Case
from careledger.contacts.services import contact_record
from tests.support.testing import build_school

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@time_machine.travel(NOW, tick=False)
class EnglishTimelineTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()
        s = cls.school
        case = services.case_open(
            actor=s.carol,
            student=s.students["li"],
            categories=[
                services.CategoryInput(category="economic", detail="", data={"hardship_level": "special"}),
                services.CategoryInput(category="psych", detail=""),
            ],
            opened_on=date(2026, 11, 20),
            risk_level="low",
        )
        case = Case.objects.get(pk=case.pk)
        services.case_update(actor=s.carol, case=case, version=case.version, fields={"risk_level": "high"})
        case = Case.objects.get(pk=case.pk)
        services.helper_add(actor=s.carol, case=case, student=s.students["zhang"], role="dorm_liaison")
        contact_record(actor=s.carol, case=case, kind="talk", occurred_at=NOW)
        cls.case = case

    def timeline(self, language: str) -> str:
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("cases:detail", args=[self.case.pk]), HTTP_ACCEPT_LANGUAGE=language)
        html = r.content.decode()
        start = html.index('id="timeline"')
        return html[start : html.index("</section>", start)]

    def test_no_chinese_left_in_the_english_timeline(self):
        html = self.timeline("en")
        for typed in (self.school.carol.name, self.school.students["zhang"].name):
            html = html.replace(typed, "")
        self.assertEqual(CJK.findall(html), [], html)
        for text in ("Family financial hardship", "High", "Dorm"):
            self.assertIn(text, html)

    def test_the_chinese_timeline_stays_chinese(self):
        html = self.timeline("zh-hans")
        self.assertIn("家庭经济困难", html)
        self.assertIn("寝室心理联络员", html)
        self.assertIn("谈心交流", html)
