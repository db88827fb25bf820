"""The API's endpoints and actions, read from the URL router, and the matrix's outcome classes."""

import re
from collections import Counter
from dataclasses import dataclass

from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

API_PREFIX = "api/v1/"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Outcome classes of one request.
OK = "ok"  # past authorization: 2xx, or 400/409/415 for the (empty) body or the record's state
LISTED = "listed"  # 200 and the world's record is in the page
UNLISTED = "unlisted"  # 200 and the world's record is not in the page
DENIED = "403"  # the role may not do this
HIDDEN = "404"  # the record is out of the user's reach (never 403: no enumeration)
NOT_ALLOWED = "405"  # the endpoint does not offer this action to anyone

OUTCOMES = (OK, LISTED, UNLISTED, DENIED, HIDDEN, NOT_ALLOWED)


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwargs: tuple[str, ...]
    # action name -> HTTP method; APIViews use the method name as the action.
    actions: tuple[tuple[str, str], ...]


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _actions(callback) -> tuple[tuple[str, str], ...]:
    # DRF adds HEAD to a viewset's mapping (as GET) the first time the view is called.
    mapping = {m: a for m, a in (getattr(callback, "actions", None) or {}).items() if m != "head"}
    if mapping:
        counts = Counter(mapping.values())
        # One action served by two methods (GET and POST reviews) is two matrix entries.
        return tuple(
            sorted(
                (action if counts[action] == 1 else f"{action}:{method}", method)
                for method, action in mapping.items()
            )
        )
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return (("get", "get"),)
    return tuple((m, m) for m in HTTP_METHODS if hasattr(view_class, m))


def api_endpoints() -> list[Endpoint]:
    """Every named route under /api/v1/ with the actions it maps, from config.urls."""
    found = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX) or pattern.name is None:
            continue
        route = re.sub(r"(^|/)\^", r"\1", route).replace("$", "")
        kwargs = tuple(sorted(pattern.pattern.regex.groupindex))
        found[pattern.name] = Endpoint(
            name=pattern.name, route=route, kwargs=kwargs, actions=_actions(pattern.callback)
        )
    return sorted(found.values(), key=lambda e: e.route)


def classify(response, *, writes: bool, find: str | None) -> str:
    """Reduce one response to its outcome class."""
    code = response.status_code
    if code == 403:
        return DENIED
    if code == 404:
        return HIDDEN
    if code == 405:
        return NOT_ALLOWED
    if code in (200, 201, 202, 204) or (writes and code in (400, 409, 415)):
        if find is not None and code == 200 and not writes:
            return LISTED if _lists(response.json(), find) else UNLISTED
        return OK
    if not writes and code == 400:
        return OK
    return f"unexpected {code}"


def _lists(body, wanted: str) -> bool:
    """True when a list page (paginated or plain) holds a record whose id (or code) is `wanted`."""
    items = body.get("results", []) if isinstance(body, dict) else body
    return any(
        str(item.get("id")) == wanted or str(item.get("code")) == wanted
        for item in items
        if isinstance(item, dict)
    )
