"""Who is told of what (api.md, "Notifications"): one test per row of the table. The people named get
exactly one inbox message each, nobody else gets one, and a message names the student only to those the
policy lets see that student. Then the inbox API: GET /api/v1/inbox/ and POST /api/v1/inbox/read/.
"""

from collections import Counter
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from careledger.accounts.models import Role
from careledger.cases import services as case_services
from careledger.escalations import services as escalation_services
from careledger.escalations.models import Department
from careledger.ledgers import services as ledger_services
from careledger.ledgers.models import Ledger, Section
from careledger.notify import services
from careledger.notify.models import Channel, ChannelKind, Delivery
from tests.support.testing import make_case, make_semester, make_user

STUDENT = "李四"


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def loop(school):
    """李四's case (economic, mentor erin), a current semester, two 学工处 sections and their users (besides
    the school fixture's judy, whose 资助中心 reads the economic sub-table too)."""
    semester = make_semester(school)
    psych = Section.objects.create(code="psych", name="心理健康教育科", categories=["psych"])
    aid = Section.objects.create(code="aid", name="资助管理科", categories=["economic"])
    school.users["sally"] = make_user("sally", role=Role.SECTION, section=psych)
    school.users["sam"] = make_user("sam", role=Role.SECTION, section=aid)
    case = make_case(school, "li", mentor=school.erin)
    return school, case, semester


def told(kind: str) -> Counter:
    """username → how many inbox messages of ``kind`` they got."""
    return Counter(
        Delivery.objects.filter(kind=ChannelKind.INBOX, message__kind=kind).values_list("user__username", flat=True)
    )


def texts(kind: str, username: str) -> str:
    d = Delivery.objects.select_related("message").get(
        kind=ChannelKind.INBOX, message__kind=kind, user__username=username
    )
    return d.message.subject + "\n" + d.message.body


def all_inbox() -> Counter:
    return Counter(Delivery.objects.filter(kind=ChannelKind.INBOX).values_list("user__username", flat=True))


# --- escalations ---


def report(school, case, departments=("psych_center",)):
    return escalation_services.escalation_create(
        actor=school.erin,
        case=case,
        severity="urgent",
        description="深夜在楼顶徘徊",
        departments=list(Department.objects.filter(code__in=departments)),
    )


def test_reported_escalation_tells_the_college_admins_and_the_chosen_departments(loop):
    school, case, _semester = loop
    report(school, case)
    assert told("escalation") == Counter({"bob": 1, "frank": 1})
    assert STUDENT in texts("escalation", "bob")  # the college_admin sees the student
    assert STUDENT not in texts("escalation", "frank")  # the department user does not
    assert "楼顶" not in texts("escalation", "bob")  # never the case text


def test_acknowledged_and_resolved_tell_the_reporter_once_each(loop):
    school, case, _semester = loop
    escalation = report(school, case)
    before = all_inbox()
    escalation_services.escalation_acknowledge(actor=school.frank, escalation=escalation)
    escalation_services.escalation_acknowledge(actor=school.bob, escalation=escalation)  # twice: no second word
    assert all_inbox() - before == Counter({"erin": 1})
    assert told("escalation_acknowledged") == Counter({"erin": 1})
    assert STUDENT in texts("escalation_acknowledged", "erin")  # the paired mentor sees the student
    escalation_services.escalation_resolve(actor=school.frank, escalation=escalation, resolution="已送医")
    assert told("escalation_resolved") == Counter({"erin": 1})
    assert all_inbox() - before == Counter({"erin": 2})


# --- ledgers ---


@pytest.fixture
def ledger(loop):
    school, _case, semester = loop
    return Ledger.objects.create(semester=semester, college=school.wenxue, created_by=school.carol)


def submit(school, ledger, persona="bob"):
    return ledger_services.ledger_submit(
        actor=school.users[persona], ledger=ledger, filled_by="陈辅导员", responsible="李书记", confirm=True
    )


def test_submitted_ledger_tells_the_school_admins_and_the_sections_of_its_categories(loop, ledger):
    school = loop[0]
    submit(school, ledger)
    # The ledger holds an economic row only: the aid section is told, the psych section is not.
    assert told("ledger_submitted") == Counter({"alice": 1, "sam": 1, "judy": 1})
    assert all_inbox() == Counter({"alice": 1, "sam": 1, "judy": 1})
    assert STUDENT not in texts("ledger_submitted", "sam")
    assert "家庭经济困难 1 人" in texts("ledger_submitted", "sam")


def test_resubmitted_ledger_tells_them_again_once(loop, ledger):
    school = loop[0]
    submit(school, ledger)
    ledger_services.ledger_return(actor=school.alice, ledger=ledger, comment="缺少心理异常学生")
    submit(school, ledger)
    assert told("ledger_submitted") == Counter({"alice": 2, "sam": 2, "judy": 2})
    assert "重新上报" in Delivery.objects.filter(message__kind="ledger_submitted").latest("id").message.subject


def test_returned_ledger_tells_who_submitted_it_and_the_college_admins_with_the_comment(loop, ledger):
    school = loop[0]
    # The counselor fills it in, the college_admin confirms and sends it.
    ledger_services.ledger_submit(actor=school.carol, ledger=ledger, filled_by="陈辅导员", confirm=True)
    assert told("ledger_confirm") == Counter({"bob": 1})  # the next move is the college_admin's
    submit(school, ledger)
    ledger_services.ledger_return(actor=school.alice, ledger=ledger, comment="缺少心理异常学生")
    assert told("ledger_returned") == Counter({"bob": 1, "carol": 1})
    assert "缺少心理异常学生" in texts("ledger_returned", "carol")


def test_accepted_ledger_tells_who_submitted_it_and_the_college_admins(loop, ledger):
    school = loop[0]
    make_user("bob2", role=Role.COLLEGE_ADMIN, college=school.wenxue)
    make_user("ivan2", role=Role.COLLEGE_ADMIN, college=school.shuxue)  # another college: not told
    submit(school, ledger)
    ledger_services.ledger_accept(actor=school.alice, ledger=ledger)
    assert told("ledger_accepted") == Counter({"bob": 1, "bob2": 1})


def test_an_addendum_tells_the_school_admins_and_the_section_of_its_category(loop, ledger):
    school = loop[0]
    submit(school, ledger)
    before = all_inbox()
    new_case = case_services.case_open(
        actor=school.carol,
        student=school.students["zhang"],
        categories=[case_services.CategoryInput(category="psych", detail="情绪低落")],
        opened_on=date(2026, 9, 8),
    )
    assert told("addendum") == Counter({"alice": 1, "sally": 1})
    assert all_inbox() - before == Counter({"alice": 1, "sally": 1})
    assert "张三丰" in texts("addendum", "alice")  # the school_admin sees every student
    assert "张三丰" not in texts("addendum", "sally")  # a section has no roster scope
    assert "情绪低落" not in texts("addendum", "alice")  # never the category text
    # A category added later to the same case is a new addendum, told once more to its section.
    case_services.case_update(
        actor=school.carol,
        case=new_case,
        version=1,
        fields={},
        categories=[
            case_services.CategoryInput(category="psych", detail="情绪低落"),
            case_services.CategoryInput(category="economic", detail="单亲"),
        ],
    )
    assert told("addendum") == Counter({"alice": 2, "sally": 1, "sam": 1, "judy": 1})


# --- cases ---


def test_closure_request_tells_the_college_admins(loop):
    school, case, _semester = loop
    case_services.close_request(actor=school.erin, case=case, reason="情况好转", improved=True)
    assert told("close_requested") == Counter({"bob": 1})
    assert STUDENT in texts("close_requested", "bob")
    assert all_inbox() == Counter({"bob": 1})


@pytest.mark.parametrize(("decide", "kind"), [("close_approve", "close_approved"), ("close_reject", "close_rejected")])
def test_closure_decision_tells_who_requested_it(loop, decide, kind):
    school, case, _semester = loop
    case_services.close_request(actor=school.carol, case=case, reason="情况好转", improved=False)
    getattr(case_services, decide)(actor=school.bob, case=case, note="同意" if kind == "close_approved" else "再观察")
    assert told(kind) == Counter({"carol": 1})
    assert STUDENT in texts(kind, "carol")  # the counselor still sees the student


def test_approved_closure_names_no_student_to_a_mentor_who_no_longer_sees_them(loop):
    school, case, _semester = loop
    case_services.close_request(actor=school.erin, case=case, reason="情况好转", improved=True)
    case_services.close_approve(actor=school.bob, case=case)
    assert told("close_approved") == Counter({"erin": 1})
    assert STUDENT not in texts("close_approved", "erin")  # the pairing ended with the case


def test_pairing_tells_that_mentor(loop):
    school, case, _semester = loop
    mentor = make_user("mike", role=Role.MENTOR, college=school.wenxue)
    case_services.mentor_assign(actor=school.carol, case=case, mentor=mentor)
    assert told("mentor_paired") == Counter({"mike": 1})
    assert STUDENT in texts("mentor_paired", "mike")
    case_services.mentor_assign(actor=school.carol, case=case, mentor=mentor)  # the same again: no new word
    assert told("mentor_paired") == Counter({"mike": 1})


def test_each_message_also_goes_to_the_persons_other_channels(loop):
    school, case, _semester = loop
    services.channel_add(actor=school.bob, user=school.bob, kind=ChannelKind.EMAIL, address="bob@example.edu.cn")
    case_services.close_request(actor=school.erin, case=case, reason="情况好转", improved=True)
    email = Delivery.objects.get(message__kind="close_requested", kind=ChannelKind.EMAIL)
    assert email.channel == Channel.objects.get(user=school.bob) and email.status == "pending"


def test_a_failed_write_tells_nobody(loop):
    school, case, _semester = loop
    case_services.close_request(actor=school.erin, case=case, reason="情况好转", improved=True)
    with pytest.raises(Exception):  # noqa: B017 (a second pending request is refused)
        case_services.close_request(actor=school.erin, case=case, reason="再次", improved=True)
    assert told("close_requested") == Counter({"bob": 1})


# --- the inbox API ---


def test_inbox_lists_the_callers_messages_newest_first_with_title_and_body(loop):
    school, _case, _semester = loop
    services.notify(users=[school.bob], kind="a", subject="第一条", body="正文一", link="/")
    services.notify(users=[school.bob], kind="b", subject="第二条", body="正文二", link="/cases/")
    services.notify(users=[school.carol], kind="c", subject="别人的", body="x", link="/")
    body = as_user(school.bob).get("/api/v1/inbox/").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert set(first) == {"id", "at", "kind", "title", "body", "link", "read"}
    assert (first["title"], first["body"], first["link"], first["read"]) == ("第二条", "正文二", "/cases/", False)
    assert first["at"].endswith("+08:00")
    assert [r["title"] for r in body["results"]] == ["第二条", "第一条"]


def test_inbox_read_by_ids_then_all_and_never_someone_elses(loop):
    school = loop[0]
    for n in range(3):
        services.notify(users=[school.bob, school.carol], kind="k", subject=f"标题{n}", body="b", link="/")
    bob = as_user(school.bob)
    ids = [r["id"] for r in bob.get("/api/v1/inbox/?unread=true").json()["results"]]
    carols = [r["id"] for r in as_user(school.carol).get("/api/v1/inbox/").json()["results"]]
    answer = bob.post("/api/v1/inbox/read/", {"ids": [ids[0], *carols]}, format="json")
    assert answer.status_code == 200 and answer.json() == {"marked": 1, "unread": 2}
    assert bob.get("/api/v1/inbox/?unread=true").json()["count"] == 2
    assert as_user(school.carol).get("/api/v1/inbox/?unread=true").json()["count"] == 3  # untouched
    assert bob.post("/api/v1/inbox/read/", {"all": True}, format="json").json() == {"marked": 2, "unread": 0}
    assert bob.get("/api/v1/inbox/?unread=true").json()["count"] == 0
    assert bob.get("/api/v1/inbox/").json()["results"][0]["read"] is True


@pytest.mark.parametrize("data", [{}, {"ids": []}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"all": "maybe"}])
def test_inbox_read_needs_ids_or_all(loop, data):
    assert as_user(loop[0].bob).post("/api/v1/inbox/read/", data, format="json").status_code == 400


def test_inbox_needs_credentials(loop):
    assert APIClient().get("/api/v1/inbox/").status_code == 401


def test_inbox_query_count_is_the_same_for_few_and_many(loop):
    school = loop[0]
    client = as_user(school.bob)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/inbox/").status_code == 200
        return len(queries)

    services.notify(users=[school.bob], kind="k", subject="一", body="b", link="/")
    few = count()
    for n in range(30):
        services.notify(users=[school.bob], kind="k", subject=f"多{n}", body="b", link="/")
    # the caller's grants; the count; the page of items with their messages.
    assert count() == few
