"""The case pages through the test client: opening a case file, the case page, editing.

The clock, the school and the case are those of pages.py (CaseViewTestCase).
"""

from django.urls import reverse

from careledger.accounts.models import Role
from careledger.audit.models import AuditEvent
from careledger.cases.models import Case
from careledger.cases.tests.pages import LI, NOW, ZHANG, CaseViewTestCase
from tests.support.testing import make_user


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
