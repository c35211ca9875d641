"""SEC-28 and SEC-29: TLS and the deploy check; security headers on every page and API response."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.support.testing import make_case

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "careledger" / "templates"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)


def _directives(header: str) -> dict[str, set[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = set(words[1:])
    return out


def _assert_common_headers(response, *, authenticated: bool):
    assert _directives(response["Content-Security-Policy"]) == _directives(CSP)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    if authenticated:
        assert "no-store" in response["Cache-Control"]


def test_sec_29_headers_on_the_login_page():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    _assert_common_headers(response, authenticated=False)


def test_sec_29_headers_on_pages_lists_details_and_exports(client, school):
    case = make_case(school, "li", mentor=school.erin)
    client.force_login(school.carol)
    for url in ("/", "/students/", "/students/202301010002/", f"/cases/{case.pk}/", f"/ledgers/case-file/{case.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_common_headers(response, authenticated=True)


def test_sec_29_headers_on_api_responses_including_errors(school):
    case = make_case(school, "li", mentor=school.erin)
    client = APIClient()
    response = client.get("/api/v1/students/")
    assert response.status_code == 401
    _assert_common_headers(response, authenticated=True)  # every /api/ route is no-store, even anonymous
    client.force_authenticate(school.carol)
    for url in (
        "/api/v1/students/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/export/",
        "/api/v1/cases/999999/",
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        _assert_common_headers(response, authenticated=True)


def _api_patterns(resolver=None, prefix="", namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _api_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and namespace == "api:":
            yield f"{namespace}{entry.name}", entry


def test_sec_29_every_api_route_is_no_store(school):
    """Walks the URL conf: every /api/ route answers no-store, whoever asks and whatever the status."""
    client = APIClient()
    client.force_authenticate(school.alice)
    anonymous = APIClient()
    seen = 0
    for name, pattern in _api_patterns():
        kwargs = {key: ("202301010002" if key == "student_no" else 999999) for key in pattern.pattern.converters}
        url = reverse(name, kwargs=kwargs)
        for who in (client, anonymous):
            response = who.get(url)
            assert "no-store" in response.get("Cache-Control", ""), (url, response.status_code)
        seen += 1
    assert seen > 40


def test_sec_29_static_files_stay_cacheable_and_without_no_store(client):
    response = client.get("/static/css/app.css")
    if response.status_code == 200:  # served by whitenoise in tests when collected/finders are on
        assert "no-store" not in response.get("Cache-Control", "")


def test_sec_29_swagger_ui_gets_only_an_inline_style_relaxation(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    directives = _directives(response["Content-Security-Policy"])
    assert directives["style-src"] == {"'self'", "'unsafe-inline'"}
    assert directives["script-src"] == {"'self'"}  # its start-up script is a file (split view)
    assert directives["frame-ancestors"] == {"'none'"}
    html = response.content.decode()
    assert re.search(r"<script>(?!\s*</script>)", html) is None
    script = client.get("/api/docs/?script")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    # Everywhere else no 'unsafe-inline'.
    assert "unsafe-inline" not in client.get("/accounts/login/")["Content-Security-Policy"]


def test_sec_29_templates_have_no_inline_script_style_or_event_handlers():
    """style-src 'self' and script-src 'self' block inline code: templates must not carry any."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style_attr = re.compile(r"\sstyle\s*=", re.I)
    style_tag = re.compile(r"<style\b", re.I)
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for kind, pattern in (
            ("inline <script>", inline_script),
            ("on* handler", handler),
            ("style=", style_attr),
            ("<style>", style_tag),
        ):
            if pattern.search(text):
                problems.append(f"{path.relative_to(ROOT)}: {kind}")
    assert not problems, problems


def test_sec_29_htmx_is_configured_for_csp():
    base = (TEMPLATES / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base  # htmx would otherwise inject a <style> element


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_sec_28_http_is_redirected_to_https_and_https_carries_hsts(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    api = client.get("/api/v1/me/")
    assert api.status_code == 301


def test_sec_28_deploy_check_is_clean_under_production_settings(tmp_path):
    """`manage.py check --deploy --fail-level WARNING` with the production environment (CI runs it too)."""
    env = {
        **os.environ,
        "CARELEDGER_HTTPS": "true",
        "CARELEDGER_SECRET_KEY": "k3Y-" + "x7Qp9Lm2Zr8Vt4Wn6Bc1Hd5Jf0Gs3Ky" * 2,
        "CARELEDGER_ALLOWED_HOSTS": "careledger.example.edu.cn",
        "CARELEDGER_DEBUG": "false",
        "CARELEDGER_VAR_DIR": str(tmp_path),
        "CARELEDGER_ENCRYPTION_KEYS": "Y2FyZWxlZGdlci10ZXN0LWtleS1ub3Qtc2VjcmV0ISE=",
        "DJANGO_SETTINGS_MODULE": "careledger.settings",
    }
    for leaked in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the browser tests set the latter
        env.pop(leaked, None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz"])
def test_sec_29_permissions_policy_on_public_pages(db, url):
    response = Client().get(url)
    assert response.status_code == 200
    assert "Permissions-Policy" in response
