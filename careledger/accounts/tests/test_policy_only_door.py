"""The access policy is the only door: outside careledger/accounts/policy/ no code compares roles.

A view, service or selector asks the policy a question (``policy.can_open_case(user, student)``,
``policy.nav_for(user)`` …) instead of looking at the caller's roles itself. Filtering *data* by role
(``grants__role=Role.MENTOR`` — "the accounts that are mentors") is not a decision about the caller and
is allowed. Migrations, tests and demo data are not scanned.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # careledger/
SKIPPED_PARTS = {"migrations", "tests", "policy"}
SKIPPED_FILES = {"web/demo_data.py", "web/management/commands/demo.py"}

# A comparison of roles: the caller's roles, a role set of the policy, or a Role member tested for equality
# or membership.
FORBIDDEN = [
    (re.compile(r"\bhas_role\("), "has_role("),
    (re.compile(r"\broles_of\("), "roles_of("),
    (re.compile(r"\bCASE_ACTIONS\b"), "CASE_ACTIONS"),
    (re.compile(r"[=!]=\s*Role\.|Role\.\w+\s*[=!]="), "== Role."),
    (re.compile(r"\bRole\.\w+\s+(not\s+)?in\b"), "Role.X in"),
    (
        re.compile(r"\bin\s+[\(\[{]?\s*Role\.(?!choices|values|labels|names)|\{\s*Role\.|frozenset\(\{?\s*Role\."),
        "in {Role. …}",
    ),
    (re.compile(r"\.isdisjoint\(|\bpolicy\.[A-Z_]+\s*&|&\s*policy\.[A-Z_]+"), "a role-set comparison"),
]


def _scanned() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIPPED_PARTS & set(rel.parts[:-1]) or rel.as_posix() in SKIPPED_FILES:
            continue
        files.append(path)
    return files


def find_role_comparisons(files) -> list[str]:
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for pattern, what in FORBIDDEN:
                if pattern.search(code):
                    found.append(
                        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{number}: {what}: {line.strip()}"
                    )
    return found


def test_no_role_comparisons_outside_the_policy():
    assert find_role_comparisons(_scanned()) == []


@pytest.mark.parametrize(
    "line",
    [
        "if policy.has_role(user, Role.MENTOR):",
        "roles = policy.roles_of(user)",
        'if policy.CASE_ACTIONS["verify_physical"].isdisjoint(roles):',
        "if grant.role == Role.COUNSELOR:",
        "if Role.SCHOOL_ADMIN in roles:",
        "allowed = {Role.SCHOOL_ADMIN, Role.COLLEGE_ADMIN}",
        "if roles & policy.ADMINS:",
    ],
)
def test_the_check_catches_a_comparison(tmp_path, line):
    module = tmp_path / "views.py"
    module.write_text(f"def view(user, roles):\n    {line}\n", encoding="utf-8")
    assert find_role_comparisons([module]), line


def test_the_check_allows_a_data_filter(tmp_path):
    module = tmp_path / "services.py"
    module.write_text("mentors = User.objects.filter(grants__role=Role.MENTOR)\n", encoding="utf-8")
    assert find_role_comparisons([module]) == []
