"""The ledger downloads (附件1 workbook, 附件2 case files, the school-wide book) through the test client.

Clock and school as in view_support.py."""

import io
import zipfile

import openpyxl
from django.urls import reverse

from careledger.accounts.models import Role
from careledger.audit.models import AuditEvent
from careledger.ledgers.tests.view_support import (
    LI,
    ZHANG,
    LedgerViewTestCase,
    open_case,
)
from tests.support.testing import make_user


class DownloadTests(LedgerViewTestCase):
    def test_workbook_zip_and_case_file_are_attachments_and_audited(self):
        case = open_case(self.school, "li")
        ledger = self.start_ledger()
        self.login("carol")
        r = self.client.get(reverse("ledgers:export", args=[ledger.pk]))
        self.assertEqual(r["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertTrue(r["Content-Disposition"].startswith("attachment; filename*=UTF-8''"))
        self.assertTrue(r["Content-Disposition"].endswith(".xlsx"))
        self.assertEqual(r["Cache-Control"], "no-store")
        self.assertEqual(len(openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames), 7)
        r = self.client.get(reverse("ledgers:case-files", args=[ledger.pk]))
        self.assertEqual(zipfile.ZipFile(io.BytesIO(r.content)).namelist(), [f"{LI}_李四_档案表.docx"])
        r = self.client.get(reverse("ledgers:case-file", args=[case.pk]))
        self.assertEqual(r["Content-Type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        self.assertTrue(r["Content-Disposition"].endswith(".docx"))
        exports = AuditEvent.objects.filter(actor_username="carol", action="export")
        self.assertEqual(sorted(exports.values_list("object_type", flat=True)), ["case", "college", "ledger"])

    def test_every_reader_of_the_ledger_gets_the_case_files_with_their_number_shown_first(self):
        open_case(self.school, "li")
        open_case(self.school, "zhang")
        ledger = self.start_ledger()
        self.login("carol")
        self.assertContains(self.client.get(reverse("ledgers:detail", args=[ledger.pk])), "下载档案表 (.zip，2 份)")
        for persona in ("bob", "alice"):
            self.login(persona)
            self.assertContains(self.client.get(reverse("ledgers:detail", args=[ledger.pk])), "下载档案表 (.zip，2 份)")
            # Not on the cases: the number of files and one reason first (SEC-45) — never an empty zip.
            r = self.client.get(reverse("ledgers:case-files", args=[ledger.pk]))
            self.assertContains(r, "本台账共 2 份特殊群体学生档案表")
            self.assertContains(r, 'name="reason"')
            r = self.client.post(reverse("ledgers:case-files", args=[ledger.pk]), {"reason": ""})
            self.assertEqual(r.status_code, 400)
            r = self.client.post(reverse("ledgers:case-files", args=[ledger.pk]), {"reason": "审核学院台账"})
            self.assertEqual(
                sorted(zipfile.ZipFile(io.BytesIO(r.content)).namelist()),
                [f"{ZHANG}_张三丰_档案表.docx", f"{LI}_李四_档案表.docx"],
            )
        self.login("ivan")  # another college's admin: not a reader of this ledger
        self.assertEqual(self.client.get(reverse("ledgers:case-files", args=[ledger.pk])).status_code, 404)

    def test_case_page_offers_the_case_file_and_another_mentor_gets_404(self):
        case = open_case(self.school, "li")
        self.login("dave")
        self.assertContains(
            self.client.get(reverse("cases:detail", args=[case.pk])), reverse("ledgers:case-file", args=[case.pk])
        )
        olga = make_user("olga", role=Role.MENTOR, college=self.school.wenxue)
        self.client.force_login(olga)
        self.assertEqual(self.client.get(reverse("ledgers:case-file", args=[case.pk])).status_code, 404)

    def test_school_workbook(self):
        open_case(self.school, "li")
        self.login("alice")
        r = self.client.get(reverse("ledgers:school-export"), {"semester": self.semester.pk})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r["Content-Disposition"].endswith(".xlsx"))
        self.login("sally")
        book = openpyxl.load_workbook(io.BytesIO(self.client.get(reverse("ledgers:school-export")).content))
        self.assertEqual(book.sheetnames, ["3 心理异常学生", "各学院上报情况"])  # the section's table, the register
        self.login("carol")
        self.assertEqual(self.client.get(reverse("ledgers:school-export")).status_code, 403)
        self.login("alice")
        self.assertEqual(self.client.get(reverse("ledgers:school-export"), {"semester": 999}).status_code, 404)
