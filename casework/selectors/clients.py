"""Reads of clients: permission-filtered lists, restriction-aware search, audited retrieve."""

import uuid

from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Cast, Concat, StrIndex, Upper
from django.http import Http404

from casework import access
from casework.models import Case as CaseRecord  # django.db.models.Case is the SQL CASE
from casework.models import (
    Client,
    ClientEthnicity,
    ClientIwi,
    client_name_order_keys,
)
from casework.redaction import identity_is_visible
from core.audit import audit_record
from core.models import AuditAction, User
from core.nz.ethnicity import PRIORITY_ORDER
from core.nz.nhi import normalise_nhi
from core.nz.text import fold_macrons, macrons_folded
from core.pagination import PAGE_TOTAL, PageReader
from core.querysets import sorted_apart, with_joined_columns

CLIENT_ORDERINGS = ("name", "-name", "created_at", "-created_at")
DEFAULT_CLIENT_ORDERING = "name"
_NHI_LENGTH = 7
# The name-search indexes hold three-letter pieces: they find words at least this long.
_TRIGRAM = 3


class _CommaJoined(Aggregate):
    """The group's values joined with commas (STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def _joined_codes(model, value) -> Subquery:
    """The client's rows of `model` as one comma-joined string (NULL when there are none)."""
    return Subquery(
        model.objects.filter(client_id=OuterRef("pk"))
        .order_by()
        .values("client_id")
        .annotate(joined=_CommaJoined(value))
        .values("joined")
    )


def client_list(*, actor: User) -> QuerySet[Client]:
    """Every client the actor may see, archived ones included, annotated with `identity_visible`.

    The agency is joined, and ethnicities and iwi come in the same query as
    comma-joined strings (read them with `ethnicity_codes_of` and
    `iwi_codes_of`), so a page is one query whatever its size. Lists hide
    archived clients by default; that choice is the caller's (the API's
    `archived` filter).
    """
    # Strings, not prefetched rows: the prefetch built a model instance per code and
    # cost more than the page's SQL. Aggregates cannot be ordered on every supported
    # SQLite, so each ethnicity carries its position and is put in order in Python.
    queryset = Client.objects.select_related("agency").annotate(
        ethnicities_joined=_joined_codes(
            ClientEthnicity,
            Concat(Cast("position", CharField()), Value(":"), "code", output_field=CharField()),
        ),
        iwi_joined=_joined_codes(ClientIwi, F("code")),
    )
    return access.clients_visible_to(actor, queryset)


def clients_listed(queryset: QuerySet[Client]) -> QuerySet[Client]:
    """`queryset` (from `client_list`) fetching only the joined agency's slug, which lists show."""
    return with_joined_columns(queryset, agency=("slug",))


def clients_counted_with_page(queryset: QuerySet[Client], *, actor: User) -> QuerySet[Client]:
    """`queryset`, each row carrying the list's length when the actor sees only their caseload.

    A viewer without grant-holding groups sees the clients granted to them
    (a caseload: hundreds, a few thousand at most), and the name order no
    index serves reads every one of them anyway; `COUNT(*) OVER ()` then
    costs little, and the pagination (`core.pagination.PAGE_TOTAL`) needs
    no count query. A team lead's list spans the team's clients, and the
    window would cost more than the bounded count (docs/PERFORMANCE.md).
    """
    if access.user_group_ids(actor):
        return queryset
    return queryset.annotate(**{PAGE_TOTAL: Window(Count("pk"))})


def ethnicity_codes_of(client: Client) -> list[str]:
    """The client's ethnicity codes in the order recorded (from `client_list` in one query)."""
    joined = getattr(client, "ethnicities_joined", _NOT_ANNOTATED)
    if joined is _NOT_ANNOTATED:
        return [row.code for row in client.ethnicities.all()]
    if not joined:
        return []
    pairs = sorted(
        (int(position), code)
        for position, code in (item.split(":", 1) for item in joined.split(","))
    )
    return [code for _position, code in pairs]


def iwi_codes_of(client: Client) -> list[str]:
    """The client's iwi codes in code order (from `client_list` in one query)."""
    joined = getattr(client, "iwi_joined", _NOT_ANNOTATED)
    if joined is _NOT_ANNOTATED:
        return [row.code for row in client.iwi_affiliations.all()]
    return sorted(joined.split(",")) if joined else []


_NOT_ANNOTATED = object()


def client_get(*, actor: User, client_id) -> Client:
    """One client the actor may see, and a `view` audit event saying so (IPP 5).

    Anything else, including a malformed id, raises Http404 exactly as a
    client that does not exist would, and writes no event.
    """
    client = client_find(actor=actor, client_id=client_id)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=client,
        changes={"identity_shown": identity_is_visible(client, client.identity_visible)},
    )
    return client


def client_find(*, actor: User, client_id) -> Client:
    """One client the actor may see, for a write about to happen (the write is audited instead).

    Raises Http404 for anything outside `client_list`, malformed ids included.
    """
    try:
        pk = uuid.UUID(str(client_id))
    except ValueError:
        raise Http404("No such client.") from None
    client = client_list(actor=actor).filter(pk=pk).first()
    if client is None:
        raise Http404("No such client.")
    return client


def client_search(queryset: QuerySet[Client], *, actor: User, term: str) -> QuerySet[Client]:
    """Clients whose names contain every word of `term`, or whose NHI is `term`.

    Macrons do not matter: "Ngatai", "Ngātai" and "NGĀTAI" find the same people.

    A restricted client is matched only for staff who may see who they are:
    otherwise a search would confirm a name or NHI that the list redacts.
    """
    if not fold_macrons(term).split():
        return queryset
    may_identify = Q(is_restricted=False) | access.client_identity_exists(actor)
    return clients_named(queryset, term=term).filter(may_identify)


def search_is_indexed(term: str) -> bool:
    """Do the name-search indexes narrow the matches of `term` (a word of three letters or more)?

    The indexes (migration 0009) hold three-letter pieces of the folded
    names. Words that are all shorter are tested on each client instead, and
    match so many that reading the list in its own order finds a page
    sooner than sorting every match: a team lead's "a" took 270 ms sorted.
    """
    return any(len(word) >= _TRIGRAM for word in fold_macrons(term).split())


def clients_named(queryset: QuerySet[Client], *, term: str) -> QuerySet[Client]:
    """The clients of `queryset` whose names contain every word of `term`, or whose NHI is `term`.

    Whoever they are: the caller narrows to those whose identity the viewer
    may see (`client_search`). On PostgreSQL the names are found through the
    name-search indexes (`casework` migration 0009), whose expressions the
    lookups of words of three letters or more compile to. Shorter words are
    compared in a form those indexes do not hold: the indexes cannot find
    them, and PostgreSQL read every entry of all three to test a caseworker's
    2,000 clients (150 ms at 100,000 clients for "ng"). A `term` of no words
    matches everyone.
    """
    words = fold_macrons(term).split()
    if not words:
        return queryset
    # Names compare with macrons folded on both sides: "Ngatai" finds "Ngātai".
    queryset = queryset.alias(
        given_folded=macrons_folded("legal_given_names"),
        family_folded=macrons_folded("legal_family_name"),
        preferred_folded=macrons_folded("preferred_name"),
    )
    matches = Q()
    for n, word in enumerate(words):
        if len(word) >= _TRIGRAM:
            matches &= (
                Q(given_folded__icontains=word)
                | Q(family_folded__icontains=word)
                | Q(preferred_folded__icontains=word)
            )
            continue
        # Where the word stands in each name (0: nowhere), which no index holds; both
        # sides upper-cased by the database, as `icontains` does.
        at = {
            f"{name}_at_{n}": StrIndex(Upper(f"{name}_folded"), Upper(Value(word)))
            for name in ("given", "family", "preferred")
        }
        queryset = queryset.alias(**at)
        matches &= (
            Q(**{f"given_at_{n}__gt": 0})
            | Q(**{f"family_at_{n}__gt": 0})
            | Q(**{f"preferred_at_{n}__gt": 0})
        )
    candidate_nhi = normalise_nhi(term)
    if len(candidate_nhi) == _NHI_LENGTH and candidate_nhi.isalnum():
        matches |= Q(nhi=candidate_nhi)
    return queryset.filter(matches)


def clients_by_restriction(queryset: QuerySet[Client], *, restricted: bool) -> QuerySet[Client]:
    """The restricted clients of `queryset`, or (`restricted` false) everyone else.

    Said twice, as the flag and as the first key of the name-order indexes
    (restricted clients last), which means the same: a team lead's name-
    ordered page of restricted clients then starts where the index's
    restricted clients start, instead of passing the team's 48,000 others
    first (docs/PERFORMANCE.md).
    """
    restricted_last, _family, _given = client_name_order_keys(Q(is_restricted=True))
    return queryset.alias(restricted_last=restricted_last).filter(
        is_restricted=restricted, restricted_last=1 if restricted else 0
    )


def clients_ordered(
    queryset: QuerySet[Client], *, actor: User, ordering: str, searched: bool = False
) -> QuerySet[Client]:
    """Order clients by name or registration time (prefix `-` to reverse).

    Clients whose identity the viewer may not see sort after everyone else,
    by registration, so their place in an alphabetical list gives nothing
    away. `queryset` must come from `client_list` (it reads `identity_visible`).

    `searched`: `queryset` is narrowed by a `client_search` whose words the
    name-search indexes find (`search_is_indexed`). Its matches, found
    through those indexes, are then sorted; read along a name-order
    index instead, a team lead's page of "Smith" first passed every client
    of the team from A to S (docs/PERFORMANCE.md).

    By registration, a team lead's page is read along the `client_created_order`
    index (half the country's clients may be theirs: a page is found within about
    a hundred rows). Anyone else's clients are found first and sorted: a
    caseworker's few thousand are a small sort, and walking the country's index
    for them read up to every client (115 ms at 100,000 clients).
    """
    if ordering not in CLIENT_ORDERINGS:
        raise ValueError(f"Unknown client ordering {ordering!r}.")
    descending = ordering.startswith("-")
    key = ordering.lstrip("-")
    if key == "created_at":
        queryset = queryset.order_by(
            F("created_at").desc() if descending else F("created_at").asc(), "id"
        )
        if searched or access.sees_own_caseload_only(actor):
            return sorted_apart(queryset, over=Q(is_restricted=True))
        return queryset
    return _name_ordered(
        queryset,
        hidden=Q(is_restricted=True) & Q(identity_visible=False),
        descending=descending,
        sorted_apart=searched,
    )


def _name_ordered(
    queryset: QuerySet[Client], *, hidden: Q, descending: bool, sorted_apart: bool = False
) -> QuerySet[Client]:
    """`queryset` annotated with the name order's keys (rows matching `hidden` last) and ordered.

    `sorted_apart`: the same order under a first key no name-order index
    holds (2 rather than 1 for a hidden row), so PostgreSQL sorts the rows
    rather than reading an index until it has found them.
    """
    name_hidden, family_key, given_key = client_name_order_keys(hidden)
    if sorted_apart:
        name_hidden = DbCase(When(hidden, then=Value(2)), default=Value(0))
    queryset = queryset.annotate(
        name_hidden=name_hidden, family_key=family_key, given_key=given_key
    )
    return queryset.order_by(*_name_order_by(descending))


def _name_order_by(descending: bool) -> list:
    keys = [F("family_key"), F("given_key")]
    keys = [k.desc() if descending else k.asc() for k in keys]
    return ["name_hidden", *keys, "created_at", "id"]


# Matches no row: Django leaves a `When` whose condition can match nothing out of the CASE.
_NEVER = Q(pk__in=[])


def clients_in_pages(
    queryset: QuerySet[Client], *, actor: User, ordering: str, searched: bool = False
) -> QuerySet[Client] | PageReader:
    """The ordered client list as the paginator should read it: `queryset`, or a `PageReader`.

    A team lead who identifies some restricted clients (they lead their
    cases in their own name) has those few sorted by name among everyone
    else, so the name order is no longer the `client_name_order` index, and
    PostgreSQL would sort every client of the team for each page (about 120
    ms at 50,000). Their pages are read instead as two parts joined by
    `UNION ALL`: the clients whose keys the index holds, read along it only
    as far as the page's end, and the few restricted clients they identify,
    with their name keys. The rows, their order and the count are those of
    `queryset` (`clients_ordered` by `ordering`); the count reads it as
    before. Everyone else, and every viewer on SQLite (which cannot limit a
    part of a `UNION`), reads `queryset` as it is.
    """
    if searched or ordering.lstrip("-") != "name" or not access.user_group_ids(actor):
        return queryset  # a search's matches are sorted (`clients_ordered`)
    if not connection.features.supports_slicing_ordering_in_compound:
        return queryset  # SQLite (the demo): a sort of a small list
    identified = access.restricted_clients_identified(actor)
    if identified is None:
        return queryset
    descending = ordering.startswith("-")

    def read(start: int, stop: int) -> list[Client]:
        along_index = _name_ordered(
            queryset.exclude(pk__in=identified),
            hidden=Q(is_restricted=True),
            descending=descending,
        )[:stop]
        named = _name_ordered(
            queryset.filter(pk__in=identified), hidden=_NEVER, descending=descending
        ).order_by()
        merged = along_index.union(named, all=True).order_by(*_name_order_by(descending))
        return list(merged[start:stop])

    return PageReader(queryset, read)


def clients_with_ethnicity(queryset: QuerySet[Client], *, code: str) -> QuerySet[Client]:
    """Clients with ethnicity `code` or a finer code under it (e.g. "2" or "21" finds 21111).

    Total-response counting (Stats NZ): a client is in each group they name.
    """
    return queryset.filter(
        Exists(ClientEthnicity.objects.filter(client_id=OuterRef("pk"), code__startswith=code))
    )


def clients_with_prioritised_ethnicity(
    queryset: QuerySet[Client], *, level1: str
) -> QuerySet[Client]:
    """Clients whose prioritised level-1 ethnicity is `level1` (HISO 10001:2017 priority).

    The same rule as `core.nz.ethnicity.prioritised_ethnicity`, in SQL: the
    client names a code in the group and none in a group ranked above it.
    """
    if level1 not in PRIORITY_ORDER:
        raise ValueError(f"Unknown level-1 ethnicity {level1!r}.")

    def names_group(group: str) -> Exists:
        return Exists(
            ClientEthnicity.objects.filter(client_id=OuterRef("pk"), code__startswith=group)
        )

    condition = Q(names_group(level1))
    for higher in PRIORITY_ORDER[: PRIORITY_ORDER.index(level1)]:
        condition &= ~names_group(higher)
    return queryset.filter(condition)


def clients_with_iwi(queryset: QuerySet[Client], *, code: str) -> QuerySet[Client]:
    """Clients affiliated with iwi `code`; a two-digit region code finds every iwi under it."""
    lookup = {"code": code} if len(code) == 4 else {"code__startswith": code}
    return queryset.filter(Exists(ClientIwi.objects.filter(client_id=OuterRef("pk"), **lookup)))


def clients_with_caseworker(
    queryset: QuerySet[Client], *, actor: User, caseworker_id
) -> QuerySet[Client]:
    """Clients with a case (their own or their whānau's) led by `caseworker_id`.

    Only cases `actor` may see count, so the filter never tells them who leads
    a case they could not open. Two `EXISTS` in the list's query (`_clients_of`).
    """
    return queryset.filter(_clients_of(_cases_seen(actor).filter(lead_caseworker_id=caseworker_id)))


def clients_with_case_status(
    queryset: QuerySet[Client], *, actor: User, statuses
) -> QuerySet[Client]:
    """Clients with a case (their own or their whānau's) in one of `statuses`; cases as above."""
    return queryset.filter(_clients_of(_cases_seen(actor).filter(status__in=list(statuses))))


def _cases_seen(actor: User) -> QuerySet[CaseRecord]:
    return CaseRecord.objects.filter(access.case_permission_exists(actor, "view_case"))


def _clients_of(cases: QuerySet[CaseRecord]) -> Q:
    """A filter for the clients of `cases`: each case's client, and its whānau's members.

    Two `EXISTS`, one per way a client belongs to a case, each an index probe
    from the client. A single `EXISTS` over "the case's client, or a member
    of its whānau" could not use either index: PostgreSQL tested the OR
    against every case of the team for each of the team's clients, 3–4 s
    for a team lead's clients with active cases at 100,000 clients
    (docs/PERFORMANCE.md).
    """
    own = Exists(cases.filter(client_id=OuterRef("pk")))
    through_whanau = Exists(cases.filter(whanau__members__client_id=OuterRef("pk")))
    return Q(own) | Q(through_whanau)
