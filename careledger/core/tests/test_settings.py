"""Settings declared once: every setting the code reads is declared in careledger/settings.py (or is one
of Django's own), each top-level name is assigned once, and no list is patched after it is written."""

import ast
import re
from pathlib import Path

from django.conf import global_settings

import careledger.settings as declared

PACKAGE = Path(__file__).resolve().parents[2]
SETTINGS = PACKAGE / "settings.py"
READ = re.compile(r"""\bsettings\.([A-Z][A-Z0-9_]+)\b|getattr\(settings,\s*["']([A-Z][A-Z0-9_]+)["']""")


def _read_by_code() -> dict[str, str]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if {"tests", "migrations"} & set(rel.parts) or path == SETTINGS:
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


def test_each_setting_is_assigned_once_and_never_patched():
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AugAssign | ast.AnnAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Name) and target.id.isupper():
                assert target.id not in seen, f"{target.id} assigned on lines {seen[target.id]} and {node.lineno}"
                seen[target.id] = node.lineno
            elif isinstance(target, ast.Subscript):
                raise AssertionError(f"line {node.lineno}: a setting patched after it is declared")
        if isinstance(node, ast.AugAssign):
            raise AssertionError(f"line {node.lineno}: {ast.unparse(node.target)} += …")
    source = SETTINGS.read_text(encoding="utf-8")
    assert "globals()" not in source
    assert not re.search(r"^[A-Z_]+\.(append|insert|extend)\(", source, re.M)
