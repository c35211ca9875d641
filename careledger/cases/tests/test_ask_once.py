"""Ask once: each structured fact has one field, and the ledger text is composed from the fields
without repeats. The expected texts are written out by hand."""

from datetime import date, datetime

import time_machine
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from careledger.cases import services
from careledger.cases.categories import compose_text
from careledger.cases.models import Case
from careledger.ledgers import rows
from tests.support.testing import build_school

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")

COMPOSE_TABLE = [
    # (category, data, free text, composed text)
    (
        "academic",
        {"gpa": "1.6", "failed_credits": "6"},
        "学位课平均绩点1.6，不及格6学分，期中两门缺考。",
        "学位课平均绩点 1.6；不及格课程 6 学分；期中两门缺考。",
    ),
    (
        "academic",
        {"gpa": "1.60", "failed_credits": "6.0", "academic_status": "repeat"},
        "绩点 1.6；挂科 6 学分；已留级；需要补考高等数学",
        "学位课平均绩点 1.6；不及格课程 6 学分；留级；需要补考高等数学",
    ),
    (
        "academic",
        {"gpa": "1.6"},
        "学位课平均绩点 1.6",
        "学位课平均绩点 1.6",
    ),
    (
        "psych",
        {"problem_type": "抑郁倾向", "risk_judgement": "较高"},
        "近期失眠，不愿出门，危害性：较高。",
        "问题类型：抑郁倾向；危害性判断：较高；近期失眠，不愿出门。",
    ),
    (
        "psych",
        {"risk_judgement": "较高"},
        "问题类型：焦虑；危害性判断：较高",
        "危害性判断：较高；问题类型：焦虑",
    ),
    (
        "economic",
        {"hardship_level": "special"},
        "家庭经济特别困难，学费缴纳困难，父亲务工受伤。",
        "特别困难；学费缴纳困难，父亲务工受伤。",
    ),
    ("economic", {"hardship_level": "special"}, "单亲家庭", "特别困难；单亲家庭"),
    (
        "discipline",
        {"occurred_on": "2026-10-12", "what": "夜不归宿"},
        "2026年10月12日夜不归宿；多次晚归",
        "2026年10月12日夜不归宿；多次晚归",
    ),
    ("discipline", {"occurred_on": "2026-10-12"}, "考试作弊", "2026年10月12日；考试作弊"),
    ("physical", {"history": "先天性心脏病"}, "患有先天性心脏病，不能参加体测", "先天性心脏病；不能参加体测"),
    ("other", {"kind": "人际交流困难"}, "", "人际交流困难"),
    ("other", {"kind": "就业困难"}, "情况类别：就业困难；两次面试失败后不愿求职", "就业困难；两次面试失败后不愿求职"),
    ("internet", {}, "每天玩游戏8小时，旷课12节", "每天玩游戏8小时，旷课12节"),
    ("psych", {}, "", ""),
]


class ComposeTextTests(SimpleTestCase):
    def test_each_fact_once(self):
        for category, data, detail, expected in COMPOSE_TABLE:
            with self.subTest(category=category, detail=detail):
                self.assertEqual(compose_text(category, data, detail), expected)

    def test_a_clause_that_adds_to_a_fact_is_kept(self):
        # "学费缴纳困难" ends with the level's word 困难 but says something else: it stays.
        self.assertEqual(compose_text("economic", {"hardship_level": "hardship"}, "学费缴纳困难"), "困难；学费缴纳困难")
        self.assertEqual(
            compose_text("academic", {"gpa": "1.6"}, "绩点从2.1降到1.6"), "学位课平均绩点 1.6；绩点从2.1降到1.6"
        )


@time_machine.travel(NOW, tick=False)
class AskOnceFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def test_the_form_asks_each_fact_in_one_field(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(f"{reverse('cases:new')}?student=202301010002")
        form = r.context["form"]
        # The labels stay the notice's column headers; each free-text box says what the structured fields
        # below it already hold, so that nobody types a fact twice.
        helps = {f.category: f.fields["detail"].help_text for f in form.categories}
        self.assertEqual(helps["academic"], "绩点、不及格学分、留级休学已在下方填写，这里不必再写。")
        self.assertEqual(helps["psych"], "问题类型和危害性判断已在下方填写，这里不必再写。")
        self.assertEqual(helps["physical"], "病史已在下方填写，这里不必再写。")
        self.assertContains(r, "问题类型和危害性判断已在下方填写，这里不必再写。")
        self.assertEqual(form.main.fields["problem"].label, "问题类型及问题描述")
        self.assertEqual(form.main.fields["problem"].help_text, "各类别的情况已在上方填写，这里只写类别之外的问题。")

    def test_ledger_row_composes_the_fields_without_repeats(self):
        case = services.case_open(
            actor=self.school.carol,
            student=self.school.students["li"],
            categories=[
                services.CategoryInput(
                    category="academic",
                    detail="学位课平均绩点1.6；不及格6学分；学位课平均绩点1.6",
                    data={"gpa": "1.6", "failed_credits": "6"},
                ),
                services.CategoryInput(
                    category="psych",
                    detail="独来独往，危害性：较高。",
                    data={"problem_type": "社交回避", "risk_judgement": "较高"},
                ),
            ],
            opened_on=date(2026, 11, 20),
        )
        case = Case.objects.get(pk=case.pk)
        entries = {e.category: e for e in case.categories.all()}
        self.assertEqual(rows.category_text(entries["academic"]), "学位课平均绩点 1.6；不及格课程 6 学分")
        self.assertEqual(rows.category_text(entries["psych"]), "问题类型：社交回避；危害性判断：较高；独来独往。")

    def test_the_case_page_labels_the_free_text_by_what_it_holds(self):
        case = services.case_open(
            actor=self.school.carol,
            student=self.school.students["li"],
            categories=[
                services.CategoryInput(category="psych", detail="独来独往", data={"risk_judgement": "较高"}),
            ],
            opened_on=date(2026, 11, 20),
        )
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("cases:detail", args=[case.pk]))
        self.assertContains(r, '<div class="field-label">行为异常描述</div>', html=False)
        self.assertNotContains(r, "问题类型、行为异常描述和危害性判断")
        self.assertContains(r, "<dt>危害性判断</dt><dd>较高</dd>", count=1)
