"""The support network (ecomap): adding, changing and ending ties, and dated snapshots."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import (
    Client,
    ContactFrequency,
    NetworkSnapshot,
    NetworkTie,
    SnapshotStage,
    SupportKind,
    TieQuality,
    TieType,
)
from casework.selectors.network import current_ties, network_summary
from core.audit import audit_changes, audit_record, snapshot
from core.errors import ApplicationError
from core.models import Agency, AuditAction, User

TIE_EDITABLE_FIELDS = (
    "name",
    "tie_type",
    "support_kinds",
    "strength",
    "contact_frequency",
    "quality",
    "started_on",
)
# Tie names are people in the client's life: the log records that they changed, not what to.
UNLOGGED_VALUES = frozenset({"name"})


@transaction.atomic
def tie_add(
    *,
    actor: User,
    client: Client,
    name: str,
    tie_type: TieType | str,
    strength: int,
    contact_frequency: ContactFrequency | str,
    quality: TieQuality | str,
    support_kinds: Iterable[str] = (),
    started_on: date | None = None,
    source: str = "",
) -> NetworkTie:
    """Add a person or organisation to a client's network.

    `source` records where the tie came from (e.g. ``referral:<id>``) and is
    set by other services only, never from the API. `support_kinds` are
    SupportKind values (stored once each, in the enum's order); `strength` is
    1–5; `started_on` (default today) is not in the future. Preconditions:
    the actor's role maps networks (`casework.add_networktie`, else
    PermissionDenied) and they may change the client (else Http404). Raises
    ApplicationError with field errors. Writes a `create` audit event.
    """
    _require_perm(actor, "casework.add_networktie")
    _require_client_change(actor, client)
    tie = NetworkTie(
        client=client,
        name=(name or "").strip(),
        tie_type=tie_type,
        strength=strength,
        contact_frequency=contact_frequency,
        quality=quality,
        support_kinds=list(support_kinds),
        started_on=started_on or timezone.localdate(),
        source=source,
        created_by=actor,
    )
    _check_tie(tie)
    tie.full_clean()
    tie.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=tie,
        agency=Agency(pk=client.agency_id),
        changes={
            "client": str(client.pk),
            "name": "set",
            "tie_type": tie.tie_type,
            "support_kinds": tie.support_kinds,
            "strength": tie.strength,
            "contact_frequency": tie.contact_frequency,
            "quality": tie.quality,
            "started_on": tie.started_on.isoformat(),
            "source": tie.source,
        },
    )
    return tie


@transaction.atomic
def tie_update(*, actor: User, tie: NetworkTie, **fields) -> NetworkTie:
    """Change a current tie's name, type, support kinds, strength, contact, quality or start.

    An ended tie is history and refuses changes (ApplicationError
    `tie_ended`); `source` and `ended_on` are not changed here. Preconditions
    and validation as for `tie_add`. Writes an `update` audit event when
    something changed.
    """
    _require_perm(actor, "casework.add_networktie")
    unknown = set(fields) - set(TIE_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            f"Cannot change {', '.join(sorted(unknown))}.",
            fields={name: ["This field cannot be changed here."] for name in sorted(unknown)},
        )
    tie = NetworkTie.objects.select_for_update().select_related("client").get(pk=tie.pk)
    _require_client_change(actor, tie.client)
    if tie.ended_on is not None:
        raise ApplicationError(
            "This tie has ended; add a new one if the person is back in the client's life.",
            code="tie_ended",
        )
    before = snapshot(tie, TIE_EDITABLE_FIELDS)
    for name, value in fields.items():
        if name == "support_kinds":
            value = list(value)
        elif name == "name":
            value = (value or "").strip()
        setattr(tie, name, value)
    _check_tie(tie)
    changes = audit_changes(tie, TIE_EDITABLE_FIELDS, before)
    if not changes:
        return tie
    tie.full_clean()
    tie.save(update_fields=[*changes, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=tie,
        agency=Agency(pk=tie.client.agency_id),
        changes={
            name: ("changed" if name in UNLOGGED_VALUES else change)
            for name, change in changes.items()
        },
    )
    return tie


@transaction.atomic
def tie_end(*, actor: User, tie: NetworkTie, ended_on: date | None = None) -> NetworkTie:
    """End a tie on `ended_on` (default today); it leaves the current network but stays on record.

    Ties are never deleted, so intake, review and exit can be compared.
    `ended_on` is on or after the start and not in the future; a tie ends
    once (ApplicationError `tie_ended`). Preconditions as for `tie_add`.
    Writes an `update` audit event.
    """
    _require_perm(actor, "casework.add_networktie")
    tie = NetworkTie.objects.select_for_update().select_related("client").get(pk=tie.pk)
    _require_client_change(actor, tie.client)
    if tie.ended_on is not None:
        raise ApplicationError("This tie has already ended.", code="tie_ended")
    ended_on = ended_on or timezone.localdate()
    if ended_on > timezone.localdate():
        raise ApplicationError(
            "A tie cannot end in the future.",
            fields={"ended_on": ["A tie cannot end in the future."]},
        )
    if ended_on < tie.started_on:
        raise ApplicationError(
            "A tie cannot end before it started.",
            fields={"ended_on": ["A tie cannot end before it started."]},
        )
    tie.ended_on = ended_on
    tie.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=tie,
        agency=Agency(pk=tie.client.agency_id),
        changes={"ended_on": {"old": None, "new": ended_on.isoformat()}},
    )
    return tie


@transaction.atomic
def network_snapshot_take(
    *,
    actor: User,
    client: Client,
    stage: SnapshotStage | str,
    taken_on: date | None = None,
) -> NetworkSnapshot:
    """Freeze the client's network as it stood on `taken_on` (default today), with its figures.

    The ties in the client's life that day (started by then, not yet ended)
    are copied into the snapshot with size, supportive_count and
    mean_strength, so intake, review and exit can be compared even after ties
    change. `taken_on` is not in the future. Preconditions: the actor's role
    holds `casework.add_networksnapshot` (else PermissionDenied) and they may
    change the client (else Http404). Writes a `create` audit event.
    """
    _require_perm(actor, "casework.add_networksnapshot")
    _require_client_change(actor, client)
    today = timezone.localdate()
    taken_on = taken_on or today
    errors: dict[str, list[str]] = {}
    if stage not in SnapshotStage.values:
        errors["stage"] = ["Unknown stage."]
    if taken_on > today:
        errors["taken_on"] = ["A snapshot cannot be dated in the future."]
    if errors:
        raise ApplicationError("The snapshot cannot be taken.", fields=errors)

    ties = list(
        current_ties(NetworkTie.objects.filter(client=client), on=taken_on).order_by(
            "-strength", "name", "id"
        )
    )
    summary = network_summary(ties)
    frozen = NetworkSnapshot(
        client=client,
        taken_on=taken_on,
        stage=stage,
        size=summary["size"],
        supportive_count=summary["supportive_count"],
        mean_strength=summary["mean_strength"],
        ties=[_tie_record(tie) for tie in ties],
        taken_by=actor,
    )
    # An empty network is a real finding; `ties` may be an empty list.
    frozen.full_clean(exclude=["ties"])
    frozen.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=frozen,
        agency=Agency(pk=client.agency_id),
        changes={
            "client": str(client.pk),
            "stage": stage,
            "taken_on": taken_on.isoformat(),
            "size": frozen.size,
            "supportive_count": frozen.supportive_count,
            "mean_strength": None if frozen.mean_strength is None else str(frozen.mean_strength),
        },
    )
    return frozen


def _check_tie(tie: NetworkTie) -> None:
    errors: dict[str, list[str]] = {}
    if not tie.name:
        errors["name"] = ["This field is required."]
    if tie.tie_type not in TieType.values:
        errors["tie_type"] = ["Unknown tie type."]
    if tie.contact_frequency not in ContactFrequency.values:
        errors["contact_frequency"] = ["Unknown contact frequency."]
    if tie.quality not in TieQuality.values:
        errors["quality"] = ["Unknown quality."]
    if not _is_int(tie.strength) or not 1 <= tie.strength <= 5:
        errors["strength"] = ["Strength is a whole number from 1 to 5."]
    kinds = tie.support_kinds
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        errors["support_kinds"] = ["A list of support kinds is required."]
    else:
        unknown = sorted(set(kinds) - set(SupportKind.values))
        if unknown:
            errors["support_kinds"] = [f"Unknown support kind: {', '.join(unknown)}."]
        else:
            tie.support_kinds = [value for value in SupportKind.values if value in kinds]
    if tie.started_on is None or tie.started_on > timezone.localdate():
        errors["started_on"] = ["A tie cannot start in the future."]
    if errors:
        raise ApplicationError("The tie breaks a rule.", fields=errors)


def _tie_record(tie: NetworkTie) -> dict:
    return {
        "id": str(tie.pk),
        "name": tie.name,
        "tie_type": tie.tie_type,
        "support_kinds": list(tie.support_kinds),
        "strength": tie.strength,
        "contact_frequency": tie.contact_frequency,
        "quality": tie.quality,
        "started_on": tie.started_on.isoformat(),
        "source": tie.source,
    }


def _require_perm(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied("Your role does not map support networks.")


def _require_client_change(actor: User, client: Client) -> None:
    # Someone who may not change the client learns nothing about it, not even that it exists.
    if not access.user_can(actor, "change_client", client):
        raise Http404


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
