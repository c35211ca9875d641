"""The survey page (摸排) through the test client.

Clock and school as in view_support.py."""

from datetime import date

from django.urls import reverse

from careledger.accounts.models import Role
from careledger.core.models import Semester
from careledger.ledgers.models import SurveyReview
from careledger.ledgers.tests.view_support import (
    LI,
    WANG,
    ZHANG,
    ZHAO,
    LedgerViewTestCase,
    open_case,
)
from tests.support.testing import make_user


class SurveyTests(LedgerViewTestCase):
    url = reverse("ledgers:survey")

    def review(self, student_no: str, outcome: str, **extra):
        return self.client.post(reverse("ledgers:survey-review"), {"student": student_no, "outcome": outcome, **extra})

    def unreviewed(self, response) -> list[str]:
        return [row.student.student_no for row in response.context["rows"] if not row.outcome]

    def test_counselor_sees_progress_by_class_and_the_students_not_yet_reviewed(self):
        self.login("carol")
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.unreviewed(r), [ZHANG, LI])  # 2023级 only: not 王小明 (2024) nor 赵六
        self.assertEqual(
            [(p.label, p.students, p.reviewed) for p in r.context["by_class"]],
            [("2023级汉语言文学1班", 1, 0), ("2023级汉语言文学2班", 1, 0)],
        )
        self.assertEqual(r.context["totals"], {"students": 2, "reviewed": 0, "left": 2})
        self.assertEqual(r.context["by_college"], [])  # by college and by counselor are for admins
        self.assertContains(r, "无需关注")
        self.assertContains(r, f"{reverse('ledgers:survey-new-case')}?student={ZHANG}")

    def test_no_concern_is_one_tap_and_goes_back_to_the_same_list(self):
        self.login("carol")
        back = f"{self.url}?class={self.school.c2023_1.pk}"
        r = self.review(ZHANG, "no_concern", next=back)
        self.assertRedirects(r, back, fetch_redirect_response=False)
        review = SurveyReview.objects.get(student__student_no=ZHANG)
        self.assertEqual(
            (review.outcome, review.reviewed_by, review.semester), ("no_concern", self.school.carol, self.semester)
        )
        r = self.client.get(self.url)
        self.assertEqual(self.unreviewed(r), [LI])
        self.assertEqual(r.context["totals"], {"students": 2, "reviewed": 1, "left": 1})
        self.assertContains(r, "已记录 张三丰：无需关注")

    def test_an_existing_case_is_confirmed_and_a_case_opened_this_semester_is_a_new_case(self):
        open_case(self.school, "zhang", opened_on=date(2026, 3, 2))  # from last semester
        open_case(self.school, "li")  # opened after the survey sent the counselor to the case form
        self.login("carol")
        r = self.client.get(self.url)
        rows = {row.student.student_no: row for row in r.context["rows"]}
        self.assertFalse(rows[ZHANG].new_case)
        self.assertTrue(rows[LI].new_case)
        self.assertContains(r, "确认已有档案")
        self.assertContains(r, "已建档")
        self.assertEqual(self.review(ZHANG, "case_confirmed").status_code, 302)
        self.assertEqual(self.review(LI, "new_case").status_code, 302)
        outcomes = dict(SurveyReview.objects.values_list("student__student_no", "outcome"))
        self.assertEqual(outcomes, {ZHANG: "case_confirmed", LI: "new_case"})
        self.assertEqual(SurveyReview.objects.get(student__student_no=LI).case.student.student_no, LI)

    def test_confirming_a_case_that_does_not_exist_is_400_with_the_services_message(self):
        self.login("carol")
        r = self.review(ZHANG, "case_confirmed")
        self.assertContains(r, "请先建档", status_code=400)
        self.assertFalse(SurveyReview.objects.exists())
        self.assertContains(r, f'name="next" value="{self.url}"', status_code=400)  # not back to the POST URL

    def test_bad_outcome_is_400(self):
        self.login("carol")
        self.assertEqual(self.review(ZHANG, "maybe").status_code, 400)

    def test_class_filter(self):
        self.login("carol")
        r = self.client.get(self.url, {"class": self.school.c2023_2.pk})
        self.assertEqual(self.unreviewed(r), [LI])

    def test_college_admin_sees_progress_by_college_and_counselor_and_cannot_review(self):
        SurveyReview.objects.create(
            semester=self.semester,
            student=self.school.students["zhang"],
            outcome="no_concern",
            reviewed_by=self.school.carol,
        )
        self.login("bob")
        r = self.client.get(self.url)
        self.assertEqual(
            [(p.label, p.students, p.reviewed) for p in r.context["by_college"]], [("文学与新闻传播学院", 3, 1)]
        )
        self.assertEqual(
            [(g.user.username, p.students, p.reviewed) for g, p in r.context["by_counselor"]], [("carol", 2, 1)]
        )
        self.assertEqual(self.unreviewed(r), [LI, WANG])
        self.assertNotContains(r, reverse("ledgers:survey-review"))
        self.assertContains(r, "待辅导员或班主任摸排")
        self.assertEqual(self.review(LI, "no_concern").status_code, 403)

    def test_school_admin_filters_by_college(self):
        self.login("alice")
        r = self.client.get(self.url)
        self.assertEqual(len(r.context["college_options"]), 2)
        r = self.client.get(self.url, {"college": self.school.shuxue.pk})
        self.assertEqual(self.unreviewed(r), [ZHAO])

    def test_counselor_of_another_college_gets_404_for_a_student_not_theirs(self):
        olga = make_user("olga", role=Role.COUNSELOR, college=self.school.shuxue, grades=["2023"])
        self.client.force_login(olga)
        self.assertEqual(self.review(LI, "no_concern").status_code, 404)
        self.assertNotIn(LI, self.unreviewed(self.client.get(self.url)))
        self.assertFalse(SurveyReview.objects.exists())

    def test_class_teacher_reviews_only_their_class(self):
        self.login("dave")
        self.assertEqual(self.unreviewed(self.client.get(self.url)), [LI])
        self.assertEqual(self.review(ZHANG, "no_concern").status_code, 404)
        self.assertEqual(self.review(LI, "no_concern").status_code, 302)

    def test_without_a_current_semester_the_page_says_so(self):
        Semester.objects.update(start=date(2027, 9, 1), end=date(2028, 1, 15))  # entered in advance: not current
        self.login("carol")
        self.assertContains(self.client.get(self.url), "尚未设置当前学期")
        self.assertEqual(self.review(ZHANG, "no_concern").status_code, 400)

    def test_mentor_is_refused_and_anonymous_is_sent_to_login(self):
        self.login("erin")
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.logout()
        self.assert_login_redirect(self.url)

    def test_wrong_methods_are_405(self):
        self.login("carol")
        self.assertEqual(self.client.post(self.url).status_code, 405)
        self.assertEqual(self.client.get(reverse("ledgers:survey-review")).status_code, 405)
