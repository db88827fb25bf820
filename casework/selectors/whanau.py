"""Reads of whānau: who may see a whānau, and its members with client names redacted as needed."""

import uuid

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from casework import access
from casework.models import Case, Whanau, WhanauMember
from casework.redaction import CLIENT_NAME_COLUMNS
from core.audit import audit_record
from core.models import AuditAction, User
from core.nz.text import fold_macrons, macrons_folded
from core.querysets import has_a_row, with_joined_columns


def whanau_visible_to(actor: User) -> QuerySet[Whanau]:
    """Whānau of the actor's agency that they registered, or where they see a member or a case.

    One query: the three reasons are `EXISTS` predicates over the same
    object-permission grants that decide client and case visibility. Other
    agencies' whānau are never visible, nor is anything to operators without
    an agency (IPP 5).
    """
    if not (actor and actor.is_authenticated and actor.is_active and actor.agency_id):
        return Whanau.objects.none()
    if access.user_group_ids(actor):
        return Whanau.objects.filter(agency_id=actor.agency_id).filter(
            Q(created_by_id=actor.pk) | _probed_through_members_or_cases(actor)
        )
    # No grant-holding groups, as just read: the client predicate need not read them again.
    sees_member = Exists(
        WhanauMember.objects.filter(whanau_id=OuterRef("pk")).filter(
            access.client_permission_exists(
                actor, "view_client", via_groups=False, client_ref="client_id"
            )
        )
    )
    sees_case = Exists(
        Case.objects.filter(whanau_id=OuterRef("pk")).filter(
            access.case_permission_exists(actor, "view_case")
        )
    )
    return Whanau.objects.filter(agency_id=actor.agency_id).filter(
        Q(created_by_id=actor.pk) | sees_member | sees_case
    )


def _probed_through_members_or_cases(actor: User) -> Q:
    """Does the actor see a member client or a case of each whānau: probed whānau by whānau.

    For a reader with grant-holding groups (a team lead). As `EXISTS` over
    the grants, PostgreSQL answered it for every whānau at once: it joined
    the country's whānau members to the team's 50,000 client grants before
    reading a single whānau, for the count and again for the page
    (docs/PERFORMANCE.md). Scalar subqueries are never hashed: each whānau
    read along the list's order looks up its own members and cases, and
    each of those its own grant rows, and the page stops after the page.
    A caseworker's few thousand grants stay sets (`whanau_visible_to`).
    """

    member = WhanauMember.objects.filter(whanau_id=OuterRef("pk")).filter(
        access.client_permission_probed(actor, "view_client", client_ref="client_id")
    )
    case = Case.objects.filter(whanau_id=OuterRef("pk")).filter(
        access.case_permission_probed(actor, "view_case", case_ref="pk")
    )
    return has_a_row(member) | has_a_row(case)


def whanau_members_of(*, actor: User) -> QuerySet[WhanauMember]:
    """Members annotated with what the actor may see of their client.

    `client_visible`: the actor may see the member's client at all;
    `identity_visible`: they may see who a restricted client is. The
    serializer redacts from these; callers scope the queryset to whānau the
    actor can see.
    """
    # A member shows their client's name, as the viewer may see it: nothing else of the row.
    members = with_joined_columns(
        WhanauMember.objects.select_related("client"), client=CLIENT_NAME_COLUMNS
    )
    return members.annotate(
        client_visible=access.client_permission_probed(
            actor, "view_client", client_ref="client_id"
        ),
        identity_visible=access.client_identity_exists(actor, client_ref="client_id"),
    ).order_by("-is_primary_contact", "name", "id")


def whanau_named(queryset: QuerySet[Whanau], *, term: str) -> QuerySet[Whanau]:
    """The whānau of `queryset` whose name contains every word of `term`; macrons do not matter.

    "Ngatai" finds "Ngātai whānau", as the client search does. A `term` of no
    words matches every whānau. No index serves it: a trigram index of the
    names made a caseworker's whānau search slower at national scale
    (PostgreSQL then expected enough named whānau to hash the caseworker's
    member grants first; docs/PERFORMANCE.md), where testing the agency's
    whānau one by one takes a few milliseconds.
    """
    words = fold_macrons(term).split()
    if not words:
        return queryset
    queryset = queryset.alias(name_folded=macrons_folded("name"))
    for word in words:
        queryset = queryset.filter(name_folded__icontains=word)
    return queryset


def whanau_list(*, actor: User) -> QuerySet[Whanau]:
    """Whānau the actor may see with their members prefetched (three queries per page)."""
    return (
        whanau_visible_to(actor)
        .select_related("agency")
        .prefetch_related(Prefetch("members", queryset=whanau_members_of(actor=actor)))
    )


def whanau_find(*, actor: User, whanau_id) -> Whanau:
    """One whānau the actor may see, for a write about to happen; Http404 for anything else."""
    try:
        pk = uuid.UUID(str(whanau_id))
    except ValueError:
        raise Http404("No such whānau.") from None
    whanau = whanau_list(actor=actor).filter(pk=pk).first()
    if whanau is None:
        raise Http404("No such whānau.")
    return whanau


def whanau_get(*, actor: User, whanau_id) -> Whanau:
    """One whānau the actor may see, and a `view` audit event (its members identify people).

    Raises Http404 for anything else, malformed ids included, and writes no event.
    """
    whanau = whanau_find(actor=actor, whanau_id=whanau_id)
    audit_record(actor=actor, action=AuditAction.VIEW, obj=whanau)
    return whanau


def whanau_member_list(*, actor: User, whanau_id) -> QuerySet[WhanauMember]:
    """The members of one whānau the actor may see, with a `view` audit event for the whānau.

    Raises Http404 when the whānau is not visible (and writes no event).
    """
    whanau = whanau_find(actor=actor, whanau_id=whanau_id)
    audit_record(actor=actor, action=AuditAction.VIEW, obj=whanau, changes={"members": True})
    return whanau_members_of(actor=actor).filter(whanau_id=whanau.pk)


def whanau_member_find(*, actor: User, whanau_id, member_id) -> WhanauMember:
    """One member of a whānau the actor may see; Http404 for anything else."""
    whanau = whanau_find(actor=actor, whanau_id=whanau_id)
    try:
        pk = uuid.UUID(str(member_id))
    except ValueError:
        raise Http404("No such whānau member.") from None
    member = whanau_members_of(actor=actor).filter(whanau_id=whanau.pk, pk=pk).first()
    if member is None:
        raise Http404("No such whānau member.")
    member.whanau = whanau
    return member
