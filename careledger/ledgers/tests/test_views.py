"""The survey, ledger, school, comparison and download pages through the test client.

Clock: 2026-09-10 10:00 Beijing time, in the semester 2026-09-01 – 2027-01-15 whose ledger is due
2026-09-19. carol counsels 文学院's 2023 grade (张三丰 in 2023-1班, 李四 in 2023-2班), dave teaches 李四's
class, bob runs 文学院, ivan 数学院 (赵六), alice is 学工处. sally is the 心理健康教育中心 section (psych only).
"""

import io
import zipfile
from datetime import date, datetime

import openpyxl
import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careledger.accounts.models import Role
from careledger.audit.models import AuditEvent
from careledger.cases import services as case_services
from careledger.cases.models import Case
from careledger.core.models import Semester
from careledger.ledgers import services
from careledger.ledgers.models import Addendum, Ledger, LedgerStatus, Section, SurveyReview
from careledger.roster.models import College, SchoolClass
from tests.support.testing import audited_read_queries, build_school, make_semester, make_student, make_user

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


# --- survey ---


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


def many_students(school, n: int, start: int) -> None:
    """n students of 2023级汉语言文学1班 (carol's grade), every third with an open case."""
    for i in range(start, start + n):
        student = make_student(f"2023017{i:05d}", f"学生{i}", school.c2023_1)
        if i % 3 == 0:
            case = Case.objects.create(student=student, opened_on=date(2026, 9, 1), opened_by=school.carol)
            case.categories.create(category="economic", added_on=date(2026, 9, 1))


def many_colleges(school, n: int, start: int) -> None:
    """n more colleges, each with a student, an open psych case and a submitted ledger."""
    for i in range(start, start + n):
        college = College.objects.create(name=f"第{i}学院")
        school_class = SchoolClass.objects.create(college=college, grade="2023", name=f"第{i}学院2023级1班")
        student = make_student(f"2023{i:02d}0000001", f"学生{i}", school_class)
        case = Case.objects.create(student=student, opened_on=date(2026, 9, 1), opened_by=school.carol)
        case.categories.create(category="psych", added_on=date(2026, 9, 1))
        Ledger.objects.create(
            semester=Semester.objects.current(), college=college, created_by=school.carol, status="submitted"
        )


class QueryCountTests(LedgerViewTestCase):
    """Per request: session, user, grants (with college, department, section), the grants' classes: 4 (a
    request that changes nothing saves no session). The page's own queries are named in each test;
    none grows with the number of students or colleges."""

    def assert_constant(self, persona: str, url: str, small, large, expected: int) -> None:
        self.login(persona)
        self.client.get(url)  # warm up (content types, translations)
        small()
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get(url).status_code, 200)
        large()
        with CaptureQueriesContext(connection) as many:
            self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(len(many), len(few), [q["sql"] for q in many.captured_queries])
        self.assertEqual(len(many), expected, [q["sql"] for q in many.captured_queries])

    def test_survey_page_for_a_counselor_with_10_and_100_students(self):
        # current semester and its periods; progress by class and the class names; the classes' grade and
        # college; the count and one page of students not yet reviewed; their open cases.
        self.assert_constant(
            "carol",
            reverse("ledgers:survey"),
            lambda: many_students(self.school, 8, 0),  # with 张三丰 and 李四: 10
            lambda: many_students(self.school, 90, 100),
            4
            + 8
            + 2
            + audited_read_queries(),  # the audited read (SEC-52); + evidence (issue 16): covering settled suggestions, the page's pending ones
        )

    def test_survey_page_for_a_college_admin(self):
        # as above, plus progress by college and the college names, and the counselors with their classes.
        self.assert_constant(
            "bob",
            reverse("ledgers:survey"),
            lambda: many_students(self.school, 8, 0),
            lambda: many_students(self.school, 90, 100),
            4
            + 8
            + 4
            + 2
            + audited_read_queries(),  # the audited read (SEC-52); + evidence: covering settled suggestions, the page's pending ones
        )

    def test_ledger_page_draft_with_few_and_many_cases(self):
        ledger = self.start_ledger()
        # the ledger (semester, college); the cases the reader may open; the open cases with their
        # categories, this semester's effects and current pairings, the students' 学籍状态 (备注); the steps;
        # the addenda; past ledgers; the submission warnings (students, reviewed, open cases, pairings,
        # semesters, periods, contacts).
        self.assert_constant(
            "carol",
            reverse("ledgers:detail", args=[ledger.pk]),
            lambda: many_students(self.school, 9, 0),
            lambda: many_students(self.school, 90, 100),
            4 + 10 + 7 + audited_read_queries(),  # the audited read (SEC-52)
        )

    def test_school_view_with_2_and_6_colleges(self):
        # semesters, the current one; the addenda per college; the overview (ledgers, counts per category,
        # open cases, survey progress, addenda per college, colleges); the addenda listed.
        self.assert_constant(
            "alice",
            reverse("ledgers:school"),
            lambda: None,  # the school's two colleges
            lambda: many_colleges(self.school, 4, 10),
            4 + 10 + audited_read_queries(),  # the audited read (SEC-52)
        )


# --- a college's ledger ---


class LedgerIndexTests(LedgerViewTestCase):
    url = reverse("ledgers:index")

    def test_keeper_starts_the_draft_with_a_post_then_lands_on_it(self):
        self.login("carol")
        r = self.client.get(self.url)
        self.assertContains(r, "开始填报")
        self.assertContains(r, f'name="college" value="{self.school.wenxue.pk}"')
        self.assertFalse(Ledger.objects.exists())  # a visit creates nothing
        r = self.client.post(reverse("ledgers:open"), {"college": self.school.wenxue.pk})
        ledger = Ledger.objects.get()
        self.assertRedirects(r, reverse("ledgers:detail", args=[ledger.pk]), fetch_redirect_response=False)
        self.assertEqual(
            (ledger.status, ledger.semester, ledger.created_by), ("draft", self.semester, self.school.carol)
        )
        self.assertRedirects(
            self.client.get(self.url), reverse("ledgers:detail", args=[ledger.pk]), fetch_redirect_response=False
        )
        # Asking again gives the same draft.
        self.client.post(reverse("ledgers:open"), {"college": self.school.wenxue.pk})
        self.assertEqual(Ledger.objects.count(), 1)

    def test_a_keeper_cannot_start_another_colleges_ledger(self):
        self.login("ivan")
        self.assertEqual(self.client.post(reverse("ledgers:open"), {"college": self.school.wenxue.pk}).status_code, 404)
        self.assertFalse(Ledger.objects.exists())
        self.assertTrue(
            AuditEvent.objects.filter(actor_username="ivan", action="denied", object_type="college").exists()
        )

    def test_school_admin_is_sent_to_the_school_view(self):
        self.login("alice")
        self.assertRedirects(self.client.get(self.url), reverse("ledgers:school"), fetch_redirect_response=False)

    def test_past_ledgers_are_listed(self):
        old = Semester.objects.create(
            name="2025-2026学年第二学期", start=date(2026, 3, 1), end=date(2026, 7, 10), ledger_due=date(2026, 3, 19)
        )
        Ledger.objects.create(semester=old, college=self.school.wenxue, created_by=self.school.carol, status="accepted")
        self.login("bob")
        self.assertContains(self.client.get(self.url), "2025-2026学年第二学期")

    def test_anonymous_and_wrong_method(self):
        self.assert_login_redirect(self.url)
        self.login("carol")
        self.assertEqual(self.client.post(self.url).status_code, 405)
        self.assertEqual(self.client.get(reverse("ledgers:open")).status_code, 405)


class LedgerPageTests(LedgerViewTestCase):
    def url(self, ledger: Ledger, name: str = "ledgers:detail") -> str:
        return reverse(name, args=[ledger.pk])

    def test_draft_shows_the_seven_tables_live_with_the_notices_headers(self):
        case = open_case(self.school, "li")
        ledger = self.start_ledger()
        self.login("carol")
        r = self.client.get(self.url(ledger))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            [t.title for t in r.context["tables"]][:3], ["家庭经济困难学生", "学习困难学生", "心理异常学生"]
        )
        self.assertEqual(len(r.context["tables"]), 7)
        economic = r.context["tables"][0]
        self.assertEqual(
            economic.headers,
            (
                "序号",
                "姓名",
                "性别",
                "班级",
                "所在寝室",
                "本人联系方式",
                "家长姓名及联系方式",
                "家庭经济状况和存在问题",
                "帮扶措施",
                "帮扶人姓名及联系方式",
                "帮扶效果",
                "备注",
            ),
        )
        self.assertEqual(economic.rows[0][1], ("李四", reverse("cases:detail", args=[case.pk])))
        self.assertEqual(economic.rows[0][5], ("139****4321", ""))  # phones are masked on screen
        self.assertContains(r, "单亲家庭")
        self.assertContains(r, "（2）学习困难学生")
        self.assertContains(r, "学院在档档案的实时汇总")
        self.assertContains(r, self.url(ledger, "ledgers:submit"))
        # A draft follows the cases.
        case_services.case_update(actor=self.school.carol, case=case, version=1, fields={"plan": "每月家访"})
        self.assertContains(self.client.get(self.url(ledger)), "每月家访")

    def test_submitting_freezes_the_tables_and_keeps_every_step(self):
        case = open_case(self.school, "li")
        ledger = self.start_ledger()
        self.login("bob")
        r = self.client.post(self.url(ledger, "ledgers:submit"), CONFIRMED)
        self.assertRedirects(r, self.url(ledger), fetch_redirect_response=False)
        ledger.refresh_from_db()
        self.assertEqual(
            (ledger.status, ledger.late, ledger.filled_by, ledger.responsible),
            ("submitted", False, "陈辅导员", "李书记"),
        )
        case_services.case_update(actor=self.school.carol, case=case, version=1, fields={"plan": "每月家访"})
        r = self.client.get(self.url(ledger))
        self.assertContains(r, "台账已上报学工处")
        self.assertContains(r, "每周谈心")  # the snapshot, not the edit
        self.assertNotContains(r, "每月家访")
        self.assertContains(r, "陈辅导员")
        self.assertNotContains(r, self.url(ledger, "ledgers:submit"))
        self.assertEqual([s.action for s in r.context["steps"]], ["created", "submitted"])

    def test_the_form_suggests_the_signer_by_role(self):
        ledger = self.start_ledger()
        self.login("carol")
        form = self.client.get(self.url(ledger)).context["submit_form"]
        self.assertEqual((form["filled_by"].value(), form["responsible"].value()), ("carol", ""))
        self.login("bob")
        form = self.client.get(self.url(ledger)).context["submit_form"]
        self.assertEqual((form["filled_by"].value(), form["responsible"].value()), ("", "bob"))

    def test_counselor_fills_in_the_college_admin_confirms_past_the_warnings(self):
        open_case(self.school, "li")
        ledger = self.start_ledger()
        self.login("carol")
        r = self.client.get(self.url(ledger))
        self.assertContains(r, "提交负责人确认")
        self.assertContains(r, "摸排覆盖率 0%")  # the warnings, with numbers, before anything is sent
        self.assertContains(r, "份没有帮扶导师")
        r = self.client.post(self.url(ledger, "ledgers:submit"), SIGNED)
        self.assertContains(r, "勾选确认", status_code=400)
        self.client.post(self.url(ledger, "ledgers:submit"), CONFIRMED)
        ledger.refresh_from_db()
        self.assertEqual((ledger.status, ledger.awaiting_confirmation, ledger.filled_by), ("draft", True, "陈辅导员"))
        self.login("bob")
        r = self.client.get(self.url(ledger))
        self.assertContains(r, "待学院负责人确认")
        self.assertContains(r, "确认并上报")
        self.client.post(self.url(ledger, "ledgers:submit"), {"filled_by": "陈辅导员", "confirm": "on"})
        ledger.refresh_from_db()
        self.assertEqual((ledger.status, ledger.responsible), ("submitted", "bob"))

    def test_the_filler_is_required(self):
        ledger = self.start_ledger()
        self.login("bob")
        r = self.client.post(self.url(ledger, "ledgers:submit"), {"responsible": "李书记", "confirm": "on"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("filled_by", r.context["submit_form"].errors)
        self.assertEqual(Ledger.objects.get().status, "draft")

    def test_submitting_twice_is_400_with_the_services_message(self):
        ledger = self.submit(self.start_ledger())
        self.login("bob")
        r = self.client.post(self.url(ledger, "ledgers:submit"), SIGNED)
        self.assertContains(r, "台账已上报，不能重复上报", status_code=400)

    def test_after_the_due_date_it_is_still_submitted_and_marked_late(self):
        ledger = self.start_ledger()
        with time_machine.travel("2026-09-25T09:00:00+08:00", tick=False):
            self.login("bob")
            self.assertContains(self.client.get(self.url(ledger)), "已过截止日期")
            self.client.post(self.url(ledger, "ledgers:submit"), CONFIRMED)
            r = self.client.get(self.url(ledger))
        self.assertTrue(Ledger.objects.get().late)
        self.assertContains(r, "逾期上报")

    def test_returned_ledger_shows_the_comment_and_is_resubmitted(self):
        ledger = self.submit(self.start_ledger())
        self.login("alice")
        r = self.client.post(self.url(ledger, "ledgers:return"), {"comment": "缺少心理异常学生"})
        self.assertRedirects(r, self.url(ledger), fetch_redirect_response=False)
        self.login("bob")
        r = self.client.get(self.url(ledger))
        self.assertContains(r, "缺少心理异常学生")
        self.assertContains(r, "重新上报")
        self.client.post(self.url(ledger, "ledgers:submit"), CONFIRMED)
        self.login("alice")
        self.client.post(self.url(ledger, "ledgers:accept"))
        r = self.client.get(self.url(ledger))
        self.assertEqual(
            [s.action for s in r.context["steps"]], ["created", "submitted", "returned", "submitted", "accepted"]
        )
        self.assertContains(r, "已接收")

    def test_returning_without_a_comment_is_400(self):
        ledger = self.submit(self.start_ledger())
        self.login("alice")
        r = self.client.post(self.url(ledger, "ledgers:return"), {"comment": " "})
        self.assertEqual(r.status_code, 400)
        self.assertIn("comment", r.context["return_form"].errors)
        self.assertEqual(Ledger.objects.get().status, "submitted")

    def test_accepting_a_draft_is_400(self):
        ledger = self.start_ledger()
        self.login("alice")
        self.assertContains(
            self.client.post(self.url(ledger, "ledgers:accept")), "只能处理已上报的台账", status_code=400
        )

    def test_keepers_cannot_accept_and_school_admin_cannot_submit(self):
        ledger = self.submit(self.start_ledger())
        self.login("bob")
        self.assertEqual(self.client.post(self.url(ledger, "ledgers:accept")).status_code, 403)
        self.login("alice")
        self.assertEqual(self.client.post(self.url(ledger, "ledgers:submit"), SIGNED).status_code, 403)

    def test_section_sees_only_its_categories_and_no_case_links(self):
        case = open_case(self.school, "li")
        ledger = self.start_ledger()
        self.login("sally")
        r = self.client.get(self.url(ledger))
        self.assertEqual([t.code for t in r.context["tables"]], ["psych"])
        self.assertContains(r, "情绪低落")
        self.assertNotContains(r, "单亲家庭")
        self.assertNotContains(r, "家庭经济困难学生")
        self.assertNotContains(r, reverse("cases:detail", args=[case.pk]))
        self.assertNotContains(r, self.url(ledger, "ledgers:case-files"))
        book = openpyxl.load_workbook(io.BytesIO(self.client.get(self.url(ledger, "ledgers:export")).content))
        self.assertEqual(len(book.sheetnames), 1)
        self.assertEqual(self.client.get(self.url(ledger, "ledgers:case-files")).status_code, 403)

    def test_outsider_gets_404_on_the_page_and_its_downloads(self):
        ledger = self.start_ledger()
        self.login("ivan")
        for name in ("ledgers:detail", "ledgers:export", "ledgers:case-files"):
            self.assertEqual(self.client.get(self.url(ledger, name)).status_code, 404, name)
        self.assertEqual(self.client.post(self.url(ledger, "ledgers:submit"), SIGNED).status_code, 404)
        self.assertTrue(
            AuditEvent.objects.filter(actor_username="ivan", action="denied", object_type="ledger").exists()
        )

    def test_anonymous_is_sent_to_login_and_wrong_methods_are_405(self):
        ledger = self.start_ledger()
        self.assert_login_redirect(self.url(ledger))
        self.login("carol")
        self.assertEqual(self.client.post(self.url(ledger)).status_code, 405)
        self.assertEqual(self.client.get(self.url(ledger, "ledgers:submit")).status_code, 405)
        self.assertEqual(self.client.post(self.url(ledger, "ledgers:export")).status_code, 405)


class DownloadTests(LedgerViewTestCase):
    def test_workbook_zip_and_case_file_are_attachments_and_audited(self):
        case = open_case(self.school, "li")
        ledger = self.start_ledger()
        self.login("carol")
        r = self.client.get(reverse("ledgers:export", args=[ledger.pk]))
        self.assertEqual(r["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertTrue(r["Content-Disposition"].startswith("attachment; filename*=UTF-8''"))
        self.assertTrue(r["Content-Disposition"].endswith(".xlsx"))
        self.assertEqual(r["Cache-Control"], "no-store")
        self.assertEqual(len(openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames), 7)
        r = self.client.get(reverse("ledgers:case-files", args=[ledger.pk]))
        self.assertEqual(zipfile.ZipFile(io.BytesIO(r.content)).namelist(), [f"{LI}_李四_档案表.docx"])
        r = self.client.get(reverse("ledgers:case-file", args=[case.pk]))
        self.assertEqual(r["Content-Type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        self.assertTrue(r["Content-Disposition"].endswith(".docx"))
        exports = AuditEvent.objects.filter(actor_username="carol", action="export")
        self.assertEqual(sorted(exports.values_list("object_type", flat=True)), ["case", "college", "ledger"])

    def test_every_reader_of_the_ledger_gets_the_case_files_with_their_number_shown_first(self):
        open_case(self.school, "li")
        open_case(self.school, "zhang")
        ledger = self.start_ledger()
        self.login("carol")
        self.assertContains(self.client.get(reverse("ledgers:detail", args=[ledger.pk])), "下载档案表 (.zip，2 份)")
        for persona in ("bob", "alice"):
            self.login(persona)
            self.assertContains(self.client.get(reverse("ledgers:detail", args=[ledger.pk])), "下载档案表 (.zip，2 份)")
            # Not on the cases: the number of files and one reason first (SEC-45) — never an empty zip.
            r = self.client.get(reverse("ledgers:case-files", args=[ledger.pk]))
            self.assertContains(r, "本台账共 2 份特殊群体学生档案表")
            self.assertContains(r, 'name="reason"')
            r = self.client.post(reverse("ledgers:case-files", args=[ledger.pk]), {"reason": ""})
            self.assertEqual(r.status_code, 400)
            r = self.client.post(reverse("ledgers:case-files", args=[ledger.pk]), {"reason": "审核学院台账"})
            self.assertEqual(
                sorted(zipfile.ZipFile(io.BytesIO(r.content)).namelist()),
                [f"{ZHANG}_张三丰_档案表.docx", f"{LI}_李四_档案表.docx"],
            )
        self.login("ivan")  # another college's admin: not a reader of this ledger
        self.assertEqual(self.client.get(reverse("ledgers:case-files", args=[ledger.pk])).status_code, 404)

    def test_case_page_offers_the_case_file_and_another_mentor_gets_404(self):
        case = open_case(self.school, "li")
        self.login("dave")
        self.assertContains(
            self.client.get(reverse("cases:detail", args=[case.pk])), reverse("ledgers:case-file", args=[case.pk])
        )
        olga = make_user("olga", role=Role.MENTOR, college=self.school.wenxue)
        self.client.force_login(olga)
        self.assertEqual(self.client.get(reverse("ledgers:case-file", args=[case.pk])).status_code, 404)

    def test_school_workbook(self):
        open_case(self.school, "li")
        self.login("alice")
        r = self.client.get(reverse("ledgers:school-export"), {"semester": self.semester.pk})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r["Content-Disposition"].endswith(".xlsx"))
        self.login("sally")
        book = openpyxl.load_workbook(io.BytesIO(self.client.get(reverse("ledgers:school-export")).content))
        self.assertEqual(book.sheetnames, ["3 心理异常学生", "各学院上报情况"])  # the section's table, the register
        self.login("carol")
        self.assertEqual(self.client.get(reverse("ledgers:school-export")).status_code, 403)
        self.login("alice")
        self.assertEqual(self.client.get(reverse("ledgers:school-export"), {"semester": 999}).status_code, 404)


# --- the school's view ---


class SchoolViewTests(LedgerViewTestCase):
    url = reverse("ledgers:school")

    def rows(self, response) -> dict[str, object]:
        return {item.row.college.name: item for item in response.context["rows"]}

    def test_school_admin_sees_every_colleges_status_counts_and_progress(self):
        open_case(self.school, "li")
        self.submit(self.start_ledger())
        SurveyReview.objects.create(
            semester=self.semester,
            student=self.school.students["zhang"],
            outcome="no_concern",
            reviewed_by=self.school.carol,
        )
        self.login("alice")
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        rows = self.rows(r)
        wenxue, shuxue = rows["文学与新闻传播学院"], rows["数学与计算机科学学院"]
        self.assertEqual((wenxue.row.status, shuxue.row.status), ("submitted", "not_started"))
        self.assertEqual(wenxue.counts[0], ("家庭经济困难", 1))
        self.assertEqual(wenxue.counts[2], ("心理异常", 1))
        self.assertEqual((wenxue.row.open_cases, wenxue.row.students, wenxue.row.reviewed), (1, 3, 1))
        self.assertContains(r, "已上报")
        self.assertContains(r, "未开始")
        self.assertContains(r, reverse("ledgers:accept", args=[wenxue.row.ledger.pk]))
        self.assertContains(r, reverse("ledgers:compare"))
        self.assertEqual(r.context["summary"]["reported"], 1)

    def test_accepting_from_the_school_view_comes_back_to_it(self):
        ledger = self.submit(self.start_ledger())
        self.login("alice")
        back = f"{self.url}?semester={self.semester.pk}"
        r = self.client.post(reverse("ledgers:accept", args=[ledger.pk]), {"next": back})
        self.assertRedirects(r, back, fetch_redirect_response=False)
        self.assertEqual(Ledger.objects.get().status, LedgerStatus.ACCEPTED)
        r = self.client.post(reverse("ledgers:accept", args=[ledger.pk]), {"next": "https://evil.example/"})
        self.assertEqual(r.status_code, 400)  # already accepted: the ledger page says why

    def test_late_overdue_and_returned_are_marked(self):
        ledger = self.submit(self.start_ledger())
        services.ledger_return(actor=self.school.alice, ledger=ledger, comment="请补充")
        with time_machine.travel("2026-09-25T09:00:00+08:00", tick=False):
            self.login("alice")
            r = self.client.get(self.url)
        rows = self.rows(r)
        self.assertEqual(rows["文学与新闻传播学院"].row.status, "returned")
        self.assertTrue(rows["数学与计算机科学学院"].row.overdue)
        self.assertContains(r, "已退回")
        self.assertContains(r, "已过截止日期")

    def test_addenda_after_submission_show_in_the_school_view(self):
        self.submit(self.start_ledger())
        open_case(self.school, "li", categories=(("economic", "单亲家庭"), ("psych", "情绪低落")))
        self.assertEqual(Addendum.objects.count(), 2)
        self.login("alice")
        r = self.client.get(self.url)
        self.assertEqual(r.context["summary"]["addenda"], 2)
        self.assertEqual(self.rows(r)["文学与新闻传播学院"].addenda, 2)
        self.assertContains(r, "新建档")
        self.login("sally")
        r = self.client.get(self.url)
        self.assertEqual(r.context["summary"]["addenda"], 1)  # the psych one only
        self.assertEqual([item.category for item in r.context["addenda"]], ["心理异常"])

    def test_addenda_are_named_by_the_act_not_as_a_noun(self):
        ledger = self.submit(self.start_ledger())
        open_case(self.school, "li", categories=(("economic", "单亲家庭"), ("psych", "情绪低落")))
        self.login("alice")
        html = self.client.get(self.url).content.decode()
        self.assertIn("<h2>随时上报的学生</h2>", html)
        self.assertIn('<div class="stat-label">随时上报的学生</div>', html)
        self.assertIn("随时上报 2 人次", html)
        self.assertNotIn("<h2>随时上报</h2>", html)
        html = self.client.get(reverse("ledgers:detail", args=[ledger.pk])).content.decode()
        self.assertIn("<h2>随时上报的学生</h2>", html)
        self.assertIn("上报后新建档或新增类别的学生随时上报学工处。", html)
        self.assertNotIn("“随时上报”", html)

    def test_section_sees_only_its_categories(self):
        open_case(self.school, "li")
        open_case(self.school, "zhao", categories=(("economic", "家庭困难"),))
        self.login("sally")
        r = self.client.get(self.url)
        self.assertEqual(r.context["categories"], [("psych", "心理异常")])
        self.assertEqual(self.rows(r)["文学与新闻传播学院"].counts, [("心理异常", 1)])
        self.assertFalse(r.context["show_open_cases"])  # the total spans categories the section may not see
        self.assertFalse(r.context["may_decide"])
        self.assertNotContains(r, "家庭经济困难")
        self.assertNotContains(r, reverse("ledgers:compare"))

    def test_past_semester_and_unknown_semester(self):
        old = Semester.objects.create(
            name="2025-2026学年第二学期", start=date(2026, 3, 1), end=date(2026, 7, 10), ledger_due=date(2026, 3, 19)
        )
        self.login("alice")
        r = self.client.get(self.url, {"semester": old.pk})
        self.assertEqual(r.context["semester"], old)
        self.assertEqual(self.client.get(self.url, {"semester": 999}).status_code, 404)

    def test_others_are_refused_anonymous_is_sent_to_login_and_post_is_405(self):
        self.login("bob")
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.login("alice")
        self.assertEqual(self.client.post(self.url).status_code, 405)
        self.client.logout()
        self.assert_login_redirect(self.url)


# --- comparing two semesters ---


class CompareTests(LedgerViewTestCase):
    url = reverse("ledgers:compare")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.spring = Semester.objects.create(
            name="2025-2026学年第二学期", start=date(2026, 3, 1), end=date(2026, 7, 10), ledger_due=date(2026, 3, 19)
        )
        # Last semester's reported ledger: 张三丰 (economic, low) and 王小明 (other).
        Ledger.objects.create(
            semester=cls.spring,
            college=cls.school.wenxue,
            created_by=cls.school.carol,
            status="accepted",
            snapshot={
                "rows": {
                    "economic": [{"_student_no": ZHANG, "姓名": "张三丰", "_case": None, "_risk": "low"}],
                    "other": [{"_student_no": WANG, "姓名": "王小明", "_case": None, "_risk": "low"}],
                }
            },
        )

    def test_school_admin_compares_new_closed_and_changed(self):
        open_case(self.school, "zhang", risk_level="high")  # economic + psych now
        open_case(self.school, "li", categories=(("discipline", "夜不归宿"),))
        self.login("bob")
        r = self.client.get(self.url)  # defaults: the keeper's college, last semester → this one
        self.assertEqual(r.status_code, 200)
        result = r.context["result"]
        self.assertEqual(
            (result["college"], result["before"], result["after"]), (self.school.wenxue, self.spring, self.semester)
        )
        self.assertEqual([(x["name"], x["labels"]) for x in result["new"]], [("李四", ["行为违纪"])])
        self.assertEqual([x["name"] for x in result["closed"]], ["王小明"])
        changed = result["changed"][0]
        self.assertEqual(
            (changed["name"], changed["added_labels"], changed["risk_before_label"], changed["risk_after_label"]),
            ("张三丰", ["心理异常"], "低", "高"),
        )
        self.assertContains(r, "行为违纪")
        self.assertContains(r, "<del>低</del> → <ins>高</ins>")

    def test_school_admin_chooses_any_college_and_not_the_same_semester_twice(self):
        self.login("alice")
        params = {"college": self.school.shuxue.pk, "from": self.spring.pk, "to": self.semester.pk}
        r = self.client.get(self.url, params)
        self.assertEqual(r.context["result"]["college"], self.school.shuxue)
        params["from"] = self.semester.pk
        r = self.client.get(self.url, params)
        self.assertContains(r, "请选择两个不同的学期", status_code=400)

    def test_keeper_of_another_college_gets_404_and_section_is_refused(self):
        self.login("ivan")
        r = self.client.get(
            self.url, {"college": self.school.wenxue.pk, "from": self.spring.pk, "to": self.semester.pk}
        )
        self.assertEqual(r.status_code, 404)
        self.login("sally")
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_anonymous_and_wrong_method(self):
        self.assert_login_redirect(self.url)
        self.login("alice")
        self.assertEqual(self.client.post(self.url).status_code, 405)
