"""Reads of consent records: permission-filtered lists and the check sharing code calls."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from casework import access
from casework.models import Client, Consent, ConsentPurpose
from core.audit import audit_record
from core.models import Agency, AuditAction, User


class ConsentState(models.TextChoices):
    """A consent's state at a moment, derived from its dates (never stored)."""

    CURRENT = "current", "Current"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


def consent_state_expression(at: datetime):
    """SQL for a consent's state at `at`: withdrawn wins over expired, else current."""
    return Case(
        When(withdrawn_at__isnull=False, withdrawn_at__lte=at, then=Value(ConsentState.WITHDRAWN)),
        When(expires_at__isnull=False, expires_at__lte=at, then=Value(ConsentState.EXPIRED)),
        default=Value(ConsentState.CURRENT),
        output_field=CharField(),
    )


def consents_visible_to(actor: User) -> QuerySet[Consent]:
    """Consents of clients `actor` may see, annotated with their `state` now (one query a page)."""
    queryset = Consent.objects.select_related("client", "recipient_agency")
    if not (actor and actor.is_authenticated and actor.is_active):
        return queryset.none()
    return queryset.filter(
        access.client_permission_exists(actor, "view_client", client_ref="client_id")
    ).annotate(state=consent_state_expression(timezone.now()))


def consent_get(*, actor: User, consent_id) -> Consent:
    """One consent `actor` may see (404 otherwise); the read is audited (Privacy Act IPP 5)."""
    try:
        consent = get_object_or_404(consents_visible_to(actor), pk=consent_id)
    except ValidationError as exc:
        # A malformed id names nothing, like an id of a record the actor may not see.
        raise Http404 from exc
    agency = Agency(pk=consent.client.agency_id)
    audit_record(actor=actor, action=AuditAction.VIEW, obj=consent, agency=agency)
    return consent


def consent_client_get(*, actor: User, client_id) -> Client:
    """The client a consent is being recorded for, if `actor` may see them; 404 otherwise."""
    return get_object_or_404(access.clients_visible_to(actor), pk=client_id)


def consent_is_current(
    *,
    client: Client,
    purpose: ConsentPurpose | str,
    recipient_agency: Agency | None = None,
    recipient_name: str = "",
    at: datetime | None = None,
) -> Consent | None:
    """The client's consent for `purpose` to this recipient in force at `at` (default now), or None.

    The check referral, sharing and export code must make before disclosing
    anything about a client (Privacy Act 2020, IPP 10–11). Name exactly one
    recipient: an agency on Tautoko, or the name of an outside organisation
    (compared without regard to case or surrounding spaces). A consent is in
    force from `given_at` until it expires or is withdrawn; when several are,
    the most recently given is returned so its id can be recorded with the
    disclosure. Not filtered by any actor: callers have already decided the
    actor may act for this client.
    """
    recipient_name = (recipient_name or "").strip()
    if (recipient_agency is None) == (not recipient_name):
        raise ValueError("Name exactly one recipient: an agency or an organisation's name.")
    at = at or timezone.now()
    recipient = (
        Q(recipient_agency=recipient_agency)
        if recipient_agency is not None
        else Q(recipient_agency__isnull=True, recipient_name__iexact=recipient_name)
    )
    return (
        Consent.objects.filter(recipient, client=client, purpose=purpose, given_at__lte=at)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .order_by("-given_at", "-created_at")
        .first()
    )
