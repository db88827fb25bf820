"""Staff management: an agency admin manages their own agency's staff and nobody else's."""

import pytest

from core.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db

STAFF_URL = "/api/v1/staff/"


@pytest.fixture
def north_admin(north, make_staff):
    return make_staff(north, "agency_admin", username="north-admin")


@pytest.fixture
def south_worker(south, make_staff):
    return make_staff(south, "caseworker", username="south-caseworker")


def new_staff(**overrides):
    return {
        "username": "north-new",
        "password": "Tautoko-strong-2026!",
        "first_name": "Wiremu",
        "last_name": "Tāwhiri",
        "roles": ["caseworker"],
        **overrides,
    }


def test_admin_lists_only_own_agency_staff(
    client_for, north_admin, south_worker, north, make_staff
):
    make_staff(north, "caseworker", username="north-caseworker")

    body = client_for(north_admin).get(STAFF_URL).json()

    assert {row["username"] for row in body["results"]} == {"north-admin", "north-caseworker"}
    assert body["count"] == 2


def test_admin_of_north_gets_404_for_south_staff(client_for, north_admin, south_worker):
    client = client_for(north_admin)
    url = f"{STAFF_URL}{south_worker.pk}/"

    assert client.get(url).status_code == 404
    assert client.patch(url, {"first_name": "Hacked"}).status_code == 404
    assert client.put(url, new_staff()).status_code == 404
    south_worker.refresh_from_db()
    assert south_worker.first_name != "Hacked"


def test_non_admin_roles_cannot_manage_staff(client_for, north, make_staff):
    for role in ["caseworker", "team_lead", "program_officer", "compliance_officer"]:
        user = make_staff(north, role, username=f"north-{role}")
        client = client_for(user)

        assert client.get(STAFF_URL).status_code == 403
        assert client.post(STAFF_URL, new_staff(username=f"x-{role}")).status_code == 403


def test_admin_creates_staff_in_own_agency_with_roles(client_for, north_admin, north, north_team):
    response = client_for(north_admin).post(
        STAFF_URL,
        new_staff(roles=["program_officer"], delegated_limit="2500.00", team=str(north_team.pk)),
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["agency"] == "north"
    assert body["roles"] == ["program_officer"]
    assert body["delegated_limit"] == "2500.00"
    assert body["last_name"] == "Tāwhiri"
    created = User.objects.get(username="north-new")
    assert created.agency == north
    assert created.has_perm("core.view_user") is False
    assert created.check_password("Tautoko-strong-2026!")


def test_created_staff_carries_role_model_permissions(client_for, north_admin, roles):
    client_for(north_admin).post(STAFF_URL, new_staff(roles=["compliance_officer"]))

    created = User.objects.get(username="north-new")
    assert created.has_perm("core.view_auditevent")
    assert not created.has_perm("core.add_user")


def test_creation_writes_create_and_permission_change_events_without_password(
    client_for, north_admin
):
    client_for(north_admin).post(STAFF_URL, new_staff())

    created = User.objects.get(username="north-new")
    events = AuditEvent.objects.filter(object_id=str(created.pk)).order_by("id")
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.PERMISSION_CHANGE]
    assert all(e.actor_id == north_admin.pk for e in events)
    assert "Tautoko-strong-2026!" not in str([e.changes for e in events])
    assert events[1].changes["roles"] == {"old": [], "new": ["caseworker"]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"roles": ["program_officer"]}, "delegated_limit"),
        ({"roles": ["caseworker"], "delegated_limit": "100.00"}, "delegated_limit"),
        ({"roles": []}, "roles"),
        ({"roles": ["superhero"]}, "roles"),
        ({"password": "password"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"delegated_limit": "-5", "roles": ["program_officer"]}, "delegated_limit"),
        ({"username": "north-admin"}, "username"),
        ({"username": "NORTH-ADMIN"}, "username"),
    ],
)
def test_bad_staff_input_is_a_field_error_and_writes_nothing(
    client_for, north_admin, overrides, field
):
    users_before = User.objects.count()
    events_before = AuditEvent.objects.count()

    response = client_for(north_admin).post(STAFF_URL, new_staff(**overrides))

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert User.objects.count() == users_before
    assert AuditEvent.objects.count() == events_before


def test_team_of_another_agency_is_refused(client_for, north_admin, south):
    from tests.factories import TeamFactory

    south_team = TeamFactory(agency=south)

    response = client_for(north_admin).post(STAFF_URL, new_staff(team=str(south_team.pk)))

    assert response.status_code == 400
    assert "team" in response.json()["error"]["fields"]


def test_admin_changes_roles_and_the_change_is_audited(client_for, north_admin, north, make_staff):
    worker = make_staff(north, "caseworker")

    response = client_for(north_admin).patch(
        f"{STAFF_URL}{worker.pk}/", {"roles": ["caseworker", "team_lead"]}
    )

    assert response.status_code == 200
    assert response.json()["roles"] == ["caseworker", "team_lead"]
    event = AuditEvent.objects.filter(
        object_id=str(worker.pk), action=AuditAction.PERMISSION_CHANGE
    ).latest("id")
    assert event.changes["roles"] == {"old": ["caseworker"], "new": ["caseworker", "team_lead"]}


def test_admin_deactivates_staff_and_change_is_audited(client_for, north_admin, north, make_staff):
    worker = make_staff(north, "caseworker")

    response = client_for(north_admin).patch(f"{STAFF_URL}{worker.pk}/", {"is_active": False})

    assert response.status_code == 200
    worker.refresh_from_db()
    assert worker.is_active is False
    event = AuditEvent.objects.filter(object_id=str(worker.pk), action=AuditAction.UPDATE).get()
    assert event.changes == {"is_active": {"old": True, "new": False}}


def test_admin_cannot_deactivate_self_or_drop_own_admin_role(client_for, north_admin):
    client = client_for(north_admin)
    url = f"{STAFF_URL}{north_admin.pk}/"

    assert client.patch(url, {"is_active": False}).status_code == 400
    assert client.patch(url, {"roles": ["caseworker"]}).status_code == 400
    north_admin.refresh_from_db()
    assert north_admin.is_active
    assert north_admin.roles == ["agency_admin"]


def test_staff_cannot_be_deleted(client_for, north_admin, north, make_staff):
    worker = make_staff(north, "caseworker")

    response = client_for(north_admin).delete(f"{STAFF_URL}{worker.pk}/")

    assert response.status_code == 405
    assert User.objects.filter(pk=worker.pk).exists()


def test_staff_list_filters_by_role_and_searches_names(client_for, north_admin, north, make_staff):
    make_staff(north, "program_officer", username="officer", last_name="Pōmare")
    make_staff(north, "caseworker", username="worker", last_name="Ngata")
    client = client_for(north_admin)

    by_role = client.get(STAFF_URL, {"role": "program_officer"}).json()
    by_name = client.get(STAFF_URL, {"search": "Pōmare"}).json()

    assert [r["username"] for r in by_role["results"]] == ["officer"]
    assert [r["username"] for r in by_name["results"]] == ["officer"]


def test_unknown_role_filter_value_is_400(client_for, north_admin):
    response = client_for(north_admin).get(STAFF_URL, {"role": "wizard"})

    assert response.status_code == 400


def test_staff_list_query_count_does_not_grow_with_page_size(
    client_for, north_admin, north, make_staff, list_queries
):
    for n in range(12):
        make_staff(north, "caseworker", username=f"worker{n}")
    client = client_for(north_admin)

    assert list_queries(client, STAFF_URL, 2) == list_queries(client, STAFF_URL, 10)
