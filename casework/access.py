"""Who may reach which client and case: the object-permission grants and the filters that read them.

Grants are django-guardian object permissions in direct-foreign-key tables
(ClientUserObjectPermission and friends), written only by the services here.
Reads never ask guardian row by row: `clients_visible_to` and
`cases_visible_to` compile the grants into one predicate over the grant rows
(`id IN (user's grants) [OR id IN (their groups' grants)]`), with the
permission and group ids as literals (docs/adr/0008), so a
permission-filtered list costs the same few queries whatever the page size
or the caseload.

- The lead caseworker of a case holds view/change on the case and on its
  client (or every client member of its whānau), plus `view_client_identity`,
  which alone reveals a restricted client's identifying details.
- The case's team lead group holds view/change on the case and its clients,
  but not identity: restricted details stay with the assigned caseworker.
- Whoever registers a client holds the caseworker grants on it until the
  client's work is assigned elsewhere.
"""

import uuid

from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from guardian.shortcuts import assign_perm, remove_perm

from casework.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Client,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
    WhanauMember,
)
from core.models import User
from core.prepared import fetch_prepared
from core.querysets import has_a_row
from core.request_context import request_memo
from core.roles import ROLE_GROUP_PREFIX

CLIENT_ASSIGNED_PERMS = ("view_client", "change_client", "view_client_identity")
CLIENT_TEAM_PERMS = ("view_client", "change_client")
CASE_PERMS = ("view_case", "change_case")


def case_clients(case: Case) -> list[Client]:
    """The clients a case is about: its client, or every client member of its whānau."""
    if case.client_id is not None:
        return [case.client]
    return [
        m.client
        for m in WhanauMember.objects.filter(whanau_id=case.whanau_id, client__isnull=False)
        .select_related("client")
        .order_by("id")
    ]


def grant_client_to_user(client: Client, user: User) -> None:
    """Give a caseworker full access to one client, identity included."""
    for perm in CLIENT_ASSIGNED_PERMS:
        assign_perm(f"casework.{perm}", user, client)
    forget_grant_facts()


def revoke_client_from_user(client: Client, user: User) -> None:
    """Take a caseworker's grants on one client away (the caller checks nothing else needs them)."""
    for perm in CLIENT_ASSIGNED_PERMS:
        remove_perm(f"casework.{perm}", user, client)
    forget_grant_facts()


def grant_case_to_user(case: Case, user: User) -> list[str]:
    """Give the lead caseworker access to the case and every client it is about.

    Returns the ids of the clients granted, for the caller's audit event.
    """
    for perm in CASE_PERMS:
        assign_perm(f"casework.{perm}", user, case)
    forget_grant_facts()
    granted = []
    for client in case_clients(case):
        grant_client_to_user(client, user)
        granted.append(str(client.pk))
    return granted


def revoke_case_from_user(case: Case, user: User) -> list[str]:
    """Take a former lead's access to the case and to clients they no longer lead any case for.

    Returns the ids of the clients whose grants were taken away.
    """
    for perm in CASE_PERMS:
        remove_perm(f"casework.{perm}", user, case)
    forget_grant_facts()
    still_led = Case.objects.filter(lead_caseworker=user).exclude(pk=case.pk)
    revoked = []
    for client in case_clients(case):
        leads_other = still_led.filter(
            Q(client=client) | Q(whanau__members__client=client)
        ).exists()
        if not leads_other:
            revoke_client_from_user(client, user)
            revoked.append(str(client.pk))
    return revoked


_GRANT_FACTS = ("grant_fact", "holds_group_grants")


def forget_grant_facts() -> None:
    """Drop what this request's memo knew of the user's grants: one was just given or taken.

    A write that changes grants and then reads back (registering a client,
    then answering with it; moving a case to another team) must read the
    grants as they now are. Restricting a client changes a fact too (whether
    the user identifies any restricted client), so `client_update` calls this
    when the restriction changes.
    """
    memo = request_memo()
    if memo:
        for key in [key for key in memo if key[0] in _GRANT_FACTS]:
            del memo[key]


def _refuse_role_group(group: Group) -> None:
    """Role groups never hold object grants: the predicates leave them out (docs/adr/0008)."""
    if group.name.startswith(ROLE_GROUP_PREFIX):
        raise ValueError(f"Role group {group.name!r} cannot hold object grants.")


def grant_case_to_group(case: Case, group: Group) -> list[str]:
    """Give a team's lead group access to the case and its clients (identity excluded).

    Returns the ids of the clients granted, for the caller's audit event.
    """
    _refuse_role_group(group)
    for perm in CASE_PERMS:
        assign_perm(f"casework.{perm}", group, case)
    forget_grant_facts()
    granted = []
    for client in case_clients(case):
        grant_client_to_group(client, group)
        granted.append(str(client.pk))
    return granted


def grant_client_to_group(client: Client, group: Group) -> None:
    """Give a team's lead group view/change on one client (identity excluded)."""
    _refuse_role_group(group)
    for perm in CLIENT_TEAM_PERMS:
        assign_perm(f"casework.{perm}", group, client)
    forget_grant_facts()


def revoke_case_from_group(case: Case, group: Group) -> None:
    """Take a team's access to the case, and to clients none of its other cases are about."""
    for perm in CASE_PERMS:
        remove_perm(f"casework.{perm}", group, case)
    forget_grant_facts()
    team_cases = Case.objects.filter(team__lead_group=group).exclude(pk=case.pk)
    for client in case_clients(case):
        if not team_cases.filter(Q(client=client) | Q(whanau__members__client=client)).exists():
            for perm in CLIENT_TEAM_PERMS:
                remove_perm(f"casework.{perm}", group, client)
    forget_grant_facts()


_permission_ids: dict[str, int] = {}


def permission_id(codename: str) -> int:
    """The id of the casework permission `codename`, read once per process.

    Predicates carry the id as a literal, not as a subquery: the planner then
    knows which rows of guardian's (user|group, permission, object) index it
    will read, and the SQL stays short to compile. `migrate` and `flush` may
    create the permissions again under new ids, so both empty the cache
    (`forget_permission_ids`, connected to `post_migrate`).
    """
    try:
        return _permission_ids[codename]
    except KeyError:
        pk = Permission.objects.values_list("pk", flat=True).get(
            content_type__app_label="casework", codename=codename
        )
        _permission_ids[codename] = pk
        return pk


def forget_permission_ids(**_kwargs) -> None:
    """Empty the permission-id cache (after migrate or flush)."""
    _permission_ids.clear()


def user_group_ids(user: User) -> list[int]:
    """The ids of the groups through which `user` may hold object grants (team-lead groups).

    Role groups (`role:<name>`) carry model permissions only and never object
    grants, so they are left out: a caseworker's predicate then has no group
    branch at all. One small query before the list query, so the group branch
    names its groups and uses the (group, permission, object) index instead
    of joining every group grant of the permission. Within an API request the
    answer is read once and reused (`core.request_context.request_memo`);
    elsewhere it is read every time, so a membership change is never missed.
    """
    return [pk for pk, name in _user_groups(user) if not name.startswith(ROLE_GROUP_PREFIX)]


def sees_own_caseload_only(user: User) -> bool:
    """Does `user` see clients and cases only through grants in their own name (a caseworker)?

    Without a grant-holding group their rows are a caseload, a few thousand
    at most: lists sort them rather than read a national order index until
    they turn up (`core.querysets.sorted_apart`).
    """
    return not user_group_ids(user)


def user_role_values(user: User) -> frozenset[str]:
    """The role values `user` holds (what `User.roles` lists), from the same memoized query.

    For reads that decide a predicate by role on every request (the aid
    visibility rule): `User.roles` asks the database each time it is read.
    """
    return frozenset(
        name.removeprefix(ROLE_GROUP_PREFIX)
        for _pk, name in _user_groups(user)
        if name.startswith(ROLE_GROUP_PREFIX)
    )


# Facts about a user's own-name grants that shape a predicate (docs/adr/0008). Each is
# "is there any such row?", answered within an API request by the one query that reads
# the user's groups (`_user_groups`), and memoized for the rest of the request.


def _grant_holding_groups(user: User) -> QuerySet:
    """The ids of `user`'s groups that may hold object grants (not role groups), as a subquery."""
    return (
        User.groups.through.objects.filter(user_id=user.pk)
        .exclude(group__name__startswith=ROLE_GROUP_PREFIX)
        .values("group_id")
    )


def _direct_beyond_groups(user_model, group_model, user: User, codename: str) -> QuerySet:
    """`user`'s own-name grants of `codename` that none of their grant-holding groups holds.

    Without any, the direct branch of `_granted` adds nothing to the group
    branch and is left out: a team lead who leads cases of their own team holds
    each of them through the team as well. Empty for a user in no
    grant-holding group, whose predicate has no group branch to leave it to
    (the question is then never asked of the answer).
    """
    perm = permission_id(codename)
    their_groups = _grant_holding_groups(user)
    also_through_a_group = group_model.objects.filter(
        group_id__in=their_groups,
        permission_id=perm,
        content_object_id=OuterRef("content_object_id"),
    )
    # The membership test first: PostgreSQL then skips the anti-join for a caseworker,
    # which at 10,000 clients it planned as a merge over every group grant (4 ms).
    return (
        user_model.objects.filter(Exists(their_groups))
        .filter(user_id=user.pk, permission_id=perm)
        .exclude(Exists(also_through_a_group))
    )


def _restricted_identified(user: User) -> QuerySet:
    """A group member's identity grants on restricted clients; empty for anyone else.

    Identity matters only for restricted clients (`casework.redaction`): a
    viewer who identifies none of them sees every other client named anyway.
    Only members of grant-holding groups are asked (`_identity_granted`,
    `restricted_clients_identified`), so for others the question costs nothing.
    """
    return ClientUserObjectPermission.objects.filter(
        Exists(_grant_holding_groups(user)),
        user_id=user.pk,
        permission_id=permission_id("view_client_identity"),
        content_object__is_restricted=True,
    )


def restricted_clients_identified(user: User) -> QuerySet | None:
    """The ids of restricted clients a group member identifies in their own name; None if none.

    For members of grant-holding groups (team leads); None for anyone else.
    Whether there are any is memoized per API request (one of the facts
    `_user_groups` reads); the ids themselves are a subquery, for the caller's
    list query.
    """
    if not _grant_fact(
        user, _fact_key("restricted_identified", user), lambda: _restricted_identified(user)
    ):
        return None
    return _restricted_identified(user).values("content_object_id")


def _any_direct_case_grant(user: User, codename: str) -> QuerySet:
    return CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission_id=permission_id(codename)
    )


# The facts every list asks about: (fact, codename, the rows whose existence is the fact).
_SHAPING_FACTS = (
    (
        "beyond_groups",
        "view_client",
        lambda user: _direct_beyond_groups(
            ClientUserObjectPermission, ClientGroupObjectPermission, user, "view_client"
        ),
    ),
    (
        "beyond_groups",
        "view_case",
        lambda user: _direct_beyond_groups(
            CaseUserObjectPermission, CaseGroupObjectPermission, user, "view_case"
        ),
    ),
    ("restricted_identified", "", _restricted_identified),
    ("direct_case_grant", "view_case", lambda user: _any_direct_case_grant(user, "view_case")),
)


def _fact_key(fact: str, user: User, codename: str = "") -> tuple:
    return ("grant_fact", fact, user.pk, codename)


def _grant_fact(user: User, key: tuple, rows) -> bool:
    """Whether `rows()` holds anything: memoized per API request, read every time elsewhere.

    Within a request the first fact asked reads the user's groups, and with
    them every one of `_SHAPING_FACTS`, in one query.
    """
    memo = request_memo()
    if memo is None:
        return rows().exists()
    if key not in memo:
        _user_groups(user)
    if key not in memo:  # forgotten since the groups were read (`forget_grant_facts`)
        memo[key] = rows().exists()
    return memo[key]


def _user_groups(user: User) -> list[tuple[int, str]]:
    """(id, name) of every group of `user`: read once per API request, every time elsewhere.

    Within a request the same query also answers each of `_SHAPING_FACTS`
    (an index probe or a few each): a list then asks the database one small
    question before its page instead of up to four.
    """
    memo = request_memo()
    key = ("user_groups", user.pk)
    if memo is not None and key in memo:
        return memo[key]
    if memo is None:
        return list(
            User.groups.through.objects.filter(user_id=user.pk).values_list(
                "group_id", "group__name"
            )
        )
    sql, params, placeholder = _groups_and_facts_sql()
    bound = [_prepared_user_id(user.pk) if param == placeholder else param for param in params]
    rows = fetch_prepared(sql, bound)
    groups = [(row[0], row[1]) for row in rows if row[0] is not None]
    memo[key] = groups
    if rows:
        for index, (fact, codename, _rows) in enumerate(_SHAPING_FACTS):
            memo[_fact_key(fact, user, codename)] = bool(rows[0][2 + index])
    return groups


_groups_and_facts_compiled: dict[tuple, tuple[str, list, object]] = {}


def _groups_and_facts_sql() -> tuple[str, list, object]:
    """The SQL of `_user_groups`' query, compiled once per process: (sql, params, placeholder).

    The query is always the same but for the user, and building its four
    nested `EXISTS` with the ORM cost about 1.5 ms of Python per request, more
    than the database took to answer it. It is built by the ORM for a
    placeholder user, whose id the caller swaps for the real one in the
    parameters. Compiled again when the permission ids change (a flush).
    """
    cache_key = (
        connection.vendor,
        *(permission_id(name) for name in ("view_client", "view_case", "view_client_identity")),
    )
    compiled = _groups_and_facts_compiled.get(cache_key)
    if compiled is None:
        stand_in = User(pk=uuid.uuid4())
        named = {
            f"fact_{index}": Exists(rows(stand_in))
            for index, (_fact, _codename, rows) in enumerate(_SHAPING_FACTS)
        }
        # From the user's row, so a user in no group still gets one row (a NULL group)
        # with the answers on it.
        query = (
            User.objects.filter(pk=stand_in.pk)
            .annotate(**named)
            .order_by()
            .values_list("groups__id", "groups__name", *named)
        )
        sql, params = query.query.sql_with_params()
        placeholder = _prepared_user_id(stand_in.pk)
        if placeholder not in params or str(placeholder) in sql:
            raise RuntimeError("The user id must reach the groups query as a parameter.")
        compiled = _groups_and_facts_compiled[cache_key] = (sql, list(params), placeholder)
    return compiled


def _prepared_user_id(pk):
    """A user id as the database driver takes it (a UUID on PostgreSQL, hex text on SQLite)."""
    return User._meta.pk.get_db_prep_value(pk, connection)


def holds_case_grants(user: User, codename: str) -> bool:
    """Whether `user` holds `codename` on any case at all, directly or through a group.

    Lets a reader whose access rarely comes from case grants (a program
    officer reads their agency's aid requests by role) leave the case-grant
    branch out of a predicate: `x OR <grant test>` keeps PostgreSQL from using
    the index that serves `x` alone (docs/PERFORMANCE.md). Memoized per API
    request like `user_group_ids`; elsewhere read every time.
    """
    if _grant_fact(
        user,
        _fact_key("direct_case_grant", user, codename),
        lambda: _any_direct_case_grant(user, codename),
    ):
        return True
    groups = user_group_ids(user)
    if not groups:
        return False
    memo = request_memo()
    key = ("holds_group_grants", user.pk, codename)
    if memo is not None and key in memo:
        return memo[key]
    held = CaseGroupObjectPermission.objects.filter(
        group_id__in=groups, permission_id=permission_id(codename)
    ).exists()
    if memo is not None:
        memo[key] = held
    return held


def _granted(
    user_model, group_model, user: User, codename: str, *, ref: str, groups: list[int]
) -> ExpressionWrapper:
    """A boolean expression: does `user` hold `codename` on the object at `ref`?

    Shaped for the planner. With direct grants only, `ref IN (user's grant
    rows)` is a semi-join that starts from the user's few thousand grants.
    With group grants too (a team lead's tens of thousands), a user whose
    direct grants of `codename` their groups all hold as well (none, or only
    on their own team's work) gets the group branch alone, `ref IN (group
    grants)`; one with a direct grant beyond them gets `ref IN (direct) OR ref
    IN (group)`, read as two hashed sets tested against each row, which beats
    a union whose size the planner cannot estimate. Whether the direct branch
    is needed is one small query, read once per API request.
    """
    perm = permission_id(codename)
    direct = Q(
        **{
            f"{ref}__in": user_model.objects.filter(user_id=user.pk, permission_id=perm).values(
                "content_object_id"
            )
        }
    )
    if not groups:
        condition = direct
    else:
        condition = Q(
            **{
                f"{ref}__in": group_model.objects.filter(
                    group_id__in=groups, permission_id=perm
                ).values("content_object_id")
            }
        )
        # A team lead's own-name grants are mostly on their own team's cases, which the
        # team holds too. Without the OR the group branch is a plain semi-join, which
        # PostgreSQL reads row by row along the list's order and stops at the page (about
        # 1 ms at 50,000 cases) instead of hashing every grant of the team first (15–20
        # ms, twice: count and page).
        if _grant_fact(
            user,
            _fact_key("beyond_groups", user, codename),
            lambda: _direct_beyond_groups(user_model, group_model, user, codename),
        ):
            condition = direct | condition
    if ref != "pk":
        # `NULL IN (…)` is NULL, not false: a whānau case has no client, and without this
        # its negation (exclude, ~) would drop it instead of keeping it.
        condition &= Q(**{f"{ref}__isnull": False})
    return ExpressionWrapper(condition, output_field=BooleanField())


def client_permission_exists(
    user: User, codename: str, *, via_groups: bool = True, client_ref: str = "pk"
) -> ExpressionWrapper:
    """A boolean expression: does `user` hold `codename` on the client at `client_ref`?

    `client_ref` names the outer query's path to the client's id: ``"pk"`` on
    Client querysets, ``"client_id"`` on cases, notes, consents and the like.
    """
    return _granted(
        ClientUserObjectPermission,
        ClientGroupObjectPermission,
        user,
        codename,
        ref=client_ref,
        groups=user_group_ids(user) if via_groups else [],
    )


def client_permission_probed(user: User, codename: str, *, client_ref: str) -> ExpressionWrapper:
    """`client_permission_exists` as a test of each row's own grant rows, for a page's column.

    As a filter, `ref IN (grants)` lets PostgreSQL start from the grants or
    read them along a list's order (ADR 8). As a column of a few hundred
    rows (is each whānau member's client visible?) it could only be a set
    built from every grant of the reader first: a team lead's 51,000 took
    9 ms to hash for 200 members. `EXISTS` over the grant tables' unique
    (holder, permission, object) indexes lets the planner test each row
    instead (under 1 ms), and is never NULL for a row without a client.
    """
    return _probed(
        ClientUserObjectPermission, ClientGroupObjectPermission, user, codename, ref=client_ref
    )


def case_permission_probed(user: User, codename: str, *, case_ref: str) -> ExpressionWrapper:
    """`case_permission_exists` as a test of each row's own grant rows, for a page's column.

    See `client_permission_probed`: which side of a referral a team lead
    reads from hashed the team's 50,000 case grants for a page of 50
    (docs/PERFORMANCE.md). Never NULL for a row without a case.
    """
    return _probed(
        CaseUserObjectPermission, CaseGroupObjectPermission, user, codename, ref=case_ref
    )


def _probed(user_model, group_model, user: User, codename: str, *, ref: str) -> ExpressionWrapper:
    """Does `user` hold `codename` on the object at `ref`: a scalar subquery per grant table.

    Not `EXISTS`: PostgreSQL may hash an `EXISTS` after all, weighing every
    row it expects the join below the page's LIMIT to yield (a team lead's
    referrals: 5,700, so all 50,000 grants were hashed for 50 rows). A
    scalar subquery is never hashed; it runs for the rows that reach the
    page, one index probe each.
    """
    perm = permission_id(codename)

    def held(grants: QuerySet) -> Q:
        held_here = grants.filter(permission_id=perm, content_object_id=OuterRef(ref))
        return has_a_row(held_here, column="content_object_id")

    granted = held(user_model.objects.filter(user_id=user.pk))
    groups = user_group_ids(user)
    if groups:
        granted |= held(group_model.objects.filter(group_id__in=groups))
    return ExpressionWrapper(granted, output_field=BooleanField())


def case_permission_exists(user: User, codename: str, *, case_ref: str = "pk") -> ExpressionWrapper:
    """A boolean expression: does `user` hold `codename` on the case at `case_ref`?"""
    return _granted(
        CaseUserObjectPermission,
        CaseGroupObjectPermission,
        user,
        codename,
        ref=case_ref,
        groups=user_group_ids(user),
    )


def clients_visible_to(user: User, queryset: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Clients `user` may see, annotated with `identity_visible` (may they see who it is?).

    Inactive or anonymous users see none. Operators (superusers) get no
    blanket access to people's records through the API (IPP 5).
    """
    queryset = Client.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    # The group ids are read once for both expressions (outside a request nothing is
    # memoized, and the query budgets count every read).
    groups = user_group_ids(user)
    if not groups and connection.vendor == "postgresql":
        visible = _own_grants_by_key(ClientUserObjectPermission, user, "view_client")
    else:
        visible = _granted(
            ClientUserObjectPermission,
            ClientGroupObjectPermission,
            user,
            "view_client",
            ref="pk",
            groups=groups,
        )
    return queryset.filter(visible).annotate(
        identity_visible=_identity_granted(user, client_ref="pk", groups=groups)
    )


class _EqualsAny(Func):
    """`lhs = ANY(rhs)`, rhs an array."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def _own_grants_by_key(user_model, user: User, codename: str) -> Q:
    """`pk = ANY(ARRAY(the user's own grant rows))`: the objects granted to `user` by name.

    The same rows as `_granted`'s `pk IN (grant rows)` for a user without
    grant-holding groups, in a shape PostgreSQL reads from the other end: the
    array is built once (a caseworker's 2,000 grants) and its keys looked up
    in the primary key. As a semi-join, PostgreSQL started from the clients
    whenever it expected a filter to leave few of them: a search of two
    letters tested every client of the country before it joined the
    caseworker's grants (70 ms against 20; docs/PERFORMANCE.md).
    PostgreSQL only (arrays); keys only, which are always indexed.
    """
    grants = user_model.objects.filter(user_id=user.pk, permission_id=permission_id(codename))
    return Q(_EqualsAny(F("pk"), ArraySubquery(grants.values("content_object_id"))))


def cases_visible_to(user: User, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases `user` may see: led by them or belonging to a team they lead."""
    queryset = Case.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    return queryset.filter(case_permission_exists(user, "view_case"))


def client_identity_exists(user: User, *, client_ref: str = "pk"):
    """A boolean expression: may `user` see who the client at `client_ref` is?

    True for unrestricted clients the user can see at all; for restricted ones
    only with a direct `view_client_identity` grant (assignment), never via a team.
    Annotate querysets with it and pass the value to `casework.redaction`.
    """
    return _identity_granted(user, client_ref=client_ref, groups=[])


def _identity_granted(user: User, *, client_ref: str, groups: list[int]) -> ExpressionWrapper:
    """`client_identity_exists`, for a reader who has already read the user's group ids.

    For a team lead who identifies no restricted client (most: restricted
    clients are few, and identity never comes through a team) the answer is a
    constant false. That changes nothing they are shown, as identity matters
    only for restricted clients (`casework.redaction.identity_is_visible`),
    but the client list's name order is then the `client_name_order` index,
    and PostgreSQL reads a page of the team's clients along it instead of
    sorting them all. Other readers pass no groups and get the grant test, at
    no extra query.
    """
    if groups and restricted_clients_identified(user) is None:
        return ExpressionWrapper(Value(False), output_field=BooleanField())
    return _granted(
        ClientUserObjectPermission,
        ClientGroupObjectPermission,
        user,
        "view_client_identity",
        ref=client_ref,
        groups=[],
    )


def user_can(user: User, codename: str, obj: Client | Case) -> bool:
    """Does `user` hold `codename` on one client or case? The same rule the list filters apply."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if isinstance(obj, Client):
        # Identity is never granted through a group (see client_identity_exists).
        via_groups = codename != "view_client_identity"
        return (
            Client.objects.filter(pk=obj.pk)
            .filter(client_permission_exists(user, codename, via_groups=via_groups))
            .exists()
        )
    return Case.objects.filter(pk=obj.pk).filter(case_permission_exists(user, codename)).exists()
