"""The semester page through the test client: creating a semester, the current one by its dates."""

from datetime import date

import time_machine
from django.test import TestCase
from django.urls import reverse

from careledger.cases.tests.pages import NOW, make_semester
from careledger.core.models import Semester
from tests.support.testing import build_school


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
