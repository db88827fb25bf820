"""Reads of programmes and their budgets, scoped to the agencies that deliver them."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from core.models import User
from core.roles import Role
from programs.models import Budget, Programme

# Roles that watch budgets; caseworkers see programmes but not the money behind them.
BUDGET_READER_ROLES = (Role.PROGRAM_OFFICER, Role.COMPLIANCE_OFFICER, Role.AGENCY_ADMIN)


def _active(actor: User | None) -> bool:
    return bool(actor and actor.is_authenticated and actor.is_active)


def programmes_visible_to(actor: User) -> QuerySet[Programme]:
    """Programmes the actor's agency delivers (operators see every programme)."""
    queryset = Programme.objects.prefetch_related("delivering_agencies")
    if not _active(actor):
        return queryset.none()
    if actor.is_superuser:
        return queryset
    if actor.agency_id is None:
        return queryset.none()
    return queryset.filter(delivering_agencies=actor.agency_id)


def programme_get(*, actor: User, programme_id) -> Programme:
    """One programme the actor's agency delivers; anything else is 404."""
    return get_object_or_404(programmes_visible_to(actor), pk=programme_id)


def budgets_visible_to(actor: User, *, programme: Programme | None = None) -> QuerySet[Budget]:
    """Budgets of visible programmes: the programme-wide ones and the actor's agency's own.

    Only program officers, compliance officers and agency admins read budgets;
    another agency's agency-specific budget is never visible.
    """
    queryset = Budget.objects.select_related("programme", "agency")
    if not _active(actor):
        return queryset.none()
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    if actor.is_superuser:
        return queryset
    if actor.agency_id is None or not any(actor.has_role(r) for r in BUDGET_READER_ROLES):
        return queryset.none()
    return queryset.filter(programme__delivering_agencies=actor.agency_id).filter(
        Q(agency__isnull=True) | Q(agency_id=actor.agency_id)
    )
