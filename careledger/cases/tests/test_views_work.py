"""The case pages through the test client: the work view and the case list, with their query counts.

The clock, the school and the case are those of pages.py (CaseViewTestCase).
"""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careledger.cases import selectors, services
from careledger.cases.models import Case, Mentorship
from careledger.cases.tests.pages import NOW, CaseViewTestCase, add_contact
from tests.support.testing import audited_read_queries, make_case, make_student


class WorkViewTests(CaseViewTestCase):
    def test_mentor_sees_own_case_overdue_in_red_with_a_one_tap_record_button(self):
        self.login("erin")
        r = self.client.get(reverse("cases:work"))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "张三丰")
        self.assertContains(r, 'class="badge badge-danger overdue-mark"')
        self.assertContains(r, "下寝室 9月")
        self.assertContains(r, "等 7 项")
        record = reverse("cases:contact-new", args=[self.case.pk])  # November's dorm visits are due now
        self.assertContains(r, f"{record}?kind=dorm_visit&amp;next=/work/")

    def test_mentor_whose_windows_are_met_sees_no_overdue_mark(self):
        for month in (9, 10):
            for day in (2, 17):
                add_contact(self.case, "talk", date(2026, month, day), self.school.erin)
                add_contact(self.case, "dorm_visit", date(2026, month, day), self.school.erin)
        add_contact(self.case, "talk", date(2026, 11, 2), self.school.erin)
        self.login("erin")
        r = self.client.get(reverse("cases:work"))
        self.assertNotContains(r, "overdue-mark")
        # The next window owed, not "已达标": November's visits and the 16–30 talk both end 11-30; the
        # month starts first.
        self.assertContains(r, "下一期：下寝室 11月（11-30前）")

    def test_counselor_sees_scope_by_category_risk_overdue_and_without_mentor(self):
        make_case(self.school, "li")  # no mentor
        self.login("carol")
        r = self.client.get(reverse("cases:work"))
        scope = r.context["work"]["scope"]
        self.assertEqual(scope["total"], 2)
        self.assertEqual([row.case.student.name for row in scope["no_mentor"]], ["李四"])
        self.assertEqual(len(scope["overdue"]), 2)
        self.assertIn(("economic", "家庭经济困难", 2), scope["by_category"])
        self.assertIsNone(r.context["work"]["mine"])  # carol is no mentor
        self.assertContains(r, f"{reverse('cases:list')}?no_mentor=1")

    def test_college_admin_sees_pending_close_requests(self):
        services.close_request(actor=self.school.erin, case=self.case, reason="情况好转")
        self.login("bob")
        r = self.client.get(reverse("cases:work"))
        self.assertContains(r, "待审批的撤销建档申请")
        self.assertContains(r, f"{self.detail_url()}#closure")

    def test_home_embeds_the_work_view_for_case_roles_only(self):
        self.login("erin")
        r = self.client.get(reverse("home"))
        self.assertTemplateUsed(r, "cases/_work.html")
        self.assertContains(r, "我的结对学生")
        self.login("frank")
        r = self.client.get(reverse("home"))
        self.assertEqual(r.status_code, 200)
        self.assertTemplateNotUsed(r, "cases/_work.html")

    def test_account_without_case_role_is_refused(self):
        self.login("frank")
        self.assertEqual(self.client.get(reverse("cases:work")).status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        url = reverse("cases:work")
        self.assertRedirects(self.client.get(url), f"{reverse('login')}?next={url}", fetch_redirect_response=False)

    def test_post_is_refused(self):
        self.login("erin")
        self.assertEqual(self.client.post(reverse("cases:work")).status_code, 405)


def many_cases(school, n: int, start: int) -> None:
    """n open cases in 2023级汉语言文学1班, each paired with erin and with one talk."""
    for i in range(n):
        student = make_student(f"2023019{start + i:05d}", f"学生{i}", school.c2023_1)
        case = Case.objects.create(student=student, opened_on=date(2026, 9, 1), opened_by=school.carol)
        case.categories.create(category="economic", added_on=date(2026, 9, 1))
        Mentorship.objects.create(case=case, mentor=school.erin, started_at=NOW, assigned_by=school.carol)
        add_contact(case, "talk", date(2026, 10, 2), school.erin)


class QueryCountTests(CaseViewTestCase):
    """Per request: session, user, grants, the grants' classes: 4 (a request that changes nothing saves
    no session). The page's own queries are named in each test; none grows with the number of cases."""

    def assert_constant(self, persona: str, url: str, expected: int) -> None:
        self.login(persona)
        self.client.get(url)  # warm up (content types, translations)
        many_cases(self.school, 3, 0)
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get(url).status_code, 200)
        many_cases(self.school, 30, 100)
        with CaptureQueriesContext(connection) as large:
            self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(len(large), len(small), [q["sql"] for q in large.captured_queries])
        self.assertEqual(len(large), expected, [q["sql"] for q in large.captured_queries])

    # Each count below ends with the audited read of the list (SEC-52).
    def test_work_view_for_a_mentor(self):
        # open cases (student, class, college and dorm joined), their categories; semesters and their
        # periods; every case's contacts of the semester in one query; the students' 学籍状态 in one query;
        # the current semester named in the heading.
        self.assert_constant("erin", reverse("cases:work"), 4 + 5 + 2 + audited_read_queries())

    def test_work_view_for_a_counselor(self):
        # semesters and periods; the scope's figures as SQL counts (by risk, by category, total, overdue on
        # the compliance table, unpaired); one short page of overdue cases (with categories and unmet
        # windows) and one of unpaired ones (none here), each picked by its ids first (one narrow query,
        # selectors.first_rows; an empty page asks no more). Nothing loads every case of the scope.
        self.assert_constant("carol", reverse("cases:work"), 4 + 12 + 2 + audited_read_queries())

    def test_work_view_for_a_college_admin(self):
        # as above, plus the cases with a pending close request (none here: no categories to fetch).
        self.assert_constant("bob", reverse("cases:work"), 4 + 12 + 2 + 1 + audited_read_queries())

    def test_case_list(self):
        # count, one page of rows, their categories; semesters, periods, the page's contacts; the rows'
        # 学籍状态; the classes of the filter.
        self.assert_constant("carol", reverse("cases:list"), 4 + 7 + 1 + audited_read_queries())

    def test_case_list_filtered_to_overdue(self):
        # as above, plus the current semester's calendar (semesters, periods) for the filter, which is an
        # EXISTS on the maintained compliance table inside the page's own queries: no list of ids, no contacts.
        self.assert_constant("carol", reverse("cases:list") + "?overdue=1", 4 + 7 + 2 + 1 + audited_read_queries())


class CaseListTests(CaseViewTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.li_case = make_case(cls.school, "li")
        Case.objects.filter(pk=cls.li_case.pk).update(risk_level="high")
        cls.li_case.categories.create(category="psych", added_on=date(2026, 9, 1))

    def names(self, **params) -> list[str]:
        r = self.client.get(reverse("cases:list"), params)
        self.assertEqual(r.status_code, 200)
        return [row.case.student.name for row in r.context["rows"]]

    def test_counselor_sees_scope_high_risk_first(self):
        self.login("carol")
        self.assertEqual(self.names(), ["李四", "张三丰"])

    def test_filters(self):
        self.login("carol")
        self.assertEqual(self.names(category="psych"), ["李四"])
        self.assertEqual(self.names(risk="low"), ["张三丰"])
        self.assertEqual(self.names(**{"class": "2023级汉语言文学1班"}), ["张三丰"])
        self.assertEqual(self.names(no_mentor="1"), ["李四"])
        self.assertEqual(self.names(q="zsf"), ["张三丰"])
        self.assertEqual(self.names(overdue="1"), ["李四", "张三丰"])
        self.assertEqual(self.names(status="closed"), [])

    def test_overdue_filter_drops_cases_whose_windows_are_met(self):
        for month in (9, 10):
            for day in (2, 17):
                add_contact(self.case, "talk", date(2026, month, day), self.school.erin)
                add_contact(self.case, "dorm_visit", date(2026, month, day), self.school.erin)
        add_contact(self.case, "talk", date(2026, 11, 2), self.school.erin)
        self.login("carol")
        self.assertEqual(self.names(overdue="1"), ["李四"])

    def test_mentor_sees_only_own_cases_and_other_college_nothing(self):
        self.login("erin")
        self.assertEqual(self.names(), ["张三丰"])
        self.login("ivan")
        self.assertEqual(self.names(), [])

    def test_anonymous_is_sent_to_login(self):
        url = reverse("cases:list")
        self.assertRedirects(self.client.get(url), f"{reverse('login')}?next={url}", fetch_redirect_response=False)

    def test_post_is_refused(self):
        self.login("carol")
        self.assertEqual(self.client.post(reverse("cases:list")).status_code, 405)


class FirstRowsTests(CaseViewTestCase):
    def test_first_rows_are_the_listed_querysets_first_rows_in_its_order(self):
        many_cases(self.school, 12, 0)
        Case.objects.filter(pk__in=Case.objects.order_by("-pk").values("pk")[:3]).update(risk_level="high")
        listed = selectors.case_search(user=self.school.carol)
        self.assertEqual([c.pk for c in selectors.first_rows(listed, 5)], [c.pk for c in listed[:5]])
        self.assertEqual([c.mentor_name for c in selectors.first_rows(listed, 5)], [c.mentor_name for c in listed[:5]])
        self.assertEqual(selectors.first_rows(listed.none(), 5), [])
