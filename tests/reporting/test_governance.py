"""Māori data-sovereignty flags: recording and withdrawing them, and exports honouring them."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Whanau, WhanauMember
from casework.services.consents import consent_record
from core.models import AuditAction, AuditEvent
from reporting.exports.definitions import definition_get
from reporting.exports.pseudonym import Pseudonymiser
from reporting.exports.readback import read_export
from reporting.models import DataGovernanceFlag
from tests.reporting.export_world import FUNDER, build_export_world

pytestmark = pytest.mark.django_db

FLAGS = "/api/v1/data-governance-flags/"
EXPORTS = "/api/v1/exports/"


@pytest.fixture
def world(staff, led_case):
    return build_export_world(staff, led_case)


@pytest.fixture
def run_export(client_for, django_capture_on_commit_callbacks):
    """Export `definition` as north's compliance officer and return (summary, tables)."""

    def run(staff, world, definition, fmt="csv"):
        api = client_for(staff["north-compliance"])
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                EXPORTS,
                {"definition": definition, "period": world.period, "format": fmt, "funder": FUNDER},
                format="json",
            )
        assert response.status_code in (201, 202), response.content
        run_id = response.json()["id"]
        body = api.get(f"{EXPORTS}{run_id}/").json()
        assert body["status"] == "done", body
        content = b"".join(api.get(f"{EXPORTS}{run_id}/download/").streaming_content)
        return body, content, read_export(content, fmt, definition_get(definition))

    return run


def flag_body(**fields):
    return {
        "kind": "no_research_linking",
        "effective_from": str(timezone.localdate() - timedelta(days=1)),
        "consent_reference": "Signed form kept on file, 2026-01-05",
        **fields,
    }


def keys_of(tables, name="clients"):
    return set(tables[name]["client_key"])


def test_caseworker_records_a_client_flag_with_consent_and_it_is_audited(staff, world, client_for):
    caseworker = staff["north-caseworker"]
    client = world.clients[0]
    consent = consent_record(
        actor=caseworker,
        client=client,
        purpose="whanau_sharing",
        recipient_name="Ngāti Whātua",
        given_at=timezone.now() - timedelta(days=1),
        method="written",
    )

    response = client_for(caseworker).post(
        FLAGS,
        flag_body(
            scope="client", client=str(client.pk), consent=str(consent.pk), consent_reference=""
        ),
        format="json",
    )

    assert response.status_code == 201, response.content
    flag = DataGovernanceFlag.objects.get()
    assert flag.client == client
    assert flag.consent == consent
    assert flag.recorded_by == caseworker
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(flag.pk)).exists()
    listed = client_for(caseworker).get(FLAGS, {"client": str(client.pk)}).json()["results"]
    assert [f["id"] for f in listed] == [str(flag.pk)]


def test_a_client_of_another_agency_cannot_be_flagged(staff, world, client_for):
    response = client_for(staff["south-caseworker"]).post(
        FLAGS, flag_body(scope="client", client=str(world.clients[0].pk)), format="json"
    )

    assert response.status_code == 404
    assert not DataGovernanceFlag.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"scope": "client"}, "client"),
        ({"scope": "iwi", "iwi_code": "01"}, "iwi_code"),
        ({"scope": "client", "consent_reference": ""}, "consent_reference"),
        ({"scope": "client", "kind": "anything"}, "kind"),
    ],
)
def test_bad_flags_get_400(staff, world, client_for, fields, field):
    body = flag_body(**fields)
    if fields.get("scope") == "client" and field != "client":
        body["client"] = str(world.clients[0].pk)

    response = client_for(staff["north-compliance"]).post(FLAGS, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_iwi_flags_are_for_compliance_officers_and_admins(staff, world, client_for):
    refused = client_for(staff["north-caseworker"]).post(
        FLAGS, flag_body(scope="iwi", iwi_code="0104"), format="json"
    )
    accepted = client_for(staff["north-admin"]).post(
        FLAGS, flag_body(scope="iwi", iwi_code="0104"), format="json"
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201, accepted.content


def test_a_flag_is_withdrawn_once_and_stays_on_record(staff, world, client_for):
    api = client_for(staff["north-caseworker"])
    flag_id = api.post(
        FLAGS, flag_body(scope="client", client=str(world.clients[0].pk)), format="json"
    ).json()["id"]

    first = api.post(f"{FLAGS}{flag_id}/withdraw/", {"reason": "Asked again."}, format="json")
    second = api.post(f"{FLAGS}{flag_id}/withdraw/", {"reason": "Again."}, format="json")
    other_agency = client_for(staff["south-caseworker"]).post(
        f"{FLAGS}{flag_id}/withdraw/", {"reason": "x"}, format="json"
    )

    assert first.status_code == 200
    assert first.json()["current"] is False
    assert second.status_code == 409
    assert other_agency.status_code == 404
    assert DataGovernanceFlag.objects.filter(pk=flag_id).exists()


def test_research_linking_export_leaves_out_flagged_clients_and_says_so(
    staff, world, client_for, run_export
):
    flagged = world.clients[0]
    client_for(staff["north-caseworker"]).post(
        FLAGS, flag_body(scope="client", client=str(flagged.pk)), format="json"
    )
    key = Pseudonymiser(FUNDER).key(flagged.pk)

    research, content, research_tables = run_export(staff, world, "research-linking-clients")
    funder, _, funder_tables = run_export(staff, world, "funder-clients")

    assert key not in keys_of(research_tables)
    assert len(research_tables["clients"]) == len(world.clients) - 1
    assert research["summary"]["governance"]["rows_excluded"] == {"clients": 1}
    summary = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("export_summary.json"))
    assert summary["governance"]["flags_applied"][0]["kind"] == "no_research_linking"
    # Reporting to the funder is not research linking: the client is there.
    assert key in keys_of(funder_tables)
    assert funder["summary"]["governance"]["rows_excluded"] == {}


def test_funder_only_flag_keeps_a_whole_whanau_out_of_research_exports(
    staff, world, client_for, run_export
):
    caseworker = staff["north-caseworker"]
    whanau = Whanau.objects.create(
        agency=caseworker.agency, name="Te whānau o Ngātai", created_by=caseworker
    )
    for client in world.clients[:2]:
        WhanauMember.objects.create(whanau=whanau, client=client, relationship="sibling")
    response = client_for(caseworker).post(
        FLAGS,
        flag_body(scope="whanau", whanau=str(whanau.pk), kind="funder_only"),
        format="json",
    )
    assert response.status_code == 201, response.content

    _, _, research = run_export(staff, world, "research-linking-clients")
    _, _, funder = run_export(staff, world, "funder-clients")

    keys = Pseudonymiser(FUNDER)
    assert not {keys.key(c.pk) for c in world.clients[:2]} & keys_of(research)
    assert {keys.key(c.pk) for c in world.clients[:2]} <= keys_of(funder)


def test_iwi_flag_leaves_iwi_columns_and_tables_out_of_every_export(
    staff, world, client_for, run_export
):
    client_for(staff["north-compliance"]).post(
        FLAGS, flag_body(scope="iwi", iwi_code="0104", kind="no_iwi_identification"), format="json"
    )

    clients, _, tables = run_export(staff, world, "funder-clients", "parquet")
    summary, _, aggregate = run_export(staff, world, "funder-summary", "xlsx")

    assert "iwi" not in tables["clients"].columns
    assert len(tables["clients"]) == len(world.clients)
    assert clients["summary"]["governance"]["columns_excluded"] == ["iwi"]
    assert "clients_by_iwi" not in aggregate
    assert summary["summary"]["governance"]["tables_excluded"] == ["clients_by_iwi"]


def test_a_withdrawn_or_future_flag_no_longer_applies(staff, world, client_for, run_export):
    api = client_for(staff["north-caseworker"])
    withdrawn = api.post(
        FLAGS, flag_body(scope="client", client=str(world.clients[0].pk)), format="json"
    ).json()["id"]
    api.post(f"{FLAGS}{withdrawn}/withdraw/", {"reason": "Changed their mind."}, format="json")
    api.post(
        FLAGS,
        flag_body(
            scope="client",
            client=str(world.clients[1].pk),
            effective_from=str(timezone.localdate() + timedelta(days=10)),
        ),
        format="json",
    )

    body, _, tables = run_export(staff, world, "research-linking-clients")

    assert len(tables["clients"]) == len(world.clients)
    assert body["summary"]["governance"]["flags_applied"] == []


def test_flag_list_queries_do_not_grow_with_page_size(staff, world, client_for, list_queries):
    api = client_for(staff["north-caseworker"])
    for client in world.clients:
        api.post(FLAGS, flag_body(scope="client", client=str(client.pk)), format="json")

    assert list_queries(api, FLAGS, 2) == list_queries(api, FLAGS, 4)


def test_staff_see_flags_only_of_clients_they_can_see(staff, world, client_for, make_staff):
    client_for(staff["north-caseworker"]).post(
        FLAGS, flag_body(scope="client", client=str(world.clients[0].pk)), format="json"
    )
    colleague = make_staff(staff["north-caseworker"].agency, "caseworker")

    assert client_for(colleague).get(FLAGS).json()["results"] == []
    assert client_for(staff["south-compliance"]).get(FLAGS).json()["results"] == []


def test_the_service_refuses_a_flag_without_consent_with_a_field_error(staff, world):
    from core.errors import ApplicationError
    from reporting.exports.services import GovernanceFlagInput, governance_flag_record

    with pytest.raises(ApplicationError) as refused:
        governance_flag_record(
            actor=staff["north-compliance"],
            data=GovernanceFlagInput(
                scope="iwi",
                kind="no_iwi_identification",
                effective_from=timezone.localdate(),
                iwi_code="0104",
                consent_reference="  ",
            ),
        )

    assert "consent_reference" in refused.value.fields
    assert not DataGovernanceFlag.objects.exists()
