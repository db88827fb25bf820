"""Reads of aid requests: who may see which, and the officer's queue with its flags."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from casework.access import (
    case_permission_exists,
    client_identity_exists,
    holds_case_grants,
    sees_own_caseload_only,
    user_role_values,
)
from casework.redaction import CLIENT_NAME_COLUMNS
from core.models import User
from core.pagination import PageReader, keys_first
from core.querysets import sorted_apart, with_joined_columns
from core.roles import Role
from programs.models import (
    AidDecision,
    AidRequest,
    AidRequestStatusChange,
    Programme,
)

# Roles that read their agency's aid requests whether or not they work the case.
AGENCY_AID_READER_ROLES = (Role.PROGRAM_OFFICER, Role.COMPLIANCE_OFFICER)


def budgeting_support_threshold() -> int:
    """How many requests within the window prompt a budgeting-support offer (MSD practice: 3)."""
    return int(getattr(settings, "AID_BUDGETING_SUPPORT_THRESHOLD", 3))


def budgeting_support_window() -> timedelta:
    """The rolling window the requests are counted in (12 months, as 365 days)."""
    return timedelta(days=int(getattr(settings, "AID_BUDGETING_SUPPORT_WINDOW_DAYS", 365)))


def aid_request_visibility(actor: User, *, prefix: str = "") -> Q:
    """A filter for aid requests (at `prefix`, e.g. ``"aid_request__"``) the actor may see.

    - Anyone who may see the case (its lead caseworker, the team's leads) sees
      its requests, drafts included.
    - Program officers and compliance officers see all their own agency's
      requests for programmes their agency delivers (their queue is the
      submitted ones: filter by status).
    Inactive users and operators see none (IPP 5: no blanket access to
    people's records). Built from subqueries, so a filtered list is one
    query whatever its size. An agency reader who holds no case grant at all
    (the usual program officer) gets the agency branch alone: `agency = …`
    then reaches the (agency, status) index, which the OR hid, and their
    queue counts in a millisecond instead of twenty.
    """
    if not (actor and actor.is_authenticated and actor.is_active):
        return Q(pk__in=[])
    by_case = Q(case_permission_exists(actor, "view_case", case_ref=f"{prefix}case_id"))
    if not reads_agency_aid(actor):
        return by_case
    delivered = Exists(
        Programme.delivering_agencies.through.objects.filter(
            programme_id=OuterRef(f"{prefix}programme_id"), agency_id=actor.agency_id
        )
    )
    by_agency = Q(**{f"{prefix}agency_id": actor.agency_id}) & Q(delivered)
    if holds_case_grants(actor, "view_case"):
        return by_case | by_agency
    return by_agency


def reads_agency_aid(actor: User) -> bool:
    """Does the actor read their agency's aid requests, beyond the cases they may see?

    Program and compliance officers of an agency do (`aid_request_visibility`).
    """
    roles = user_role_values(actor)
    return actor.agency_id is not None and any(r.value in roles for r in AGENCY_AID_READER_ROLES)


def reads_caseload_aid_only(actor: User) -> bool:
    """Does the actor see a programme's records only through cases granted to them by name?

    A caseworker does: the aid requests, payments, recoveries, repayments and
    enrolments they see are their caseload's, and their lists sort them apart
    from the lists' order indexes (`core.querysets.sorted_apart`): a caseload
    is a small sort, where reading a national index for it passed up to
    every row. A team lead sees their team's through the team's group, an
    officer their agency's; theirs turn up within an index's first entries.
    """
    return sees_own_caseload_only(actor) and not reads_agency_aid(actor)


def _recent_requests_count():
    """Subquery: the client's requests in the window ending at this request's submission.

    The request itself always counts, so a draft shows what it would be once
    submitted; the window of a draft ends now.
    """
    window_end = Coalesce(OuterRef("submitted_at"), Value(timezone.now()))
    recent = (
        AidRequest.objects.filter(client_id=OuterRef("client_id"))
        .filter(
            Q(
                submitted_at__lte=window_end,
                submitted_at__gt=window_end - budgeting_support_window(),
            )
            | Q(pk=OuterRef("pk"))
        )
        .order_by()
        .values("client_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(recent), 0)


def _username_of(user_ref: str) -> Subquery:
    """Subquery: the username of the user at `user_ref` (NULL when there is none)."""
    return Subquery(User.objects.filter(pk=OuterRef(user_ref)).values("username")[:1])


def aid_requests_visible_to(actor: User) -> QuerySet[AidRequest]:
    """Aid requests the actor may see, ready to list.

    Annotated with `created_by_username`, `submitted_by_username`,
    `decided_by_username`, `requests_12_months` (the client's requests in the 12
    months up to this one), `budgeting_support_flag` (that count reached the
    threshold: offer budgeting support) and `identity_visible` (may the actor
    see who the client is; see casework.redaction). The flag is computed here,
    never stored, so it is always current. The history is not read here: give
    the page to `with_history`.
    """
    # Staff appear by username only, read by scalar subqueries rather than joins: three
    # more joins made PostgreSQL spend ten times longer planning the page than running
    # it (docs/PERFORMANCE.md), and spared building three users per request. The case
    # is not joined for the same reason; nothing on the list reads it.
    queryset = AidRequest.objects.select_related("client", "programme", "budget").annotate(
        created_by_username=_username_of("created_by_id"),
        submitted_by_username=_username_of("submitted_by_id"),
        decided_by_username=_username_of("decided_by_id"),
    )
    if not (actor and actor.is_authenticated and actor.is_active):
        return queryset.none()
    return (
        queryset.filter(aid_request_visibility(actor))
        .annotate(
            requests_12_months=_recent_requests_count(),
            identity_visible=client_identity_exists(actor, client_ref="client_id"),
        )
        .annotate(
            budgeting_support_flag=ExpressionWrapper(
                Q(requests_12_months__gte=budgeting_support_threshold()),
                output_field=BooleanField(),
            )
        )
    )


def aid_requests_listed(queryset: QuerySet[AidRequest]) -> QuerySet[AidRequest]:
    """`queryset` (from `aid_requests_visible_to`) fetching of its joined rows what the list shows.

    The client's name columns, the programme's name and the budget's fiscal
    year: the rest of those rows is never read on a list page.
    """
    return with_joined_columns(
        queryset, client=CLIENT_NAME_COLUMNS, programme=("name",), budget=("fiscal_year",)
    )


# Orders whose page may need every listed request looked at: no index holds the 12-month
# count, and `aid_agency_amount` serves the amount order within one agency only.
_UNINDEXED_ORDERS = frozenset({"amount", "requests_12_months"})


def aid_requests_in_pages(
    queryset: QuerySet[AidRequest], *, actor: User
) -> QuerySet[AidRequest] | PageReader:
    """The ordered list (from `aid_requests_listed`) as the paginator should read it.

    Sorted by amount or by requests in 12 months, a page may need every
    request the actor may see looked at: its keys are found first
    (`core.pagination.keys_first`). Orders along an index read as they are,
    except a caseworker's: their caseload's requests are sorted apart from
    the index (`reads_caseload_aid_only`), keys first too, so the sort
    carries only what the order needs (10.7 → 4.7 ms at national scale).
    """
    order = queryset.query.order_by
    first = order[0] if order else None
    if isinstance(first, str) and first.lstrip("-") in _UNINDEXED_ORDERS:
        return keys_first(queryset)
    if reads_caseload_aid_only(actor):
        return keys_first(sorted_apart(queryset, over=Q(is_recoverable=True)))
    return queryset


def aid_request_get(*, actor: User, aid_request_id) -> AidRequest:
    """One aid request the actor may see, with its history; otherwise 404."""
    aid_request = get_object_or_404(aid_requests_visible_to(actor), pk=aid_request_id)
    return with_history([aid_request])[0]


@dataclass(frozen=True, slots=True)
class AidStatusChangeRow:
    """One step of a request's history, as the read shape shows it."""

    from_status: str
    to_status: str
    reason: str
    changed_by_username: str
    changed_at: datetime


def with_history(aid_requests: list[AidRequest]) -> list[AidRequest]:
    """The same requests, each with `history`: its status changes, oldest first.

    One query for the whole page, read as plain rows: prefetching model
    instances cost a page of 50 requests (about 140 changes) more than the
    rest of the page together (docs/PERFORMANCE.md). The requests must be
    ones the caller may see (from `aid_requests_visible_to`).
    """
    by_request: dict = {aid_request.pk: [] for aid_request in aid_requests}
    if by_request:
        changes = (
            AidRequestStatusChange.objects.filter(aid_request_id__in=list(by_request))
            .order_by("changed_at", "id")
            .values_list(
                "aid_request_id",
                "from_status",
                "to_status",
                "reason",
                "changed_by__username",
                "changed_at",
            )
        )
        for aid_request_id, *fields in changes:
            by_request[aid_request_id].append(AidStatusChangeRow(*fields))
    for aid_request in aid_requests:
        aid_request.history = by_request[aid_request.pk]
    return aid_requests


def aid_decisions_of(*, actor: User, aid_request: AidRequest) -> QuerySet[AidDecision]:
    """The decisions taken on a request the actor may see, oldest first, with their facts."""
    return (
        AidDecision.objects.filter(aid_request_id=aid_request.pk)
        .filter(aid_request_visibility(actor, prefix="aid_request__"))
        .select_related("decided_by")
        .order_by("decided_at", "id")
    )
