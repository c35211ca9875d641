"""The door to the notification outbox for the apps below notify (escalations …).

``outbox.notify(**kwargs)`` is ``careledger.notify.services.notify`` — the notify app connects it when it
is ready (notify/apps.py) — so that an app lower in the layers can send a message without importing the
app above it. Same arguments, same transaction, same answer.
"""

from collections.abc import Callable
from typing import Any

_notify: Callable[..., Any] | None = None


def connect(notify: Callable[..., Any]) -> None:
    global _notify
    _notify = notify


def notify(**kwargs: Any) -> Any:
    if _notify is None:
        raise RuntimeError("careledger.notify is not installed: nothing receives messages")
    return _notify(**kwargs)
