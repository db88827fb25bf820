"""Reads of enrolments: the case's workers, and the agency's program and compliance officers."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from casework.access import case_permission_exists
from core.models import User
from core.querysets import with_joined_columns
from programs.models import Enrolment
from programs.selectors.aid import reads_agency_aid


def enrolments_visible_to(actor: User) -> QuerySet[Enrolment]:
    """Enrolments of cases the actor may see, plus their agency's for its officers."""
    queryset = Enrolment.objects.select_related("programme", "case", "enrolled_by")
    if not (actor and actor.is_authenticated and actor.is_active):
        return queryset.none()
    visible = Q(case_permission_exists(actor, "view_case", case_ref="case_id"))
    if reads_agency_aid(actor):
        visible |= Q(agency_id=actor.agency_id)
    return queryset.filter(visible)


def enrolments_listed(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """`queryset` (from `enrolments_visible_to`) joining only what the list shows.

    The programme's name and the enroller's username; a list shows the case
    by its key, so its row is not joined at all.
    """
    return with_joined_columns(
        queryset.select_related(None).select_related("programme", "enrolled_by"),
        programme=("name",),
        enrolled_by=("username",),
    )


def enrolment_get(*, actor: User, enrolment_id) -> Enrolment:
    """One enrolment the actor may see; otherwise 404."""
    return get_object_or_404(enrolments_visible_to(actor), pk=enrolment_id)
