"""Reads of agencies, teams, staff and audit events, scoped to what the actor may see."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.models import Agency, AuditEvent, Team, User
from core.roles import Role


def agency_list() -> QuerySet[Agency]:
    """All active agencies: their names are public so staff can address referrals."""
    return Agency.objects.filter(is_active=True)


def staff_visible_to(actor: User) -> QuerySet[User]:
    """Staff the actor may manage: an agency admin's own agency; an operator's everyone."""
    queryset = User.objects.select_related("agency", "team").prefetch_related("groups")
    if actor.is_superuser:
        return queryset
    if actor.agency_id is None or not actor.has_role(Role.AGENCY_ADMIN):
        return queryset.none()
    return queryset.filter(agency_id=actor.agency_id)


def staff_get(*, actor: User, staff_id) -> User:
    """One member of staff the actor may manage; anyone else is 404, never 403."""
    return get_object_or_404(staff_visible_to(actor), pk=staff_id)


def teams_visible_to(actor: User) -> QuerySet[Team]:
    """Teams of the actor's own agency (an operator sees every team)."""
    queryset = Team.objects.select_related("agency")
    if actor.is_superuser:
        return queryset
    return queryset.filter(agency_id=actor.agency_id) if actor.agency_id else queryset.none()


def audit_events_visible_to(actor: User) -> QuerySet[AuditEvent]:
    """Audit events of the actor's agency, for its compliance officers and admins."""
    queryset = AuditEvent.objects.all()
    if actor.is_superuser:
        return queryset
    # The roles read once (`has_role` asks the database on every call).
    held = set(actor.roles)
    if (
        actor.agency_id is None
        or not {Role.COMPLIANCE_OFFICER.value, Role.AGENCY_ADMIN.value} & held
    ):
        return queryset.none()
    return queryset.filter(agency_id=actor.agency_id)
