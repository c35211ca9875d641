"""A college's ledger through the test client: the keeper's index, the ledger page and its decisions.

Clock and school as in view_support.py."""

import io
from datetime import date

import openpyxl
import time_machine
from django.urls import reverse

from careledger.audit.models import AuditEvent
from careledger.cases import services as case_services
from careledger.core.models import Semester
from careledger.ledgers.models import Ledger
from careledger.ledgers.tests.view_support import (
    CONFIRMED,
    SIGNED,
    LedgerViewTestCase,
    open_case,
)


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
