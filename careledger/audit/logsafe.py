"""Log lines that user input cannot split or forge (SEC-20; ASVS 7.3.1).

Every log record's message is rendered once and its line breaks and other control characters are
escaped (``\\n`` → ``\\\\n``), so a username such as ``"bob\\nINFO login ok"`` logs as one line. Installed as
a log-record factory (audit app ready()) so that it applies to every logger and handler, and also as a
handler filter in settings.LOGGING.
"""

import logging
import re

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029\x85]")


def _escape(char: re.Match) -> str:
    c = char.group()
    return {"\n": "\\n", "\r": "\\r"}.get(c, f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def one_line(text: str) -> str:
    return _CONTROL.sub(_escape, text)


def _flatten(record: logging.LogRecord) -> None:
    if getattr(record, "_one_line", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed call is left to logging's own error report
        return
    record.msg, record.args = one_line(message), None
    record._one_line = True


class OneLineFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _flatten(record)
        return True


_installed = False


def install() -> None:
    """Wrap the log-record factory so that every record is made one line when it is created."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        _flatten(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
