"""Errors that several layers answer the same way."""


class RateLimited(Exception):
    """Too many of something within a window: answered 429 and audited as a denial."""


class StaleVersion(Exception):
    """The case changed since the caller read it (optimistic locking): 409, nothing overwritten."""

    def __init__(self, current: int):
        super().__init__(current)
        self.current = current


class RevealRequired(Exception):
    """Sensitive text of a case the caller may see but must state a reason to open (break-glass)."""


class Conflict(Exception):
    """The action does not fit the object's present state (e.g. resolving an escalation nobody has
    acknowledged): answered 409 with the message, nothing written."""

    def __init__(self, message: str, *, field: str = "status"):
        super().__init__(message)
        self.message = message
        self.field = field
