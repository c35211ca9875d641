"""Backfill the open periods (CasePeriod) of existing cases from their timeline (issue 12).

Each case starts a period on ``opened_on``; every 撤销建档 event (kind "closed") ends the running period on
its Asia/Shanghai date and every 重新建档 event (kind "reopened") starts a new one. A case whose timeline
lacks these events gets one period from its own fields (``reopened_on or opened_on`` .. ``closed_on``).
"""

import zoneinfo

from django.db import migrations

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def periods_of(case, events):
    """[(opened_on, closed_on | None)] for a case and its close/reopen events (oldest first)."""
    periods = []
    start = case.opened_on
    running = True
    for kind, at in events:
        day = at.astimezone(SHANGHAI).date()
        if kind == "closed" and running:
            periods.append((start, max(day, start)))
            running = False
        elif kind == "reopened" and not running:
            start, running = day, True
    if running:
        if case.status == "closed":
            end = case.closed_on or start
            periods.append((start, max(end, start)))
        else:
            periods.append((case.reopened_on or start, None) if not periods else (start, None))
    elif case.status == "open":  # reopened without an event: the case's own field says since when
        periods.append((case.reopened_on or periods[-1][1], None))
    if not periods:
        periods.append((case.opened_on, case.closed_on))
    return periods


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CasePeriod = apps.get_model("cases", "CasePeriod")
    have = set(CasePeriod.objects.values_list("case_id", flat=True).distinct())
    events = {}
    for case_id, kind, at in (
        CaseEvent.objects.filter(kind__in=("closed", "reopened")).order_by("at", "id").values_list("case_id", "kind", "at")
    ):
        events.setdefault(case_id, []).append((kind, at))
    batch = []
    for case in Case.objects.order_by("pk").iterator(chunk_size=2000):
        if case.pk in have:
            continue
        for opened_on, closed_on in periods_of(case, events.get(case.pk, [])):
            batch.append(CasePeriod(case_id=case.pk, opened_on=opened_on, closed_on=closed_on))
        if len(batch) >= 2000:
            CasePeriod.objects.bulk_create(batch)
            batch = []
    CasePeriod.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_caseevent_caseevent_kind_at")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
