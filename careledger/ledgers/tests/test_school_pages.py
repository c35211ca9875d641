"""The school's view (全校台账) and the semester comparison through the test client.

Clock and school as in view_support.py."""

from datetime import date

import time_machine
from django.urls import reverse

from careledger.core.models import Semester
from careledger.ledgers import services
from careledger.ledgers.models import Addendum, Ledger, LedgerStatus, SurveyReview
from careledger.ledgers.tests.view_support import (
    WANG,
    ZHANG,
    LedgerViewTestCase,
    open_case,
)


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
