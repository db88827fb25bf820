"""The client admin: read-only for operators, restricted identities left out, views audited."""

import pytest

from core.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    operator = User.objects.create_superuser("operator", password="x-operator-2026")
    client.force_login(operator)
    return client


def test_operator_sees_an_unrestricted_client_read_only_and_the_view_is_audited(
    operator_client, staff, assigned_client
):
    record = assigned_client(staff["north-caseworker"], legal_family_name="Pōmare")

    response = operator_client.get(f"/admin/casework/client/{record.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Pōmare" in page
    assert 'name="legal_family_name"' not in page
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.object_id == str(record.pk)
    assert event.changes == {"via": "admin", "identity_shown": True}


def test_a_restricted_clients_identity_is_left_out_of_the_admin(
    operator_client, staff, assigned_client
):
    record = assigned_client(
        staff["north-caseworker"], is_restricted=True, legal_family_name="Rangihuna", nhi="ZAC5361"
    )

    change = operator_client.get(f"/admin/casework/client/{record.pk}/change/")
    changelist = operator_client.get("/admin/casework/client/")

    assert change.status_code == 200
    assert changelist.status_code == 200
    for page in (change, changelist):
        assert "Rangihuna" not in page.content.decode()
        assert "ZAC5361" not in page.content.decode()


def test_clients_cannot_be_added_changed_or_deleted_in_the_admin(
    operator_client, staff, assigned_client
):
    record = assigned_client(staff["north-caseworker"], legal_family_name="Pōmare")

    add = operator_client.get("/admin/casework/client/add/")
    delete = operator_client.post(f"/admin/casework/client/{record.pk}/delete/", {"post": "yes"})
    change = operator_client.post(
        f"/admin/casework/client/{record.pk}/change/", {"legal_family_name": "Hacked"}
    )
    grants = operator_client.get(f"/admin/casework/client/{record.pk}/permissions/")

    assert add.status_code == 403
    assert delete.status_code == 403
    assert change.status_code == 403
    assert (grants.status_code, grants.url) == (302, "/admin/")
    record.refresh_from_db()
    assert record.legal_family_name == "Pōmare"


def test_whanau_and_members_are_read_only_in_the_admin(operator_client):
    assert operator_client.get("/admin/casework/whanau/").status_code == 200
    assert operator_client.get("/admin/casework/whanaumember/").status_code == 200
    assert operator_client.get("/admin/casework/whanau/add/").status_code == 403
    assert operator_client.get("/admin/casework/whanaumember/add/").status_code == 403
