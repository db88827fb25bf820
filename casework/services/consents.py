"""Recording and withdrawing a client's consent (Privacy Act 2020, IPP 10–11)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Client, Consent, ConsentMethod, ConsentPurpose
from core.audit import audit_record
from core.errors import ApplicationError
from core.models import Agency, AuditAction, User


@transaction.atomic
def consent_record(
    *,
    actor: User,
    client: Client,
    purpose: ConsentPurpose | str,
    given_at: datetime,
    method: ConsentMethod | str,
    recipient_agency: Agency | None = None,
    recipient_name: str = "",
    expires_at: datetime | None = None,
    notes: str = "",
) -> Consent:
    """Record a client's consent for one purpose and one recipient.

    Preconditions: the actor's role records consent (`casework.add_consent`,
    else PermissionDenied) and they may change the client (else Http404, as if
    the client did not exist). Exactly one recipient: an agency on Tautoko or
    the name of an outside organisation. `given_at` is not in the future and
    `expires_at`, if any, comes after it. Raises ApplicationError with field
    errors otherwise. Writes a `create` audit event.
    """
    _require_role(actor)
    _require_client_change(actor, client)
    recipient_name = (recipient_name or "").strip()
    errors: dict[str, list[str]] = {}
    if (recipient_agency is None) == (not recipient_name):
        message = "Give exactly one recipient: an agency on Tautoko or an organisation's name."
        errors["recipient_agency"] = [message]
        errors["recipient_name"] = [message]
    elif recipient_agency is not None and not recipient_agency.is_active:
        errors["recipient_agency"] = ["That agency is no longer active."]
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = ["Unknown purpose."]
    if method not in ConsentMethod.values:
        errors["method"] = ["Unknown method."]
    if given_at > timezone.now():
        errors["given_at"] = ["Consent cannot be recorded as given in the future."]
    if expires_at is not None and expires_at <= given_at:
        errors["expires_at"] = ["A consent must expire after it was given."]
    if errors:
        raise ApplicationError("The consent cannot be recorded.", fields=errors)

    consent = Consent(
        client=client,
        purpose=purpose,
        recipient_agency=recipient_agency,
        recipient_name=recipient_name,
        given_at=given_at,
        expires_at=expires_at,
        method=method,
        notes=notes,
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=consent,
        agency=Agency(pk=client.agency_id),
        changes={
            "client": str(client.pk),
            "purpose": consent.purpose,
            "recipient_agency": str(recipient_agency.pk) if recipient_agency else None,
            "recipient_name": recipient_name,
            "given_at": given_at.isoformat(),
            "expires_at": expires_at.isoformat() if expires_at else None,
            "method": consent.method,
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent, reason: str) -> Consent:
    """Record that the client withdrew a consent, now; the consent stays on record.

    Preconditions as for `consent_record`. The reason is required. A consent
    already withdrawn, or already expired, cannot be withdrawn (ApplicationError,
    codes `consent_withdrawn` and `consent_expired`): withdrawal is recorded
    once, against a consent that was in force. Writes an `update` audit event.
    """
    _require_role(actor)
    consent = Consent.objects.select_for_update().select_related("client").get(pk=consent.pk)
    _require_client_change(actor, consent.client)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Say why the consent was withdrawn.",
            fields={"reason": ["This field is required."]},
        )
    now = timezone.now()
    if consent.withdrawn_at is not None:
        raise ApplicationError("This consent has already been withdrawn.", code="consent_withdrawn")
    if consent.expires_at is not None and consent.expires_at <= now:
        raise ApplicationError("This consent has already expired.", code="consent_expired")
    consent.withdrawn_at = now
    consent.withdrawal_reason = reason
    consent.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=consent,
        agency=Agency(pk=consent.client.agency_id),
        # The reason is the client's own words: recorded on the consent, not copied here.
        changes={
            "withdrawn_at": {"old": None, "new": now.isoformat()},
            "withdrawal_reason": "set",
        },
    )
    return consent


def _require_role(actor: User) -> None:
    if not actor.has_perm("casework.add_consent"):
        raise PermissionDenied("Your role does not record consent.")


def _require_client_change(actor: User, client: Client) -> None:
    # Someone who may not change the client learns nothing about it, not even that it exists.
    if not access.user_can(actor, "change_client", client):
        raise Http404
