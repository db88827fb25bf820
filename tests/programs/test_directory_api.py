"""The community directory: search, admin-only writes, and the CSV round trip."""

import io

import pytest

from programs.models import Organisation, Service
from programs.services import directory

pytestmark = pytest.mark.django_db
ORGS = "/api/v1/organisations/"
SERVICES = "/api/v1/services/"


@pytest.fixture
def listed(south):
    """A small directory across regions, kinds, categories and languages."""
    marae = directory.organisation_create(
        actor=None, name="Te Rarawa Marae", kind="marae", region="01",
        description="Marae-based wānanga and whānau hui.", languages="Te reo Māori; English",
    )  # fmt: skip
    directory.service_create(
        actor=None, organisation=marae, name="Wānanga reo", category="cultural", cost="Koha"
    )
    pacific = directory.organisation_create(
        actor=None, name="Fale Pasifika Trust", kind="pacific_provider", region="02",
        languages="Samoan; Tongan; English",
    )  # fmt: skip
    directory.service_create(
        actor=None, organisation=pacific, name="Budgeting mentors", category="budgeting",
        languages="Samoan", hours="Mon–Fri 9–5",
    )  # fmt: skip
    trust = directory.organisation_create(
        actor=None, agency=south, name="Ōtautahi Recovery Trust", kind="clubhouse", region="13"
    )
    directory.service_create(
        actor=None, organisation=trust, name="Clubhouse", category="peer_support"
    )
    return {"marae": marae, "pacific": pacific, "trust": trust}


def names(response):
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["results"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "01"}, ["Te Rarawa Marae"]),
        ({"kind": "pacific_provider"}, ["Fale Pasifika Trust"]),
        ({"category": "peer_support"}, ["Ōtautahi Recovery Trust"]),
        ({"language": "samoan"}, ["Fale Pasifika Trust"]),
        ({"language": "Te reo Māori"}, ["Te Rarawa Marae"]),
        ({"q": "wānanga"}, ["Te Rarawa Marae"]),
        ({"q": "mentors"}, ["Fale Pasifika Trust"]),
        ({"on_tautoko": "true"}, ["Ōtautahi Recovery Trust"]),
        ({"region": "13", "kind": "marae"}, []),
    ],
)
def test_organisation_search(client_for, staff, listed, params, expected):
    assert names(client_for(staff["north-caseworker"]).get(ORGS, params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "budgeting"}, ["Budgeting mentors"]),
        ({"kind": "marae"}, ["Wānanga reo"]),
        ({"region": "13"}, ["Clubhouse"]),
        ({"language": "samoan"}, ["Budgeting mentors"]),
        ({"q": "rarawa"}, ["Wānanga reo"]),
    ],
)
def test_service_search(client_for, staff, listed, params, expected):
    assert names(client_for(staff["south-lead"]).get(SERVICES, params)) == expected


def test_bad_filter_value_is_400(client_for, staff, listed):
    response = client_for(staff["north-caseworker"]).get(ORGS, {"kind": "spaceship"})
    assert response.status_code == 400


def test_only_agency_admins_add_organisations(client_for, staff):
    payload = {"name": "Kai Collective", "kind": "community_group", "region": "09"}
    refused = client_for(staff["north-caseworker"]).post(ORGS, payload)
    assert refused.status_code == 403

    response = client_for(staff["north-admin"]).post(
        ORGS, {**payload, "languages": ["English", "Te reo Māori"]}
    )

    assert response.status_code == 201, response.content
    assert response.json()["languages"] == ["English", "Te reo Māori"]


def test_another_agencys_entry_is_theirs_to_change(client_for, staff, listed):
    trust = listed["trust"]
    refused = client_for(staff["north-admin"]).patch(f"{ORGS}{trust.pk}/", {"phone": "03 555 0100"})
    assert refused.status_code == 403
    allowed = client_for(staff["south-admin"]).patch(f"{ORGS}{trust.pk}/", {"phone": "03 555 0100"})
    assert allowed.status_code == 200, allowed.content


def test_csv_round_trip_gives_the_same_directory(client_for, staff, listed):
    admin = client_for(staff["south-admin"])
    exported = admin.get(f"{ORGS}export/")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode("utf-8")
    assert "Ōtautahi Recovery Trust" in text
    assert "Wānanga reo" in text
    before = _directory_state()
    Service.objects.all().delete()
    Organisation.objects.all().delete()

    response = admin.post(
        f"{ORGS}import/", {"file": io.BytesIO(text.encode("utf-8"))}, format="multipart"
    )

    assert response.status_code == 200, response.content
    assert response.json()["organisations_created"] == 3
    assert _directory_state() == before
    # Importing the same file again changes nothing.
    again = admin.post(f"{ORGS}import/", {"file": io.BytesIO(text.encode())}, format="multipart")
    assert again.json() == {
        "organisations_created": 0, "organisations_updated": 0,
        "services_created": 0, "services_updated": 0,
    }  # fmt: skip


def test_a_bad_row_rejects_the_whole_file(client_for, staff, listed):
    admin = client_for(staff["north-admin"])
    text = admin.get(f"{ORGS}export/").content.decode()
    header, *rows = text.splitlines()
    bad = (
        rows[0].replace("Fale Pasifika Trust", "Fale Hou").replace("pacific_provider", "spaceship")
    )
    new_good = rows[1].replace("Te Rarawa Marae", "Ngāti Kahu Marae")
    upload = "\n".join([header, new_good, bad]) + "\n"
    before = _directory_state()

    response = admin.post(
        f"{ORGS}import/", {"file": io.BytesIO(upload.encode())}, format="multipart"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    assert list(error["fields"]["rows"]) == ["3"]
    assert "organisation_kind" in error["fields"]["rows"]["3"]
    assert _directory_state() == before


def test_import_is_for_agency_admins(client_for, staff, listed):
    response = client_for(staff["north-caseworker"]).post(
        f"{ORGS}import/", {"file": io.BytesIO(b"organisation_name\n")}, format="multipart"
    )
    assert response.status_code == 403


def test_management_command_round_trip(tmp_path, listed):
    from django.core.management import call_command

    path = tmp_path / "directory.csv"
    call_command("directory_csv", "export", str(path))
    before = _directory_state()
    Service.objects.all().delete()
    Organisation.objects.all().delete()

    call_command("directory_csv", "import", str(path))

    assert _directory_state() == before


def test_list_queries_do_not_grow_with_the_page(client_for, staff, list_queries):
    for n in range(10):
        organisation = directory.organisation_create(
            actor=None, name=f"Rōpū {n}", kind="community_group", region="09"
        )
        directory.service_create(
            actor=None, organisation=organisation, name="Hui", category="other"
        )
    api = client_for(staff["north-caseworker"])
    for url in (ORGS, SERVICES):
        assert list_queries(api, url, 2) == list_queries(api, url, 10), url
        assert list_queries(api, url, 2, region="09", q="Rōpū") == list_queries(
            api, url, 10, region="09", q="Rōpū"
        )


def _directory_state():
    organisations = sorted(
        Organisation.objects.values_list(
            "name", "kind", "agency__slug", "region", "description", "languages", "phone"
        )
    )
    services = sorted(
        Service.objects.values_list(
            "organisation__name", "name", "category", "region", "languages", "cost", "hours"
        )
    )
    return organisations, services
