"""One i18n convention (issue 10): a Chinese user never sees an English sentence, and an English user
never sees Chinese outside data. Walks the main pages in both languages, as the language switch does."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from careledger.cases.categories import LEADING_COLUMNS, SUB_TABLES, TRAILING_COLUMNS
from careledger.cases.models import CategoryEntry
from careledger.core.models import Semester
from careledger.escalations.models import Department
from careledger.ledgers.models import Section
from careledger.roster.models import College, Dorm, SchoolClass, Student
from tests.support.testing import make_escalation, make_ledger

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# An English sentence: a capitalised word and at least three more words.
ENGLISH_SENTENCE = re.compile(r"\b[A-Z][a-z]+(?:[ ,][a-z]+){3,}")
# Text that is data, or a name for itself, shown as is in both languages.
# The ledger's 帮扶导师 cell notes a mentor without a phone in the form's own words (ledgers/rows.py): it
# is ledger data, frozen into the snapshot as written.
ALWAYS_SHOWN = {"简体中文", "精准关爱台账", "（未登记手机）"}


class _Text(HTMLParser):
    """The text a reader sees: no tags, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def _official_form() -> set[str]:
    """附件1's own words: the ledger page mirrors the notice's form (sub-table titles, column headers)."""
    words = set(LEADING_COLUMNS) | set(TRAILING_COLUMNS)
    for table in SUB_TABLES.values():
        words |= {table.title, *table.columns}
    return words


def _data_strings() -> set[str]:
    data = set(ALWAYS_SHOWN) | {settings.SCHOOL_NAME} | _official_form()
    for model, fields in [
        (College, ["name"]),
        (SchoolClass, ["name"]),
        (Student, ["name"]),
        (Dorm, ["name"]),
        (Department, ["name"]),
        (Section, ["name"]),
        (Semester, ["name"]),
        (CategoryEntry, ["detail"]),
    ]:
        for row in model.objects.values_list(*fields):
            data.update(str(v) for v in row if v)
    from careledger.accounts.models import User
    from careledger.escalations.models import Escalation

    data.update(Escalation.objects.values_list("description", flat=True))
    data.update(User.objects.values_list("name", flat=True))
    return data


def _pages(school) -> list[tuple[str, str]]:
    escalation = make_escalation(school)  # 李四's case, paired with erin, addressed to the psych centre
    ledger = make_ledger(school)
    case = escalation.case
    return [
        ("alice", reverse("home")),
        ("alice", reverse("students:list")),
        ("alice", reverse("students:detail", kwargs={"student_no": case.student.student_no})),
        ("alice", reverse("cases:list")),
        ("carol", reverse("cases:work")),
        ("carol", reverse("cases:detail", kwargs={"pk": case.pk})),
        ("carol", reverse("ledgers:survey")),
        ("carol", reverse("ledgers:detail", kwargs={"pk": ledger.pk})),
        ("alice", reverse("ledgers:school")),
        ("alice", reverse("escalations:list")),
        ("alice", reverse("assessment:dashboard")),
        ("carol", reverse("escalations:detail", kwargs={"pk": escalation.pk})),
        ("alice", reverse("accounts:user-list")),
        ("grace", reverse("audit:list")),
        ("alice", reverse("notify:inbox")),
    ]


@pytest.fixture
def pages(school):
    return _pages(school)


# The dashboard shows the indicators' DEFINITIONS (assessment/indicators/definitions.py, gettext_lazy):
# every definition, in the KPI tooltips, the table's headers and the folded definitions, is in English.
def test_english_assessment_dashboard_shows_no_chinese_outside_data(client, school, pages):
    text = visible_text(_get(client, school.alice, reverse("assessment:dashboard"), "en"))
    data = _data_strings()
    assert [run for t in text for run in CJK.findall(t) if not any(run in d for d in data)] == []


def _get(client, user, url, language):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # what the language switch sets
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


def test_chinese_pages_show_no_english_sentence(client, school, pages):
    found = []
    for who, url in pages:
        for text in visible_text(_get(client, school.users[who], url, "zh-hans")):
            found += [f"{url}: {m.group(0)!r} in {text!r}" for m in ENGLISH_SENTENCE.finditer(text)]
    assert found == [], "\n".join(found)


def test_english_pages_show_no_chinese_outside_data(client, school, pages):
    data = _data_strings()
    found = []
    for who, url in pages:
        for text in visible_text(_get(client, school.users[who], url, "en")):
            for run in CJK.findall(text):
                if not any(run in d for d in data):
                    found.append(f"{url}: {run!r} in {text!r}")
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "学期不存在。"), ("en", "Unknown semester.")])
def test_api_errors_speak_the_callers_language(client, school, language, expected):
    client.force_login(school.alice)
    response = client.get(reverse("api:addenda") + "?semester=999999", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json() == {"semester": [expected]}
