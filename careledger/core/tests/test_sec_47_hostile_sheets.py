"""SEC-47: a hostile spreadsheet costs little — the declared dimension, the furthest cell and row and the
cell count are checked while the parts are inflated, before python-calamine allocates any grid."""

import io
import resource
import time
import zipfile

import pytest
from rest_framework.test import APIClient

from careledger.core import tabular

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def workbook(sheet_data: str, dimension: str = "") -> bytes:
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


FAR_CELL = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>学号</t></is></c></row>'
    '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(workbook(FAR_CELL), id="A1+XFD1048576"),
        pytest.param(workbook('<row r="1"><c r="A1"><v>1</v></c></row>', "A1:XFD1048576"), id="declared-dimension"),
        pytest.param(workbook('<row r="1"><c r="A1"><v>1</v></c></row><row r="900000"/>'), id="far-row"),
        pytest.param(workbook('<row r="1"><c r="A1"><v>1</v></c><c r="GZ1"><v>1</v></c></row>'), id="wide"),
    ],
)
def test_sec_47_far_away_cells_are_refused_before_any_grid(data):
    assert len(data) < 2048
    before = _rss_mb()
    started = time.monotonic()
    with pytest.raises(tabular.TableError):
        tabular.read_table(data, "roster.xlsx")
    assert time.monotonic() - started < 1
    assert _rss_mb() - before < 100


def test_sec_47_a_plain_sheet_still_reads():
    data = workbook(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>学号</t></is></c><c r="B1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>202301010009</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>张三</t></is></c></row>',
        "A1:B2",
    )
    table = tabular.read_table(data, "roster.xlsx")
    assert table.header == ["学号", "姓名"]
    assert table.rows == [(2, ["202301010009", "张三"])]


def test_sec_47_roster_import_of_a_hostile_workbook_is_400(school):
    client = APIClient()
    client.force_authenticate(school.alice)
    upload = io.BytesIO(workbook(FAR_CELL))
    upload.name = "roster.xlsx"
    started = time.monotonic()
    response = client.post("/api/v1/imports/roster/", {"file": upload, "dry_run": "true"}, format="multipart")
    assert response.status_code == 400
    assert time.monotonic() - started < 2
