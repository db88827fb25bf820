"""Whānau services and selectors: one primary contact, same-agency members, one-query visibility."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from casework import access
from casework.models import Whanau, WhanauMember
from casework.selectors.whanau import whanau_visible_to
from casework.services.whanau import (
    whanau_create,
    whanau_member_add,
    whanau_member_remove,
    whanau_member_update,
    whanau_update,
)
from core.errors import ApplicationError
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_only_one_primary_contact_at_a_time(staff):
    cw = staff["north-caseworker"]
    whanau = whanau_create(actor=cw, name="Ngātai")
    first = whanau_member_add(actor=cw, whanau=whanau, name="Hine", relationship="parent")
    second = whanau_member_add(actor=cw, whanau=whanau, name="Rangi", relationship="partner")

    whanau_member_update(actor=cw, member=second, is_primary_contact=True)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_primary_contact, second.is_primary_contact) == (False, True)


def test_the_database_refuses_a_second_primary_written_around_the_service(staff):
    cw = staff["north-caseworker"]
    whanau = whanau_create(actor=cw, name="Ngātai")
    whanau_member_add(actor=cw, whanau=whanau, name="Hine", relationship="parent")

    with pytest.raises(IntegrityError), transaction.atomic():
        WhanauMember.objects.create(
            whanau=whanau, name="Rangi", relationship="partner", is_primary_contact=True
        )


def test_unmarking_the_primary_without_a_successor_is_refused(staff):
    cw = staff["north-caseworker"]
    whanau = whanau_create(actor=cw, name="Ngātai")
    only = whanau_member_add(actor=cw, whanau=whanau, name="Hine", relationship="parent")

    with pytest.raises(ApplicationError) as refused:
        whanau_member_update(actor=cw, member=only, is_primary_contact=False)

    assert "is_primary_contact" in refused.value.fields
    only.refresh_from_db()
    assert only.is_primary_contact is True


def test_a_client_of_another_agency_cannot_be_a_member(staff):
    cw = staff["north-caseworker"]
    south_client = ClientFactory(agency=staff["south-caseworker"].agency)
    whanau = whanau_create(actor=cw, name="Ngātai")

    with pytest.raises(ApplicationError) as refused:
        whanau_member_add(actor=cw, whanau=whanau, client=south_client, relationship="child")

    assert "client" in refused.value.fields
    assert not WhanauMember.objects.exists()


def test_a_client_of_the_agency_the_actor_cannot_see_cannot_be_a_member(staff, assigned_client):
    cw = staff["north-caseworker"]
    hidden = assigned_client(staff["north-caseworker2"])
    whanau = whanau_create(actor=cw, name="Ngātai")

    with pytest.raises(ApplicationError) as refused:
        whanau_member_add(actor=cw, whanau=whanau, client=hidden, relationship="child")

    assert refused.value.fields["client"] == ["Choose a client of your agency that you can see."]


def test_a_visible_client_of_the_agency_can_be_a_member(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    whanau = whanau_create(actor=cw, name="Ngātai")

    member = whanau_member_add(actor=cw, whanau=whanau, client=client, relationship="child")

    assert member.client == client
    assert member.is_primary_contact is True


def test_a_refused_initial_member_rolls_back_the_whole_whanau(staff):
    with pytest.raises(ApplicationError) as refused:
        whanau_create(
            actor=staff["north-caseworker"],
            name="Ngātai",
            members=[
                {"name": "Hine", "relationship": "parent"},
                {"name": "", "relationship": "child"},
            ],
        )

    assert refused.value.fields["members"][0] == {}
    assert "name" in refused.value.fields["members"][1]
    assert not Whanau.objects.exists()
    assert not WhanauMember.objects.exists()


def test_writes_to_a_whanau_the_actor_cannot_see_are_404(staff):
    whanau = whanau_create(actor=staff["north-caseworker"], name="Ngātai")
    member = whanau_member_add(
        actor=staff["north-caseworker"], whanau=whanau, name="Hine", relationship="parent"
    )

    for username in ["north-caseworker2", "south-caseworker", "south-lead"]:
        actor = staff[username]
        with pytest.raises(Http404):
            whanau_update(actor=actor, whanau=whanau, name="Hacked")
        with pytest.raises(Http404):
            whanau_member_add(actor=actor, whanau=whanau, name="X", relationship="other")
        with pytest.raises(Http404):
            whanau_member_update(actor=actor, member=member, name="Hacked")
        with pytest.raises(Http404):
            whanau_member_remove(actor=actor, member=member)

    member.refresh_from_db()
    assert member.name == "Hine"


def test_roles_that_do_not_work_with_whanau_cannot_create_one(staff):
    with pytest.raises(PermissionDenied):
        whanau_create(actor=staff["north-officer"], name="Ngātai")


def test_visibility_costs_the_same_queries_whatever_the_caseload(
    staff, assigned_client, django_assert_num_queries
):
    cw = staff["north-caseworker"]
    for n in range(3):
        whanau = whanau_create(actor=staff["north-lead"], name=f"W{n}")
        client = assigned_client(staff["north-lead"])
        whanau_member_add(
            actor=staff["north-lead"], whanau=whanau, client=client, relationship="child"
        )
        access.grant_client_to_user(client, cw)

    # The user's group ids, read to shape the predicates and again by the case predicate,
    # then the rows.
    with django_assert_num_queries(3):
        visible = list(whanau_visible_to(cw))

    assert len(visible) == 3


# Members joining a whānau with an open case


def test_a_new_member_the_case_lead_cannot_see_is_refused(staff, assigned_client, led_case):
    from casework.services.cases import case_open

    cw, lead = staff["north-caseworker"], staff["north-lead"]
    whanau = whanau_create(actor=cw, name="Ngātai")
    whanau_member_add(actor=cw, whanau=whanau, client=assigned_client(cw), relationship="parent")
    case_open(actor=cw, whanau=whanau)
    # The team lead sees cw2's client through the team; the case's lead (cw) does not.
    theirs = led_case(staff["north-caseworker2"]).client

    with pytest.raises(ApplicationError) as refused:
        whanau_member_add(actor=lead, whanau=whanau, client=theirs, relationship="child")

    assert "ask a team lead" in refused.value.fields["client"][0]
    assert not whanau.members.filter(client=theirs).exists()
    assert not access.user_can(cw, "view_client", theirs)


def test_a_new_restricted_member_the_case_lead_cannot_identify_is_refused(staff, led_case):
    from casework.services.cases import case_open

    cw, lead = staff["north-caseworker"], staff["north-lead"]
    restricted = led_case(cw).client
    restricted.is_restricted = True
    restricted.save()
    whanau = whanau_create(actor=lead, name="Ngātai")
    whanau_member_add(actor=lead, whanau=whanau, client=led_case(cw).client, relationship="parent")
    case_open(actor=lead, whanau=whanau)

    with pytest.raises(ApplicationError):
        whanau_member_add(actor=lead, whanau=whanau, client=restricted, relationship="child")

    assert not access.clients_visible_to(lead).get(pk=restricted.pk).identity_visible


def test_a_new_member_the_case_lead_sees_is_granted_and_audited(staff, assigned_client):
    from casework.services.cases import case_open
    from core.models import AuditAction, AuditEvent

    cw, lead = staff["north-caseworker"], staff["north-lead"]
    whanau = whanau_create(actor=cw, name="Ngātai")
    whanau_member_add(actor=cw, whanau=whanau, client=assigned_client(cw), relationship="parent")
    case = case_open(actor=cw, whanau=whanau)
    newcomer = assigned_client(cw)
    assert not access.user_can(lead, "view_client", newcomer)

    whanau_member_add(actor=cw, whanau=whanau, client=newcomer, relationship="child")

    assert access.user_can(lead, "view_client", newcomer)
    event = AuditEvent.objects.filter(
        object_id=str(case.pk), action=AuditAction.PERMISSION_CHANGE
    ).latest("id")
    assert event.changes["granted"]["clients"] == [str(newcomer.pk)]
    assert event.changes["granted"]["user"] == str(cw.pk)


def test_members_join_a_whanau_without_an_open_case_as_before(staff, led_case):
    lead = staff["north-lead"]
    whanau = whanau_create(actor=lead, name="Ngātai")

    member = whanau_member_add(
        actor=lead,
        whanau=whanau,
        client=led_case(staff["north-caseworker2"]).client,
        relationship="child",
    )

    assert member.client_id is not None
