"""``careledger import-roster FILE [--dry-run] [--mode sync]``: the roster import of the API, from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from careledger.core.management import text_table, write_import_report
from careledger.roster.importers import MODES, SYNC, UPSERT, roster_import


class Command(BaseCommand):
    help = (
        "导入学生名单（.xlsx 或 .csv），全部成功才写入。 / Import the student roster (.xlsx or .csv), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="名单文件 / roster file (.xlsx or .csv)")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only, write nothing")
        parser.add_argument(
            "--mode",
            choices=MODES,
            default=UPSERT,
            help=(
                "upsert（默认）：新增和更新，不使任何人离册；sync：文件为所列学院的完整名单，未列出的在册学生标记离册 / "
                "upsert (default): add and update, take nobody off; sync: the full roster of the colleges it names"
            ),
        )

    def handle(self, *args, file: str, dry_run: bool, mode: str = UPSERT, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file} / No such file.")
        report = roster_import(actor=None, data=path.read_bytes(), filename=path.name, dry_run=dry_run, mode=mode)
        write_import_report(self.stdout, self.stderr, report, with_deactivated=mode == SYNC)
        if report.ok and report.deactivated_students:
            self.stdout.write("离册名单 / Taken off the roster" + ("（试运行 / dry run）" if dry_run else "") + ":")
            rows = [(r["student_no"], r["name"], r["college"]) for r in report.deactivated_students]
            self.stdout.write(text_table(("学号", "姓名", "学院"), rows))
        if not report.ok:
            raise CommandError(
                f"导入失败：{len(report.errors)} 处问题，未写入任何数据。 / "
                f"Import failed with {len(report.errors)} problem(s); nothing was written."
            )
