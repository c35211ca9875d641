"""Reading uploaded tables (.xlsx and .csv) safely and fast, for every importer.

An .xlsx is a zip of XML: before anything parses it, the central directory is checked for zip bombs,
path tricks, macros and missing parts (ASVS 12.1.2; cpython#83522). Sheets are read with
python-calamine (Rust), which is an order of magnitude faster than openpyxl on large rosters.
CSV may be UTF-8, UTF-8 with BOM, or GB18030 (what Excel and WPS on Chinese Windows write).
"""

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.utils.translation import gettext as _

MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 200_000
MAX_COLUMNS = 200
# The reader allocates a dense grid from A1 to the last cell: its area is checked before (SEC-47).
MAX_GRID_CELLS = 4_000_000


class TableError(Exception):
    """The file as a whole cannot be read; the message is for the user (Chinese, with English)."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells as text); blank rows left out


def check_size(size: int) -> None:
    cap = settings.UPLOAD_MAX_BYTES
    if size > cap:
        raise TableError(_("文件超过大小上限 %(mb)d MB。") % {"mb": cap // (1024 * 1024)})


def read_table(data: bytes, filename: str) -> Table:
    check_size(len(data))
    if not data.strip():
        raise TableError(_("文件为空。"))
    lower = filename.lower()
    if data[:4] == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm", ".xls")):
        if lower.endswith(".xls") and not data[:4] == b"PK\x03\x04":
            raise TableError(_("不支持旧版 .xls 文件，请另存为 .xlsx。"))
        rows = _read_xlsx(data)
    elif lower.endswith((".csv", ".txt")):
        rows = _read_csv(data)
    else:
        raise TableError(_("只接受 .xlsx 或 .csv 文件。"))
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c for c in r)]
    if not numbered:
        raise TableError(_("文件中没有数据。"))
    if len(numbered) > MAX_ROWS:
        raise TableError(_("行数超过上限 %(n)d。") % {"n": MAX_ROWS})
    header_row, header = numbered[0]
    if header_row != 1:
        raise TableError(_("第 1 行应为表头。"))
    if len(numbered) == 1:
        raise TableError(_("文件只有表头，没有数据行。"))
    return Table(header=[h.strip() for h in header], rows=numbered[1:])


def _preflight_xlsx(data: bytes) -> None:
    """Reject what is not a plain .xlsx before any parser sees it (SEC-38).

    First the central directory (declared sizes, ratio, entry count, names, macros, external links,
    encryption), then every entry is inflated in chunks — never more than its declared size, which
    zipfile enforces by its CRC check — and every XML part is scanned for a DTD: OOXML never has one,
    and entity bombs (billion laughs, quadratic blow-up) need one.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise TableError(_("不是有效的 .xlsx 文件（文件损坏或并非 Excel 文件）。")) from exc
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise TableError(_("不是有效的 .xlsx 文件（条目过多）。"))
    names = {i.filename for i in infos}
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name or "\x00" in name:
            raise TableError(_("不是有效的 .xlsx 文件（路径异常）。"))
        if name.lower().endswith("vbaproject.bin"):
            raise TableError(_("不接受含宏的文件。"))
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise TableError(_("不是有效的 .xlsx 文件（加密或压缩方式异常）。"))
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10_000_000:
            raise TableError(_("文件压缩比异常，已拒绝。"))
    if total > MAX_UNCOMPRESSED:
        raise TableError(_("文件解压后过大，已拒绝。"))
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise TableError(_("不是有效的 .xlsx 文件（缺少工作簿）。"))
    if any(n.startswith("xl/externalLinks/") for n in names):
        raise TableError(_("不接受含外部链接的文件。"))
    for info in infos:
        if not info.is_dir():
            _scan_entry(archive, info)


_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 1024 * 1024
_TAIL = 256

# SEC-47: what a worksheet declares (<dimension ref="A1:XFD1048576"/>) and where its cells and rows sit.
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"([^\"]*)\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Za-z]{1,4})([0-9]{1,9})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"([0-9]{1,9})\"")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?([0-9]{1,9})$")


def _column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(ch) - 64
    return number


@dataclass
class _Extent:
    """The furthest row and column a worksheet names, and how many cells it holds."""

    rows: int = 0
    columns: int = 0
    cells: int = 0

    def see(self, row: int, column: int) -> None:
        self.rows = max(self.rows, row)
        self.columns = max(self.columns, column)

    def scan(self, window: bytes, tail: bytes) -> None:
        for match in _DIMENSION.finditer(window):
            for ref in match.group(1).decode("ascii", "replace").split(":"):
                found = _REF.match(ref.strip())
                if found:
                    self.see(int(found.group(2)), _column_number(found.group(1)))
        for match in _CELL_REF.finditer(window):
            self.see(int(match.group(2)), _column_number(match.group(1)))
        for match in _ROW_REF.finditer(window):
            self.see(int(match.group(1)), 0)
        # Cells wholly inside the tail were counted with the previous chunk.
        self.cells += len(_CELL_TAG.findall(window)) - len(_CELL_TAG.findall(tail))
        self.check()

    def check(self) -> None:
        if self.rows > MAX_ROWS + 1:
            raise TableError(_("行数超过上限 %(n)d。 / More than %(n)d rows.") % {"n": MAX_ROWS})
        if self.columns > MAX_COLUMNS:
            raise TableError(_("列数过多。 / Too many columns."))
        if self.rows * max(self.columns, 1) > MAX_GRID_CELLS or self.cells > MAX_GRID_CELLS:
            raise TableError(_("表格范围过大，已拒绝。 / The sheet's range is too large; rejected."))


def _scan_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate one entry in chunks (CRC-checked, capped at its declared size); XML parts must carry no DTD."""
    is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    # Every XML part, not only xl/worksheets/: the workbook's relations may name a sheet anywhere.
    extent = _Extent() if is_xml else None
    tail = b""
    try:
        with archive.open(info) as stream:
            first = True
            while chunk := stream.read(_CHUNK):
                if is_xml:
                    if first and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                        # UTF-16 would hide a DTD from this byte scan; Excel writes UTF-8.
                        raise TableError(_("不是有效的 .xlsx 文件（编码异常）。"))
                    window = tail + chunk
                    if any(marker in window for marker in _DTD_MARKERS):
                        raise TableError(_("不接受含 DTD 或实体定义的文件。"))
                    if extent is not None:
                        extent.scan(window, tail)
                    tail = window[-_TAIL:]
                first = False
    except TableError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise TableError(_("不是有效的 .xlsx 文件（文件损坏）。")) from exc


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Excel stores 学号 and phone numbers typed as numbers as floats: 2023010101.0 → "2023010101".
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    _preflight_xlsx(data)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise TableError(_("工作簿中没有工作表。"))
        sheet = workbook.get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=False)
    except TableError:
        raise
    except Exception as exc:  # calamine raises its own error types for malformed parts
        raise TableError(_("无法读取 .xlsx 文件：文件可能已损坏。")) from exc
    width = max((len(r) for r in values[:1]), default=0)
    if width > MAX_COLUMNS:
        raise TableError(_("列数过多。"))
    return [[_cell_text(v) for v in row] for row in values]


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise TableError(_("无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV。")) from exc


def _read_csv(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    if "\x00" in text:
        raise TableError(_("不是有效的 CSV 文本文件。"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader: Iterator[list[str]] = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return [[c.strip() for c in row] for row in reader]
    except csv.Error as exc:
        raise TableError(_("CSV 格式错误：%(e)s") % {"e": exc}) from exc
