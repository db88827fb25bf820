"""Writes for whānau groups and their members, with exactly one primary contact per whānau."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from casework import access
from casework.models import Case, CaseStatus, Client, Relationship, Whanau, WhanauMember
from casework.selectors.whanau import whanau_visible_to
from core.audit import audit_changes, audit_record, snapshot
from core.errors import ApplicationError, ConflictError
from core.models import AuditAction, User

MEMBER_FIELDS = ("client", "name", "relationship", "is_primary_contact")
_NAME_MAX_LENGTH = 200
_CLIENT_NOT_FOUND = "Choose a client of your agency that you can see."
_LEAD_CANNOT_SEE = (
    "The lead caseworker of this whānau's open case is not assigned to this client, so the "
    "client cannot join the whānau yet; ask a team lead to assign the client's work first."
)


@transaction.atomic
def whanau_create(*, actor: User, name: str, members: Iterable[Mapping[str, Any]] = ()) -> Whanau:
    """Register a whānau in the actor's agency, optionally with its first members.

    Preconditions: the actor holds `casework.add_whanau` and belongs to an
    agency (else PermissionDenied). Each member is a mapping with
    `relationship` and either `client` (a client of the agency the actor can
    see) or `name`, plus optional `is_primary_contact`. At most one member may
    be marked primary; with none marked, the first member becomes the primary
    contact, so a whānau with members always has exactly one. Raises
    ApplicationError (400) with field errors, nested under `members` by
    position; writes `create` audit events for the whānau and each member.
    """
    _require_whanau_role(actor)
    if actor.agency_id is None:
        raise PermissionDenied("Only staff of an agency register whānau.")
    clean_name = _clean_whanau_name(name)
    member_specs = [dict(spec) for spec in members]
    primaries = [i for i, spec in enumerate(member_specs) if spec.get("is_primary_contact")]
    if len(primaries) > 1:
        raise ApplicationError(
            "A whānau has one primary contact.",
            fields={"members": ["Mark at most one member as the primary contact."]},
        )

    whanau = Whanau(agency_id=actor.agency_id, name=clean_name, created_by=actor)
    whanau.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=whanau, changes={"name": clean_name})

    member_errors: list[dict] = []
    for index, spec in enumerate(member_specs):
        try:
            _member_create(
                actor=actor,
                whanau=whanau,
                client=spec.get("client"),
                name=spec.get("name", ""),
                relationship=spec.get("relationship", ""),
                is_primary_contact=index == (primaries[0] if primaries else 0),
            )
        except ApplicationError as exc:
            member_errors.append(exc.fields or {"non_field_errors": [exc.message]})
        else:
            member_errors.append({})
    if any(member_errors):
        # Raising rolls the whānau and the members already added back.
        raise ApplicationError("Some members are not valid.", fields={"members": member_errors})
    return whanau


@transaction.atomic
def whanau_update(*, actor: User, whanau: Whanau, name: str) -> Whanau:
    """Rename a whānau the actor can see (Http404 otherwise); writes an `update` audit event."""
    whanau = _lock_visible(actor=actor, whanau=whanau)
    before = snapshot(whanau, ["name"])
    whanau.name = _clean_whanau_name(name)
    changes = audit_changes(whanau, ["name"], before)
    if changes:
        whanau.save(update_fields=["name"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=whanau, changes=changes)
    return whanau


@transaction.atomic
def whanau_member_add(
    *,
    actor: User,
    whanau: Whanau,
    relationship: str,
    client: Client | None = None,
    name: str = "",
    is_primary_contact: bool = False,
) -> WhanauMember:
    """Add a client of the agency, or a named person who is not a client, to a whānau.

    Preconditions: the actor can see the whānau (else Http404) and holds
    `casework.add_whanau` (else PermissionDenied); a client member belongs to
    the whānau's agency, is visible to the actor and is not already a member;
    a client member has no name of its own (it comes from the client record,
    redacted where it must be), anyone else needs one. The first member
    becomes the primary contact; marking a member primary moves the role from
    the previous one in the same transaction.

    The lead caseworker of a whānau case holds every client member. When the
    whānau has a case that is not closed, a new client member is granted to
    its lead (identity included) and its team's leads (without), but only if
    that lead can already see the client, and identify them if restricted;
    otherwise the member is refused with a 400 on `client`, so joining a
    whānau never quietly widens anyone's access. Raises ApplicationError (400)
    with field errors; writes `create` (and `update` for a moved primary)
    audit events, and a `permission_change` event on each case whose grants
    grew, listing the client.
    """
    whanau = _lock_visible(actor=actor, whanau=whanau)
    return _member_create(
        actor=actor,
        whanau=whanau,
        client=client,
        name=name,
        relationship=relationship,
        is_primary_contact=is_primary_contact,
    )


@transaction.atomic
def whanau_member_update(
    *,
    actor: User,
    member: WhanauMember,
    relationship: str | None = None,
    name: str | None = None,
    is_primary_contact: bool | None = None,
) -> WhanauMember:
    """Change a member's relationship, name (non-client members) or primary-contact flag.

    Preconditions as `whanau_member_add`. Making a member primary unsets the
    previous primary contact in the same transaction; unmarking the primary
    contact is refused (mark another member instead), so the whānau keeps
    exactly one. Raises ApplicationError (400) with field errors; writes an
    `update` audit event per member changed.
    """
    whanau = _lock_visible(actor=actor, whanau=member.whanau)
    member = WhanauMember.objects.select_for_update().get(pk=member.pk, whanau=whanau)
    before = snapshot(member, MEMBER_FIELDS)
    errors: dict[str, list[str]] = {}
    if relationship is not None:
        member.relationship = relationship
    if name is not None:
        member.name = name.strip()
    _check_member(member, errors)
    if is_primary_contact is False and member.is_primary_contact:
        errors.setdefault("is_primary_contact", []).append(
            "A whānau keeps one primary contact: mark another member as primary instead."
        )
    if errors:
        raise ApplicationError("The whānau member is not valid.", fields=errors)

    if is_primary_contact and not member.is_primary_contact:
        _unset_primary(actor=actor, whanau=whanau)
        member.is_primary_contact = True
    changes = audit_changes(member, MEMBER_FIELDS, before)
    if changes:
        member.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=member,
            agency=whanau.agency,
            changes={"whanau": str(whanau.pk), **changes},
        )
    return member


@transaction.atomic
def whanau_member_remove(*, actor: User, member: WhanauMember) -> None:
    """Take a member out of a whānau (the client record, if any, is untouched).

    Preconditions as `whanau_member_add`. The primary contact can be removed
    only when they are the last member; otherwise raises ConflictError
    `primary_contact_required` (mark another member primary first). Writes a
    `delete` audit event with what the membership was.
    """
    whanau = _lock_visible(actor=actor, whanau=member.whanau)
    member = WhanauMember.objects.select_for_update().get(pk=member.pk, whanau=whanau)
    if member.is_primary_contact and whanau.members.exclude(pk=member.pk).exists():
        raise ConflictError(
            "Mark another member as the primary contact before removing this one.",
            code="primary_contact_required",
        )
    changes = {
        "whanau": str(whanau.pk),
        **{
            name: change
            for name, change in audit_changes(
                member, MEMBER_FIELDS, dict.fromkeys(MEMBER_FIELDS)
            ).items()
        },
    }
    audit_record(
        actor=actor, action=AuditAction.DELETE, obj=member, agency=whanau.agency, changes=changes
    )
    member.delete()


def _member_create(
    *,
    actor: User,
    whanau: Whanau,
    client: Client | None,
    name: str,
    relationship: str,
    is_primary_contact: bool,
) -> WhanauMember:
    member = WhanauMember(
        whanau=whanau, client=client, name=(name or "").strip(), relationship=relationship
    )
    errors: dict[str, list[str]] = {}
    _check_member(member, errors)
    if client is not None:
        visible = (
            client.agency_id == whanau.agency_id
            and access.clients_visible_to(actor).filter(pk=client.pk).exists()
        )
        if not visible:
            errors.setdefault("client", []).append(_CLIENT_NOT_FOUND)
        elif whanau.members.filter(client=client).exists():
            errors.setdefault("client", []).append("This client is already in the whānau.")
    open_cases = _open_cases(whanau) if client is not None and not errors else []
    if any(not _lead_may_take(case, client) for case in open_cases):
        errors.setdefault("client", []).append(_LEAD_CANNOT_SEE)
    if errors:
        raise ApplicationError("The whānau member is not valid.", fields=errors)

    has_primary = whanau.members.filter(is_primary_contact=True).exists()
    if is_primary_contact or not has_primary:
        # Unset first: the partial unique constraint allows one primary at any moment.
        _unset_primary(actor=actor, whanau=whanau)
        member.is_primary_contact = True
    member.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=member,
        agency=whanau.agency,
        changes={
            "whanau": str(whanau.pk),
            **audit_changes(member, MEMBER_FIELDS, dict.fromkeys(MEMBER_FIELDS)),
        },
    )
    for case in open_cases:
        _grant_new_member(actor=actor, case=case, client=client)
    return member


def _open_cases(whanau: Whanau) -> list[Case]:
    return list(
        Case.objects.filter(whanau=whanau)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("lead_caseworker", "team")
        .order_by("opened_at", "id")
    )


def _lead_may_take(case: Case, client: Client) -> bool:
    """May the case's lead be given this client? Only if they already see, and may identify, them.

    A whānau case's lead holds every client member, identity included; adding
    a member must not hand them a client (or a restricted client's identity)
    that nobody assigned to them.
    """
    lead = case.lead_caseworker
    if lead is None:
        return True
    return (
        Client.objects.filter(pk=client.pk)
        .filter(access.client_permission_exists(lead, "view_client"))
        .filter(Q(is_restricted=False) | Q(access.client_identity_exists(lead)))
        .exists()
    )


def _grant_new_member(*, actor: User, case: Case, client: Client) -> None:
    """Give an open whānau case's lead and team leads the new client member, and audit it."""
    granted: dict[str, Any] = {"clients": [str(client.pk)]}
    if case.lead_caseworker is not None:
        access.grant_client_to_user(client, case.lead_caseworker)
        granted["user"] = str(case.lead_caseworker_id)
        granted["user_client_perms"] = list(access.CLIENT_ASSIGNED_PERMS)
    if case.team is not None and case.team.lead_group_id is not None:
        access.grant_client_to_group(client, case.team.lead_group)
        granted["group"] = str(case.team.lead_group_id)
        granted["group_client_perms"] = list(access.CLIENT_TEAM_PERMS)
    audit_record(
        actor=actor,
        action=AuditAction.PERMISSION_CHANGE,
        obj=case,
        changes={"granted": granted, "reason": "whanau_member_added"},
    )


def _check_member(member: WhanauMember, errors: dict[str, list[str]]) -> None:
    if member.relationship not in Relationship.values:
        errors.setdefault("relationship", []).append(
            f"Choose one of: {', '.join(Relationship.values)}."
        )
    if member.client_id is not None and member.name:
        errors.setdefault("name", []).append(
            "A client member's name comes from their client record; leave it empty."
        )
    if member.client_id is None and not member.name:
        errors.setdefault("name", []).append("A member who is not a client needs a name.")
    if len(member.name) > _NAME_MAX_LENGTH:
        errors.setdefault("name", []).append(f"Use at most {_NAME_MAX_LENGTH} characters.")


def _unset_primary(*, actor: User, whanau: Whanau) -> None:
    for previous in whanau.members.select_for_update().filter(is_primary_contact=True):
        previous.is_primary_contact = False
        previous.save(update_fields=["is_primary_contact"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=previous,
            agency=whanau.agency,
            changes={
                "whanau": str(whanau.pk),
                "is_primary_contact": {"old": True, "new": False},
            },
        )


def _clean_whanau_name(name: str) -> str:
    clean = (name or "").strip()
    if not clean:
        raise ApplicationError(
            "A whānau needs a name.", fields={"name": ["This field may not be blank."]}
        )
    if len(clean) > _NAME_MAX_LENGTH:
        raise ApplicationError(
            "The name is too long.",
            fields={"name": [f"Use at most {_NAME_MAX_LENGTH} characters."]},
        )
    return clean


def _require_whanau_role(actor: User) -> None:
    if not (actor.is_active and actor.has_perm("casework.add_whanau")):
        raise PermissionDenied("Your role does not work with whānau.")


def _lock_visible(*, actor: User, whanau: Whanau) -> Whanau:
    """Lock the whānau's row: 404 unless the actor sees it, 403 unless their role may write."""
    locked = Whanau.objects.select_for_update().select_related("agency").filter(pk=whanau.pk)
    locked = locked.first()
    if locked is None or not whanau_visible_to(actor).filter(pk=locked.pk).exists():
        raise Http404("No such whānau.")
    _require_whanau_role(actor)
    return locked
