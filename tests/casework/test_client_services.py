"""Client services and selectors: permissions, all-or-nothing writes, audit, search rules."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from casework import access
from casework.models import Client, ClientEthnicity, ClientIwi
from casework.selectors.clients import client_get, client_list, client_search
from casework.services.clients import (
    PossibleDuplicateClient,
    client_archive,
    client_create,
    client_unarchive,
    client_update,
)
from core.errors import ApplicationError
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def register(actor, **overrides):
    fields = {
        "legal_given_names": "Aroha",
        "legal_family_name": "Ngātai",
        "date_of_birth": date(1990, 5, 1),
        "region": "01",
        **overrides,
    }
    return client_create(actor=actor, **fields)


def test_create_grants_the_creator_full_access_including_identity(staff):
    cw = staff["north-caseworker"]

    client = register(cw, is_restricted=True)

    assert access.user_can(cw, "view_client", client)
    assert access.user_can(cw, "change_client", client)
    assert access.clients_visible_to(cw).get(pk=client.pk).identity_visible is True
    assert not access.user_can(staff["north-caseworker2"], "view_client", client)


def test_create_by_a_role_without_add_client_is_refused(staff):
    with pytest.raises(PermissionDenied):
        register(staff["north-officer"])

    assert not Client.objects.exists()


def test_create_by_a_deactivated_caseworker_is_refused(staff):
    cw = staff["north-caseworker"]
    cw.is_active = False

    with pytest.raises(PermissionDenied):
        register(cw)


def test_create_by_an_operator_without_an_agency_is_refused(staff):
    from core.models import User

    operator = User.objects.create_superuser("operator", password="x-operator-2026")

    with pytest.raises(PermissionDenied):
        register(operator)


def test_a_refused_create_leaves_nothing_half_written(staff):
    events_before = AuditEvent.objects.count()

    with pytest.raises(ApplicationError) as refused:
        register(staff["north-caseworker"], ethnicities=["21111"], iwi=["0104", "01"])

    assert "iwi" in refused.value.fields
    assert not Client.objects.exists()
    assert not ClientEthnicity.objects.exists()
    assert not ClientIwi.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_create_collects_every_field_error_at_once(staff):
    with pytest.raises(ApplicationError) as refused:
        register(
            staff["north-caseworker"],
            nhi="JBX3657",
            region="42",
            ethnicities=["1"],
            legal_given_names="",
        )

    assert {"nhi", "region", "ethnicities", "legal_given_names"} <= set(refused.value.fields)


def test_create_is_audited_with_its_fields_and_the_grant(staff):
    cw = staff["north-caseworker"]

    client = register(cw, nhi="zac5361", ethnicities=["21111"], iwi=["0104"])

    events = AuditEvent.objects.filter(object_id=str(client.pk)).order_by("id")
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.PERMISSION_CHANGE]
    created = events[0].changes
    assert created["legal_family_name"] == {"old": None, "new": "Ngātai"}
    assert created["nhi"] == {"old": None, "new": "ZAC5361"}
    assert created["date_of_birth"] == {"old": None, "new": "1990-05-01"}
    assert created["ethnicities"] == {"old": None, "new": ["21111"]}
    assert created["iwi"] == {"old": None, "new": ["0104"]}
    assert events[1].changes["granted"]["user"] == str(cw.pk)


def test_a_restricted_clients_identifying_values_stay_out_of_the_audit_log(staff):
    cw = staff["north-caseworker"]

    client = register(cw, is_restricted=True, nhi="ZAC5361", address="Safe house")
    client_update(actor=cw, client=client, legal_family_name="Pōmare", region="02")

    logged = str([e.changes for e in AuditEvent.objects.filter(object_id=str(client.pk))])
    for secret in ("Ngātai", "Pōmare", "ZAC5361", "Safe house"):
        assert secret not in logged
    update = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert update.changes["region"] == {"old": "01", "new": "02"}
    assert update.changes["legal_family_name"] == {"old": "[restricted]", "new": "[restricted]"}


def test_unrestricted_updates_keep_old_and_new_values(staff):
    cw = staff["north-caseworker"]
    client = register(cw)

    client_update(actor=cw, client=client, legal_family_name="Pōmare")

    update = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert update.changes == {"legal_family_name": {"old": "Ngātai", "new": "Pōmare"}}


def test_an_update_that_changes_nothing_writes_no_event(staff):
    cw = staff["north-caseworker"]
    client = register(cw, ethnicities=["21"])

    client_update(actor=cw, client=client, legal_family_name="Ngātai", ethnicities=["21"])

    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_update_of_an_invisible_client_is_404_and_changes_nothing(staff):
    client = register(staff["north-caseworker"])

    for username in ["north-caseworker2", "south-caseworker", "north-admin"]:
        with pytest.raises(Http404):
            client_update(actor=staff[username], client=client, region="13")
        with pytest.raises(Http404):
            client_archive(actor=staff[username], client=client)

    client.refresh_from_db()
    assert client.region == "01"
    assert client.archived_at is None


def test_update_refuses_fields_that_are_not_the_profile(staff):
    cw = staff["north-caseworker"]
    client = register(cw)

    with pytest.raises(ApplicationError) as refused:
        client_update(actor=cw, client=client, agency_id=staff["south-admin"].agency_id)

    assert "agency_id" in refused.value.fields


def test_same_nhi_is_a_duplicate_even_in_another_agency(staff):
    register(staff["south-caseworker"], nhi="ZAC5361")

    with pytest.raises(PossibleDuplicateClient) as refused:
        register(staff["north-caseworker"], legal_family_name="Other", nhi="ZAC5361")

    assert refused.value.status_code == 409
    assert refused.value.candidates == [
        {"id": None, "display_name": None, "match": "nhi", "archived": None}
    ]


def test_an_archived_twin_is_still_a_candidate(staff):
    cw = staff["north-caseworker"]
    twin = register(cw)
    client_archive(actor=cw, client=twin)

    with pytest.raises(PossibleDuplicateClient) as refused:
        register(cw)

    assert refused.value.candidates[0]["id"] == str(twin.pk)
    assert refused.value.candidates[0]["archived"] is True


def test_archive_and_unarchive_are_audited(staff):
    cw = staff["north-caseworker"]
    client = register(cw)

    client_archive(actor=cw, client=client)
    client_unarchive(actor=cw, client=client)

    updates = AuditEvent.objects.filter(action=AuditAction.UPDATE).order_by("id")
    assert updates[0].changes["archived_at"]["old"] is None
    assert updates[1].changes["archived_at"]["new"] is None


def test_client_get_raises_404_for_malformed_ids_without_an_event(staff):
    with pytest.raises(Http404):
        client_get(actor=staff["north-caseworker"], client_id="../etc/passwd")

    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_search_matches_every_word_of_the_names(staff):
    cw = staff["north-caseworker"]
    wanted = register(cw, legal_given_names="Tama Hēmi", preferred_name="Tama")
    register(cw, legal_given_names="Tama", legal_family_name="Wīrihana")

    found = client_search(client_list(actor=cw), actor=cw, term="hēmi ngātai")

    assert list(found) == [wanted]


def test_search_never_matches_a_restricted_clients_identity_for_the_team_lead(staff, led_case):
    cw = staff["north-caseworker"]
    restricted = register(cw, is_restricted=True, nhi="ACA31FM")
    led_case(cw, client=restricted)
    lead = staff["north-lead"]

    by_name = client_search(client_list(actor=lead), actor=lead, term="Ngātai")
    by_nhi = client_search(client_list(actor=lead), actor=lead, term="ACA31FM")

    assert client_list(actor=lead).filter(pk=restricted.pk).exists()
    assert not by_name.exists()
    assert not by_nhi.exists()
