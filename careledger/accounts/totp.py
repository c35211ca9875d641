"""Time-based one-time passwords (RFC 6238, 6 digits, 30 s) for the second factor (SEC-3).

One device per account. A code is accepted for the current step or one step either side (clock drift),
and only for a step later than the last one accepted: no code works twice (ASVS 2.8.4), and the check
and the update are one conditional UPDATE, so two requests racing with one code cannot both pass.
"""

import hmac

import pyotp
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from careledger.accounts.models import TOTPDevice, User
from careledger.audit import context as request_context

DRIFT_STEPS = 1


def _cache_key(user) -> tuple:
    return ("totp", user.pk)


def device_of(user) -> TOTPDevice | None:
    """The user's device (confirmed or not), read once per request."""
    cache = request_context.current().cache
    key = _cache_key(user)
    if cache is not None and key in cache:
        return cache[key]
    device = TOTPDevice.objects.filter(user_id=user.pk).first()
    if cache is not None:
        cache[key] = device
    return device


def forget(user) -> None:
    cache = request_context.current().cache
    if cache is not None:
        cache.pop(_cache_key(user), None)


def confirmed_device(user) -> TOTPDevice | None:
    device = device_of(user)
    return device if device is not None and device.confirmed else None


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device to enrol (created with a fresh secret if there is none). Not for a user
    who already has a confirmed device: that one is replaced only by an admin's reset."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32(length=32), "confirmed": False}
    )
    forget(user)
    return device


def otpauth_uri(device: TOTPDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.username, issuer_name=settings.OTP_ISSUER)


def qr_svg(uri: str) -> str | None:
    """The otpauth URI as an inline SVG QR code (pure Python), or None if qrcode is not installed."""
    try:
        import qrcode
        import qrcode.image.svg
    except ImportError:  # pragma: no cover - qrcode is a dependency; the page still shows the text
        return None
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _matching_step(secret: str, code: str) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(timezone.now())
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def use_code(device: TOTPDevice, code: str) -> bool:
    """Accept ``code`` once: True if it matches a step later than the last accepted one."""
    step = _matching_step(device.secret, code)
    if step is None:
        return False
    used = (
        TOTPDevice.objects.filter(pk=device.pk)
        .filter(Q(last_step__isnull=True) | Q(last_step__lt=step))
        .update(last_step=step)
    )
    if used:
        device.last_step = step
    return bool(used)


def confirm(device: TOTPDevice, code: str) -> bool:
    """Confirm an enrolment with a first code from the authenticator."""
    if not use_code(device, code):
        return False
    device.confirmed = True
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed", "confirmed_at"])
    forget(device.user)
    return True
