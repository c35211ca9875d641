"""``careledger import-roster FILE [--dry-run]``: the roster import of the API, from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from careledger.core.management import write_import_report
from careledger.roster.importers import roster_import


class Command(BaseCommand):
    help = (
        "导入学生名单（.xlsx 或 .csv），全部成功才写入。 / Import the student roster (.xlsx or .csv), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="名单文件 / roster file (.xlsx or .csv)")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only, write nothing")

    def handle(self, *args, file: str, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file} / No such file.")
        report = roster_import(actor=None, data=path.read_bytes(), filename=path.name, dry_run=dry_run)
        write_import_report(self.stdout, self.stderr, report, with_deactivated=True)
        if not report.ok:
            raise CommandError(
                f"导入失败：{len(report.errors)} 处问题，未写入任何数据。 / "
                f"Import failed with {len(report.errors)} problem(s); nothing was written."
            )
