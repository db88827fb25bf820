"""Reads of outcome measures: the instrument catalogue and permission-filtered assessments."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from casework import access
from casework.models import Assessment, Case, Client, Instrument
from core.audit import audit_record
from core.models import Agency, AuditAction, User


def instrument_list() -> QuerySet[Instrument]:
    """Every instrument: definitions are reference data, the same for all staff."""
    return Instrument.objects.all()


def assessments_visible_to(actor: User) -> QuerySet[Assessment]:
    """Assessments of clients `actor` may see, with their instrument (one query a page)."""
    if not (actor and actor.is_authenticated and actor.is_active):
        return Assessment.objects.none()
    return Assessment.objects.select_related("instrument", "client").filter(
        access.client_permission_exists(actor, "view_client", client_ref="client_id")
    )


def assessment_get(*, actor: User, assessment_id) -> Assessment:
    """One assessment `actor` may see (404 otherwise); the read is audited (Privacy Act IPP 5)."""
    try:
        assessment = get_object_or_404(assessments_visible_to(actor), pk=assessment_id)
    except ValidationError as exc:
        # A malformed id names nothing, like an id of a record the actor may not see.
        raise Http404 from exc
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=assessment,
        agency=Agency(pk=assessment.client.agency_id),
    )
    return assessment


def assessment_client_get(*, actor: User, client_id) -> Client:
    """The client being assessed, if `actor` may see them; 404 otherwise."""
    return get_object_or_404(access.clients_visible_to(actor), pk=client_id)


def assessment_cases_for(actor: User) -> QuerySet[Case]:
    """Cases an assessment may be filed under: those `actor` may see."""
    return access.cases_visible_to(actor)
