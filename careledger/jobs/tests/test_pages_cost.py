"""Pages that cost what they show (issue 13): one sub-table and one page of its rows on the ledger page,
one page of contacts on the case page, no encrypted column loaded for a student list."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from careledger.contacts.models import Contact
from careledger.ledgers.views import ledger_table as ledger_views
from careledger.roster.selectors import student_search
from tests.support.testing import make_case, make_ledger

pytestmark = pytest.mark.django_db


def test_the_ledger_page_shows_one_sub_table_a_page_at_a_time(client, school):
    for key in ("zhang", "li", "wang"):
        make_case(school, key)
    ledger = make_ledger(school)
    client.force_login(school.bob)
    with mock.patch.object(ledger_views, "LEDGER_ROWS_PER_PAGE", 2):
        first = client.get(f"/ledgers/{ledger.pk}/")
        second = client.get(f"/ledgers/{ledger.pk}/?table=economic&page=2")
    tables = {t.code: t for t in first.context["tables"]}
    assert tables["economic"].count == 3 and len(tables["economic"].rows) == 2
    assert first.context["shown"].code == "economic" and first.context["row_total"] == 3
    assert [cells[0][0] for cells in second.context["shown"].rows] == ["3"]  # 序号 goes on across pages
    assert 'rel="next" href="?page=2"' in first.content.decode()


def test_the_case_page_shows_one_page_of_contacts_and_links_to_the_rest(client, school):
    case = make_case(school, "li", mentor=school.erin)
    at = timezone.make_aware(datetime(2026, 9, 2, 15))
    Contact.objects.bulk_create(
        Contact(
            case=case,
            kind="talk",
            occurred_at=at + timedelta(days=n),
            local_date=(at + timedelta(days=n)).date(),
            content=f"第{n}次",
            recorded_by=school.erin,
        )
        for n in range(53)
    )
    client.force_login(school.carol)
    first = client.get(f"/cases/{case.pk}/")
    last = client.get(f"/cases/{case.pk}/?page=2")
    assert first.context["contact_count"] == 53 and len(first.context["contacts"]) == 50
    assert len(last.context["contacts"]) == 3 and "第0次" in last.content.decode()
    assert 'rel="next" href="?page=2"' in first.content.decode()


def test_the_student_list_loads_no_encrypted_column(school):
    deferred = student_search(user=school.alice).query.deferred_loading
    assert {"parent_name", "parent_phone", "id_number"} <= set(deferred[0]) and deferred[1] is True
