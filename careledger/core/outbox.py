"""The door to the notification outbox for the apps below notify (escalations …).

``outbox.notify(**kwargs)`` is ``careledger.notify.services.notify`` — the notify app connects it when it
is ready (notify/apps.py) — so that an app lower in the layers can send a message without importing the
app above it. Same arguments, same transaction, same answer.

``outbox.events()`` is the module ``careledger.notify.events`` (the loop's named events: a ledger
submitted, a mentor paired, an escalation reported …), connected the same way.
"""

from collections.abc import Callable
from typing import Any

_notify: Callable[..., Any] | None = None
_events: Any = None


def connect(notify: Callable[..., Any]) -> None:
    global _notify
    _notify = notify


def notify(**kwargs: Any) -> Any:
    if _notify is None:
        raise RuntimeError("careledger.notify is not installed: nothing receives messages")
    return _notify(**kwargs)


def connect_events(events: Any) -> None:
    global _events
    _events = events


def events() -> Any:
    if _events is None:
        raise RuntimeError("careledger.notify is not installed: nothing receives events")
    return _events
