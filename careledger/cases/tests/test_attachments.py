"""过程材料: type and size limits, storage outside the web roots, policy-gated and audited downloads."""

import io

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from careledger.accounts.models import Role
from careledger.audit.models import AuditEvent
from careledger.cases.models import Attachment, CaseEvent
from careledger.core import crypto
from tests.support.testing import make_case, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.ATTACHMENT_MAX_BYTES = 1024
    return settings.ATTACHMENTS_DIR


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(client, case, data: bytes, name: str, title: str = "谈心记录签字"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(f"/api/v1/cases/{case.pk}/attachments/", {"file": f, "title": title}, format="multipart")


@pytest.fixture
def case(school):
    return make_case(school, "li", mentor=school.erin)


def test_upload_is_stored_outside_the_web_roots_under_a_random_name(school, case, attachments_dir):
    response = upload(as_user(school.erin), case, PNG, "../../etc/签字.png")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["content_type"], body["size"], body["original_name"]) == ("image/png", len(PNG), "签字.png")
    stored = list(attachments_dir.iterdir())
    assert [p.name for p in stored] == [Attachment.objects.get().storage_name]
    # Encrypted at rest (SEC-27): the file holds no plaintext, and decrypts to exactly what was uploaded.
    assert stored[0].read_bytes() != PNG and b"PNG" not in stored[0].read_bytes()
    assert crypto.decrypt(stored[0].read_bytes()) == PNG
    assert str(django_settings.STATIC_ROOT) not in str(stored[0])
    assert CaseEvent.objects.filter(case=case, kind="attachment").count() == 1


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00 this is a windows program", "photo.png"),
        (b"<html><script>alert(1)</script></html>", "scan.pdf"),
        (b"", "empty.jpg"),
        (PNG + b"\x00" * 2000, "big.png"),
    ],
    ids=["exe renamed png", "html renamed pdf", "empty", "over the cap"],
)
def test_wrong_type_or_size_is_400_and_nothing_is_stored(school, case, attachments_dir, data, name):
    response = upload(as_user(school.erin), case, data, name)
    assert response.status_code == 400 and "file" in response.json()
    assert not Attachment.objects.exists()
    assert not attachments_dir.exists() or not any(attachments_dir.iterdir())


def test_download_is_a_policy_gated_audited_attachment(school, case):
    attachment_id = upload(as_user(school.erin), case, PDF, "证明.pdf").json()["id"]
    response = as_user(school.carol).get(f"/api/v1/attachments/{attachment_id}/")
    assert response.status_code == 200
    assert b"".join(response) == PDF if hasattr(response, "streaming_content") else response.content == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(actor_username="carol", object_type="attachment", action="read").count() == 1


def test_another_mentor_gets_404_and_a_denied_row(school, case):
    attachment_id = upload(as_user(school.erin), case, PNG, "a.png").json()["id"]
    other = make_user("olga", role=Role.MENTOR, college=school.wenxue)
    assert as_user(other).get(f"/api/v1/attachments/{attachment_id}/").status_code == 404
    assert as_user(other).get(f"/api/v1/cases/{case.pk}/attachments/").status_code == 404
    assert AuditEvent.objects.filter(actor_username="olga", action="denied").count() == 2


def test_web_download_and_upload(client, school, case):
    client.force_login(school.erin)
    f = io.BytesIO(PNG)
    f.name = "photo.png"
    response = client.post(f"/attachments/case/{case.pk}/upload/", {"file": f, "title": "签字照片"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    attachment = Attachment.objects.get()
    download = client.get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200 and download.content == PNG
    assert download["Content-Disposition"] == "attachment; filename*=UTF-8''photo.png"
