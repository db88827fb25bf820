"""Reads of correction requests (IPP 7), filtered through the client they concern."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from casework import access
from casework.models import Client, CorrectionRequest
from core.audit import audit_record
from core.models import AuditAction, User


def correction_requests_visible_to(actor: User) -> QuerySet[CorrectionRequest]:
    """Correction requests about clients `actor` may see, annotated with `identity_visible`.

    The same rule as the client record: a request of another agency, or about
    a client the actor is not working with, does not exist for them (404).
    One query a page: the client and the staff come in with it.
    """
    queryset = CorrectionRequest.objects.select_related("client", "requested_by", "decided_by")
    if not (actor and actor.is_authenticated and actor.is_active):
        return queryset.none()
    return queryset.filter(
        access.client_permission_exists(actor, "view_client", client_ref="client_id")
    ).annotate(identity_visible=access.client_identity_exists(actor, client_ref="client_id"))


def correction_request_get(*, actor: User, correction_id) -> CorrectionRequest:
    """One correction request `actor` may see (404 otherwise); the read is audited (IPP 5)."""
    correction = correction_request_find(actor=actor, correction_id=correction_id)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=correction,
        changes={"client": str(correction.client_id)},
    )
    return correction


def correction_request_find(*, actor: User, correction_id) -> CorrectionRequest:
    """One correction request `actor` may see, for a write that audits itself (404 otherwise)."""
    try:
        return get_object_or_404(correction_requests_visible_to(actor), pk=correction_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def correction_client_get(*, actor: User, client_id) -> Client:
    """The client a request is being recorded for, if `actor` may see them; 404 otherwise."""
    try:
        return get_object_or_404(access.clients_visible_to(actor), pk=client_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
