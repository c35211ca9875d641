"""Who is asking and from where, for the request in progress (set by RequestContextMiddleware)."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    remote_addr: str | None = None
    request_id: str = ""
    # Per-request memo (e.g. the caller's grants). None outside a request: nothing is cached there.
    cache: dict | None = None


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "careledger_request",
    default=RequestContext(),  # noqa: B039 (frozen, immutable)
)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
