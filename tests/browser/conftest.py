"""Playwright (sync API) against pytest-django's live server, in Debian's headless Chromium.

Every test in this folder is marked ``browser``. A missing Chromium fails the tests rather than
skipping them: CI must run them. Screenshots go to test-artifacts/ (gitignored).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; without this, Django refuses
# ORM calls made by the test itself (creating its data) as "unsafe from an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parents[1] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser tests are required; "
            "install it with scripts/install-system-deps.sh (as root) or `apt-get install chromium fonts-noto-cjk`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _context_page(browser, request, artifacts: Path, **options) -> Iterator:
    # zh-CN so that LocaleMiddleware serves the Chinese UI whatever the machine's locale.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    if getattr(request.node, "browser_failed", False):
        page.screenshot(path=str(artifacts / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser, request, artifacts, transactional_db):
    """A desktop-sized page."""
    yield from _context_page(browser, request, artifacts, viewport={"width": 1280, "height": 800})


@pytest.fixture
def phone_page(browser, request, artifacts, transactional_db):
    """A phone-sized page (390x844, as an iPhone 12-15)."""
    yield from _context_page(
        browser,
        request,
        artifacts,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture
def settle_cases():
    """Cases made directly with the ORM (as these tests do) get what the case services would write: their
    open period and their maintained compliance windows. Call it after the test's data is in place."""

    def settle() -> None:
        from careledger.cases.models import Case, CasePeriod
        from careledger.contacts.compliance import rebuild

        for case in Case.objects.filter(open_periods__isnull=True):
            closed = case.closed_on if case.status == "closed" else None
            CasePeriod.objects.create(case=case, opened_on=case.opened_on, closed_on=closed)
        rebuild()

    return settle
