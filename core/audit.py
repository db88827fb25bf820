"""Writing audit events: the one function every service and read path calls."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models

from core.models import Agency, AuditAction, AuditEvent, User
from core.request_context import current_request_context

# Values of these fields never reach the audit log, only the fact that they changed.
SECRET_FIELDS = frozenset({"password", "token", "key", "secret"})
REDACTED = "[redacted]"


def object_type_of(obj: models.Model) -> str:
    """The audit object type of a model instance, e.g. ``casework.client``."""
    return obj._meta.label_lower


def audit_record(
    *,
    actor: User | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    agency: Agency | None = None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event for `actor` doing `action` to `obj` (or the named object).

    The agency is the object's agency when it has one, else the actor's. The
    request id and client IP come from the request being served, if any. Call
    it inside the service's transaction so the event and the change commit or
    roll back together.
    """
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
        if agency is None:
            agency = _agency_of(obj)
    if agency is None and actor is not None:
        agency = actor.agency
    context = current_request_context()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_username=actor.get_username() if actor is not None else "",
        agency=agency,
        action=AuditAction(action),
        object_type=object_type,
        object_id=object_id,
        changes=_redact(dict(changes or {})),
        request_id=context.request_id,
        ip_address=context.ip_address,
    )


def audit_changes(obj: models.Model, fields: Iterable[str], before: Mapping[str, Any]) -> dict:
    """Return ``{field: {"old": …, "new": …}}`` for fields of `obj` that differ from `before`."""
    changed = {}
    for name in fields:
        new = getattr(obj, name)
        old = before.get(name)
        if old != new:
            changed[name] = {"old": _jsonable(old), "new": _jsonable(new)}
    return changed


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Capture field values before a change, for `audit_changes`."""
    return {name: getattr(obj, name) for name in fields}


def _agency_of(obj: models.Model) -> Agency | None:
    if isinstance(obj, Agency):
        return obj
    agency_id = getattr(obj, "agency_id", None)
    if agency_id is None:
        return None
    return Agency(pk=agency_id)


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def _redact(changes: dict) -> dict:
    return {name: (REDACTED if name in SECRET_FIELDS else value) for name, value in changes.items()}


# object_type -> function(viewer, events) that blanks, in memory only, what the
# viewer may not see in those events' `changes` (the rows themselves never change).
AuditRedactor = Callable[[User, list[AuditEvent]], None]
_redactors: dict[str, AuditRedactor] = {}


def register_audit_redactor(object_type: str, redactor: AuditRedactor) -> None:
    """Let an app hide parts of its events from readers (e.g. a restricted client's identity).

    Audit rows are immutable, so a record that became sensitive after the
    event was written is protected when the event is read, not by rewriting it.
    """
    _redactors[object_type] = redactor


def audit_events_for_display(viewer: User, events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Apply the registered redactors to events about to be shown to `viewer`."""
    events = list(events)
    by_type: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in events:
        by_type[event.object_type].append(event)
    for object_type, group in by_type.items():
        redactor = _redactors.get(object_type)
        if redactor is not None:
            redactor(viewer, group)
    return events
