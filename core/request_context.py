"""The current request's id and client address, available to services and log records."""

import contextvars
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    # Facts read once per request and reused by later reads of the same request (see
    # `request_memo`); None outside a request, so nothing is ever kept between requests.
    memo: dict | None = field(default=None, compare=False, repr=False)


# RequestContext is a frozen dataclass, so sharing one default instance is safe.
_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "tautoko_request_context",
    default=RequestContext(),  # noqa: B039
)


def current_request_context() -> RequestContext:
    """Return the context of the request being served (empty outside a request)."""
    return _current.get()


def request_memo() -> dict | None:
    """The current request's memo dict, or None outside a request (then read every time)."""
    return _current.get().memo


def set_request_context(context: RequestContext) -> contextvars.Token:
    """Make `context` current; pass the returned token to `reset_request_context`."""
    return _current.set(context)


def reset_request_context(token: contextvars.Token) -> None:
    _current.reset(token)
