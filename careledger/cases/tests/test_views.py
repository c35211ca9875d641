"""The case pages through the test client: work view, list, open, case file, edit, contacts, closure, semesters.

The clock is fixed at 2026-11-20 10:00 Beijing time in the semester 2026-09-01 – 2027-01-15. 张三丰
(2023级汉语言文学1班, dorm 东区12栋305) has an open case since 2026-09-01, paired with erin, with no contacts:
every window that has ended is overdue. carol counsels the 2023 grade, dave teaches 李四's class (not
张三丰's), bob runs the college, ivan another college.
"""

from datetime import date, datetime

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careledger.accounts.models import Grant, Role
from careledger.audit.models import AuditEvent
from careledger.cases import services
from careledger.cases.models import Case, CaseEvent, CloseRequest, Helper, HelperActivity, Mentorship
from careledger.contacts.compliance import compliance_refresh_for_case
from careledger.contacts.models import Contact
from careledger.core.models import Semester
from tests.support.testing import audited_read_queries, build_school, make_case, make_student, make_user

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
        # windows) and one of unpaired ones (none here). Nothing loads every case of the scope.
        self.assert_constant("carol", reverse("cases:work"), 4 + 11 + 2 + audited_read_queries())

    def test_work_view_for_a_college_admin(self):
        # as above, plus the cases with a pending close request (none here: no categories to fetch).
        self.assert_constant("bob", reverse("cases:work"), 4 + 11 + 2 + 1 + audited_read_queries())

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


class OpenCaseTests(CaseViewTestCase):
    def new_url(self, student_no: str = LI) -> str:
        return f"{reverse('cases:new')}?student={student_no}"

    def test_counselor_opens_a_case_with_two_categories(self):
        self.login("carol")
        r = self.client.get(self.new_url())
        self.assertContains(r, "家庭经济状况和存在问题")
        self.assertContains(r, "特别困难")
        r = self.client.post(
            self.new_url(),
            {
                "economic-selected": "on",
                "economic-detail": "单亲家庭",
                "economic-hardship_level": "special",
                "psych-selected": "on",
                "psych-detail": "入学后情绪低落",
                "psych-problem_type": "抑郁倾向",
                "academic-gpa": "1.5",  # not ticked: ignored
                "risk_level": "medium",
                "opened_on": "2026-11-20",
                "problem": "经济困难，情绪低落",
            },
        )
        case = Case.objects.get(student__student_no=LI)
        self.assertRedirects(r, self.detail_url(case), fetch_redirect_response=False)
        entries = {e.category: e for e in case.categories.all()}
        self.assertEqual(set(entries), {"economic", "psych"})
        self.assertEqual(entries["economic"].data, {"hardship_level": "special"})
        self.assertEqual(entries["psych"].data, {"problem_type": "抑郁倾向"})
        self.assertEqual(
            (case.risk_level, case.problem, case.opened_by), ("medium", "经济困难，情绪低落", self.school.carol)
        )

    def test_no_category_is_400_with_the_services_message(self):
        self.login("carol")
        r = self.client.post(self.new_url(), {"risk_level": "low", "opened_on": "2026-11-20"})
        self.assertContains(r, "请至少选择一个类别", status_code=400)
        self.assertFalse(Case.objects.filter(student__student_no=LI).exists())

    def test_future_opening_date_is_400(self):
        self.login("carol")
        r = self.client.post(
            self.new_url(), {"economic-selected": "on", "risk_level": "low", "opened_on": "2026-11-21"}
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("opened_on", r.context["form"].main.errors)

    def test_student_with_an_open_case_shows_a_link_to_it(self):
        self.login("carol")
        r = self.client.get(self.new_url(ZHANG))
        self.assertContains(r, "该学生已有在档的关爱档案")
        self.assertContains(r, self.detail_url())

    def test_class_teacher_may_verify_physical_and_admin_may_not(self):
        self.login("dave")
        self.assertContains(self.client.get(self.new_url()), 'name="physical-verification"')
        self.login("bob")
        self.assertNotContains(self.client.get(self.new_url()), 'name="physical-verification"')

    def test_student_out_of_scope_is_404(self):
        self.login("dave")  # 张三丰 is not in dave's class
        self.assertEqual(self.client.get(self.new_url(ZHANG)).status_code, 404)
        self.login("ivan")
        self.assertEqual(self.client.get(self.new_url()).status_code, 404)

    def test_mentor_may_not_open_cases(self):
        self.login("erin")
        self.assertEqual(self.client.get(self.new_url(ZHANG)).status_code, 403)

    def test_student_page_offers_to_open_a_case_or_shows_the_open_one(self):
        self.login("carol")
        r = self.client.get(reverse("students:detail", args=[LI]))
        self.assertContains(r, f'href="{self.new_url()}"')
        r = self.client.get(reverse("students:detail", args=[ZHANG]))
        self.assertContains(r, "查看关爱档案")
        self.assertNotContains(r, self.new_url(ZHANG))

    def test_anonymous_is_sent_to_login(self):
        url = self.new_url()
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_put_is_refused(self):
        self.login("carol")
        self.assertEqual(self.client.put(self.new_url()).status_code, 405)


class CaseDetailTests(CaseViewTestCase):
    def test_case_page_shows_the_file_and_audits_the_read(self):
        self.login("erin")
        r = self.client.get(self.detail_url())
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "张三丰")
        self.assertContains(r, "家庭经济状况和存在问题")
        self.assertContains(r, "window-row-overdue")
        self.assertContains(r, "东区12栋305")
        self.assertTrue(
            AuditEvent.objects.filter(
                actor_username="erin", action="read", object_type="case", student_no=ZHANG
            ).exists()
        )

    def test_buttons_follow_the_policy(self):
        self.login("erin")
        r = self.client.get(self.detail_url())
        self.assertContains(r, reverse("cases:close-request", args=[self.case.pk]))
        self.assertNotContains(r, reverse("cases:mentor", args=[self.case.pk]))
        self.assertNotContains(r, reverse("cases:close-approve", args=[self.case.pk]))
        self.login("carol")
        r = self.client.get(self.detail_url())
        self.assertContains(r, reverse("cases:mentor", args=[self.case.pk]))

    def test_other_mentor_gets_404_and_a_denied_audit_row(self):
        olga = make_user("olga", role=Role.MENTOR, college=self.school.wenxue)
        self.client.force_login(olga)
        self.assertEqual(self.client.get(self.detail_url()).status_code, 404)
        self.assertTrue(AuditEvent.objects.filter(actor_username="olga", action="denied").exists())

    def test_class_teacher_of_another_class_gets_404(self):
        self.login("dave")
        self.assertEqual(self.client.get(self.detail_url()).status_code, 404)

    def test_anonymous_is_sent_to_login(self):
        url = self.detail_url()
        self.assertRedirects(self.client.get(url), f"{reverse('login')}?next={url}", fetch_redirect_response=False)

    def test_post_is_refused(self):
        self.login("carol")
        self.assertEqual(self.client.post(self.detail_url()).status_code, 405)


def _user(username: str):
    from careledger.accounts.models import User

    return User.objects.get(username=username)


class EditTests(CaseViewTestCase):
    def edit(self, version: int, **fields):
        data = {
            "version": version,
            "economic-selected": "on",
            "economic-detail": "家庭经济困难",
            "risk_level": "low",
            **fields,
        }
        return self.client.post(reverse("cases:edit", args=[self.case.pk]), data)

    def test_edit_saves_bumps_the_version_and_the_timeline_shows_old_and_new(self):
        self.login("carol")
        r = self.client.get(reverse("cases:edit", args=[self.case.pk]))
        self.assertContains(r, 'name="version" value="1"')
        r = self.edit(1, risk_level="high", plan="每周谈心")
        self.assertRedirects(r, self.detail_url(), fetch_redirect_response=False)
        self.case.refresh_from_db()
        self.assertEqual((self.case.version, self.case.risk_level, self.case.plan), (2, "high", "每周谈心"))
        page = self.client.get(self.detail_url())
        self.assertContains(page, "<del>低</del> → <ins>高</ins>")

    def test_stale_version_shows_a_conflict_and_overwrites_nothing(self):
        self.login("carol")
        self.assertEqual(self.edit(1, risk_level="high").status_code, 302)
        self.login("erin")
        r = self.edit(1, risk_level="low", plan="改")
        self.assertContains(r, "档案已被他人修改", status_code=409)
        self.case.refresh_from_db()
        self.assertEqual((self.case.version, self.case.risk_level, self.case.plan), (2, "high", ""))

    def test_mentor_cannot_write_the_class_teachers_verification(self):
        self.case.categories.create(
            category="physical", detail="先天性心脏病", verification="已核实", added_on=NOW.date()
        )
        self.login("erin")
        r = self.client.get(reverse("cases:edit", args=[self.case.pk]))
        self.assertNotContains(r, 'name="physical-verification"')
        self.assertContains(r, "已核实")
        r = self.edit(1, **{"physical-selected": "on", "physical-detail": "先天性心脏病", "physical-verification": "x"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.case.categories.get(category="physical").verification, "已核实")

    def test_opening_the_edit_form_is_an_audited_read(self):
        self.login("carol")
        self.client.get(reverse("cases:edit", args=[self.case.pk]))
        self.assertTrue(AuditEvent.objects.filter(actor_username="carol", action="read", student_no=ZHANG).exists())

    def test_outsider_gets_404(self):
        self.login("ivan")
        self.assertEqual(self.client.get(reverse("cases:edit", args=[self.case.pk])).status_code, 404)

    def test_anonymous_is_sent_to_login(self):
        self.assertEqual(self.client.get(reverse("cases:edit", args=[self.case.pk])).status_code, 302)

    def test_delete_is_refused(self):
        self.login("carol")
        self.assertEqual(self.client.delete(reverse("cases:edit", args=[self.case.pk])).status_code, 405)


class MentorAndHelpGroupTests(CaseViewTestCase):
    def test_counselor_assigns_a_mentor_and_the_history_is_kept(self):
        nina = make_user("nina", role=Role.MENTOR, college=self.school.wenxue, name="倪老师")
        self.login("carol")
        r = self.client.post(reverse("cases:mentor", args=[self.case.pk]), {"mentor": nina.pk})
        self.assertRedirects(r, self.detail_url() + "#mentor", fetch_redirect_response=False)
        pairings = list(Mentorship.objects.filter(case=self.case).values_list("mentor__username", "ended_at"))
        self.assertEqual([m for m, _ in pairings], ["erin", "nina"])
        self.assertIsNotNone(pairings[0][1])
        page = self.client.get(self.detail_url())
        self.assertContains(page, "倪老师")
        self.assertContains(page, "结对记录")

    def test_only_mentors_of_the_college_are_offered(self):
        make_user("max", role=Role.MENTOR, college=self.school.shuxue)
        # A counselor grant in the case's college does not make max a mentor there.
        Grant.objects.create(user=_user("max"), role=Role.COUNSELOR, college=self.school.wenxue, grades=["2024"])
        self.login("carol")
        r = self.client.post(reverse("cases:mentor", args=[self.case.pk]), {"mentor": _user("max").pk})
        self.assertEqual(r.status_code, 400)
        self.assertIn("mentor", r.context["mentor_form"].errors)
        self.login("alice")  # the school office may pair any mentor
        r = self.client.post(reverse("cases:mentor", args=[self.case.pk]), {"mentor": _user("max").pk})
        self.assertEqual(r.status_code, 302)

    def test_mentor_cannot_assign(self):
        self.login("erin")
        r = self.client.post(reverse("cases:mentor", args=[self.case.pk]), {"mentor": self.school.erin.pk})
        self.assertEqual(r.status_code, 403)

    def test_mentor_adds_a_helper_and_records_their_activity(self):
        self.login("erin")
        # A student outside the mentor's view is not resolved (issue 11, finding 13) …
        r = self.client.post(
            reverse("cases:helper-add", args=[self.case.pk]), {"student_no": LI, "role": "dorm_liaison"}
        )
        self.assertContains(r, "本学院在册学生中没有该学号", status_code=400)
        # … the counselor adds them, and the mentor records their activity.
        self.login("carol")
        r = self.client.post(
            reverse("cases:helper-add", args=[self.case.pk]), {"student_no": LI, "role": "dorm_liaison"}
        )
        self.assertEqual(r.status_code, 302)
        self.login("erin")
        helper = Helper.objects.get(case=self.case)
        r = self.client.post(
            reverse("cases:helper-activity", args=[self.case.pk]),
            {"helper": helper.pk, "on": "2026-11-19", "what": "陪同去心理中心"},
        )
        self.assertEqual(r.status_code, 302)
        self.assertEqual(HelperActivity.objects.get().what, "陪同去心理中心")
        self.assertContains(self.client.get(self.detail_url()), "陪同去心理中心")

    def test_helper_from_another_college_is_400(self):
        self.login("erin")
        r = self.client.post(
            reverse("cases:helper-add", args=[self.case.pk]), {"student_no": "202302010001", "role": "dorm_liaison"}
        )
        self.assertContains(r, "本学院在册学生中没有该学号", status_code=400)

    def test_effect_per_semester(self):
        self.login("erin")
        r = self.client.post(
            reverse("cases:effect", args=[self.case.pk]),
            {"semester": self.semester.pk, "text": "情绪明显好转", "rating": "4"},
        )
        self.assertEqual(r.status_code, 302)
        self.assertContains(self.client.get(self.detail_url()), "情绪明显好转")

    def test_a_key_period_is_shown_with_its_name(self):
        from careledger.core.models import PeriodKind, SemesterPeriod

        SemesterPeriod.objects.create(
            semester=self.semester,
            kind=PeriodKind.KEY_PERIOD,
            name="期中考前",
            start=date(2026, 11, 2),
            end=date(2026, 11, 6),
        )
        from careledger.contacts.compliance import compliance_refresh_for_semester

        compliance_refresh_for_semester(self.semester)  # what semester_update does (maintained windows)
        self.login("erin")
        r = self.client.get(self.detail_url())
        self.assertContains(r, "重点时段·期中考前 11-02–11-06")
        self.assertNotContains(r, "重点时段 11-02")

    def test_each_effect_level_has_a_meaning_in_the_form_and_on_the_case_page(self):
        self.login("erin")
        r = self.client.get(self.detail_url())
        for option in ("1 无改善", "2 略有改善", "3 有所改善", "4 明显改善", "5 问题基本解决"):
            self.assertContains(r, f">{option}</option>")
        self.client.post(
            reverse("cases:effect", args=[self.case.pk]),
            {"semester": self.semester.pk, "text": "情绪明显好转", "rating": "4"},
        )
        self.assertContains(self.client.get(self.detail_url()), "评分 4/5 · 明显改善")

    def test_get_is_refused(self):
        self.login("carol")
        self.assertEqual(self.client.get(reverse("cases:mentor", args=[self.case.pk])).status_code, 405)


class ContactTests(CaseViewTestCase):
    def url(self, query: str = "") -> str:
        return reverse("cases:contact-new", args=[self.case.pk]) + query

    def test_form_defaults_to_now_and_to_the_dorm_for_a_dorm_visit(self):
        self.login("erin")
        r = self.client.get(self.url("?kind=dorm_visit"))
        self.assertContains(r, 'value="2026-11-20T10:00"')
        self.assertContains(r, 'value="东区12栋305"')
        self.assertContains(r, 'value="dorm_visit" id="id_kind_1" required checked')

    def test_dorm_visit_with_blank_place_is_recorded_in_the_dorm_and_returns_to_next(self):
        self.login("erin")
        r = self.client.post(
            self.url(),
            {
                "kind": "dorm_visit",
                "occurred_at": "2026-10-20T19:30",
                "location": "",
                "content": "寝室整洁，情绪平稳",
                "next": "/work/",
            },
        )
        self.assertRedirects(r, "/work/", fetch_redirect_response=False)
        contact = Contact.objects.get(case=self.case)
        self.assertEqual(
            (contact.kind, contact.local_date, contact.location), ("dorm_visit", date(2026, 10, 20), "东区12栋305")
        )
        self.assertEqual(contact.recorded_by, self.school.erin)
        self.assertTrue(CaseEvent.objects.filter(case=self.case, kind="contact").exists())

    def test_contact_in_the_future_is_400(self):
        self.login("erin")
        r = self.client.post(self.url(), {"kind": "talk", "occurred_at": "2026-11-21T10:00", "content": "x"})
        self.assertContains(r, "辅导时间不能晚于现在", status_code=400)
        self.assertFalse(Contact.objects.exists())

    def test_next_pointing_elsewhere_is_ignored(self):
        self.login("erin")
        r = self.client.post(
            self.url(),
            {"kind": "talk", "occurred_at": "2026-11-20T09:00", "content": "谈心", "next": "https://evil.example/"},
        )
        self.assertRedirects(r, self.detail_url(), fetch_redirect_response=False)

    def test_other_mentor_gets_404(self):
        olga = make_user("olga", role=Role.MENTOR, college=self.school.wenxue)
        self.client.force_login(olga)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_anonymous_is_sent_to_login(self):
        self.assertEqual(self.client.get(self.url()).status_code, 302)

    def test_put_is_refused(self):
        self.login("erin")
        self.assertEqual(self.client.put(self.url()).status_code, 405)


class ClosureTests(CaseViewTestCase):
    def post(self, name: str, data: dict | None = None):
        return self.client.post(reverse(name, args=[self.case.pk]), data or {})

    def test_request_approve_and_reopen(self):
        self.login("erin")
        r = self.post("cases:close-request", {"reason": "情绪稳定，成绩好转", "improved": "yes"})
        self.assertRedirects(r, self.detail_url() + "#closure", fetch_redirect_response=False)
        self.login("bob")
        self.assertContains(self.client.get(self.detail_url()), "同意撤销建档")
        self.assertEqual(self.post("cases:close-approve", {"note": "同意"}).status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "closed")
        self.login("carol")
        self.assertNotIn(self.case, [row.case for row in self.client.get(reverse("cases:list")).context["rows"]])
        page = self.client.get(self.detail_url())
        self.assertContains(page, "已撤销建档")
        self.assertContains(page, "情绪稳定，成绩好转")  # history kept
        self.assertEqual(self.post("cases:reopen").status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "open")

    def test_improved_has_no_default_and_must_be_chosen(self):
        self.login("erin")
        form = self.client.get(self.detail_url()).context["close_form"]
        self.assertIsNone(form["improved"].value())  # nothing ticked in advance
        r = self.post("cases:close-request", {"reason": "情绪稳定"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "请选择帮扶后是否有改善", status_code=400)
        self.assertFalse(self.case.close_requests.exists())
        self.post("cases:close-request", {"reason": "情绪稳定", "improved": "no"})
        self.assertIs(self.case.close_requests.get().improved, False)

    def test_reject_keeps_the_case_open(self):
        services.close_request(actor=self.school.erin, case=self.case, reason="好转")
        self.login("bob")
        self.assertEqual(self.post("cases:close-reject", {"note": "再观察一个月"}).status_code, 302)
        self.assertEqual(CloseRequest.objects.get().status, "rejected")
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "open")

    def test_request_without_reason_is_400(self):
        self.login("erin")
        self.assertEqual(self.post("cases:close-request", {"reason": ""}).status_code, 400)

    def test_approve_without_a_pending_request_is_400_with_a_message(self):
        self.login("bob")
        r = self.post("cases:close-approve")
        self.assertContains(r, "没有待审批的撤销建档申请", status_code=400)

    def test_counselor_cannot_approve(self):
        services.close_request(actor=self.school.erin, case=self.case, reason="好转")
        self.login("carol")
        self.assertEqual(self.post("cases:close-approve").status_code, 403)
        self.login("ivan")
        self.assertEqual(self.post("cases:close-approve").status_code, 404)

    def test_get_is_refused(self):
        self.login("bob")
        self.assertEqual(self.client.get(reverse("cases:close-approve", args=[self.case.pk])).status_code, 405)


class SemesterPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def test_school_admin_creates_a_semester_with_holidays_and_key_periods(self):
        self.client.force_login(self.school.alice)
        r = self.client.post(
            reverse("cases:semesters"),
            {
                "name": "2026-2027学年第一学期",
                "start": "2026-09-01",
                "end": "2027-02-28",
                "ledger_due": "2026-09-19",
                "holidays": "寒假 2027-01-16 2027-02-28\n",
                "key_periods": "考前 2027-01-04 2027-01-10\n放假前后 2027-01-11 2027-01-20",
            },
        )
        self.assertRedirects(r, reverse("cases:semesters"), fetch_redirect_response=False)
        semester = Semester.objects.get()
        periods = list(semester.periods.order_by("start").values_list("kind", "name"))
        self.assertEqual(periods, [("key_period", "考前"), ("key_period", "放假前后"), ("holiday", "寒假")])
        self.assertContains(self.client.get(reverse("cases:semesters")), "放假前后")

    def test_bad_period_line_is_400(self):
        self.client.force_login(self.school.alice)
        r = self.client.post(
            reverse("cases:semesters"),
            {"name": "x", "start": "2026-09-01", "end": "2027-01-15", "ledger_due": "2026-09-19", "holidays": "寒假"},
        )
        self.assertContains(r, "第 1 行", status_code=400)
        self.assertFalse(Semester.objects.exists())

    def test_the_current_semester_follows_the_dates_and_the_form_does_not_ask(self):
        first = make_semester()
        Semester.objects.create(
            name="第二学期", start=date(2027, 3, 1), end=date(2027, 7, 10), ledger_due=date(2027, 3, 19)
        )
        self.client.force_login(self.school.alice)
        with time_machine.travel(NOW, tick=False):
            r = self.client.get(reverse("cases:semesters"))
        self.assertNotContains(r, "设为当前")
        self.assertNotContains(r, 'name="is_current"')
        current = [s for s in r.context["semesters"] if s.is_current]
        self.assertEqual(current, [first])

    def test_counselor_is_refused(self):
        self.client.force_login(self.school.carol)
        self.assertEqual(self.client.get(reverse("cases:semesters")).status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        self.assertEqual(self.client.get(reverse("cases:semesters")).status_code, 302)

    def test_put_is_refused(self):
        self.client.force_login(self.school.alice)
        self.assertEqual(self.client.put(reverse("cases:semesters")).status_code, 405)
