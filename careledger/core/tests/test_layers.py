"""The layers hold (pyproject.toml, [tool.importlinter]): a back-arrow import fails ``lint-imports``, and
no module imports itself round a cycle (function-local imports no longer hide any)."""

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("layers")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(
        REPO / "careledger",
        root / "careledger",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "locale", "*.mo", "*.po"),
    )
    return root


def test_a_back_arrow_import_breaks_the_contract(tree_copy):
    assert _lint_imports(tree_copy).returncode == 0  # the copy is as clean as the tree
    clock = tree_copy / "careledger" / "core" / "clock.py"
    clock.write_text(clock.read_text(encoding="utf-8") + "\nfrom careledger.cases import models  # noqa\n")
    result = _lint_imports(tree_copy)
    assert result.returncode != 0
    assert "careledger.core.clock -> careledger.cases.models" in result.stdout


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph("careledger")
    modules = {m for m in graph.modules if ".tests" not in m and ".migrations" not in m}
    cycles = []
    for module in sorted(modules):
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.append(" -> ".join([module, *back]))
    assert cycles == []


MAX_LINES = 400
# Generated or data, not code to read: migrations, and the demo school's names and places.
LONG_ALLOWED = ("/migrations/", "careledger/web/demo_data.py")


def test_no_module_is_over_400_lines():
    """A module that grows past 400 lines is split by page or by part (DEVELOPERS.md, "Layout")."""
    long = []
    for folder in ("careledger", "tests", "bench"):
        for path in sorted((REPO / folder).rglob("*.py")):
            name = path.relative_to(REPO).as_posix()
            if any(part in "/" + name for part in LONG_ALLOWED):
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                long.append(f"{name}: {lines}")
    assert not long, long
