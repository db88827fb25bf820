"""Reads of cases: permission-filtered lists with redacted names, audited retrieve, history."""

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from casework import access
from casework.models import Case, CaseStatusChange, Client, Whanau, WhanauMember
from casework.redaction import CLIENT_NAME_COLUMNS, identity_is_visible
from casework.selectors.clients import clients_named, search_is_indexed
from casework.selectors.whanau import whanau_named
from core.audit import audit_record
from core.models import Agency, AuditAction, Team, User
from core.nz.nhi import normalise_nhi
from core.nz.text import fold_macrons, macrons_folded
from core.querysets import with_joined_columns

NHI_LENGTH = 7


def case_list(*, actor: User) -> QuerySet[Case]:
    """Every case the actor may see, annotated with `identity_visible` for the case's client.

    The client, whānau and lead caseworker come in with the page, and the
    agency's slug and the team's name as `agency_slug` and `team_name` (one
    query whatever its size; see `cases_with_names`). `identity_visible` says
    whether the actor may see who a restricted client is; pass it to
    `casework.redaction`.
    """
    queryset = cases_with_names(Case.objects.all()).annotate(
        identity_visible=access.client_identity_exists(actor, client_ref="client_id")
    )
    return access.cases_visible_to(actor, queryset)


def cases_listed(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """`queryset` (from `case_list`) fetching of its joined rows what the list shows.

    The client's name columns, the whānau's name and the lead caseworker's
    names: a staff row is mostly sign-in data no list reads.
    """
    return with_joined_columns(
        queryset,
        client=CLIENT_NAME_COLUMNS,
        whanau=("name",),
        lead_caseworker=("username", "first_name", "last_name"),
    )


def case_handed_away(*, case_id) -> Case:
    """A case its actor just handed to someone else, in the read shape, identity hidden.

    After a reassignment the actor may no longer see the case, yet the answer
    to their request describes it; the client's identity is not shown.
    """
    case = cases_with_names(Case.objects.filter(pk=case_id)).get()
    case.identity_visible = False
    return case


def cases_with_names(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """`queryset` with what the case read shape names: the related rows and two annotations.

    The client, whānau and lead caseworker are joined; the agency's slug and
    the team's name come as scalar subqueries (`agency_slug`, `team_name`).
    Each join multiplies the orders PostgreSQL weighs: with all five joined it
    spent longer planning a page than running it (docs/PERFORMANCE.md).
    Permission filtering is the caller's.
    """
    return queryset.select_related("client", "whanau", "lead_caseworker").annotate(
        agency_slug=Subquery(Agency.objects.filter(pk=OuterRef("agency_id")).values("slug")[:1]),
        team_name=Subquery(Team.objects.filter(pk=OuterRef("team_id")).values("name")[:1]),
    )


def case_find(*, actor: User, case_id) -> Case:
    """One case the actor may see, for a write or a nested read (which audit themselves).

    Raises Http404 for anything outside `case_list`, malformed ids included.
    """
    pk = uuid_or_404(case_id)
    case = case_list(actor=actor).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case.")
    return case


def case_get(*, actor: User, case_id) -> Case:
    """One case the actor may see, and a `view` audit event saying so (IPP 5).

    Anything else, including a malformed id, raises Http404 exactly as a case
    that does not exist would, and writes no event.
    """
    case = case_find(actor=actor, case_id=case_id)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=case,
        changes={"identity_shown": case_identity_shown(case)},
    )
    return case


def case_identity_shown(case: Case) -> bool:
    """Did the viewer see who the case is about? (Whānau cases show the whānau's name only.)"""
    if case.client_id is None:
        return True
    return identity_is_visible(case.client, getattr(case, "identity_visible", False))


def case_history(*, actor: User, case_id) -> QuerySet[CaseStatusChange]:
    """The status changes of a case the actor may see, oldest first (Http404 otherwise)."""
    case = case_find(actor=actor, case_id=case_id)
    return (
        CaseStatusChange.objects.filter(case_id=case.pk)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    )


def cases_search(queryset: QuerySet[Case], *, actor: User, term: str) -> QuerySet[Case]:
    """Cases whose client's names contain every word of `term`, whose client's NHI is
    `term`, or whose whānau's name contains every word; macrons do not matter.

    A restricted client is matched (by name or NHI) only for staff who may see
    who they are: otherwise a search would confirm what the list redacts.
    `queryset` must come from `case_list` (it reads `identity_visible`).
    """
    words = fold_macrons(term).split()
    if not words:
        return queryset
    may_identify = Q(client__is_restricted=False) | Q(identity_visible=True)
    if access.user_group_ids(actor) and search_is_indexed(term):
        # A team's cases (50,000 at national scale) are too many to test one by one:
        # the clients and whānau named are found first, the clients through the
        # name-search indexes, and the team's cases of those kept. Those indexes hold
        # three-letter pieces: a shorter word would read every client of the country,
        # and matches so many cases that testing them in order fills a page sooner.
        named_clients = clients_named(Client.objects.all(), term=term)
        named_whanau = whanau_named(Whanau.objects.all(), term=term)
        return queryset.filter(
            (Q(client_id__in=named_clients.values("pk")) & may_identify)
            | Q(whanau_id__in=named_whanau.values("pk"))
        )
    # A caseworker's cases (a few thousand) are tested row by row: started from the
    # clients named, PostgreSQL read every case of the named clients in the country.
    queryset = queryset.alias(
        given_folded=macrons_folded("client__legal_given_names"),
        family_folded=macrons_folded("client__legal_family_name"),
        preferred_folded=macrons_folded("client__preferred_name"),
        whanau_folded=macrons_folded("whanau__name"),
    )
    by_client = Q()
    by_whanau = Q()
    for word in words:
        by_client &= (
            Q(given_folded__icontains=word)
            | Q(family_folded__icontains=word)
            | Q(preferred_folded__icontains=word)
        )
        by_whanau &= Q(whanau_folded__icontains=word)
    candidate_nhi = normalise_nhi(term)
    if len(candidate_nhi) == NHI_LENGTH and candidate_nhi.isalnum():
        by_client |= Q(client__nhi=candidate_nhi)
    return queryset.filter((by_client & may_identify) | by_whanau)


def cases_in_region(queryset: QuerySet[Case], *, region: str) -> QuerySet[Case]:
    """Cases whose client lives in `region`, or with a whānau member who is a client there."""
    in_region = Exists(
        WhanauMember.objects.filter(whanau_id=OuterRef("whanau_id"), client__region=region)
    )
    return queryset.filter(Q(client__region=region) | in_region)


def whanau_to_open_cases_for(actor: User) -> QuerySet[Whanau]:
    """Whānau the actor may open a case for: ones they registered or with a member they can see.

    Narrower than the whānau they may list
    (`casework.selectors.whanau.whanau_visible_to` also has those where they
    see a case).
    """
    if not (actor and actor.is_authenticated and actor.is_active):
        return Whanau.objects.none()
    member_visible = Exists(
        WhanauMember.objects.filter(whanau_id=OuterRef("pk"), client__isnull=False).filter(
            access.client_permission_exists(actor, "view_client", client_ref="client_id")
        )
    )
    return Whanau.objects.filter(Q(created_by=actor) | member_visible)


def case_subject_client_find(*, actor: User, client_id) -> Client:
    """A client of the actor's own agency they may see, to open a case for (Http404 otherwise)."""
    pk = uuid_or_404(client_id)
    client = access.clients_visible_to(actor).filter(pk=pk, agency_id=actor.agency_id).first()
    if client is None:
        raise Http404("No such client.")
    return client


def case_subject_whanau_find(*, actor: User, whanau_id) -> Whanau:
    """A whānau of the actor's own agency they may see, to open a case for (Http404 otherwise)."""
    pk = uuid_or_404(whanau_id)
    whanau = whanau_to_open_cases_for(actor).filter(pk=pk, agency_id=actor.agency_id).first()
    if whanau is None:
        raise Http404("No such whānau.")
    return whanau


def case_staff(*, agency_id) -> QuerySet[User]:
    """Staff a case of the agency may name as its lead (the services say who qualifies)."""
    return User.objects.filter(agency_id=agency_id)


def case_teams(*, agency_id) -> QuerySet[Team]:
    """Teams a case of the agency may belong to."""
    return Team.objects.filter(agency_id=agency_id)


def uuid_or_404(value) -> uuid.UUID:
    """Parse a public id from a URL or body; a malformed one is simply not found."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("Not found.") from None
