"""The console commands: createadmin, import-roster, import-staff, serve and compilemessages-babel."""

import csv
import gettext
import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from careledger import cli
from careledger.accounts.models import Grant, Role, User
from careledger.audit.models import AuditEvent
from careledger.core.management.commands import serve
from careledger.roster.models import Student
from careledger.web import demo_data

STRONG = "Strong-Passw0rd-2026"


def run(command: str, *args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


class NotATty(io.StringIO):
    def isatty(self) -> bool:
        return False


# createadmin -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_createadmin_with_password_from_env(monkeypatch):
    monkeypatch.setenv("CARELEDGER_PASSWORD", STRONG)
    out, _err = run("createadmin", "xgc_admin", name="刘建华")
    user = User.objects.get(username="xgc_admin")
    assert "xgc_admin" in out
    assert user.check_password(STRONG)
    assert user.name == "刘建华"
    assert not user.must_change_password
    assert list(user.grants.values_list("role", flat=True)) == [Role.SCHOOL_ADMIN]
    grant = user.grants.get()
    assert grant.college is None and grant.department is None and grant.grades == []
    event = AuditEvent.objects.get(object_type="user", object_id=str(user.pk))
    assert (event.actor_username, event.action) == ("cli", "create")


@pytest.mark.django_db
def test_createadmin_reads_one_line_from_stdin(monkeypatch):
    monkeypatch.delenv("CARELEDGER_PASSWORD", raising=False)
    run("createadmin", "root2", stdin=NotATty(STRONG + "\nignored\n"))
    user = User.objects.get(username="root2")
    assert user.check_password(STRONG)
    assert user.name == "root2"


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["password", "short-A1", "alllowercaseletters", "12345678901234"])
def test_createadmin_rejects_weak_passwords(monkeypatch, password):
    monkeypatch.setenv("CARELEDGER_PASSWORD", password)
    with pytest.raises(CommandError) as exc:
        run("createadmin", "weak")
    message = str(exc.value)
    assert "密码不符合要求" in message and "The password is not acceptable" in message
    problems = message.splitlines()[1:]
    assert problems and all(line.startswith("  - ") for line in problems)
    assert all(any("\u4e00" <= c <= "\u9fff" for c in line) for line in problems)  # each in Chinese …
    assert not User.objects.filter(username="weak").exists()
    assert not Grant.objects.exists()


@pytest.mark.django_db
def test_createadmin_password_problems_are_bilingual(monkeypatch):
    monkeypatch.setenv("CARELEDGER_PASSWORD", "short-A1")
    with pytest.raises(CommandError) as exc:
        run("createadmin", "weak")
    # … and English; Django's zh-hans catalogue lacks 5.2's too-short message, so ours stands in.
    assert "密码太短，至少需要 12 个字符。 / This password is too short." in str(exc.value)
    assert not User.objects.filter(username="weak").exists()
    assert not Grant.objects.exists()


@pytest.mark.django_db
def test_createadmin_refuses_an_existing_username(monkeypatch):
    monkeypatch.setenv("CARELEDGER_PASSWORD", STRONG)
    run("createadmin", "admin")
    with pytest.raises(CommandError, match="already taken"):
        run("createadmin", "admin")
    assert User.objects.filter(username="admin").count() == 1
    assert Grant.objects.count() == 1


@pytest.mark.django_db
def test_createadmin_refuses_an_empty_password(monkeypatch):
    monkeypatch.delenv("CARELEDGER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="No password"):
        run("createadmin", "nopw", stdin=NotATty(""))
    assert not User.objects.exists()


# import-roster and import-staff ----------------------------------------------------------------


def write_csv(path: Path, rows: list[list[str]], header=demo_data.ROSTER_HEADERS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def roster_rows() -> list[list[str]]:
    return [s.roster_cells() for s in demo_data.build_university(120, seed=11).students]


@pytest.mark.django_db
def test_import_roster_good_file(tmp_path, roster_rows):
    path = write_csv(tmp_path / "名单.csv", roster_rows)
    out, err = run("import_roster", str(path))
    assert Student.objects.count() == len(roster_rows)
    assert "新增 created" in out and str(len(roster_rows)) in out
    assert err == ""
    out, _err = run("import_roster", str(path))  # the same file again changes nothing
    assert "未变 unchanged" in out
    assert Student.objects.count() == len(roster_rows)


@pytest.mark.django_db
def test_import_roster_dry_run_writes_nothing(tmp_path, roster_rows):
    path = write_csv(tmp_path / "roster.csv", roster_rows)
    out, _err = run("import_roster", str(path), "--dry-run")
    assert "Dry run" in out
    assert Student.objects.count() == 0


@pytest.mark.django_db
def test_import_roster_bad_file_writes_nothing(tmp_path, roster_rows):
    roster_rows[3][2] = "未知"  # 性别
    roster_rows[7][13] = roster_rows[7][13][:-1] + ("0" if roster_rows[7][13][-1] != "0" else "1")  # check digit
    path = write_csv(tmp_path / "roster.csv", roster_rows)
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_roster", str(path), stdout=out, stderr=err)
    table = err.getvalue()
    assert "行 Row" in table and "列 Column" in table and "问题 Problem" in table
    assert "性别" in table and "身份证号" in table
    assert "5 " in table and "9 " in table  # spreadsheet rows (the header is row 1)
    assert Student.objects.count() == 0


@pytest.mark.django_db
def test_import_roster_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("import_roster", str(tmp_path / "nope.xlsx"))


def test_cli_maps_hyphenated_names(monkeypatch):
    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    assert cli.main(["import-roster", "名单.xlsx", "--dry-run"]) == 0
    assert seen == [["careledger", "import_roster", "名单.xlsx", "--dry-run"]]
    commands = get_commands()
    for name in ("serve", "compilemessages_babel"):
        assert commands[name] == "careledger.core", name
    for name in ("createadmin", "import_roster", "import_staff", "demo", "tick", "remind"):  # they drive apps
        assert commands[name] == "careledger.web", name


def test_import_staff_prints_initial_passwords(school, tmp_path):
    header = ["工号", "姓名", "手机", "学院", "角色", "年级", "班级"]
    rows = [
        ["t1001", "王建平", "13800001111", "文学与新闻传播学院", "辅导员", "2024", ""],
        ["t1002", "陈晓燕", "", "文学与新闻传播学院", "班主任", "", "2023级汉语言文学1班"],
    ]
    path = write_csv(tmp_path / "staff.csv", rows, header=header)
    out, _err = run("import_staff", str(path))
    assert "初始密码" in out
    for username in ("t1001", "t1002"):
        user = User.objects.get(username=username)
        assert user.must_change_password
        line = next(line for line in out.splitlines() if line.startswith(username))
        assert user.check_password(line.split()[-1])
    out, _err = run("import_staff", str(path))
    assert "初始密码" not in out and "未变 unchanged" in out


def test_import_staff_bad_file(school, tmp_path):
    path = write_csv(
        tmp_path / "staff.csv",
        [["t1", "某人", "", "不存在学院", "辅导员", "2024", ""]],
        header=["工号", "姓名", "手机", "学院", "角色", "年级", "班级"],
    )
    with pytest.raises(CommandError):
        run("import_staff", str(path))
    assert not User.objects.filter(username="t1").exists()


# serve -----------------------------------------------------------------------------------------


def test_serve_refuses_debug(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(serve.os, "execvp", lambda *a: pytest.fail("must not start"))
    with pytest.raises(CommandError, match="DEBUG"):
        run("serve")


def test_serve_migrates_then_execs_gunicorn(settings, monkeypatch):
    settings.DEBUG = False
    calls, execs = [], []
    monkeypatch.setattr(serve, "call_command", lambda name, **kw: calls.append((name, kw)))
    monkeypatch.setattr(serve.os, "execvp", lambda path, argv: execs.append((path, argv)))
    out, _err = run("serve", "--host", "0.0.0.0", "--port", "8123", "--workers", "3")  # noqa: S104  # nosec B104  # a test argument
    assert [name for name, _kw in calls] == ["migrate", "collectstatic"]
    assert all(kw["interactive"] is False for _name, kw in calls)
    [(path, argv)] = execs
    assert Path(path) == serve.gunicorn_path() and Path(path).parent == Path(serve.sys.executable).parent
    assert argv[1] == "careledger.wsgi:application"
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--access-logfile") + 1] == "-"
    assert "--timeout" in argv
    assert "http://127.0.0.1:8123/" in out


def test_serve_default_workers_follow_the_cores():
    assert [serve.default_workers(n) for n in (1, 2, 3, 4, 16)] == [2, 4, 6, 8, 8]
    assert serve.default_workers() == serve.DEFAULT_WORKERS


def test_serve_binds_ipv6_and_defaults(settings, monkeypatch):
    settings.DEBUG = False
    execs = []
    monkeypatch.setattr(serve, "call_command", lambda name, **kw: None)
    monkeypatch.setattr(serve.os, "execvp", lambda path, argv: execs.append(argv))
    run("serve", "--host", "::1")
    argv = execs[0]
    assert argv[argv.index("--bind") + 1] == "[::1]:8000"
    assert argv[argv.index("--workers") + 1] == str(serve.DEFAULT_WORKERS)


# compilemessages-babel ------------------------------------------------------------------------

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: en\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "辅导员"
msgstr "Counselor"

#, fuzzy
msgid "台账"
msgstr "Wrong guess"
"""


def test_compilemessages_babel_writes_mo(settings, tmp_path):
    po = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO, encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    out, err = run("compilemessages_babel")
    assert out == "" and err == ""  # quiet on success
    with po.with_suffix(".mo").open("rb") as f:
        t = gettext.GNUTranslations(f)
    assert t.gettext("辅导员") == "Counselor"
    assert t.gettext("台账") == "台账"  # fuzzy entries are left out


def test_compilemessages_babel_reports_a_broken_po(settings, tmp_path):
    po = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO + '\nmsgid "unterminated\n', encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    with pytest.raises(CommandError, match="Cannot compile"):
        run("compilemessages_babel")


def test_project_english_catalog_compiles(settings, tmp_path):
    source = Path(django_settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    if not source.exists():
        pytest.skip("no English catalog yet")
    target = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    run("compilemessages_babel")
    with target.with_suffix(".mo").open("rb") as f:
        t = gettext.GNUTranslations(f)
    assert t.gettext("辅导员") == "Counselor"
    assert t.gettext("班主任") == "Class teacher"


@pytest.mark.parametrize(
    ("cleared", "named"),
    [
        ("SECRET_KEY", "CARELEDGER_SECRET_KEY"),
        ("ENCRYPTION_KEYS", "CARELEDGER_ENCRYPTION_KEYS"),
        ("AUDIT_CHAIN_KEYS", "CARELEDGER_AUDIT_KEYS"),
    ],
)
def test_serve_refuses_without_keys(settings, monkeypatch, cleared, named):
    settings.DEBUG = False
    setattr(settings, cleared, "" if cleared == "SECRET_KEY" else [])
    monkeypatch.setattr(serve, "call_command", lambda *a, **kw: pytest.fail("must not migrate"))
    monkeypatch.setattr(serve.os, "execvp", lambda *a: pytest.fail("must not start"))
    with pytest.raises(CommandError, match=named) as refused:
        run("serve")
    assert "secrets.token_urlsafe" in str(refused.value) and "make run" in str(refused.value)


def test_settings_generate_no_keys_unless_asked(tmp_path):
    """Without CARELEDGER_DEV_KEYS (only `make run` sets it) the settings make no key and write nothing."""
    import os
    import subprocess
    import sys

    script = "import json, careledger.settings as s; print(json.dumps([s.SECRET_KEY, s.ENCRYPTION_KEYS, s.AUDIT_CHAIN_KEYS]))"
    base = {k: v for k, v in os.environ.items() if not k.startswith("CARELEDGER_")}
    base["CARELEDGER_VAR_DIR"] = str(tmp_path / "var")
    plain = subprocess.run([sys.executable, "-c", script], env=base, capture_output=True, text=True, check=True)  # noqa: S603
    assert plain.stdout.strip() == '["", [], []]'
    for made in ("secret_key", "encryption_key", "audit_key"):
        assert not (tmp_path / "var" / made).exists(), made
    dev = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env={**base, "CARELEDGER_DEV_KEYS": "true"},
        capture_output=True,
        text=True,
        check=True,
    )
    for made in ("secret_key", "encryption_key", "audit_key"):
        assert (tmp_path / "var" / made).exists(), made
    assert "[]" not in dev.stdout and '""' not in dev.stdout
