"""The case page's forms through the test client: mentor and help group, contacts, closure.

The clock, the school and the case are those of pages.py (CaseViewTestCase).
"""

from datetime import date

from django.urls import reverse

from careledger.accounts.models import Grant, Role
from careledger.cases import services
from careledger.cases.models import CaseEvent, CloseRequest, Helper, HelperActivity, Mentorship
from careledger.cases.tests.pages import LI, CaseViewTestCase
from careledger.contacts.models import Contact
from tests.support.testing import make_user


def _user(username: str):
    from careledger.accounts.models import User

    return User.objects.get(username=username)


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
