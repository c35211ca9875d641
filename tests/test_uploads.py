"""SEC-37 (upload caps) and SEC-38 (hostile .xlsx files), with every fixture generated here."""

import io
import struct
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from rest_framework.test import APIClient

from careledger.core.tabular import TableError, read_table
from tests.support.testing import make_case

# --- SEC-37: too many fields or files → 400, and nothing left in the temp directory ---


@pytest.fixture
def upload_tmp(settings, tmp_path):
    """Uploads spill to disk after 1 KB, into a directory of their own that the test can inspect."""
    target = tmp_path / "uploads"
    target.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(target)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    return target


def _files(n: int) -> dict:
    return {f"file{i}": io.BytesIO(b"x" * 4096) for i in range(n)}


def test_sec_37_too_many_form_fields_or_files_are_refused_and_temp_files_removed(school, upload_tmp):
    case = make_case(school, "li", mentor=school.erin)
    page = Client()
    page.force_login(school.alice)
    api = APIClient()
    api.force_authenticate(school.alice)
    fields = {f"f{i}": "v" for i in range(1001)}
    for client, url in (
        (page, "/roster/import/"),
        (api, "/api/v1/imports/roster/"),
        (page, f"/attachments/case/{case.pk}/upload/"),
        (api, f"/api/v1/cases/{case.pk}/attachments/"),
    ):
        assert client.post(url, fields).status_code == 400, url  # 1001 urlencoded fields
        many = {**_files(11), "dry_run": "true"}
        for key, f in many.items():
            if hasattr(f, "seek"):
                f.seek(0)
                f.name = f"{key}.csv"
        assert client.post(url, many, format="multipart").status_code == 400, url  # 11 files
        assert list(upload_tmp.iterdir()) == [], url


def test_sec_37_a_file_over_the_cap_is_refused_and_no_temp_file_remains(school, upload_tmp, settings):
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    api = APIClient()
    api.force_authenticate(school.alice)
    big = io.BytesIO(b"a,b\n" * 40_000)
    big.name = "roster.csv"
    response = api.post("/api/v1/imports/roster/", {"file": big}, format="multipart")
    assert response.status_code in (400, 413)
    assert "MB" in response.content.decode()
    assert list(upload_tmp.iterdir()) == []


# --- SEC-38: hostile .xlsx ---

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
WORKBOOK = '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'


def _real_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["学号", "姓名", "性别", "学院", "年级", "班级"])
    sheet.append(["202301010009", "测试", "男", "文学与新闻传播学院", "2023", "2023级汉语言文学1班"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rebuild(data: bytes, *, drop: set[str] = frozenset(), add: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in drop:
                target.writestr(info.filename, source.read(info.filename))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def zip_bomb(size: int = 1 << 30) -> bytes:
    """A workbook whose one sheet inflates to ``size`` bytes of zeros (1 GB), written in 1 MB chunks."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        chunk = b"\0" * (1 << 20)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(size // len(chunk)):
                sheet.write(chunk)
    return out.getvalue()


def lying_zip_bomb() -> bytes:
    """50 MB of zeros whose headers declare 1 KB (cpython#83522: zipfile does not check declared sizes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 << 20))
    data = bytearray(out.getvalue())
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1024)  # local header: uncompressed size
    position = archive.start_dir  # central directory: walk its records to this entry's
    while data[position : position + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, position + 28)
        if data[position + 46 : position + 46 + name_len] == info.filename.encode():
            struct.pack_into("<I", data, position + 24, 1024)
            break
        position += 46 + name_len + extra_len + comment_len
    return bytes(data)


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    ]
    shared = (
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [' + "".join(entities) + "]>"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    )
    return _rebuild(_real_xlsx(), drop={"xl/sharedStrings.xml"}, add={"xl/sharedStrings.xml": shared.encode()})


def macro_workbook() -> bytes:
    return _rebuild(_real_xlsx(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 512})


def path_trick() -> bytes:
    return _rebuild(_real_xlsx(), add={"../../etc/cron.d/evil.xml": b"<x/>"})


def truncated() -> bytes:
    data = _real_xlsx()
    return data[: len(data) // 2]


def renamed_pe() -> bytes:
    stub = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 46 + b"\x80\x00\x00\x00"
    return stub + b"This program cannot be run in DOS mode.\r\r\n$" + b"PE\0\0" + b"\0" * 4096


HOSTILE = {
    "zip bomb (1 GB of zeros)": zip_bomb,
    "zip bomb with lying sizes": lying_zip_bomb,
    "billion laughs in sharedStrings.xml": billion_laughs,
    "truncated zip": truncated,
    ".xlsm with vbaProject.bin": macro_workbook,
    "../ entry": path_trick,
    "renamed PE file": renamed_pe,
}


@pytest.fixture(scope="module")
def hostile_files() -> dict[str, bytes]:
    return {name: make() for name, make in HOSTILE.items()}


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096


class PeakRSS:
    """The process's resident set, sampled every few milliseconds while the block runs."""

    def __enter__(self):
        self.start = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.002)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def growth(self) -> int:
        return self.peak - self.start


def test_sec_38_openpyxl_uses_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_sec_38_the_generated_fixtures_are_what_they_claim(hostile_files):
    bomb = zipfile.ZipFile(io.BytesIO(hostile_files["zip bomb (1 GB of zeros)"]))
    assert bomb.getinfo("xl/worksheets/sheet1.xml").file_size == 1 << 30
    assert len(hostile_files["zip bomb (1 GB of zeros)"]) < 5 << 20
    lying = zipfile.ZipFile(io.BytesIO(hostile_files["zip bomb with lying sizes"]))
    assert lying.getinfo("xl/worksheets/sheet1.xml").file_size == 1024
    read_table(_real_xlsx(), "roster.xlsx")  # the base workbook itself is fine


@pytest.mark.parametrize("name", list(HOSTILE))
def test_sec_38_preflight_rejects_hostile_xlsx_quickly_and_in_little_memory(hostile_files, name):
    data = hostile_files[name]
    started = time.perf_counter()
    with PeakRSS() as rss, pytest.raises(TableError):
        read_table(data, "roster.xlsx")
    assert time.perf_counter() - started < 2.0
    assert rss.growth < 100 << 20, f"{name}: RSS grew {rss.growth >> 20} MB"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_sec_38_roster_import_answers_400_for_hostile_xlsx(school, hostile_files, name):
    api = APIClient()
    api.force_authenticate(school.alice)
    upload = io.BytesIO(hostile_files[name])
    upload.name = "roster.xlsx"
    started = time.perf_counter()
    with PeakRSS() as rss:
        response = api.post("/api/v1/imports/roster/", {"file": upload, "dry_run": "true"}, format="multipart")
    assert response.status_code == 400, response.content
    assert time.perf_counter() - started < 2.0
    assert rss.growth < 100 << 20
    assert response.json()["errors"][0]["row"] == 0
