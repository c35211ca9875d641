"""A survey done in minutes (issue 15): marks by htmx answer the row and the progress, reviewed students stay
visible with an undo, 其余无需关注 for the rest of a class, and 新建档案 recorded when the case is opened from
the survey. Clock and school as in view_support.py: carol counsels 文学院's 2023 grade (张三丰, 李四)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careledger.audit.models import AuditEvent
from careledger.cases.models import Case
from careledger.ledgers.models import SurveyReview
from careledger.ledgers.tests.view_support import LI, ZHANG, LedgerViewTestCase, open_case
from tests.support.testing import make_student

HTMX = {"HTTP_HX_REQUEST": "true"}


class SurveyHtmxTests(LedgerViewTestCase):
    def test_a_mark_by_htmx_answers_the_row_with_its_outcome_and_the_progress_out_of_band(self):
        self.login("carol")
        r = self.client.post(reverse("ledgers:survey-review"), {"student": ZHANG, "outcome": "no_concern"}, **HTMX)
        self.assertEqual(r.status_code, 200)
        body = r.content.decode()
        self.assertTrue(body.lstrip().startswith(f'<tr id="student-{ZHANG}" class="is-reviewed">'))
        self.assertIn('data-outcome="no_concern"', body)
        self.assertIn("撤销", body)
        self.assertIn('id="progress" hx-swap-oob="true"', body)
        self.assertIn('data-total="reviewed">1<', body)
        self.assertNotIn("<html", body)

    def test_reviewed_students_stay_in_the_list_with_their_outcome(self):
        self.login("carol")
        self.client.post(reverse("ledgers:survey-review"), {"student": ZHANG, "outcome": "no_concern"}, **HTMX)
        r = self.client.get(reverse("ledgers:survey"))
        rows = {row.student.student_no: row.outcome for row in r.context["rows"]}
        self.assertEqual(rows, {ZHANG: "no_concern", LI: ""})
        r = self.client.get(reverse("ledgers:survey") + "?show=todo")
        self.assertEqual([row.student.student_no for row in r.context["rows"]], [LI])

    def test_undo_takes_the_mark_back_and_is_audited(self):
        self.login("carol")
        self.client.post(reverse("ledgers:survey-review"), {"student": ZHANG, "outcome": "no_concern"}, **HTMX)
        r = self.client.post(reverse("ledgers:survey-undo"), {"student": ZHANG}, **HTMX)
        self.assertEqual(r.status_code, 200)
        self.assertIn("无需关注</button>", r.content.decode())
        self.assertFalse(SurveyReview.objects.filter(student__student_no=ZHANG).exists())
        self.assertTrue(AuditEvent.objects.filter(object_type="survey", action="delete", student_no=ZHANG).exists())

    def test_undo_of_a_student_out_of_scope_is_404(self):
        self.login("dave")  # 李四's class teacher, not 张三丰's
        self.assertEqual(self.client.post(reverse("ledgers:survey-undo"), {"student": ZHANG}).status_code, 404)

    def test_rest_of_the_class_marks_every_unreviewed_student_without_an_open_case(self):
        c = self.school.c2023_1
        for i in range(3):
            make_student(f"2023010100{i + 10}", f"同学{i}", c)
        open_case(self.school, "zhang")  # 张三丰 has a case: he needs 确认已有档案, not 无需关注
        self.login("carol")
        r = self.client.get(reverse("ledgers:survey") + f"?class={c.pk}")
        self.assertEqual(len(r.context["rest"]), 3)
        self.assertContains(r, "其余 3 人无需关注")
        r = self.client.post(
            reverse("ledgers:survey-rest"), {"school_class": c.pk, "expected": 3, "confirm": "on"}, follow=True
        )
        self.assertContains(r, "其余 3 名学生标记为无需关注")
        self.assertEqual(SurveyReview.objects.filter(student__school_class=c, outcome="no_concern").count(), 3)
        self.assertFalse(SurveyReview.objects.filter(student__student_no=ZHANG).exists())

    def test_rest_of_the_class_writes_nothing_when_the_list_changed(self):
        c = self.school.c2023_1
        make_student("202301010020", "同学甲", c)
        self.login("carol")
        r = self.client.post(reverse("ledgers:survey-rest"), {"school_class": c.pk, "expected": 1})
        self.assertEqual(r.status_code, 409)
        self.assertContains(r, "名单已变化", status_code=409)
        self.assertFalse(SurveyReview.objects.exists())

    def test_rest_of_a_class_out_of_scope_is_404(self):
        self.login("dave")
        r = self.client.post(reverse("ledgers:survey-rest"), {"school_class": self.school.c2023_1.pk, "expected": 1})
        self.assertEqual(r.status_code, 404)

    def test_opening_a_case_from_the_survey_records_new_case(self):
        self.login("carol")
        url = reverse("ledgers:survey-new-case") + f"?student={LI}&next=/survey/%3Fclass%3D2"
        self.assertContains(self.client.get(url), 'name="plan"')
        r = self.client.post(
            url,
            {
                "opened_on": "2026-09-10",
                "risk_level": "medium",
                "problem": "学业压力大",
                "life_history": "",
                "plan": "每两周谈心",
                "note": "",
                "economic-selected": "on",
                "economic-detail": "单亲家庭",
                "economic-hardship_level": "special",
            },
        )
        self.assertRedirects(r, "/survey/?class=2", fetch_redirect_response=False)
        case = Case.objects.get(student__student_no=LI)
        review = SurveyReview.objects.get(student__student_no=LI)
        self.assertEqual((review.outcome, review.case_id), ("new_case", case.pk))

    def test_survey_list_query_count_does_not_grow(self):
        self.login("carol")
        self.client.get(reverse("ledgers:survey"))
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("ledgers:survey"))
        for i in range(20):
            make_student(f"2023010100{i + 30}", f"新生{i}", self.school.c2023_1)
        self.client.post(reverse("ledgers:survey-review"), {"student": ZHANG, "outcome": "no_concern"})
        with CaptureQueriesContext(connection) as many:
            self.client.get(reverse("ledgers:survey"))
        self.assertEqual(len(many), len(few))
