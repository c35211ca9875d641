"""The one encryption interface (SEC-27; security.md decision 4): columns, attached files and backups.

Today the scheme is Fernet (AES-128-CBC + HMAC-SHA256, authenticated) through ``MultiFernet``: the keys
come from ``settings.ENCRYPTION_KEYS`` (the environment's ``CARELEDGER_ENCRYPTION_KEYS``), the first key
encrypts and every key decrypts, so a new key can be put in front and the old rows re-encrypted later
(``careledger rotate-keys``). Nothing outside this module knows it is Fernet: to move to SM4 (密评),
re-implement ``encrypt``/``decrypt``/``rotate``/``is_current`` here, give the new tokens a prefix of their
own so both can be read during the change-over, and run ``careledger rotate-keys``.

A token that was altered, truncated, or made with a key no longer configured raises ``DecryptionError``;
nothing here ever returns a guess.
"""

import base64
import binascii
import contextlib
import functools
import hashlib
import io
import os
import struct
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEYS_ENV = "CARELEDGER_ENCRYPTION_KEYS"


class DecryptionError(Exception):
    """Altered or truncated ciphertext, or ciphertext made with a key that is not configured."""


def generate_key() -> str:
    """A new key, in the form CARELEDGER_ENCRYPTION_KEYS takes (url-safe base64 of 32 random bytes)."""
    return Fernet.generate_key().decode("ascii")


def check_key(key: str) -> str:
    """The key itself if it is well formed; ImproperlyConfigured (never echoing the key) otherwise."""
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"{KEYS_ENV}: every key must be 32 bytes in url-safe base64 (44 characters); "
            "make one with: careledger rotate-keys --new-key"
        )
    return key


def development_key(path: Path) -> str:
    """The key of a development install: generated once into ``path`` (mode 0600), then read back.

    Created with a hard link from a private temporary file, so two processes starting at once agree on
    one key instead of each writing its own. Production sets CARELEDGER_ENCRYPTION_KEYS instead.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".encryption_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(generate_key())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


@functools.lru_cache(maxsize=8)
def _scheme(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured(f"{KEYS_ENV} holds no key")
    fernets = [Fernet(check_key(k)) for k in keys]
    return MultiFernet(fernets), fernets[0]


def _current() -> tuple[MultiFernet, Fernet]:
    return _scheme(tuple(settings.ENCRYPTION_KEYS))


def encrypt(data: bytes) -> bytes:
    """Ciphertext (ASCII bytes) of ``data`` under the first key."""
    return _current()[0].encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return _current()[0].decrypt(token)
    except (InvalidToken, TypeError, ValueError) as exc:
        raise DecryptionError(
            "ciphertext does not authenticate: altered, truncated, or made with a key not configured"
        ) from exc


def encrypt_text(text: str) -> str:
    return encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError as exc:
        raise DecryptionError("ciphertext is not ASCII: stored in plaintext or altered") from exc
    return decrypt(raw).decode("utf-8")


def rotate(token: bytes) -> bytes:
    """The same plaintext, encrypted again under the first key (raises DecryptionError like decrypt)."""
    try:
        return _current()[0].rotate(token)
    except (InvalidToken, TypeError, ValueError) as exc:
        raise DecryptionError("ciphertext does not authenticate; it cannot be re-encrypted") from exc


def is_current(token: bytes) -> bool:
    """Whether ``token`` is already under the first key (``rotate-keys`` leaves those alone)."""
    try:
        _current()[1].decrypt(token)
    except (InvalidToken, TypeError, ValueError):
        return False
    return True


def digest(text: str) -> str:
    """A stable, unkeyed SHA-256 for uniqueness checks on encrypted columns whose values are either not
    secret (e-mail addresses) or hold a long random secret (robot webhook keys); it survives key rotation."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- streams (backups): a header, then frames of (4-byte length, token), each token holding one chunk ---
#
# Each chunk's plaintext starts with its index and a "last" flag, so frames that were dropped, repeated,
# reordered or cut off at the end are detected, not just altered bytes.

STREAM_MAGIC = b"CLENC1\n"
CHUNK_SIZE = 1 << 20
_CHUNK_HEAD = struct.Struct(">QB")
_FRAME_LEN = struct.Struct(">I")


class EncryptingWriter(io.RawIOBase):
    """Write plaintext in, ciphertext out to ``raw``; ``close()`` writes the final frame (``raw`` stays open)."""

    def __init__(self, raw, chunk_size: int = CHUNK_SIZE):
        super().__init__()
        self._raw = raw
        self._chunk_size = chunk_size
        self._buf = bytearray()
        self._index = 0
        raw.write(STREAM_MAGIC)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buf += data
        while len(self._buf) >= self._chunk_size:
            self._frame(bytes(self._buf[: self._chunk_size]), last=False)
            del self._buf[: self._chunk_size]
        return len(data)

    def _frame(self, chunk: bytes, *, last: bool) -> None:
        token = encrypt(_CHUNK_HEAD.pack(self._index, 1 if last else 0) + chunk)
        self._raw.write(_FRAME_LEN.pack(len(token)) + token)
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            self._frame(bytes(self._buf), last=True)
            self._buf = bytearray()
        super().close()


class DecryptingReader(io.RawIOBase):
    """Read plaintext from a stream ``EncryptingWriter`` made; raises DecryptionError on any damage."""

    def __init__(self, raw):
        super().__init__()
        self._raw = raw
        if raw.read(len(STREAM_MAGIC)) != STREAM_MAGIC:
            raise DecryptionError("not a CareLedger encrypted stream")
        self._buf = memoryview(b"")
        self._index = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next(self) -> None:
        head = self._raw.read(_FRAME_LEN.size)
        if len(head) != _FRAME_LEN.size:
            raise DecryptionError("encrypted stream is truncated")
        (length,) = _FRAME_LEN.unpack(head)
        if length > 2 * CHUNK_SIZE + 1024:
            raise DecryptionError("encrypted stream is damaged (frame too long)")
        token = self._raw.read(length)
        if len(token) != length:
            raise DecryptionError("encrypted stream is truncated")
        plain = decrypt(token)
        index, last = _CHUNK_HEAD.unpack_from(plain)
        if index != self._index:
            raise DecryptionError("encrypted stream is damaged (frames out of order)")
        self._index += 1
        self._buf = memoryview(plain)[_CHUNK_HEAD.size :]
        if last:
            self._done = True
            if self._raw.read(1):
                raise DecryptionError("encrypted stream has data after its last frame")

    def readinto(self, target) -> int:
        while not self._buf and not self._done:
            self._next()
        n = min(len(target), len(self._buf))
        target[:n] = self._buf[:n]
        self._buf = self._buf[n:]  # a view: no copy of the rest of the chunk
        return n
