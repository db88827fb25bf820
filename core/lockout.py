"""Sign-in lockout: repeated failures per username and per client IP lock sign-in for a while.

One place decides (`lockout_remaining`); every sign-in path asks it: the token
endpoint before it checks a password, and `LockoutBackend` for everything that
goes through `django.contrib.auth.authenticate` (admin and browsable-API
login). Failures are counted from the `user_login_failed` signal, so every
path counts the same way. Counters live in the Django cache: with several
processes the cache must be shared (Redis or the database cache), or each
process counts on its own.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from rest_framework.exceptions import Throttled

from core.audit import audit_record
from core.models import AuditAction

_PREFIX = "auth-lockout"


class LockedOut(Throttled):
    """Sign-in is locked for this username or address; answered 429 with Retry-After."""

    default_detail = "Too many failed sign-in attempts. Try again later."
    default_code = "locked_out"

    def __init__(self, wait: int):
        super().__init__(wait=wait, detail=self.default_detail, code=self.default_code)


def _key(kind: str, value: str, part: str) -> str:
    # Hashed so that any username (spaces, Unicode, 150 characters) makes a valid cache key.
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{_PREFIX}:{part}:{kind}:{digest}"


def _subjects(username: str | None, ip_address: str | None) -> list[tuple[str, str, int]]:
    """(kind, value, failure limit) for each counter a sign-in attempt touches."""
    subjects = []
    if username:
        subjects.append(("user", username.strip().lower(), settings.AUTH_LOCKOUT_FAILURES))
    if ip_address:
        subjects.append(("ip", ip_address, settings.AUTH_LOCKOUT_IP_FAILURES))
    return subjects


def client_ip(request) -> str | None:
    """The address a sign-in came from (REMOTE_ADDR, which the proxy in front must set)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def lockout_remaining(*, username: str | None, ip_address: str | None) -> int:
    """Seconds until sign-in is allowed again for this username or address; 0 when not locked."""
    remaining = 0
    for kind, value, _limit in _subjects(username, ip_address):
        until = cache.get(_key(kind, value, "until"))
        if until is not None:
            remaining = max(remaining, int(until - _now()) + 1)
    return max(remaining, 0)


def lockout_check(*, username: str | None, ip_address: str | None) -> None:
    """Raise LockedOut (429 with Retry-After) if sign-in is locked for the username or address."""
    remaining = lockout_remaining(username=username, ip_address=ip_address)
    if remaining > 0:
        raise LockedOut(wait=remaining)


def login_failure_record(*, username: str | None, ip_address: str | None) -> bool:
    """Count one failed sign-in against the username and the address; lock whichever hits its limit.

    Every failure writes one `login_failed` audit event (the username tried,
    never the password); the event says when the failure started a lockout or
    came during one. Failures during a lockout are not counted, so a lockout
    does not grow while an attacker keeps trying. Returns True when this
    failure started a lockout.
    """
    window = settings.AUTH_LOCKOUT_WINDOW_SECONDS
    duration = settings.AUTH_LOCKOUT_SECONDS
    changes: dict = {"username": (username or "")[:150]}
    locked = []
    if lockout_remaining(username=username, ip_address=ip_address) > 0:
        changes["during_lockout"] = True
    else:
        for kind, value, limit in _subjects(username, ip_address):
            count_key = _key(kind, value, "failures")
            cache.add(count_key, 0, timeout=window)
            try:
                failures = cache.incr(count_key)
            except ValueError:  # the counter expired between add and incr
                cache.set(count_key, 1, timeout=window)
                failures = 1
            if failures >= limit:
                cache.set(_key(kind, value, "until"), _now() + duration, timeout=duration)
                cache.delete(count_key)
                locked.append(kind)
        if locked:
            changes["locked_out"] = sorted(locked)
            changes["lockout_seconds"] = duration
    audit_record(
        actor=None, action=AuditAction.LOGIN_FAILED, object_type="core.user", changes=changes
    )
    return bool(locked)


def login_success_record(*, username: str | None) -> None:
    """Forget the username's failures after a successful sign-in (the address keeps its count)."""
    if username:
        cache.delete(_key("user", username.strip().lower(), "failures"))


def lockout_clear(*, username: str | None = None, ip_address: str | None = None) -> None:
    """Lift a lockout early (for an agency admin's or operator's support call, or tests)."""
    for kind, value, _limit in _subjects(username, ip_address):
        cache.delete_many([_key(kind, value, "failures"), _key(kind, value, "until")])


def _now() -> float:
    return time.time()


class LockoutBackend:
    """Authentication backend listed first: refuses every sign-in while its lockout lasts.

    It never authenticates anyone itself; raising PermissionDenied stops
    `authenticate()` from trying the password at all.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if lockout_remaining(username=username, ip_address=client_ip(request)) > 0:
            raise PermissionDenied("Sign-in is locked after repeated failures.")
        return None

    def get_user(self, user_id):
        # Sessions started without naming a backend (force_login, tests) record the
        # first backend, this one; it loads users the way ModelBackend does.
        return ModelBackend().get_user(user_id)


@receiver(user_login_failed, dispatch_uid="core.lockout.count_failure")
def _count_failure(sender, credentials, request=None, **kwargs):
    login_failure_record(username=credentials.get("username"), ip_address=client_ip(request))


@receiver(user_logged_in, dispatch_uid="core.lockout.reset_on_success")
def _reset_on_success(sender, request, user, **kwargs):
    login_success_record(username=user.get_username())
