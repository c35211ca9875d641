"""Queries per page on the survey, ledger and school pages: constant, whatever the number of students
or colleges.

Clock and school as in view_support.py."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careledger.cases.models import Case
from careledger.core.models import Semester
from careledger.ledgers import services
from careledger.ledgers.models import Ledger
from careledger.ledgers.tests.view_support import (
    LedgerViewTestCase,
)
from careledger.roster.models import College, SchoolClass
from tests.support.testing import audited_read_queries, make_student


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
        # the ledger (semester, college); the cases the reader may open; the rows per sub-table (one count);
        # one page of the open cases shown with their categories, this semester's effects and current
        # pairings, the students' 学籍状态 (备注); the addenda; the ledger's case ids (the zip's count); the
        # steps; past ledgers; the submission warnings (reviewed, semesters, periods, and four counts:
        # students, open cases, unpaired, overdue).
        self.assert_constant(
            "carol",
            reverse("ledgers:detail", args=[ledger.pk]),
            lambda: many_students(self.school, 9, 0),
            lambda: many_students(self.school, 90, 100),
            4 + 12 + 7 + audited_read_queries(),  # the audited read (SEC-52)
        )

    def test_ledger_page_submitted_with_few_and_many_rows(self):
        ledger = self.start_ledger()

        def few():
            many_students(self.school, 9, 0)
            self.submit(Ledger.objects.get(pk=ledger.pk))

        def many():  # returned, 90 more students, reported again: a snapshot of many more rows
            many_students(self.school, 90, 100)
            services.ledger_return(
                actor=self.school.users["alice"], ledger=Ledger.objects.get(pk=ledger.pk), comment="补充"
            )
            self.submit(Ledger.objects.get(pk=ledger.pk))

        # the ledger; the cases the reader may open; the addenda; the steps; past ledgers. The counts, the
        # page of rows and the case ids come from the snapshot.
        self.assert_constant(
            "bob", reverse("ledgers:detail", args=[ledger.pk]), few, many, 4 + 5 + audited_read_queries()
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
