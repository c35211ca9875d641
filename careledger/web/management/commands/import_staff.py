"""``careledger import-staff FILE [--dry-run]``: staff accounts and grants from a file (工号, 姓名, 学院, 角色 …).

New accounts get a random initial password, printed once here and to be changed at first login.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from careledger.accounts.importers import staff_import
from careledger.core.management import text_table, write_import_report


class Command(BaseCommand):
    help = "导入教职工账号及授权（.xlsx 或 .csv）。 / Import staff accounts and their grants (.xlsx or .csv)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="教职工文件 / staff file (.xlsx or .csv)")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only, write nothing")

    def handle(self, *args, file: str, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file} / No such file.")
        report = staff_import(actor=None, data=path.read_bytes(), filename=path.name, dry_run=dry_run)
        write_import_report(self.stdout, self.stderr, report, with_deactivated=False)
        if not report.ok:
            raise CommandError(
                f"导入失败：{len(report.errors)} 处问题，未写入任何数据。 / "
                f"Import failed with {len(report.errors)} problem(s); nothing was written."
            )
        passwords = report.extra.get("initial_passwords") or []
        if passwords:
            self.stdout.write("")
            self.stdout.write("新账号的初始密码（只显示这一次，首次登录须修改）：")
            self.stdout.write("Initial passwords of the new accounts (shown only now; to be changed at first login):")
            self.stdout.write(
                text_table(
                    ("用户名 Username", "初始密码 Password"), [(p["username"], p["password"]) for p in passwords]
                )
            )
