"""Roster import benchmark: how long a whole school's roster takes to read and to import.

    .venv/bin/python bench/import_roster.py [--students 30000] [--seed 2026] [--profile]

Runs against a fresh, throw-away database: a temporary SQLite file by default, or — when
DATABASE_URL names a PostgreSQL server — a new database created on that server for the run and
dropped afterwards (the database DATABASE_URL names is never touched). See bench/README.md.
"""

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

from common import throwaway_django, timed


def write_xlsx(path: Path, rows) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("花名册")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    workbook.close()


def read_calamine(data: bytes) -> int:
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python())


def read_openpyxl(data: bytes) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


class Breakdown:
    """Wall time spent in the importer's main steps, by wrapping them (best effort: names may change)."""

    # (module under careledger.roster, name): each wrapped where its caller looks it up.
    STEPS = (
        ("importers", "read_table"),
        ("importers", "match_columns"),
        ("importers", "validate_rows"),
        ("importers", "check_scope"),
        ("importers", "roster_plan"),
        ("importers", "apply_plan"),
        ("import_plan", "lookups"),
        ("import_plan", "insert_students"),
        ("importers", "audit_import"),
    )

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._undo: list = []

    def wrap(self, owner, attr: str, label: str | None = None) -> None:
        original = getattr(owner, attr, None)
        if original is None:
            return
        label = label or attr

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(owner, attr, wrapper)
        self._undo.append((owner, attr, original))

    def install(self) -> None:
        from careledger.roster import import_plan, importers, rules
        from careledger.roster.models import Student

        modules = {"importers": importers, "import_plan": import_plan}
        for module, name in self.STEPS:
            self.wrap(modules[module], name)
        self.wrap(rules, "name_initials", "rules.name_initials (pypinyin)")
        self.wrap(Student.objects, "bulk_create", "Student bulk_create")
        self.wrap(Student.objects, "bulk_update", "Student bulk_update")

    def uninstall(self) -> None:
        for owner, attr, original in reversed(self._undo):
            if isinstance(owner, type) or hasattr(type(owner), attr):
                try:
                    delattr(owner, attr)
                    continue
                except AttributeError:
                    pass
            setattr(owner, attr, original)
        self._undo.clear()

    def report(self, total: float) -> None:
        print(f"\nimport #1 breakdown (wall time; total {total:.3f} s):")
        for label, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            print(f"  {label:<34} {seconds:7.3f} s  {self.calls[label]:>6} call(s)")


def run(students: int, seed: int, workdir: Path, profile: bool, breakdown: bool = False) -> None:
    from django.core.management import call_command
    from django.db import connection

    from careledger.core.tabular import read_table
    from careledger.roster.importers import roster_import
    from careledger.roster.models import Student
    from careledger.web.demo_data import build_university, iter_roster_rows

    db = connection.settings_dict
    print(f"database: {connection.vendor} {db['NAME']}")
    t_migrate, _ = timed(call_command, "migrate", interactive=False, verbosity=0)

    t_generate, uni = timed(build_university, students, seed)
    path = workdir / "roster.xlsx"
    t_write, _ = timed(write_xlsx, path, iter_roster_rows(uni))
    data = path.read_bytes()
    n = len(uni.students)

    t_calamine, calamine_rows = timed(read_calamine, data)
    t_openpyxl, openpyxl_rows = timed(read_openpyxl, data)
    assert calamine_rows == openpyxl_rows == n + 1, (calamine_rows, openpyxl_rows)
    t_table, _table = timed(read_table, data, path.name)

    profiler = cProfile.Profile() if profile else None
    steps = Breakdown() if breakdown else None
    if steps:
        steps.install()
    if profiler:
        profiler.enable()
    t_first, first = timed(roster_import, actor=None, data=data, filename=path.name)
    if profiler:
        profiler.disable()
    if steps:
        steps.uninstall()
    assert first.ok, first.errors[:5]
    assert (first.created, first.updated, first.unchanged) == (n, 0, 0), first.as_dict()
    assert Student.objects.count() == n

    t_second, second = timed(roster_import, actor=None, data=data, filename=path.name)
    assert second.ok and (second.created, second.updated, second.unchanged) == (0, 0, n), second.as_dict()

    rows = [
        ("migrate (empty database)", t_migrate, ""),
        (f"generate {n:,} students", t_generate, ""),
        ("write .xlsx (XlsxWriter, constant_memory)", t_write, ""),
        ("bare read: python-calamine", t_calamine, n / t_calamine),
        ("bare read: openpyxl read_only", t_openpyxl, n / t_openpyxl),
        ("read_table (preflight + calamine + text)", t_table, n / t_table),
        ("import #1: all created", t_first, n / t_first),
        ("import #2: same file, all unchanged", t_second, n / t_second),
    ]
    print(
        f"file: {path.name}, {len(data) / 1024 / 1024:.2f} MB ({len(data):,} bytes), {n:,} rows, {len(uni.classes)} classes"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  {'rows/s':>9}")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 9}")
    for label, seconds, rate in rows:
        print(f"{label:<{width}}  {seconds:>8.3f}  {f'{rate:,.0f}' if rate else '':>9}")
    if steps:
        steps.report(t_first)
    if profiler:
        print("\nimport #1, by cumulative time (top 30):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        print("import #1, by own time (top 20):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30_000, help="roster size (default 30000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="cProfile the first import and print the top entries")
    parser.add_argument("--breakdown", action="store_true", help="time the first import's main steps")
    args = parser.parse_args()

    with throwaway_django() as workdir:
        run(args.students, args.seed, workdir, args.profile, args.breakdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
