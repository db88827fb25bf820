"""Hiding restricted clients' identity in audit events as they are read, never in the stored rows.

Services keep a restricted client's identifying values out of new events,
but an event written while the client was unrestricted still holds them. The
redactors here run whenever events are shown (core.audit.audit_events_for_display)
and blank those values for a viewer who may not identify the client now.
"""

import uuid
from collections.abc import Iterable

from casework import access
from casework.models import Client, WhanauMember
from casework.redaction import REDACTED
from core.models import AuditEvent, User

CLIENT_OBJECT_TYPE = "casework.client"
WHANAU_MEMBER_OBJECT_TYPE = "casework.whanaumember"
# A person who is not a client is recorded by name; in a whānau with a
# restricted client that name points at the client's family, so it goes too.
WHANAU_MEMBER_IDENTIFYING_FIELDS = ("name",)


def redact_client_events(viewer: User, events: list[AuditEvent]) -> None:
    """Blank identifying fields of events about restricted clients hidden from `viewer`."""
    hidden = _hidden_client_ids(viewer, (event.object_id for event in events))
    for event in events:
        if event.object_id in hidden:
            event.changes = _blank(event.changes, Client.IDENTIFYING_FIELDS)


def redact_whanau_member_events(viewer: User, events: list[AuditEvent]) -> None:
    """Blank member names in events of whānau that hold a restricted client hidden from `viewer`."""
    whanau_ids = {str((event.changes or {}).get("whanau", "")) for event in events}
    hidden = _hidden_whanau_ids(viewer, whanau_ids)
    for event in events:
        if str((event.changes or {}).get("whanau", "")) in hidden:
            event.changes = _blank(event.changes, WHANAU_MEMBER_IDENTIFYING_FIELDS)


def _hidden_client_ids(viewer: User, ids: Iterable[str]) -> set[str]:
    """Ids among `ids` of clients restricted now whose identity `viewer` may not see: one query."""
    pks = _uuids(ids)
    if not pks:
        return set()
    rows = (
        Client.objects.filter(pk__in=pks, is_restricted=True)
        .annotate(identity_visible=access.client_identity_exists(viewer))
        .filter(identity_visible=False)
        .values_list("pk", flat=True)
    )
    return {str(pk) for pk in rows}


def _hidden_whanau_ids(viewer: User, ids: Iterable[str]) -> set[str]:
    """Ids among `ids` of whānau with a restricted client member hidden from `viewer`: one query."""
    pks = _uuids(ids)
    if not pks:
        return set()
    rows = (
        WhanauMember.objects.filter(whanau_id__in=pks, client__is_restricted=True)
        .annotate(identity_visible=access.client_identity_exists(viewer, client_ref="client_id"))
        .filter(identity_visible=False)
        .values_list("whanau_id", flat=True)
        .distinct()
    )
    return {str(pk) for pk in rows}


def _blank(changes, fields: Iterable[str]):
    if not isinstance(changes, dict):
        return changes
    blanked = dict(changes)
    for name in fields:
        if name not in blanked:
            continue
        value = blanked[name]
        if isinstance(value, dict):
            blanked[name] = {key: REDACTED for key in value}
        else:
            blanked[name] = REDACTED
    return blanked


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    parsed = []
    for value in values:
        try:
            parsed.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return parsed
