"""Idempotency-Key support for POST endpoints (IETF draft-ietf-httpapi-idempotency-key-header).

A client that may retry a POST (a payment, say) sends ``Idempotency-Key: <unique
value>``. The first request with a key claims it and runs; its successful
response is stored with the key. A repeat with the same key and the same body
gets the stored response back (same status and body, plus
``Idempotency-Replayed: true``) and changes nothing. A repeat while the first
is still running answers 409 `idempotency_key_in_progress`; the same key with
a different method, path or body answers 422 `idempotency_key_reused`. A
request that fails (any non-2xx answer or an exception) releases its key, so
the client can correct it and retry with the same key. Keys are scoped to the
signed-in user and kept for IDEMPOTENCY_KEY_TTL_HOURS (default 24).

Use it on a DRF view method::

    @idempotent
    def create(self, request, *args, **kwargs): ...
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.errors import ApplicationError, ConflictError
from programs.models import IdempotencyKey, IdempotencyState

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotency-Replayed"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique value (e.g. a UUID) per intended operation. Repeating the request with the "
        "same key and body returns the first response without doing it again; 409 while the "
        "first is still running, 422 if the key was used with a different body."
    ),
)


def _ttl() -> timedelta:
    return timedelta(hours=int(getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24)))


def _stale_after() -> timedelta:
    # A request still "in progress" after this long died without releasing its key
    # (requests time out long before), so a retry may take the key over.
    return timedelta(seconds=int(getattr(settings, "IDEMPOTENCY_STALE_SECONDS", 300)))


def request_fingerprint(method: str, path: str, data) -> str:
    """SHA-256 of the method, path and parsed body, insensitive to key order and whitespace."""
    body = json.dumps(_plain(data), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method.upper()} {path}\n{body}".encode()).hexdigest()


def _plain(data):
    if hasattr(data, "lists"):  # a QueryDict from a form body
        return {key: values for key, values in data.lists()}
    return data


def clean_key(raw: str) -> str:
    """The key without the quotes of its structured-header form; 400 if empty or too long."""
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApplicationError(
            f"The {IDEMPOTENCY_HEADER} header must be 1 to {MAX_KEY_LENGTH} printable characters.",
            code="invalid_idempotency_key",
        )
    return key


def idempotency_claim(
    *, actor, key: str, method: str, path: str, fingerprint: str
) -> tuple[IdempotencyKey, bool]:
    """Claim `key` for this request, or find the finished request that already used it.

    Returns ``(record, claimed)``: claimed True means the caller runs the
    request and then calls `idempotency_complete` or `idempotency_release`;
    False means `record` holds the response to replay. Raises ConflictError
    (409) while another request holds the key, and ApplicationError (422) if
    the key was used for a different request. The claim is committed at once
    (its own transaction when none is open), so concurrent repeats see it.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                actor=actor,
                key=key,
                method=method,
                path=path,
                fingerprint=fingerprint,
                created_at=now,
                locked_at=now,
                expires_at=now + _ttl(),
            )
            return record, True
    except IntegrityError:
        pass
    record = IdempotencyKey.objects.filter(actor=actor, key=key).first()
    if record is None or record.expires_at <= now:
        # Expired (or released meanwhile): forget it and claim the key afresh.
        IdempotencyKey.objects.filter(actor=actor, key=key, expires_at__lte=now).delete()
        return idempotency_claim(
            actor=actor, key=key, method=method, path=path, fingerprint=fingerprint
        )
    if (record.method, record.path, record.fingerprint) != (method, path, fingerprint):
        raise ApplicationError(
            f"This {IDEMPOTENCY_HEADER} was already used for a different request.",
            code="idempotency_key_reused",
            status_code=422,
        )
    if record.state == IdempotencyState.DONE:
        return record, False
    if record.locked_at <= now - _stale_after():
        taken = IdempotencyKey.objects.filter(
            pk=record.pk, state=IdempotencyState.IN_PROGRESS, locked_at=record.locked_at
        ).update(locked_at=now)
        if taken:
            return record, True
    raise ConflictError(
        f"A request with this {IDEMPOTENCY_HEADER} is still being processed; retry later.",
        code="idempotency_key_in_progress",
    )


def idempotency_complete(record: IdempotencyKey, *, status: int, body) -> None:
    """Store the response of the request that held `record`, for replays."""
    IdempotencyKey.objects.filter(pk=record.pk).update(
        state=IdempotencyState.DONE,
        response_status=status,
        response_body=json.loads(JSONRenderer().render(body) or b"null"),
    )


def idempotency_release(record: IdempotencyKey) -> None:
    """Forget a key whose request failed, so the client may retry with it."""
    IdempotencyKey.objects.filter(pk=record.pk, state=IdempotencyState.IN_PROGRESS).delete()


def idempotency_keys_purge(*, now=None) -> int:
    """Delete expired keys; returns how many. Run it periodically."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def idempotent(view_method):
    """Make a DRF view method honour the Idempotency-Key header (see the module docstring).

    Without the header the method runs as usual. With it, the view and the
    storing of its response commit in one transaction, so a stored response
    always matches what was done.
    """

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        raw = request.headers.get(IDEMPOTENCY_HEADER)
        if raw is None:
            return view_method(view, request, *args, **kwargs)
        key = clean_key(raw)
        record, claimed = idempotency_claim(
            actor=request.user,
            key=key,
            method=request.method,
            path=request.path,
            fingerprint=request_fingerprint(request.method, request.path, request.data),
        )
        if not claimed:
            return Response(
                record.response_body,
                status=record.response_status,
                headers={REPLAYED_HEADER: "true"},
            )
        try:
            with transaction.atomic():
                response = view_method(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    idempotency_complete(record, status=response.status_code, body=response.data)
                    return response
        except BaseException:
            idempotency_release(record)
            raise
        idempotency_release(record)
        return response

    return wrapper
