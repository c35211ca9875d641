"""The maintained compliance table (issue 13 item 1): written with every change, equal to a full rebuild.

Every expected window below is worked out by hand from product.md "Contact frequency"; the random test
compares the table the services maintained with `rebuild()` (the same rules over everything from scratch),
on SQLite and on PostgreSQL (run with DATABASE_URL naming a server).
"""

import random
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from careledger.assessment.indicators import loading as indicators_loading
from careledger.cases import services as case_services
from careledger.cases.models import Case, CaseEvent, CasePeriod, CaseStatus
from careledger.contacts import compliance, rules
from careledger.contacts import services as contact_services
from careledger.contacts.models import ComplianceWindow, Contact
from careledger.core import services as core_services
from careledger.roster.models import EnrolmentStatus, StudentStatus
from careledger.roster.selectors import away_periods
from tests.support.testing import make_student

TZ = "+08:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + TZ)


def d(text: str) -> date:
    return date.fromisoformat(text)


def table(case=None) -> list[tuple]:
    qs = ComplianceWindow.objects.all() if case is None else ComplianceWindow.objects.filter(case=case)
    return sorted(
        qs.values_list("case_id", "semester_id", "rule", "start", "end", "required", "done", "met").order_by()
    )


ORDER = {"talk": 0, "dorm_visit": 1, "key_period": 2}


def brief(case) -> list[tuple[str, str, str, int, int]]:
    """(rule, first due day, last due day, required, done), listed as the API lists them."""
    rows = sorted(ComplianceWindow.objects.filter(case=case), key=lambda w: (w.start, ORDER[w.rule], w.end))
    return [(w.rule, w.start.isoformat()[5:], w.end.isoformat()[5:], w.required, w.done) for w in rows]


def autumn(actor):
    """2026-09-07 … (the day before spring), 国庆 10-01..10-07, 寒假 2027-01-16..02-28, 考前 01-04..01-15."""
    return core_services.semester_create(
        actor=actor,
        name="2026-2027学年第一学期",
        start=d("2026-09-07"),
        end=d("2027-02-28"),
        ledger_due=d("2026-09-30"),
        holidays=[
            core_services.PeriodInput("国庆", d("2026-10-01"), d("2026-10-07")),
            core_services.PeriodInput("寒假", d("2027-01-16"), d("2027-02-28")),
        ],
        key_periods=[core_services.PeriodInput("考前", d("2027-01-04"), d("2027-01-15"))],
    )


def open_case(school, key: str, opened_on: str):
    return case_services.case_open(
        actor=school.carol,
        student=school.students[key],
        categories=[case_services.CategoryInput("economic", "x")],
        opened_on=d(opened_on),
    )


# --- away_periods ---


def test_away_periods_from_status_rows(school):
    li, zhang, wang = school.students["li"], school.students["zhang"], school.students["wang"]
    for student, status, since in (
        (li, EnrolmentStatus.LEAVE, "2026-10-08"),
        (li, EnrolmentStatus.ENROLLED, "2026-11-20"),
        (li, EnrolmentStatus.WITHDRAWN, "2027-01-05"),
        (zhang, EnrolmentStatus.ENROLLED, "2026-09-01"),
        (wang, EnrolmentStatus.LEAVE, "2026-08-01"),
        (wang, EnrolmentStatus.GRADUATED, "2026-09-30"),  # two away statuses in a row: one run
    ):
        StudentStatus.objects.create(student=student, status=status, since=d(since))
    away = away_periods([li.pk, zhang.pk, wang.pk, school.students["zhao"].pk], d("2026-09-07"), d("2027-02-28"))
    assert {pk: runs for pk, runs in away.items() if runs} == {
        li.pk: [(d("2026-10-08"), d("2026-11-19")), (d("2027-01-05"), d("2027-02-28"))],
        wang.pk: [(d("2026-09-07"), d("2027-02-28"))],
    }


# --- maintained by the services ---


@pytest.mark.django_db
def test_a_contact_moves_its_window_in_the_same_transaction(school):
    with time_machine.travel(at("2026-10-20T12:00:00"), tick=False):
        autumn(school.alice)
        case = open_case(school, "zhang", "2026-09-08")
        assert brief(case)[:3] == [
            ("talk", "09-08", "09-15", 1, 0),  # 8 due days
            ("dorm_visit", "09-08", "09-30", 2, 0),  # 23 due days
            ("talk", "09-16", "09-30", 1, 0),
        ]
        contact_services.contact_record(
            actor=school.carol, case=case, kind="talk", occurred_at=at("2026-09-10T10:00:00")
        )
        for _ in range(2):  # one visit entered twice counts once
            contact_services.contact_record(
                actor=school.carol, case=case, kind="dorm_visit", occurred_at=at("2026-09-12T10:00:00")
            )
        assert brief(case)[:2] == [("talk", "09-08", "09-15", 1, 1), ("dorm_visit", "09-08", "09-30", 2, 1)]
        assert ComplianceWindow.objects.get(case=case, rule="talk", start=d("2026-09-08")).met


@pytest.mark.django_db
def test_closing_and_reopening_keeps_every_period(school):
    """Opened 09-01 (due from 09-07), closed 10-05, reopened 10-12: October keeps counting its first days."""
    with time_machine.travel(at("2026-09-01T09:00:00"), tick=False) as traveller:
        autumn(school.alice)
        case = open_case(school, "zhang", "2026-09-01")
        case_services.mentor_assign(actor=school.carol, case=case, mentor=school.erin)
        traveller.move_to(at("2026-10-05T09:00:00"))
        contact_services.contact_record(
            actor=school.carol, case=case, kind="talk", occurred_at=at("2026-10-02T10:00:00")
        )
        case_services.close_request(actor=school.carol, case=case, reason="好转")
        case_services.close_approve(actor=school.bob, case=case)
        traveller.move_to(at("2026-10-12T09:00:00"))
        case = Case.objects.get(pk=case.pk)
        assert case_services.last_mentor(case) == school.erin
        case_services.case_reopen(actor=school.carol, case=case, mentor=school.erin)
    assert list(CasePeriod.objects.filter(case=case).values_list("opened_on", "closed_on")) == [
        (d("2026-09-01"), d("2026-10-05")),
        (d("2026-10-12"), None),
    ]
    assert case.mentorships.filter(ended_at__isnull=True).get().mentor == school.erin
    # Oct 1–15: 5 + 4 = 9 due days → a talk, met by the 10-02 talk; October: 25 due days, 5 of them 国庆 → 2.
    assert [w for w in brief(case) if w[1].startswith("09-") or w[1].startswith("10-")] == [
        ("talk", "09-07", "09-15", 1, 0),
        ("dorm_visit", "09-07", "09-30", 2, 0),
        ("talk", "09-16", "09-30", 1, 0),
        ("talk", "10-01", "10-15", 1, 1),
        ("dorm_visit", "10-01", "10-31", 2, 0),
        ("talk", "10-16", "10-31", 1, 0),
    ]


@pytest.mark.django_db
def test_a_status_change_refreshes_the_students_cases(school):
    with time_machine.travel(at("2026-10-20T12:00:00"), tick=False):
        autumn(school.alice)
        case = open_case(school, "zhang", "2026-09-01")
        assert ("talk", "10-16", "10-31", 1, 0) in brief(case)
        # 休学 from 10-08: Oct 1–15 keeps 7 due days → no talk; October 7 due days, all 国庆 → no visit.
        StudentStatus.objects.create(
            student=school.students["zhang"], status=EnrolmentStatus.LEAVE, since=d("2026-10-08")
        )
        assert [w for w in brief(case) if w[1] >= "10-01" or w[1] < "09-01"] == []
        compliance.compliance_refresh_for_student(school.students["zhang"])  # what a status service calls
        assert [w for w in brief(case) if w[1] >= "10-01" or w[1] < "09-01"] == []


@pytest.mark.django_db
def test_entering_the_next_semester_cuts_the_previous_one(school):
    """Autumn entered as 09-07..2027-01-31 runs to 01-31 while alone; entering spring from 2027-02-10
    makes it run to 02-09 (the day before), so February 1–9 becomes autumn's."""
    with time_machine.travel(at("2026-10-20T12:00:00"), tick=False):
        core_services.semester_create(
            actor=school.alice, name="2026-2027学年第一学期", start=d("2026-09-07"), end=d("2027-01-31"),
            ledger_due=d("2026-09-30"),
        )  # fmt: skip
        case = open_case(school, "zhang", "2026-09-01")
        assert brief(case)[-1] == ("talk", "01-16", "01-31", 1, 0)
        core_services.semester_create(
            actor=school.alice, name="2026-2027学年第二学期", start=d("2027-02-10"), end=d("2027-07-10"),
            ledger_due=d("2027-03-19"),
        )  # fmt: skip
    rows = ComplianceWindow.objects.filter(case=case, start__gte=d("2027-02-01")).order_by("start", "rule")
    assert [(w.semester.name[-4:], w.rule, str(w.start)[5:], str(w.end)[5:], w.required) for w in rows][:5] == [
        ("第一学期", "dorm_visit", "02-01", "02-09", 1),  # 9 due days → 1 visit
        ("第一学期", "talk", "02-01", "02-09", 1),  # 9 due days → a talk; Feb 10–15 (6) owes none
        ("第二学期", "dorm_visit", "02-10", "02-28", 2),  # 19 due days in spring → 2 visits
        ("第二学期", "talk", "02-16", "02-28", 1),
        ("第二学期", "dorm_visit", "03-01", "03-31", 2),
    ]


@pytest.mark.django_db
def test_rebuild_command(school):
    with time_machine.travel(at("2026-10-20T12:00:00"), tick=False):
        semester = autumn(school.alice)
        open_case(school, "zhang", "2026-09-01")
    before = table()
    ComplianceWindow.objects.all().delete()
    out = StringIO()
    call_command("compliance", "rebuild", "--semester", str(semester.pk), stdout=out)
    assert table() == before and f"{len(before)} windows" in out.getvalue()


# --- the open-period backfill ---


def test_backfill_reconstructs_periods_from_the_timeline():
    import importlib
    from types import SimpleNamespace

    backfill = importlib.import_module("careledger.cases.migrations.0008_backfill_open_periods")
    moment = lambda s: datetime.fromisoformat(s + "+08:00")  # noqa: E731
    reopened = SimpleNamespace(opened_on=d("2026-09-01"), status="open", closed_on=None, reopened_on=d("2026-10-12"))
    events = [("closed", moment("2026-10-05T23:30:00")), ("reopened", moment("2026-10-12T08:00:00"))]
    assert backfill.periods_of(reopened, events) == [(d("2026-09-01"), d("2026-10-05")), (d("2026-10-12"), None)]
    closed = SimpleNamespace(opened_on=d("2026-09-01"), status="closed", closed_on=d("2026-10-05"), reopened_on=None)
    assert backfill.periods_of(closed, []) == [(d("2026-09-01"), d("2026-10-05"))]
    plain = SimpleNamespace(opened_on=d("2026-09-01"), status="open", closed_on=None, reopened_on=None)
    assert backfill.periods_of(plain, []) == [(d("2026-09-01"), None)]


# --- a random semester: the maintained table equals a full recomputation ---


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_maintained_table_equals_a_full_rebuild(school, seed):
    rng = random.Random(seed)
    students = [make_student(f"20230109{i:04d}", f"学生{i}", school.c2023_1) for i in range(12)]
    day = d("2026-08-25")
    last = d("2027-01-20")
    with time_machine.travel(at(f"{day}T09:00:00"), tick=False) as traveller:
        core_services.semester_create(
            actor=school.alice, name="2026-2027学年第一学期", start=d("2026-09-07"), end=d("2027-01-10"),
            ledger_due=d("2026-09-30"),
            holidays=[core_services.PeriodInput("国庆", d("2026-10-01"), d("2026-10-07"))],
            key_periods=[core_services.PeriodInput("考前", d("2026-12-28"), d("2027-01-08"))],
        )  # fmt: skip
        while day <= last:
            traveller.move_to(at(f"{day}T09:00:00"))
            if day == d("2026-11-02"):  # the spring 校历 entered in the middle: autumn now runs to 01-24
                core_services.semester_create(
                    actor=school.alice, name="2026-2027学年第二学期", start=d("2027-01-25"), end=d("2027-07-10"),
                    ledger_due=d("2027-03-19"),
                )  # fmt: skip
            for student in rng.sample(students, 4):
                case = Case.objects.filter(student=student).first()
                roll = rng.random()
                if case is None:
                    if roll < 0.3:
                        case_services.case_open(
                            actor=school.carol,
                            student=student,
                            categories=[case_services.CategoryInput("psych", "x")],
                            opened_on=day - timedelta(days=rng.randrange(0, 20)),
                        )
                elif case.status == CaseStatus.OPEN:
                    if roll < 0.55:
                        kind = rng.choice(["talk", "talk", "dorm_visit", "dorm_visit", "parent"])
                        hour = rng.choice(["07", "08"])  # before "now" (09:00) on the day
                        contact_services.contact_record(
                            actor=school.carol, case=case, kind=kind, occurred_at=at(f"{day}T{hour}:00:00")
                        )
                    elif roll < 0.6:
                        case_services.close_request(actor=school.carol, case=case, reason="好转")
                        case_services.close_approve(actor=school.bob, case=case)
                elif roll < 0.25:
                    case_services.case_reopen(actor=school.carol, case=case)
                if rng.random() < 0.03:
                    status = rng.choice([EnrolmentStatus.LEAVE, EnrolmentStatus.ENROLLED, EnrolmentStatus.WITHDRAWN])
                    StudentStatus.objects.update_or_create(student=student, since=day, defaults={"status": status})
            day += timedelta(days=1)
    maintained = table()
    assert len(maintained) > 100
    assert ComplianceWindow.objects.filter(done__gt=0).exists()
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.REOPENED).exists()
    assert StudentStatus.objects.exists()
    compliance.rebuild()
    assert table() == maintained
    # The assessment's SQL aggregate equals contacts.rules applied case by case to the raw records.
    today = d("2027-01-20")
    for semester, cal in compliance.semester_calendars():
        expected = {}
        for case in Case.objects.all():
            windows = rules.compliance(
                cal,
                open_periods=list(CasePeriod.objects.filter(case=case).values_list("opened_on", "closed_on")),
                away=away_periods([case.student_id], cal.start, cal.end).get(case.student_id, []),
                contacts=list(Contact.objects.filter(case=case).values_list("kind", "local_date")),
            )
            ended = [w for w in windows if w.ended(today)]
            if ended:
                expected[case.pk] = (len(ended), sum(w.met for w in ended))
        assert indicators_loading._window_counts(semester, today) == expected


def test_contact_kinds_have_one_definition():
    """The model's choices, the API's and the rules' kinds are the same set; each rule counts one kind."""
    from careledger.contacts.models import ComplianceRule, ContactKind

    assert set(ContactKind.values) == rules.CONTACT_KINDS == set(rules.KIND_RULES)
    assert set(ComplianceRule.values) == {str(r) for r in rules.Rule} == set(rules.RULE_KIND)
