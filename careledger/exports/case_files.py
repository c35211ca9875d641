"""附件2 case files: what each form prints, read in a fixed number of queries per batch of cases, and the
zip of many (the background job's work).

The contacts are the bulk of it (a year's case can hold hundreds): they are read as plain rows — only
the columns the form prints, no model instances, no SQL sort — and each encrypted field (SEC-27) is
decrypted once, as it is read.
"""

import os
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from careledger.cases.categories import compose_text
from careledger.cases.models import Case, CaseStatus, CloseStatus, Mentorship
from careledger.contacts.models import Contact, ContactKind
from careledger.core import clock
from careledger.core.export_safety import Watermark, safe_name
from careledger.exports import case_docx
from careledger.roster import rules as roster_rules


def contact_kinds() -> dict[str, str]:
    """The contact kinds' labels, translated once per batch rather than once per contact."""
    return {str(value): str(label) for value, label in ContactKind.choices}


def contact_rows(case_ids: Iterable[int]) -> dict[int, list[case_docx.ContactRow]]:
    """Each case's 辅导记录 as the form prints them, oldest first (by time, then id), in one query."""
    kinds = contact_kinds()
    found: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        Contact.objects.filter(case_id__in=list(case_ids))
        .order_by()  # sorted below, per case: the database need not sort the batch
        .values_list("case_id", "occurred_at", "id", "kind", "location", "content", "effect")
    )
    for case_id, *row in rows.iterator(chunk_size=5000):
        found[case_id].append(tuple(row))
    out: dict[int, list[case_docx.ContactRow]] = {}
    for case_id, contacts in found.items():
        contacts.sort(key=lambda c: (c[0], c[1]))
        out[case_id] = []
        for occurred_at, _pk, kind, location, content, effect in contacts:
            local = timezone.localtime(occurred_at)
            out[case_id].append(
                case_docx.ContactRow(
                    at=f"{case_docx.cn_date(local.date())} {local:%H:%M}",
                    place=location,
                    effect=effect,
                    text=f"【{kinds.get(kind, kind)}】{content}",
                )
            )
    return out


def _mentors(case: Case) -> list[case_docx.MentorPeriod]:
    return [
        case_docx.MentorPeriod(
            name=m.mentor.name or m.mentor.username,
            start=clock.local_date(m.started_at),
            end=clock.local_date(m.ended_at) if m.ended_at else None,
        )
        for m in sorted(case.mentorships.all(), key=lambda m: (m.started_at, m.pk))
    ]


def case_file_data(case: Case, contacts: list[case_docx.ContactRow]) -> case_docx.CaseFileData:
    """Everything the 附件2 form prints: the case from `case_file_queryset`, its `contact_rows`."""
    student = case.student
    today = clock.today()
    years = roster_rules.age_on(student.birth_date, today)
    age = "" if years is None else str(years)
    entries = list(case.categories.all())
    categories = "、".join(str(e.get_category_display()) for e in entries)
    parts = [
        f"问题类型：{categories}" if categories else "",
        *(compose_text(e.category, e.data, e.detail) for e in entries),
        case.problem,
    ]
    problem = "\n".join(p for p in parts if p)
    requests = sorted(case.close_requests.all(), key=lambda r: (r.requested_at, r.pk))
    latest = requests[-1] if requests else None
    revoke = ""
    if latest is not None:
        verdict: dict[str, str] = {
            CloseStatus.PENDING: "待学院审批",
            CloseStatus.APPROVED: "学院已同意",
            CloseStatus.REJECTED: "学院未同意",
        }
        revoke = f"是。{latest.reason}（{verdict[latest.status]}）"
    closed = case.status != CaseStatus.OPEN
    periods = [(p.opened_on, p.closed_on) for p in sorted(case.open_periods.all(), key=lambda p: (p.opened_on, p.pk))]
    return case_docx.CaseFileData(
        school=settings.SCHOOL_NAME,
        mentor=case_docx.mentor_line(_mentors(case)),
        period_from=case.opened_on,
        period_to=(case.closed_on or today) if closed else None,
        name=student.name,
        gender=student.get_gender_display(),
        class_name=student.school_class.name,
        age=age,
        native_place=student.native_place,
        phone=student.phone,
        problem=problem,
        life_history=case.life_history,
        plan=case.plan,
        contacts=contacts,
        revoke=revoke,
        periods=periods,
    )


def case_file_queryset(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Cases with everything the case file prints but the contacts (`contact_rows`), in a fixed number of
    queries."""
    return queryset.select_related("student__school_class").prefetch_related(
        "categories",
        "close_requests",
        "open_periods",
        Prefetch("mentorships", queryset=Mentorship.objects.select_related("mentor")),
    )


def case_files_data(case_ids: list[int]) -> Iterator[tuple[Case, case_docx.CaseFileData]]:
    """(case, what its file prints) for these cases, in this order (ids not found are skipped)."""
    found = {c.pk: c for c in case_file_queryset(Case.objects.filter(pk__in=case_ids))}
    contacts = contact_rows(found)
    for pk in case_ids:
        if pk in found:
            yield found[pk], case_file_data(found[pk], contacts.get(pk, []))


def case_file_name(case: Case) -> str:
    """The case file's name: 学号_姓名_档案表.docx, with no path parts from user text (SEC-48)."""
    return f"{safe_name(case.student.student_no)}_{safe_name(case.student.name)}_档案表.docx"


def write_case_files_zip(
    cases: Iterable[Case | int],
    target: str | os.PathLike[str] | BinaryIO,
    watermark: Watermark,
    progress: Callable[[int, int], None] | None = None,
    *,
    chunk: int = 100,
) -> int:
    """Write the 附件2 case files of ``cases`` (already authorised) as a zip to ``target`` (a path or a
    binary file); ``progress(done, total)`` after each file. Cases are read in chunks of ``chunk`` with
    everything the file prints. Entry names carry no path parts from user text (SEC-48); two students of
    one name and number cannot overwrite each other. Returns the number of files."""
    ids = [c.pk if isinstance(c, Case) else int(c) for c in cases]
    total = len(ids)
    done = 0
    names: set[str] = set()
    # Stored, not deflated: each .docx is already a compressed zip.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for start in range(0, total, chunk):
            for case, data in case_files_data(ids[start : start + chunk]):
                name = case_file_name(case)
                if name in names:
                    name = name.replace("_档案表.docx", f"_{case.pk}_档案表.docx")
                names.add(name)
                archive.writestr(name, case_docx.build(data, watermark))
                done += 1
                if progress is not None:
                    progress(done, total)
    return done
