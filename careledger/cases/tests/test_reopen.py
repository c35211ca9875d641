"""Reopening keeps history (issue 12 item 4): periods kept, the last mentor offered back, 随时上报 after submission."""

from datetime import date, datetime

import time_machine
from django.urls import reverse

from careledger.cases import services
from careledger.cases.models import Case, CasePeriod, CaseStatus
from careledger.core.models import Semester
from careledger.ledgers.models import Addendum, Ledger
from tests.support.testing import make_semester


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def closed_case(school):
    """李四's case opened 09-01 with erin as mentor, closed on 10-05."""
    with time_machine.travel(at("2026-09-01T09:00:00"), tick=False) as traveller:
        make_semester(school)
        case = services.case_open(
            actor=school.carol,
            student=school.students["li"],
            categories=[services.CategoryInput("economic", "x")],
            opened_on=date(2026, 9, 1),
        )
        services.mentor_assign(actor=school.carol, case=case, mentor=school.erin)
        traveller.move_to(at("2026-10-05T09:00:00"))
        services.close_request(actor=school.carol, case=case, reason="好转")
        services.close_approve(actor=school.bob, case=case)
    return Case.objects.get(pk=case.pk)


def test_the_reopen_form_offers_the_last_mentor_and_pairs_them_again(client, school):
    case = closed_case(school)
    client.force_login(school.carol)
    with time_machine.travel(at("2026-10-12T09:00:00"), tick=False):
        page = client.get(reverse("cases:detail", args=[case.pk]))
        assert page.status_code == 200
        assert page.context["reopen_form"]["mentor"].value() == school.erin.pk
        response = client.post(reverse("cases:reopen", args=[case.pk]), {"mentor": school.erin.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.mentorships.get(ended_at__isnull=True).mentor == school.erin
    assert list(CasePeriod.objects.filter(case=case).values_list("opened_on", "closed_on")) == [
        (date(2026, 9, 1), date(2026, 10, 5)),
        (date(2026, 10, 12), None),
    ]
    with time_machine.travel(at("2026-10-12T09:05:00"), tick=False):
        page = client.get(reverse("cases:detail", args=[case.pk]))
    assert "2026-09-01 – 2026-10-05；2026-10-12 – 至今" in page.content.decode()


def test_reopening_without_a_mentor_leaves_the_case_unpaired(client, school):
    case = closed_case(school)
    client.force_login(school.carol)
    with time_machine.travel(at("2026-10-12T09:00:00"), tick=False):
        client.post(reverse("cases:reopen", args=[case.pk]), {"mentor": ""})
    assert not case.mentorships.filter(ended_at__isnull=True).exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_reopening_after_the_ledger_was_submitted_is_an_addendum(school):
    case = closed_case(school)
    Ledger.objects.create(
        semester=Semester.objects.get(),
        college=school.wenxue,
        status="submitted",
        submitted_at=at("2026-09-15T10:00:00"),
        created_by=school.carol,
    )
    with time_machine.travel(at("2026-10-12T09:00:00"), tick=False):
        services.case_reopen(actor=school.carol, case=case)
    (addendum,) = Addendum.objects.filter(case=case)
    assert addendum.category == "economic"


def test_reopening_before_any_ledger_makes_no_addendum(school):
    case = closed_case(school)
    with time_machine.travel(at("2026-10-12T09:00:00"), tick=False):
        services.case_reopen(actor=school.carol, case=case)
    assert not Addendum.objects.filter(case=case).exists()
