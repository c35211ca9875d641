"""The role × URL matrix (SEC-9): url name → (method, url kwargs builder, POST data, expected status per
role). test_policy_matrix.py runs it and fails when a URL has no row here; tests/test_idor.py and
test_sec_1_passwords.py reuse it.

Statuses: 200 ok; 302 redirect (anonymous → login, or a form's success); 400 bad input (the caller was
let in); 401 API without credentials; 403 role may not call it; 404 object out of scope; 405 method.
"""

from tests.support.testing import make_attachment, make_case, make_escalation, make_ledger, make_suggestion
from tests.support.testing import make_semester as make_current_semester

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "harry", "ivan", "judy", "anon"]
# alice school_admin · bob college_admin 文学院 · carol counselor 文学院 2023 · dave class_teacher 2023-2班
# erin mentor · frank department · grace auditor · harry no grant · ivan college_admin 数学院
# judy section 资助中心 (学工处科室: the school's ledgers, economic sub-table only) · anon


def _row(default: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


STUDENT_READERS_OK = {"alice": 200, "bob": 200, "carol": 200, "dave": 200, "erin": 200, "ivan": 200}
ADMINS_ONLY = {"alice": 200, "bob": 200, "ivan": 200}

# 李四's case (2023级汉语言文学2班, 文学院), paired with erin.
CASE = lambda s: {"pk": make_case(s, "li", mentor=s.erin).pk}  # noqa: E731
ATTACHMENT = lambda s: {"pk": make_attachment(make_case(s, "li", mentor=s.erin)).pk}  # noqa: E731
ESCALATION = lambda s: {"pk": make_escalation(s).pk}  # noqa: E731
ON_ESCALATION = {"alice": 200, "bob": 200, "carol": 200, "dave": 200, "erin": 200, "frank": 200, "ivan": 404}
LEDGER = lambda s: {"pk": make_ledger(s).pk}  # noqa: E731
CURRENT_SEMESTER = lambda s: make_current_semester(s) and {}  # noqa: E731  (a current semester; no URL arguments)
LEDGER_KEEPERS_OK = {"bob": 200, "carol": 200, "ivan": 200}
SURVEY_VIEWERS_OK = {"alice": 200, "bob": 200, "carol": 200, "dave": 200, "ivan": 200}
ON_WENXUE_LEDGER = {"alice": 200, "bob": 200, "carol": 200, "ivan": 404}
ON_LIS_CASE = {"alice": 200, "bob": 200, "carol": 200, "dave": 200, "erin": 200, "ivan": 404}
# The case's sensitive text: admins not on the case must first state a reason (break-glass) — 403 here.
ON_LIS_CASE_TEXT = {**ON_LIS_CASE, "alice": 403, "bob": 403}
ON_LIS_CASE_400 = {"alice": 400, "bob": 400, "carol": 400, "dave": 400, "erin": 400, "ivan": 404}
SEMESTER = lambda s: {"pk": make_semester().pk}  # noqa: E731
# A finished job of alice's with a file: its owner only, 404 for everyone else (api.md "Long work").
JOB = lambda s: {"pk": make_done_job(s.alice).pk}  # noqa: E731
OWNER_ONLY = _row(404, anon=302, harry=403, alice=200)


def make_done_job(owner):
    from careledger.jobs.models import Job, JobKind
    from careledger.jobs.services import job_finish

    job = Job.objects.create(kind=JobKind.SCHOOL_LEDGER, owner=owner, status="running")
    job_finish(job=job, data=b"PK", name="book.xlsx", content_type="application/zip")
    return job


SUGGESTION = lambda s: {"pk": make_suggestion(s, "li").pk}  # noqa: E731  (a pending 心理 suggestion for 李四)


def make_semester():
    from datetime import date

    from careledger.core.models import Semester

    return Semester.objects.create(
        name="2026-2027学年第一学期", start=date(2026, 9, 1), end=date(2027, 1, 15), ledger_due=date(2026, 9, 19)
    )


# url name → (method, url kwargs builder, POST data, expected status per role)
MATRIX = {
    "home": ("get", None, None, _row(200, anon=302)),
    "healthz": ("get", None, None, _row(200)),
    "login": ("get", None, None, _row(302, anon=200)),
    "logout": ("post", None, {}, _row(302)),
    "password_change": ("get", None, None, _row(200, anon=302)),
    "set_language": ("post", None, {"language": "en", "next": "/"}, _row(302)),
    "students:list": ("get", None, None, _row(403, anon=302, **STUDENT_READERS_OK)),
    "students:detail": (
        "get",
        lambda s: {"student_no": s.students["li"].student_no},
        None,
        _row(403, anon=302, alice=200, bob=200, carol=200, dave=200, erin=404, ivan=404),
    ),
    # cal (issue 12): a 学籍状态 change; an empty form is 400 for those who may set it.
    "students:status": (
        "post",
        lambda s: {"student_no": s.students["li"].student_no},
        {},
        _row(403, anon=302, alice=400, bob=400, carol=400, ivan=404),
    ),
    "roster:import": ("get", None, None, _row(403, anon=302, **ADMINS_ONLY)),
    "accounts:user-list": ("get", None, None, _row(403, anon=302, **ADMINS_ONLY)),
    "accounts:user-create": ("get", None, None, _row(403, anon=302, **ADMINS_ONLY)),
    "accounts:user-edit": (
        "get",
        lambda s: {"pk": s.carol.pk},
        None,
        _row(403, anon=302, alice=200, bob=200, ivan=404),
    ),
    "accounts:user-active": (
        "post",
        lambda s: {"pk": s.carol.pk},
        {"active": "1"},
        _row(403, anon=302, alice=302, bob=302, ivan=404),
    ),
    "accounts:grant-add": (
        "get",
        lambda s: {"pk": s.carol.pk},
        None,
        _row(403, anon=302, alice=200, bob=200, ivan=404),
    ),
    "accounts:grant-delete": (
        "post",
        lambda s: {"pk": s.carol.grants.get().pk},
        {},
        _row(403, anon=302, alice=302, bob=302, ivan=404),
    ),
    "accounts:staff-import": ("get", None, None, _row(403, anon=302, **ADMINS_ONLY)),
    # Case pages. Inline forms posted empty are let in and re-shown with errors (400).
    "cases:work": ("get", None, None, _row(403, anon=302, **STUDENT_READERS_OK)),
    "cases:list": ("get", None, None, _row(403, anon=302, **STUDENT_READERS_OK)),
    "cases:new": ("get", None, None, _row(403, anon=302, alice=200, bob=200, carol=200, dave=200, ivan=200)),
    "cases:detail": ("get", CASE, None, _row(403, anon=302, **ON_LIS_CASE)),
    # Admins not on the case are sent to the reason form first (SEC-45): 302 to the case page.
    "cases:edit": ("get", CASE, None, _row(403, anon=302, **{**ON_LIS_CASE, "alice": 302, "bob": 302})),
    "cases:contact-new": ("get", CASE, None, _row(403, anon=302, **ON_LIS_CASE)),
    "cases:mentor": ("post", CASE, {}, _row(403, anon=302, alice=400, bob=400, carol=400, dave=400, ivan=404)),
    "cases:helper-add": ("post", CASE, {}, _row(403, anon=302, **ON_LIS_CASE_400)),
    "cases:helper-activity": ("post", CASE, {}, _row(403, anon=302, **ON_LIS_CASE_400)),
    "cases:effect": ("post", CASE, {}, _row(403, anon=302, **ON_LIS_CASE_400)),
    "cases:close-request": ("post", CASE, {}, _row(403, anon=302, carol=400, dave=400, erin=400)),
    "cases:close-approve": ("post", CASE, {}, _row(403, anon=302, alice=400, bob=400, ivan=404)),
    "cases:close-reject": ("post", CASE, {}, _row(403, anon=302, alice=400, bob=400, ivan=404)),
    "cases:reopen": ("post", CASE, {}, _row(403, anon=302, alice=400, bob=400, carol=400, dave=400, ivan=404)),
    "cases:semesters": ("get", None, None, _row(403, anon=302, alice=200)),
    # Ledger pages. 李四 is in carol's grade and dave's class; a keeper without a ledger sees 开始填报.
    "ledgers:survey": ("get", CURRENT_SEMESTER, None, _row(403, anon=302, **SURVEY_VIEWERS_OK)),
    "ledgers:survey-review": (
        "post",
        CURRENT_SEMESTER,
        {"student": "202301010002", "outcome": "no_concern"},
        _row(403, anon=302, carol=302, dave=302),
    ),
    "ledgers:survey-undo": (
        "post",
        CURRENT_SEMESTER,
        {"student": "202301010002"},
        _row(403, anon=302, carol=302, dave=302),
    ),
    # No class named: the surveyors' request is refused as incomplete.
    "ledgers:survey-rest": ("post", CURRENT_SEMESTER, {}, _row(403, anon=302, carol=400, dave=400)),
    # No student named: nobody's student, so 404 for the surveyors.
    "ledgers:survey-new-case": ("get", CURRENT_SEMESTER, None, _row(403, anon=302, carol=404, dave=404)),
    "ledgers:index": ("get", CURRENT_SEMESTER, None, _row(403, anon=302, alice=302, judy=302, **LEDGER_KEEPERS_OK)),
    "ledgers:open": ("post", CURRENT_SEMESTER, {}, _row(403, anon=302, bob=400, carol=400, ivan=400)),
    "ledgers:detail": ("get", LEDGER, None, _row(403, anon=302, judy=200, **ON_WENXUE_LEDGER)),
    "ledgers:submit": ("post", LEDGER, {}, _row(403, anon=302, bob=400, carol=400, ivan=404)),
    "ledgers:accept": ("post", LEDGER, {}, _row(403, anon=302, alice=400)),  # a draft cannot be accepted
    "ledgers:return": ("post", LEDGER, {}, _row(403, anon=302, alice=400)),
    "ledgers:export": ("get", LEDGER, None, _row(403, anon=302, judy=200, **ON_WENXUE_LEDGER)),
    "ledgers:case-files": ("get", LEDGER, None, _row(403, anon=302, **ON_WENXUE_LEDGER)),
    "ledgers:school": ("get", CURRENT_SEMESTER, None, _row(403, anon=302, alice=200, judy=200)),
    "ledgers:school-export": ("get", CURRENT_SEMESTER, None, _row(403, anon=302, alice=200, judy=200)),
    "ledgers:compare": ("get", None, None, _row(403, anon=302, alice=200, **LEDGER_KEEPERS_OK)),
    "ledgers:case-file": (
        "get",
        lambda s: {"case_pk": make_case(s, "li", mentor=s.erin).pk},
        None,
        _row(403, anon=302, **ON_LIS_CASE_TEXT),
    ),
    "api:schema": ("get", None, None, _row(200)),
    "api:docs": ("get", None, None, _row(200)),
    "api:token": ("post", None, {}, _row(400)),
    "api:me": ("get", None, None, _row(200, anon=401)),
    # Login security. Empty bodies: those let in get 400; the pages of the second step, with two-factor off
    # in the suite, show the enrolment form (setup) or have nothing to ask (verify → next page).
    "api:auth-logout": ("post", None, {}, _row(204, anon=401)),
    "api:me-password": ("post", None, {}, _row(400, anon=401)),
    "api:me-totp": ("post", None, {}, _row(200, anon=401)),
    "api:me-totp-confirm": ("post", None, {}, _row(400, anon=401)),
    "api:user-unlock": ("post", lambda s: {"pk": s.carol.pk}, {}, _row(403, anon=401, alice=200, bob=200, ivan=404)),
    "accounts:otp-verify": ("get", None, None, _row(302)),
    "accounts:otp-setup": ("get", None, None, _row(200, anon=302)),
    "accounts:user-unlock": (
        "post",
        lambda s: {"pk": s.carol.pk},
        {},
        _row(403, anon=302, alice=302, bob=302, ivan=404),
    ),
    "accounts:user-otp-reset": (
        "post",
        lambda s: {"pk": s.carol.pk},
        {},
        _row(403, anon=302, alice=302, bob=302, ivan=404),
    ),
    "accounts:cas-login": ("get", None, None, _row(404)),  # CAS is off unless CAS_SERVER_URL is set
    "api:user-list": ("get", None, None, _row(403, anon=401, **ADMINS_ONLY)),
    "api:user-detail": ("get", lambda s: {"pk": s.carol.pk}, None, _row(403, anon=401, alice=200, bob=200, ivan=404)),
    "api:roster-import": ("post", None, {}, _row(403, anon=401, alice=400, bob=400, ivan=400)),
    "api:staff-import": ("post", None, {}, _row(403, anon=401, alice=400, bob=400, ivan=400)),
    "api:student-list": ("get", None, None, _row(403, anon=401, **STUDENT_READERS_OK)),
    "api:student-detail": (
        "get",
        lambda s: {"student_no": s.students["li"].student_no},
        None,
        _row(403, anon=401, alice=200, bob=200, carol=200, dave=200, erin=404, ivan=404),
    ),
    "api:department-list": ("get", None, None, _row(200, harry=403, anon=401)),
    "api:audit-list": ("get", None, None, _row(403, anon=401, alice=200, grace=200)),
    "api:semester-list": ("get", None, None, _row(200, harry=403, anon=401)),
    "api:semester-current": ("get", None, None, _row(404, harry=403, anon=401)),  # no semester yet
    "api:case-list": ("get", None, None, _row(403, anon=401, **STUDENT_READERS_OK)),
    "api:case-detail": ("get", CASE, None, _row(403, anon=401, **ON_LIS_CASE)),
    "api:case-mentor": (
        "put",
        CASE,
        {"mentor": "erin"},
        _row(403, anon=401, alice=200, bob=200, carol=200, dave=200, ivan=404),
    ),
    "api:case-helpers": ("get", CASE, None, _row(403, anon=401, **ON_LIS_CASE)),
    "api:case-contacts": ("get", CASE, None, _row(403, anon=401, **ON_LIS_CASE_TEXT)),
    "api:case-compliance": ("get", CASE, None, _row(403, anon=401, **ON_LIS_CASE)),
    "api:case-timeline": ("get", CASE, None, _row(403, anon=401, **ON_LIS_CASE)),
    # Those let in reach the input check (400: no reason, no pending request, not closed).
    "api:case-close-request": ("post", CASE, {}, _row(403, anon=401, carol=400, dave=400, erin=400)),
    "api:case-close-approve": ("post", CASE, {}, _row(403, anon=401, alice=400, bob=400, ivan=404)),
    "api:case-close-reject": ("post", CASE, {}, _row(403, anon=401, alice=400, bob=400, ivan=404)),
    "api:case-reopen": ("post", CASE, {}, _row(403, anon=401, alice=400, bob=400, carol=400, dave=400, ivan=404)),
    "api:compliance-overdue": ("get", None, None, _row(403, anon=401, **STUDENT_READERS_OK)),
    "api:case-attachments": ("get", CASE, None, _row(403, anon=401, **ON_LIS_CASE_TEXT)),
    "api:attachment-download": ("get", ATTACHMENT, None, _row(403, anon=401, **ON_LIS_CASE_TEXT)),
    "api:ledger-list": ("get", None, None, _row(403, anon=401, alice=200, judy=200, **LEDGER_KEEPERS_OK)),
    "api:ledger-overview": ("get", CURRENT_SEMESTER, None, _row(403, anon=401, alice=200, judy=200)),
    "api:ledger-school-export": ("get", CURRENT_SEMESTER, None, _row(403, anon=401, alice=200, judy=200)),
    # The page and the API share one rule (policy.LEDGER_COMPARERS): a section may use neither (judy 403).
    "api:ledger-compare": ("get", None, None, _row(403, anon=401, alice=404, bob=404, carol=404, ivan=404)),
    "api:ledger-detail": ("get", LEDGER, None, _row(403, anon=401, judy=200, **ON_WENXUE_LEDGER)),
    "api:ledger-submit": ("post", LEDGER, {}, _row(403, anon=401, bob=400, carol=400, ivan=404)),
    "api:ledger-accept": ("post", LEDGER, {}, _row(403, anon=401, alice=400)),  # a draft cannot be accepted
    "api:ledger-return": ("post", LEDGER, {}, _row(403, anon=401, alice=400)),
    "api:ledger-export": ("get", LEDGER, None, _row(403, anon=401, judy=200, **ON_WENXUE_LEDGER)),
    "api:ledger-case-files": ("get", LEDGER, None, _row(403, anon=401, **ON_WENXUE_LEDGER)),
    "api:addenda": ("get", CURRENT_SEMESTER, None, _row(403, anon=401, alice=200, judy=200, **LEDGER_KEEPERS_OK)),
    "api:survey": (
        "get",
        CURRENT_SEMESTER,
        None,
        _row(403, anon=401, alice=200, bob=200, carol=200, dave=200, ivan=200),
    ),
    "api:section-list": ("get", None, None, _row(403, anon=401, alice=200)),
    "api:case-export": ("get", CASE, None, _row(403, anon=401, **ON_LIS_CASE_TEXT)),
    "api:escalation-list": ("get", None, None, _row(403, anon=401, **{**ON_ESCALATION, "ivan": 200})),
    "api:escalation-figures": ("get", None, None, _row(403, anon=401, **ADMINS_ONLY)),
    "api:escalation-detail": ("get", ESCALATION, None, _row(403, anon=401, **ON_ESCALATION)),
    "api:escalation-acknowledge": ("post", ESCALATION, {}, _row(403, anon=401, **{**ON_ESCALATION, "erin": 403})),
    "api:escalation-resolve": (
        "post",
        ESCALATION,
        {},
        _row(403, anon=401, alice=400, bob=400, carol=400, dave=400, frank=400, ivan=404),
    ),
    "api:escalation-notes": (
        "post",
        ESCALATION,
        {},
        _row(403, anon=401, alice=400, bob=400, carol=400, dave=400, frank=400, ivan=404),
    ),
    "escalations:list": ("get", None, None, _row(403, anon=302, **{**ON_ESCALATION, "ivan": 200})),
    # No ?case=: every reporter meets a 404; the school office does not report.
    "escalations:new": ("get", None, None, _row(403, anon=302, bob=404, carol=404, dave=404, erin=404, ivan=404)),
    "escalations:detail": ("get", ESCALATION, None, _row(403, anon=302, **ON_ESCALATION)),
    "escalations:acknowledge": (
        "post",
        ESCALATION,
        {},
        _row(403, anon=302, alice=302, bob=302, carol=302, dave=302, frank=302, ivan=404),
    ),
    "escalations:note": (
        "post",
        ESCALATION,
        {},
        _row(403, anon=302, alice=302, bob=302, carol=302, dave=302, frank=302, ivan=404),
    ),
    "escalations:resolve": (
        "post",
        ESCALATION,
        {},
        _row(403, anon=302, alice=302, bob=302, carol=302, dave=302, frank=302, ivan=404),
    ),
    "api:assessment": (
        "get",
        CURRENT_SEMESTER,
        None,
        _row(403, anon=401, alice=200, bob=200, carol=200, erin=200, ivan=200),
    ),
    # Assessment pages: each lists only the caller's own units (visible_units), so all let in get 200.
    "assessment:dashboard": (
        "get",
        CURRENT_SEMESTER,
        None,
        _row(403, anon=302, alice=200, bob=200, carol=200, erin=200, ivan=200),
    ),
    "assessment:export": (
        "get",
        CURRENT_SEMESTER,
        None,
        _row(403, anon=302, alice=200, bob=200, carol=200, erin=200, ivan=200),
    ),
    "assessment:ranking": ("get", CURRENT_SEMESTER, None, _row(403, anon=302, **ADMINS_ONLY)),
    "assessment:cadres": ("get", CURRENT_SEMESTER, None, _row(403, anon=302, alice=200, bob=200, carol=200, ivan=200)),
    "assessment:cadres-export": (
        "get",
        CURRENT_SEMESTER,
        None,
        _row(403, anon=302, alice=200, bob=200, carol=200, ivan=200),
    ),
    "notify:inbox": ("get", None, None, _row(200, anon=302, harry=403)),
    "notify:bell": ("get", None, None, _row(200, anon=302, harry=403)),
    "notify:mark-read": ("post", None, {}, _row(302, harry=403)),
    "api:inbox": ("get", None, None, _row(200, anon=401, harry=403)),
    # Neither ids nor all: 400 for everyone let in.
    "api:inbox-read": ("post", None, {}, _row(400, anon=401, harry=403)),
    # No reason given: 400 for the admins let in (alice, bob); 李四's case is not ivan's college.
    "api:channel-list": ("get", None, None, _row(200, anon=401, harry=403)),
    "api:channel-deactivate": ("post", lambda s: {"pk": 999999}, {}, _row(404, anon=401, harry=403)),
    "api:case-reveal": ("post", CASE, {}, _row(403, anon=401, alice=400, bob=400, ivan=404)),
    "api:student-reveal": (
        "post",
        lambda s: {"student_no": s.students["li"].student_no},
        {},
        _row(403, anon=401, alice=400, bob=400, carol=400, dave=400, erin=404, ivan=404),
    ),
    "cases:reveal": ("post", CASE, {}, _row(403, anon=302, alice=302, bob=302, ivan=404)),
    "attachments:download": ("get", ATTACHMENT, None, _row(403, anon=302, **ON_LIS_CASE_TEXT)),
    # No file: those let in are sent back to the case page with a message.
    "attachments:upload": (
        "post",
        lambda s: {"case_pk": make_case(s, "li", mentor=s.erin).pk},
        {},
        _row(403, anon=302, alice=302, bob=302, carol=302, dave=302, erin=302, ivan=404),
    ),
    # Evidence for the survey (issue 16). Item answers: the school office and the psych centre (frank)
    # only — never a counselor, class teacher (dave) or mentor (erin). Uploads without a file: 400.
    "api:screenings": ("get", None, None, _row(403, anon=401, alice=200, frank=200)),
    "api:signals": ("post", None, {}, _row(403, anon=401, alice=400, frank=400)),
    "api:suggestion-list": ("get", None, None, _row(403, anon=401, **SURVEY_VIEWERS_OK)),
    "api:suggestion-confirm": (
        "post",
        SUGGESTION,
        {},
        _row(403, anon=401, alice=200, bob=200, carol=200, dave=200, ivan=404),
    ),
    "api:suggestion-decline": (
        "post",
        SUGGESTION,
        {},
        _row(403, anon=401, alice=400, bob=400, carol=400, dave=400, ivan=404),
    ),
    "evidence:upload": ("get", None, None, _row(403, anon=302, alice=200, frank=200)),
    "evidence:pending": ("get", CURRENT_SEMESTER, None, _row(403, anon=302, **SURVEY_VIEWERS_OK)),
    "evidence:confirm": (
        "post",
        SUGGESTION,
        {},
        _row(403, anon=302, alice=302, bob=302, carol=302, dave=302, ivan=404),
    ),
    "evidence:decline": (
        "post",
        SUGGESTION,
        {},
        _row(403, anon=302, alice=302, bob=302, carol=302, dave=302, ivan=404),
    ),
    # Audit pages: school_admin and the auditor read; only the auditor exports.
    "audit:list": ("get", None, None, _row(403, anon=302, alice=200, grace=200)),
    "audit:export": ("get", None, None, _row(403, anon=302, grace=200)),
    # Jobs (perf, issue 13)
    "api:job-detail": ("get", JOB, None, {**OWNER_ONLY, "anon": 401}),
    "api:job-download": ("get", JOB, None, {**OWNER_ONLY, "anon": 401}),
    "jobs:detail": ("get", JOB, None, OWNER_ONLY),
    "jobs:download": ("get", JOB, None, OWNER_ONLY),
}
