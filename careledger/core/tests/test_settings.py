"""Settings declared once: every setting the code reads is declared in careledger/settings.py or the groups
it reads from careledger/conf/ (or is one of Django's own), each name is assigned once in all of these files
together, no list is patched after it is written, and every group reaches the settings module."""

import ast
import importlib
import re
from pathlib import Path

from django.conf import global_settings

import careledger.settings as declared

PACKAGE = Path(__file__).resolve().parents[2]
SETTINGS = PACKAGE / "settings.py"
GROUPS = sorted((PACKAGE / "conf").glob("*.py"))
SETTINGS_FILES = [SETTINGS, *GROUPS]
READ = re.compile(r"""\bsettings\.([A-Z][A-Z0-9_]+)\b|getattr\(settings,\s*["']([A-Z][A-Z0-9_]+)["']""")


def _read_by_code() -> dict[str, str]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if {"tests", "migrations"} & set(rel.parts) or path in SETTINGS_FILES:
            continue
        for match in READ.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1) or match.group(2), str(rel))
    return found


def test_every_setting_the_code_reads_is_declared():
    undeclared = {
        name: where
        for name, where in _read_by_code().items()
        if not hasattr(declared, name) and not hasattr(global_settings, name)
    }
    assert undeclared == {}


def _module_level(body: list[ast.stmt]):
    """The statements run when the module is imported: those inside if/try blocks too, not function bodies."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try | ast.With):
            for block in ("body", "orelse", "finalbody", "handlers"):
                yield from _module_level(getattr(node, block, []))
        elif isinstance(node, ast.ExceptHandler):
            yield from _module_level(node.body)


def test_each_setting_is_assigned_once_and_never_patched():
    seen: dict[str, str] = {}
    for path in SETTINGS_FILES:
        source = path.read_text(encoding="utf-8")
        here = path.relative_to(PACKAGE)
        for node in _module_level(ast.parse(source).body):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else [ast.Name(node.name)]
                if isinstance(node, ast.FunctionDef | ast.ClassDef)
                else []
            )
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    where = f"{here}:{node.lineno}"
                    assert target.id not in seen, f"{target.id} assigned at {seen[target.id]} and {where}"
                    seen[target.id] = where
                elif isinstance(target, ast.Subscript | ast.Attribute):
                    raise AssertionError(f"{here}:{node.lineno}: a setting patched after it is declared")
            if isinstance(node, ast.AugAssign):
                raise AssertionError(f"{here}:{node.lineno}: {ast.unparse(node.target)} += …")
        assert "globals()" not in source
        assert not re.search(r"^[A-Z_]+\.(append|insert|extend|update)\(", source, re.M), here
    assert len(seen) > 100  # the walk found the settings


def test_every_group_reaches_the_settings_module():
    """settings.py reads every conf module: each setting a group declares is the settings module's."""
    for path in GROUPS:
        group = importlib.import_module(f"careledger.conf.{path.stem}")
        names = [n for n in vars(group) if n.isupper() and not n.startswith("_")]
        assert names or path.stem == "__init__", path.name
        for name in names:
            assert getattr(declared, name, None) is getattr(group, name), f"{path.name}: {name}"
