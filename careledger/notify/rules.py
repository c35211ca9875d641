"""Pure decisions of the outbox: the retry schedule and safe text limits. No ORM, no network."""

from datetime import timedelta


def retry_delay(failures: int, *, base_seconds: int = 60, max_seconds: int = 3600) -> timedelta:
    """How long to wait after the ``failures``-th failed attempt in a row: base, 2×, 4×, 8× … capped.

    With the defaults: 1, 2, 4, 8, 16, 32 minutes, then one hour for every later attempt.
    """
    if failures < 1:
        raise ValueError("failures must be at least 1")
    # The exponent is capped so a long outage cannot build a huge integer; the cap applies anyway.
    return timedelta(seconds=min(base_seconds * 2 ** min(failures - 1, 30), max_seconds))


def truncate_utf8(text: str, max_bytes: int, *, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``max_bytes`` bytes of UTF-8, on a character boundary, marked with ``ellipsis``."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    room = max_bytes - len(ellipsis.encode("utf-8"))
    if room <= 0:
        return encoded[:max_bytes].decode("utf-8", "ignore")
    # A cut in the middle of a multi-byte character leaves a partial sequence at the end; "ignore" drops it.
    return encoded[:room].decode("utf-8", "ignore") + ellipsis


def one_line(text: str, max_chars: int) -> str:
    """A single line of at most ``max_chars`` characters (mail headers and titles cannot hold line breaks)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= max_chars else flat[: max_chars - 1] + "…"


def clip(text: str, max_chars: int) -> str:
    text = text.strip()
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"
