"""过程材料: files attached to a case or a contact, stored outside the static and media web roots.

A file is accepted only when its first bytes say it is a JPEG, PNG, WebP or PDF (the declared content
type and the name are not trusted), and only up to the size cap. It is stored under a random name in
CARELEDGER_ATTACHMENTS_DIR, encrypted (core.crypto, SEC-27; ``sha256`` is the plaintext's), and served
only through the access policy, decrypted, every download audited.
"""

import hashlib
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.accounts.models import User
from careledger.audit.services import Action, record
from careledger.cases.models import Attachment, Case, CaseEvent
from careledger.cases.services import audit_case, require_action, timeline_add
from careledger.contacts.models import Contact
from careledger.core import crypto

# content type → (magic prefix test, file extension)
_KINDS = {
    "image/jpeg": (lambda b: b.startswith(b"\xff\xd8\xff"), "jpg"),
    "image/png": (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), "png"),
    "image/webp": (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", "webp"),
    "application/pdf": (lambda b: b.startswith(b"%PDF-"), "pdf"),
}


def attachments_dir() -> Path:
    path = Path(settings.ATTACHMENTS_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes prove, or None."""
    return next((kind for kind, (test, _ext) in _KINDS.items() if test(head)), None)


def extension(content_type: str) -> str:
    return _KINDS[content_type][1]


def attachment_add(*, actor: User, case: Case, upload, title: str = "", contact: Contact | None = None) -> Attachment:
    require_action(actor, "attach", case)
    if contact is not None and contact.case_id != case.pk:
        raise ValidationError({"contact": [_("辅导记录不属于该档案。")]})
    cap = settings.ATTACHMENT_MAX_BYTES
    if upload.size > cap:
        raise ValidationError({"file": [_("文件超过 %(mb)d MB 上限。") % {"mb": cap // 2**20}]})
    data = upload.read(cap + 1)
    if len(data) > cap:
        raise ValidationError({"file": [_("文件过大。")]})
    content_type = sniff(data[:16])
    if content_type is None:
        raise ValidationError({"file": [_("只接受 JPG、PNG、WebP 图片或 PDF 文件。")]})
    storage_name = secrets.token_hex(16)
    path = attachments_dir() / storage_name
    tmp = path.with_suffix(".part")
    tmp.write_bytes(crypto.encrypt(data))
    os.chmod(tmp, 0o600)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                case=case,
                contact=contact,
                title=title[:100],
                original_name=os.path.basename(getattr(upload, "name", "") or "file")[:200],
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                storage_name=storage_name,
                uploaded_by=actor,
            )
            # The title and file name are case text (SEC-45): the summary names the file type only.
            timeline_add(case, actor, CaseEvent.Kind.ATTACHMENT, attachment.original_name.rsplit(".", 1)[-1].upper())
            audit_case(actor, Action.CREATE, case, object="attachment", attachment=attachment.pk, size=len(data))
            tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise
    return attachment


def attachment_read(*, actor: User, attachment: Attachment) -> bytes:
    """The file's bytes, for someone the policy already let see the case; the download is audited.

    Raises crypto.DecryptionError if the stored file was altered (or made with a key no longer configured).
    """
    data = crypto.decrypt((attachments_dir() / attachment.storage_name).read_bytes())
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise crypto.DecryptionError(f"attachment {attachment.pk} does not match its SHA-256")
    record(
        actor=actor,
        action=Action.READ,
        object_type="attachment",
        object_id=attachment.pk,
        student_no=attachment.case.student.student_no,
        detail={"sha256": attachment.sha256},
    )
    return data


def download_name(attachment: Attachment) -> str:
    """A safe name for the download: never the uploader's path, always the sniffed extension."""
    stem = Path(attachment.original_name).stem or "file"
    return f"{stem}.{extension(attachment.content_type)}"
