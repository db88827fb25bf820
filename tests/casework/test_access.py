"""The grant rules and the visibility filters they feed."""

from contextlib import contextmanager

import pytest

from casework import access
from casework.models import Client
from core.request_context import RequestContext, reset_request_context, set_request_context
from tests.factories import CaseFactory, ClientFactory


@contextmanager
def _in_a_request():
    """Run the block as one request does: with a fresh per-request memo."""
    token = set_request_context(RequestContext(request_id="t", ip_address=None, memo={}))
    try:
        yield
    finally:
        reset_request_context(token)


pytestmark = pytest.mark.django_db


def test_assigned_caseworker_sees_client_and_identity(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw, is_restricted=True)

    visible = access.clients_visible_to(cw).get(pk=client.pk)

    assert visible.identity_visible is True
    assert access.user_can(cw, "change_client", client)


def test_other_caseworker_and_other_agency_see_nothing(staff, assigned_client):
    client = assigned_client(staff["north-caseworker"])

    for username in ["north-caseworker2", "south-caseworker", "south-lead", "north-admin"]:
        user = staff[username]
        assert not access.clients_visible_to(user).filter(pk=client.pk).exists(), username
        assert not access.user_can(user, "view_client", client), username


def test_team_lead_sees_team_cases_but_not_restricted_identity(staff, led_case):
    case = led_case(staff["north-caseworker"])
    case.client.is_restricted = True
    case.client.save()
    lead = staff["north-lead"]

    assert access.cases_visible_to(lead).filter(pk=case.pk).exists()
    seen = access.clients_visible_to(lead).get(pk=case.client_id)
    assert seen.identity_visible is False
    assert not access.cases_visible_to(staff["south-lead"]).filter(pk=case.pk).exists()


def test_revoking_a_case_keeps_clients_the_user_still_leads_another_case_for(staff, led_case):
    cw = staff["north-caseworker"]
    first = led_case(cw)
    led_case(cw, client=first.client)

    access.revoke_case_from_user(first, cw)

    assert not access.cases_visible_to(cw).filter(pk=first.pk).exists()
    assert access.clients_visible_to(cw).filter(pk=first.client_id).exists()


def test_revoking_the_only_case_removes_client_access(staff, led_case):
    cw = staff["north-caseworker"]
    case = led_case(cw)

    access.revoke_case_from_user(case, cw)

    assert not access.clients_visible_to(cw).filter(pk=case.client_id).exists()


def test_deactivated_staff_see_nothing(staff, assigned_client):
    cw = staff["north-caseworker"]
    assigned_client(cw)
    cw.is_active = False

    assert not access.clients_visible_to(cw).exists()


def test_visibility_costs_two_queries_whatever_the_caseload(
    staff, assigned_client, django_assert_num_queries
):
    # One for the user's group ids (named as literals in the predicate), one for the rows.
    cw = staff["north-caseworker"]
    for expected in (3, 6):
        while Client.objects.count() < expected:
            assigned_client(cw)
        with django_assert_num_queries(2):
            rows = list(access.clients_visible_to(cw))
        assert len(rows) == expected


def test_permission_ids_are_read_again_after_migrate(staff, assigned_client):
    cw = staff["north-caseworker"]
    assigned_client(cw)
    access.permission_id("view_client")
    access._permission_ids["view_client"] = -1  # a stale id, as after a flush renumbered them
    try:
        assert not access.clients_visible_to(cw).exists()
    finally:
        from django.core.management.sql import emit_post_migrate_signal

        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert access.clients_visible_to(cw).exists()


def test_negated_predicates_keep_whanau_cases_without_a_client(staff, assigned_client, led_case):
    from casework.models import Case
    from casework.services.whanau import whanau_create, whanau_member_add

    cw = staff["north-caseworker"]
    whanau = whanau_create(actor=cw, name="Ngātai")
    whanau_member_add(actor=cw, whanau=whanau, client=assigned_client(cw), relationship="parent")
    from casework.services.cases import case_open

    case = case_open(actor=cw, whanau=whanau)
    assert case.client_id is None
    not_visible = Case.objects.exclude(
        access.client_permission_exists(cw, "view_client", client_ref="client_id")
    )
    assert not_visible.filter(pk=case.pk).exists()
    identified = Case.objects.annotate(
        shown=access.client_identity_exists(cw, client_ref="client_id")
    ).get(pk=case.pk)
    assert identified.shown is False


def test_role_groups_never_hold_object_grants(staff, assigned_client):
    from django.contrib.auth.models import Group

    client = assigned_client(staff["north-caseworker"])
    role_group = Group.objects.get(name="role:caseworker")
    with pytest.raises(ValueError, match="cannot hold object grants"):
        access.grant_client_to_group(client, role_group)


def test_roles_and_grant_groups_come_from_one_read_of_the_users_groups(
    staff, django_assert_num_queries
):
    lead = staff["north-lead"]
    with _in_a_request(), django_assert_num_queries(1):
        roles = access.user_role_values(lead)
        groups = access.user_group_ids(lead)

    assert roles == frozenset(lead.roles)
    assert groups == [lead.team.lead_group_id]
    for username, user in staff.items():
        assert access.user_role_values(user) == frozenset(user.roles), username
    assert lead.team.lead_group_id not in access.user_group_ids(staff["north-caseworker"])


def test_a_team_lead_with_no_grant_of_their_own_is_filtered_by_the_team_grants_alone(
    staff, led_case
):
    lead = staff["north-lead"]
    team_case = led_case(staff["north-caseworker"])
    led_case(staff["south-caseworker"])

    cases = access.cases_visible_to(lead)
    clients = access.clients_visible_to(lead)

    # The direct branch would only ever match nothing; leaving it out lets PostgreSQL
    # read the team's grants row by row along the list's order (docs/PERFORMANCE.md).
    assert "caseuserobjectpermission" not in str(cases.query).lower()
    client_predicate = Client.objects.filter(access.client_permission_exists(lead, "view_client"))
    assert "clientuserobjectpermission" not in str(client_predicate.query).lower()
    assert list(cases.values_list("pk", flat=True)) == [team_case.pk]
    assert list(clients.values_list("pk", flat=True)) == [team_case.client_id]


def test_a_team_lead_who_leads_a_case_in_their_own_name_sees_it_beside_the_teams(staff, led_case):
    lead = staff["north-lead"]
    team_case = led_case(staff["north-caseworker"])
    own = CaseFactory(agency=lead.agency, lead_caseworker=lead, team=None, created_by=lead)
    access.grant_case_to_user(own, lead)
    led_case(staff["south-caseworker"])

    cases = access.cases_visible_to(lead)

    assert "caseuserobjectpermission" in str(cases.query).lower()
    assert set(cases.values_list("pk", flat=True)) == {team_case.pk, own.pk}
    assert set(access.clients_visible_to(lead).values_list("pk", flat=True)) == {
        team_case.client_id,
        own.client_id,
    }
    assert access.user_can(lead, "view_case", own)
    assert not access.cases_visible_to(staff["north-caseworker"]).filter(pk=own.pk).exists()


def test_a_grant_given_within_a_request_is_seen_by_the_rest_of_that_request(staff, led_case):
    from tests.factories import ClientFactory

    lead = staff["north-lead"]
    led_case(staff["north-caseworker"])
    registered = ClientFactory(agency=lead.agency, created_by=lead)
    with _in_a_request():
        assert not access.clients_visible_to(lead).filter(pk=registered.pk).exists()
        access.grant_client_to_user(registered, lead)
        assert access.clients_visible_to(lead).filter(pk=registered.pk).exists()


def test_within_a_request_the_groups_and_the_own_grant_facts_are_one_query(
    staff, led_case, django_assert_num_queries
):
    lead = staff["north-lead"]
    team_case = led_case(staff["north-caseworker"])
    roles = frozenset(lead.roles)
    with _in_a_request():
        with django_assert_num_queries(1):
            clients = access.clients_visible_to(lead)
            cases = access.cases_visible_to(lead)
            assert access.user_role_values(lead) == roles
        # Neither list names the user's own grant tables: the one query said they hold none.
        assert "clientuserobjectpermission" not in str(clients.query).lower()
        assert "caseuserobjectpermission" not in str(cases.query).lower()
        assert list(clients.values_list("pk", flat=True)) == [team_case.client_id]
        assert list(cases.values_list("pk", flat=True)) == [team_case.pk]


def test_within_a_request_a_lead_with_grants_of_their_own_keeps_the_direct_branches(
    staff, led_case, django_assert_num_queries
):
    lead = staff["north-lead"]
    team_case = led_case(staff["north-caseworker"])
    # A case of no team: the team's grants do not cover it. Its client is restricted, so
    # that the lead identifying them shapes the identity test too.
    own = CaseFactory(agency=lead.agency, lead_caseworker=lead, team=None, created_by=lead)
    Client.objects.filter(pk=own.client_id).update(is_restricted=True)
    access.grant_case_to_user(own, lead)
    with _in_a_request():
        with django_assert_num_queries(1):
            clients = access.clients_visible_to(lead)
            cases = access.cases_visible_to(lead)
        assert "clientuserobjectpermission" in str(clients.query).lower()
        assert "caseuserobjectpermission" in str(cases.query).lower()
        identified = {c.pk: c.identity_visible for c in clients}

    # Identity comes only with a grant in their own name, never through the team.
    assert identified == {team_case.client_id: False, own.client_id: True}
    assert set(access.cases_visible_to(lead).values_list("pk", flat=True)) == {
        team_case.pk,
        own.pk,
    }


def test_within_a_request_a_user_in_no_group_still_gets_the_facts_in_one_query(
    staff, assigned_client, django_assert_num_queries
):
    cw = staff["north-caseworker"]
    cw.groups.clear()
    client = assigned_client(cw)
    with _in_a_request():
        with django_assert_num_queries(1):
            assert access.user_group_ids(cw) == []
            assert access.user_role_values(cw) == frozenset()
            assert not access.holds_case_grants(cw, "view_case")
        assert list(access.clients_visible_to(cw).values_list("pk", flat=True)) == [client.pk]


def test_a_lead_leading_a_case_of_their_own_team_is_read_through_the_team_alone(
    staff, led_case, django_assert_num_queries
):
    from casework.redaction import identity_is_visible

    lead = staff["north-lead"]
    team_case = led_case(staff["north-caseworker"])
    own = led_case(lead)  # granted to the lead and to the team's lead group
    with _in_a_request():
        with django_assert_num_queries(1):
            clients = access.clients_visible_to(lead)
            cases = access.cases_visible_to(lead)
        # Every grant in their own name the team holds too, and they identify no
        # restricted client: no list reads their own grant tables.
        assert "clientuserobjectpermission" not in str(clients.query).lower()
        assert "caseuserobjectpermission" not in str(cases.query).lower()
        shown = {c.pk: identity_is_visible(c, c.identity_visible) for c in clients}
        case_ids = set(cases.values_list("pk", flat=True))

    assert shown == {team_case.client_id: True, own.client_id: True}
    assert case_ids == {team_case.pk, own.pk}


def test_a_lead_who_identifies_a_restricted_client_of_their_team_keeps_the_identity_test(
    staff, led_case
):
    lead = staff["north-lead"]
    others = led_case(
        staff["north-caseworker"], client=ClientFactory(agency=lead.agency, is_restricted=True)
    )
    own = led_case(lead, client=ClientFactory(agency=lead.agency, is_restricted=True))
    with _in_a_request():
        clients = access.clients_visible_to(lead)
        identified = {c.pk: c.identity_visible for c in clients}
        # Covered by the team: the visibility test stays the group branch alone.
        assert "caseuserobjectpermission" not in str(access.cases_visible_to(lead).query).lower()

    assert identified == {others.client_id: False, own.client_id: True}


def test_a_team_losing_a_case_within_a_request_leaves_its_lead_what_they_lead_themselves(
    staff, led_case
):
    lead = staff["north-lead"]
    own = led_case(lead)
    with _in_a_request():
        assert access.cases_visible_to(lead).filter(pk=own.pk).exists()
        access.revoke_case_from_group(own, lead.team.lead_group)
        # The lead's own grants are no longer covered by the team's: read them again.
        still_case = access.cases_visible_to(lead).filter(pk=own.pk).exists()
        still_client = access.clients_visible_to(lead).filter(pk=own.client_id).exists()

    assert still_case
    assert still_client
    assert not access.cases_visible_to(staff["north-caseworker"]).filter(pk=own.pk).exists()


def test_restricting_a_client_within_a_request_lets_the_lead_of_their_case_still_identify_them(
    staff, led_case
):
    from casework.services.clients import client_update

    lead = staff["north-lead"]
    own = led_case(lead)
    with _in_a_request():
        before = access.clients_visible_to(lead).get(pk=own.client_id).identity_visible
        client_update(actor=lead, client=own.client, is_restricted=True)
        after = access.clients_visible_to(lead).get(pk=own.client_id).identity_visible

    assert before is False  # a constant: the lead identified no restricted client then
    assert after is True


def test_the_groups_query_compiled_once_answers_as_the_orm_does_for_every_user(
    staff, led_case, assigned_client
):
    lead = staff["north-lead"]
    led_case(lead, client=ClientFactory(agency=lead.agency, is_restricted=True))
    assigned_client(staff["north-caseworker"])
    CaseFactory(agency=lead.agency, lead_caseworker=lead, team=None)
    for username, user in staff.items():
        expected = {
            (fact, codename): rows(user).exists() for fact, codename, rows in access._SHAPING_FACTS
        }
        expected_groups = sorted(user.groups.values_list("id", "name"))
        with _in_a_request():
            groups = sorted(access._user_groups(user))
            memo = access.request_memo()
            answered = {
                (fact, codename): memo[access._fact_key(fact, user, codename)]
                for fact, codename, _rows in access._SHAPING_FACTS
            }
        assert groups == expected_groups, username
        assert answered == expected, username
    # The lead's facts are not all false, so the comparison above can tell.
    assert access._restricted_identified(lead).exists()


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("north-caseworker", [True, False, False, False, False]),
        ("north-caseworker2", [False, True, False, False, False]),
        ("north-lead", [True, True, False, False, False]),
        ("south-caseworker", [False, False, True, False, False]),
        ("south-lead", [False, False, True, False, False]),
    ],
)
def test_probing_each_rows_grants_answers_as_the_grant_filter_does(staff, led_case, username, sees):
    # `client_permission_probed` is the per-row form of `client_permission_exists` for a
    # page's column (whānau members): it must say yes and no for exactly the same clients.
    from casework.models import Whanau, WhanauMember

    north_cw, south_cw = staff["north-caseworker"], staff["south-caseworker"]
    whanau = Whanau.objects.create(
        agency=north_cw.agency, name="Ngātai whānau", created_by=north_cw
    )
    clients = [
        led_case(north_cw).client,
        led_case(staff["north-caseworker2"]).client,
        led_case(south_cw).client,
        ClientFactory(agency=north_cw.agency, created_by=north_cw),  # nobody's case
        None,  # a member who is not a client
    ]
    for n, client in enumerate(clients):
        WhanauMember.objects.create(
            whanau=whanau, client=client, name=f"Member {n}", relationship="sibling"
        )
    actor = staff[username]

    rows = (
        WhanauMember.objects.filter(whanau=whanau)
        .order_by("name")
        .annotate(
            by_filter=access.client_permission_exists(actor, "view_client", client_ref="client_id"),
            probed=access.client_permission_probed(actor, "view_client", client_ref="client_id"),
        )
    )

    answers = [(row.by_filter, row.probed) for row in rows]
    assert len(answers) == 5
    assert all(bool(by_filter) == probed for by_filter, probed in answers), answers
    # Members in name order: the north caseworker's client, the second caseworker's, the south
    # caseworker's, a client in nobody's case, and a member who is no client.
    assert [probed for _f, probed in answers] == sees


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("north-caseworker", [True, False, False]),
        ("north-caseworker2", [False, True, False]),
        ("north-lead", [True, True, False]),
        ("south-caseworker", [False, False, True]),
        ("south-lead", [False, False, True]),
    ],
)
def test_probing_each_cases_grants_answers_as_the_grant_filter_does(
    staff, led_case, username, sees
):
    # `case_permission_probed` is the per-row form of `case_permission_exists` for a page's
    # column (which side of a referral the reader is on): the same yes and no for each case.
    from casework.models import Case

    made = [
        led_case(staff["north-caseworker"]),
        led_case(staff["north-caseworker2"]),
        led_case(staff["south-caseworker"]),
    ]
    actor = staff[username]

    rows = Case.objects.filter(pk__in=[case.pk for case in made]).annotate(
        by_filter=access.case_permission_exists(actor, "view_case"),
        probed=access.case_permission_probed(actor, "view_case", case_ref="pk"),
    )
    answers = {row.pk: (bool(row.by_filter), row.probed) for row in rows}

    assert all(by_filter == probed for by_filter, probed in answers.values()), answers
    assert [answers[case.pk][1] for case in made] == sees


@pytest.mark.postgres
def test_on_postgresql_a_caseworkers_clients_are_found_by_key_among_their_grants(
    staff, assigned_client, led_case
):
    # The array form (`_own_grants_by_key`) must see exactly what the grant filter sees.
    from django.utils import timezone

    cw = staff["north-caseworker"]
    mine = {assigned_client(cw).pk, led_case(cw).client_id}
    archived = assigned_client(cw)
    Client.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    assigned_client(staff["north-caseworker2"])
    assigned_client(staff["south-caseworker"])

    by_key = access.clients_visible_to(cw)
    by_filter = Client.objects.filter(
        access.client_permission_exists(cw, "view_client", via_groups=False)
    )

    assert "= ANY(ARRAY(" in str(by_key.query)
    assert set(by_key.values_list("pk", flat=True)) == mine | {archived.pk}
    assert set(by_key.values_list("pk", flat=True)) == set(by_filter.values_list("pk", flat=True))
    assert set(by_key.filter(archived_at__isnull=True).values_list("pk", flat=True)) == mine
    assert set(by_key.exclude(pk__in=mine).values_list("pk", flat=True)) == {archived.pk}
    # A team lead's clients come through the team's grants, as a set.
    assert "= ANY(ARRAY(" not in str(access.clients_visible_to(staff["north-lead"]).query)
