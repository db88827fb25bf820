"""Writes for referrals: draft, the lifecycle, opening a case on acceptance, feeding the network.

`referral_transition` is the only code that writes `Referral.status`: it
locks the row, checks which side the actor is on, checks the move against
programs.workflow, saves, appends the history row, writes a `transition`
audit event and notifies the sender when the recipient accepts, declines or
completes. Sending discloses client details, so it needs the client's
current consent for this recipient (Privacy Act 2020, IPP 11) and freezes
exactly the chosen fields into a ReferralShare; the recipient reads that
snapshot and nothing else.
"""

import secrets
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import (
    Case,
    CaseStatus,
    Client,
    ConsentPurpose,
    ContactFrequency,
    TieQuality,
    TieType,
)
from casework.selectors.consents import consent_is_current
from casework.services.cases import case_open
from casework.services.clients import client_create
from casework.services.network import tie_add
from core.audit import audit_record
from core.errors import ApplicationError, ConflictError
from core.models import AuditAction, User
from core.notifications import notify
from core.roles import Role
from programs import workflow
from programs.models import (
    OrganisationKind,
    Referral,
    ReferralShare,
    ReferralShareField,
    ReferralStatus,
    ReferralStatusChange,
    ReferralUrgency,
    Service,
)
from programs.selectors.referrals import recipient_side, referral_visibility, sender_side

R = ReferralStatus
F = ReferralShareField

DEFAULT_FOLLOW_UP = timedelta(days=14)
# The recipient acts on a referral to an agency on Tautoko; for an outside
# organisation the sender records what the organisation said.
RECIPIENT_MOVES = frozenset({R.ACCEPTED, R.DECLINED, R.ENGAGED, R.COMPLETED})
SENDER_MOVES = frozenset({R.SENT, R.WITHDRAWN})
NOTIFY_SENDER_ON = {
    R.ACCEPTED: "referral_accepted",
    R.DECLINED: "referral_declined",
    R.COMPLETED: "referral_completed",
}
# The NHI identifies a person across the health system; it goes to health services only
# (Health Information Privacy Code 2020, rule 12: unique identifiers).
NHI_RECIPIENT_KINDS = frozenset({OrganisationKind.HEALTH})
IDENTIFYING_SHARE_FIELDS = frozenset(
    {F.PREFERRED_NAME, F.LEGAL_NAME, F.PHONE, F.EMAIL, F.ADDRESS, F.NHI}
)
TIE_TYPE_OF_KIND = {
    OrganisationKind.MARAE: TieType.IWI_MARAE,
    OrganisationKind.IWI_PROVIDER: TieType.IWI_MARAE,
    OrganisationKind.CLUBHOUSE: TieType.CLUBHOUSE,
    OrganisationKind.PEER_SUPPORT: TieType.PEER,
    OrganisationKind.COMMUNITY_GROUP: TieType.COMMUNITY_GROUP,
}
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def may_refer(actor: User) -> bool:
    """Caseworkers and team leads make referrals and work their agency's incoming ones."""
    return bool(
        actor
        and actor.is_active
        and actor.agency_id is not None
        and (actor.has_role(Role.CASEWORKER) or actor.has_role(Role.TEAM_LEAD))
    )


def _require_referrer(actor: User) -> None:
    if not may_refer(actor):
        raise PermissionDenied("Caseworkers and team leads make and answer referrals.")


@transaction.atomic
def referral_create(
    *,
    actor: User,
    case: Case,
    service: Service,
    reason: str,
    shared_fields: Iterable[str] = (),
    urgency: str = ReferralUrgency.ROUTINE,
    client: Client | None = None,
    follow_up_on: date | None = None,
) -> Referral:
    """Draft a referral of a client of `case` to a directory service.

    Preconditions: the actor is a caseworker or team lead (else
    PermissionDenied) who may see the case (else Http404); the case is open;
    `client` defaults to the case's client (a whānau case names the member);
    the service and its organisation are active; the reason is given;
    `shared_fields` are ReferralShareField values, the NHI only for health
    services; the follow-up date (default in 14 days) is not in the past.
    Raises ApplicationError with field errors. Nothing is shared until it is
    sent. Writes a `create` audit event and the first history row.
    """
    _require_referrer(actor)
    if not access.user_can(actor, "view_case", case):
        raise Http404("No such case.")
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if case.status == CaseStatus.CLOSED:
        errors["case"] = ["The case is closed."]
    members = access.case_clients(case)
    if client is None:
        client = case.client if case.client_id else None
        if client is None:
            errors["client"] = ["Name the whānau member the referral is for."]
    elif client.pk not in {m.pk for m in members}:
        errors["client"] = ["The client is not part of this case."]
    if not (service.is_active and service.organisation.is_active):
        errors["service"] = ["The service is no longer listed."]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why the client is being referred."]
    if urgency not in ReferralUrgency.values:
        errors["urgency"] = [f"Choose one of: {', '.join(ReferralUrgency.values)}."]
    fields = _clean_shared_fields(shared_fields, service, errors)
    follow_up_on = follow_up_on or today + DEFAULT_FOLLOW_UP
    if follow_up_on < today:
        errors["follow_up_on"] = ["The follow-up date cannot be in the past."]
    if errors:
        raise ApplicationError("The referral cannot be drafted.", fields=errors)
    referral = Referral(
        reference=_new_reference(),
        agency_id=case.agency_id,
        case=case,
        client=client,
        service=service,
        recipient_agency_id=service.organisation.agency_id,
        reason=reason,
        urgency=urgency,
        shared_fields=fields,
        follow_up_on=follow_up_on,
        status=workflow.REFERRAL_WORKFLOW.initial,
        created_by=actor,
    )
    referral.save()
    ReferralStatusChange.objects.create(
        referral=referral,
        from_status="",
        to_status=referral.status,
        reason="Referral drafted.",
        changed_by=actor,
        changed_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        changes={
            "case": str(case.pk),
            "client": str(client.pk),
            "service": str(service.pk),
            "recipient_agency": _str_or_none(referral.recipient_agency_id),
            "urgency": urgency,
            "shared_fields": fields,
            "follow_up_on": follow_up_on.isoformat(),
        },
    )
    return referral


@transaction.atomic
def referral_transition(
    *,
    actor: User,
    referral: Referral,
    to_status: ReferralStatus | str,
    reason: str = "",
    open_case: bool = False,
    confirm_not_duplicate: bool = False,
) -> Referral:
    """Move a referral to `to_status`: the one service that writes a referral's status.

    Who may: the sender side (who may see the case) sends and withdraws; the
    recipient agency's caseworkers and team leads accept, decline, engage and
    complete (for an outside organisation the sender side records those);
    either side closes. Anyone else gets Http404; the wrong side
    PermissionDenied. The move must be in programs.workflow (400
    `illegal_transition`); declining and closing need a reason (400
    `reason_required`).

    Sending needs a current `referral_sharing` consent of the client for the
    recipient (the agency, or the outside organisation by name) — 400
    `consent_required` otherwise, with nothing changed — and freezes the
    chosen fields into the referral's share. Accepting with `open_case`
    registers the client in the accepting agency from the shared fields and
    opens a case led by the accepting user (casework.services); that needs
    the consent still in force (400 `consent_withdrawn`) and at least the
    legal name, date of birth and region shared (400 `not_enough_shared`);
    `confirm_not_duplicate` passes through to client registration. The sender
    is notified in-app when the referral is accepted, declined or completed.
    """
    to_status = ReferralStatus(to_status)
    referral = _lock(actor, referral)
    _check_side(actor, referral, to_status)
    workflow.check_referral_transition(referral, to_status, reason=reason)
    now = timezone.now()
    reason = (reason or "").strip()
    from_status = referral.status
    fields: list[str] = ["status"]
    if to_status == R.SENT:
        _send(actor, referral, now)
        fields += ["consent", "sent_by", "sent_at"]
    elif to_status in (R.ACCEPTED, R.DECLINED):
        referral.responded_by, referral.responded_at = actor, now
        fields += ["responded_by", "responded_at"]
        if to_status == R.ACCEPTED and open_case:
            referral.received_case = _open_received_case(
                actor, referral, confirm_not_duplicate=confirm_not_duplicate
            )
            fields.append("received_case")
    if to_status in (R.DECLINED, R.CLOSED, R.WITHDRAWN) and reason:
        referral.outcome_reason = reason
        fields.append("outcome_reason")
    if to_status in workflow.REFERRAL_ENDED_STATUSES:
        referral.ended_at = now
        fields.append("ended_at")
    referral.status = to_status
    referral.save(update_fields=[*fields, "updated_at"])
    ReferralStatusChange.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changed_by=actor,
        changed_at=now,
    )
    changes = {"status": {"old": from_status, "new": to_status.value}, "reason": reason}
    if to_status == R.SENT:
        changes["consent"] = str(referral.consent_id)
        changes["shared_fields"] = list(referral.shared_fields)
    if referral.received_case_id and to_status == R.ACCEPTED:
        changes["received_case"] = str(referral.received_case_id)
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=referral, changes=changes)
    if to_status in NOTIFY_SENDER_ON:
        _notify_sender(referral, to_status, reason)
    return referral


def referral_send(*, actor: User, referral: Referral) -> Referral:
    """Send a draft: needs the client's current consent (see `referral_transition`)."""
    return referral_transition(actor=actor, referral=referral, to_status=R.SENT)


def referral_accept(
    *,
    actor: User,
    referral: Referral,
    open_case: bool = False,
    confirm_not_duplicate: bool = False,
) -> Referral:
    """Accept a sent referral, optionally opening a case for the client in the actor's agency."""
    return referral_transition(
        actor=actor,
        referral=referral,
        to_status=R.ACCEPTED,
        open_case=open_case,
        confirm_not_duplicate=confirm_not_duplicate,
    )


def referral_decline(*, actor: User, referral: Referral, reason: str) -> Referral:
    """Decline a sent referral, with a reason the sender reads."""
    return referral_transition(actor=actor, referral=referral, to_status=R.DECLINED, reason=reason)


def referral_engage(*, actor: User, referral: Referral) -> Referral:
    """Record that the client has started with the service."""
    return referral_transition(actor=actor, referral=referral, to_status=R.ENGAGED)


def referral_complete(*, actor: User, referral: Referral, reason: str = "") -> Referral:
    """Record that the client finished with the service."""
    return referral_transition(actor=actor, referral=referral, to_status=R.COMPLETED, reason=reason)


def referral_close(*, actor: User, referral: Referral, reason: str) -> Referral:
    """End an accepted or engaged referral without completion, with a reason (either side)."""
    return referral_transition(actor=actor, referral=referral, to_status=R.CLOSED, reason=reason)


def referral_withdraw(*, actor: User, referral: Referral, reason: str = "") -> Referral:
    """Take back a draft or sent referral before the recipient accepts it (sender side)."""
    return referral_transition(actor=actor, referral=referral, to_status=R.WITHDRAWN, reason=reason)


@transaction.atomic
def referral_network_tie_add(
    *,
    actor: User,
    referral: Referral,
    strength: int = 3,
    contact_frequency: str = ContactFrequency.WEEKLY,
    quality: str = TieQuality.SUPPORTIVE,
    support_kinds: Iterable[str] = (),
) -> Referral:
    """Add the service's organisation to the client's support network (ecomap), once.

    Sender side only (the recipient never touches the client's record); the
    referral is engaged or completed (400 `not_engaged`); a referral adds one
    tie (409 `already_in_network`). The tie's source is ``referral:<reference>``
    so the network's growth can be traced back to referrals; its type follows
    the organisation's kind. Validation and audit are casework's `tie_add`.
    """
    referral = _lock(actor, referral)
    if not Referral.objects.filter(pk=referral.pk).filter(sender_side(actor)).exists():
        raise PermissionDenied("Only the referring side adds to the client's network.")
    if referral.status not in workflow.REFERRAL_NETWORK_STATUSES:
        raise ApplicationError(
            "Only an engaged or completed referral adds to the client's network.",
            code="not_engaged",
        )
    if referral.network_tie_id is not None:
        raise ConflictError(
            "This referral is already in the client's network.", code="already_in_network"
        )
    organisation = referral.service.organisation
    tie = tie_add(
        actor=actor,
        client=referral.client,
        name=organisation.name,
        tie_type=TIE_TYPE_OF_KIND.get(organisation.kind, TieType.PROFESSIONAL),
        strength=strength,
        contact_frequency=contact_frequency,
        quality=quality,
        support_kinds=support_kinds,
        source=referral_tie_source(referral),
    )
    referral.network_tie = tie
    referral.save(update_fields=["network_tie", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        changes={"network_tie": {"old": None, "new": str(tie.pk)}},
    )
    return referral


def referral_tie_source(referral: Referral) -> str:
    """The `NetworkTie.source` of a tie a referral added.

    The short reference, not the UUID: `source` holds 40 characters and
    ``referral:`` plus a UUID needs 45.
    """
    return f"referral:{referral.reference}"


def shared_values(client: Client, fields: Iterable[str], *, reason: str) -> dict:
    """The chosen fields of `client` as plain JSON, read now (what the recipient will see)."""
    values: dict = {}
    for name in fields:
        if name == F.PREFERRED_NAME:
            values[name] = client.preferred_name or client.legal_given_names
        elif name == F.LEGAL_NAME:
            values[name] = {
                "given_names": client.legal_given_names,
                "family_name": client.legal_family_name,
            }
        elif name == F.DATE_OF_BIRTH:
            values[name] = client.date_of_birth.isoformat()
        elif name in (F.GENDER, F.PHONE, F.EMAIL, F.ADDRESS, F.REGION, F.NHI):
            values[name] = getattr(client, name)
        elif name == F.LANGUAGES:
            values[name] = {
                "preferred_language": client.preferred_language,
                "interpreter_required": client.interpreter_required,
                "interpreter_language": client.interpreter_language,
            }
        elif name == F.IWI:
            values[name] = list(
                client.iwi_affiliations.order_by("code").values_list("code", flat=True)
            )
        elif name == F.ETHNICITY:
            values[name] = list(
                client.ethnicities.order_by("position").values_list("code", flat=True)
            )
        elif name == F.REASON:
            values[name] = reason
    return values


def _send(actor: User, referral: Referral, now) -> None:
    organisation = referral.service.organisation
    if referral.recipient_agency_id is not None:
        consent = consent_is_current(
            client=referral.client,
            purpose=ConsentPurpose.REFERRAL_SHARING,
            recipient_agency=referral.recipient_agency,
            at=now,
        )
    else:
        consent = consent_is_current(
            client=referral.client,
            purpose=ConsentPurpose.REFERRAL_SHARING,
            recipient_name=organisation.name,
            at=now,
        )
    if consent is None:
        message = (
            f"The client has no current consent to share information with {organisation.name} "
            "for a referral. Record their consent first."
        )
        raise ApplicationError(message, code="consent_required", fields={"consent": [message]})
    errors: dict[str, list[str]] = {}
    fields = _clean_shared_fields(referral.shared_fields, referral.service, errors)
    if errors:
        raise ApplicationError("The referral cannot be sent.", fields=errors)
    client = referral.client
    if (
        client.is_restricted
        and IDENTIFYING_SHARE_FIELDS.intersection(fields)
        and not access.user_can(actor, "view_client_identity", client)
    ):
        raise ApplicationError(
            "This client's identifying details are restricted to their assigned caseworker.",
            code="identity_restricted",
            fields={"shared_fields": ["Only the assigned caseworker may share these details."]},
        )
    ReferralShare.objects.create(
        referral=referral,
        fields=fields,
        snapshot=shared_values(client, fields, reason=referral.reason),
        consent=consent,
        shared_by=actor,
        shared_at=now,
    )
    referral.consent = consent
    referral.sent_by, referral.sent_at = actor, now


def _open_received_case(actor: User, referral: Referral, *, confirm_not_duplicate: bool) -> Case:
    if referral.consent is None or not referral.consent.is_current(timezone.now()):
        raise ApplicationError(
            "The client's consent is no longer in force; nothing shared may be used.",
            code="consent_withdrawn",
        )
    shared = ReferralShare.objects.get(referral=referral).snapshot
    missing = [name for name in (F.LEGAL_NAME, F.DATE_OF_BIRTH, F.REGION) if name not in shared]
    if missing:
        message = (
            "A case can be opened only when the legal name, date of birth and region were "
            f"shared; missing: {', '.join(missing)}. Accept without opening a case."
        )
        raise ApplicationError(message, code="not_enough_shared", fields={"open_case": [message]})
    languages = shared.get(F.LANGUAGES) or {}
    client = client_create(
        actor=actor,
        legal_given_names=shared[F.LEGAL_NAME]["given_names"],
        legal_family_name=shared[F.LEGAL_NAME]["family_name"],
        date_of_birth=date.fromisoformat(shared[F.DATE_OF_BIRTH]),
        region=shared[F.REGION],
        preferred_name=shared.get(F.PREFERRED_NAME, ""),
        gender=shared.get(F.GENDER) or "not_stated",
        nhi=shared.get(F.NHI) or None,
        phone=shared.get(F.PHONE, ""),
        email=shared.get(F.EMAIL, ""),
        address=shared.get(F.ADDRESS, ""),
        preferred_language=languages.get("preferred_language", ""),
        interpreter_required=bool(languages.get("interpreter_required")),
        interpreter_language=languages.get("interpreter_language", ""),
        ethnicities=shared.get(F.ETHNICITY, []),
        iwi=shared.get(F.IWI, []),
        confirm_not_duplicate=confirm_not_duplicate,
    )
    return case_open(
        actor=actor,
        client=client,
        summary=f"Referred by {referral.agency.name} (referral {referral.reference}).",
    )


def _notify_sender(referral: Referral, to_status: ReferralStatus, reason: str) -> None:
    # In the transaction: the notification is a row that must not outlive a rolled-back move.
    notify(
        recipient=referral.sent_by or referral.created_by,
        obj=referral,
        **sender_notice(referral, to_status, reason),
    )


def sender_notice(referral: Referral, to_status: ReferralStatus, reason: str) -> dict:
    """What the sender is told when the recipient answers: the `kind`, `title` and `body`.

    Only for the moves of `NOTIFY_SENDER_ON`.
    """
    organisation = referral.service.organisation.name
    return {
        "kind": NOTIFY_SENDER_ON[to_status],
        "title": f"Referral {referral.reference} {to_status.label.lower()} by {organisation}",
        "body": reason,
    }


def _lock(actor: User, referral: Referral) -> Referral:
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .filter(referral_visibility(actor))
        .filter(pk=referral.pk)
        .select_related(
            "service", "service__organisation", "client", "consent", "agency", "recipient_agency"
        )
        .first()
    )
    if locked is None:
        raise Http404("No such referral.")
    return locked


def _check_side(actor: User, referral: Referral, to_status: ReferralStatus) -> None:
    _require_referrer(actor)
    is_sender = Referral.objects.filter(pk=referral.pk).filter(sender_side(actor)).exists()
    is_recipient = (
        referral.recipient_agency_id is not None
        and Referral.objects.filter(pk=referral.pk).filter(recipient_side(actor)).exists()
    )
    if to_status in SENDER_MOVES:
        allowed = is_sender
    elif to_status in RECIPIENT_MOVES:
        allowed = is_recipient or (is_sender and referral.recipient_agency_id is None)
    else:
        allowed = is_sender or is_recipient
    if not allowed:
        side = "referring" if to_status in SENDER_MOVES else "receiving"
        raise PermissionDenied(f"Only the {side} agency's staff may do that.")


def _clean_shared_fields(fields: Iterable[str], service: Service, errors: dict) -> list[str]:
    chosen = list(dict.fromkeys(fields or ()))
    unknown = [name for name in chosen if name not in F.values]
    if unknown:
        errors["shared_fields"] = [
            f"Cannot share: {', '.join(unknown)}. Choose from: {', '.join(F.values)}."
        ]
        return []
    if F.NHI in chosen and service.organisation.kind not in NHI_RECIPIENT_KINDS:
        errors["shared_fields"] = ["The NHI number is shared with health services only."]
    return [name for name in F.values if name in chosen]


def _new_reference() -> str:
    while True:
        reference = "R-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        if not Referral.objects.filter(reference=reference).exists():
            return reference


def _str_or_none(value) -> str | None:
    return None if value is None else str(value)
