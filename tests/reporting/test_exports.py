"""Compliance exports end to end: the API, formats read back, identity rules, register, diffs."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pandas as pd
import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from casework.services.consents import consent_record, consent_withdraw
from core.models import AuditAction, AuditEvent
from core.nz.regions import REGIONS
from reporting.confidentiality import ConfidentialityRules
from reporting.exports.definitions import DEFINITIONS, definition_get
from reporting.exports.engine import RawCounts, publish_aggregate
from reporting.exports.pseudonym import Pseudonymiser
from reporting.exports.readback import read_export
from reporting.models import ExportRun, ReportStatus
from tests.factories import ClientFactory
from tests.reporting.export_world import FUNDER, OTHER_FUNDER, build_export_world, paid_total

pytestmark = pytest.mark.django_db

URL = "/api/v1/exports/"


@pytest.fixture
def world(staff, led_case):
    return build_export_world(staff, led_case)


@pytest.fixture
def post_export(client_for, django_capture_on_commit_callbacks):
    """POST an export request and run what it schedules (the eager, embedded path)."""

    def post(user, body, url=URL):
        api = client_for(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(url, body, format="json")
        return api, response

    return post


def download(api, run_id) -> bytes:
    response = api.get(f"{URL}{run_id}/download/")
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def export(post_export, user, definition, period, fmt="csv", **extra):
    if "programme" not in extra:
        extra.setdefault("funder", FUNDER)
    api, response = post_export(
        user, {"definition": definition, "period": period, "format": fmt, **extra}
    )
    assert response.status_code in (201, 202), response.content
    body = api.get(f"{URL}{response.json()['id']}/").json()
    assert body["status"] == "done", body
    return api, body, read_export(download(api, body["id"]), fmt, definition_get(definition))


def test_definitions_are_listed_with_their_data_dictionary(client_for, staff):
    response = client_for(staff["north-compliance"]).get(f"{URL}definitions/")

    assert response.status_code == 200
    names = {d["name"] for d in response.json()}
    assert names == set(DEFINITIONS)
    clients = next(d for d in response.json() if d["name"] == "funder-clients")
    assert clients["use"] == "funder-reporting"
    assert clients["grain"] == "client"
    columns = clients["tables"][0]["columns"]
    assert {"name", "type", "description"} <= set(columns[0])
    assert next(c for c in columns if c["name"] == "nhi")["identifiable"] is True


def test_client_export_rows_match_the_database_and_leave_out_other_funders_and_agencies(
    staff, world, post_export
):
    _, body, tables = export(post_export, staff["north-compliance"], "funder-clients", world.period)

    frame = tables["clients"]
    assert body["row_counts"] == {"clients": len(world.clients)}
    assert len(frame) == len(world.clients)
    keys = Pseudonymiser(FUNDER)
    assert set(frame["client_key"]) == {keys.key(c.pk) for c in world.clients}
    outside = {keys.key(c.pk) for c in world.outside}
    assert not outside & set(frame["client_key"])
    assert set(frame["ethnicity"]) == {"Māori", "European"}
    assert "Manawatū-Whanganui" in set(frame["region"])
    assert frame["nhi"].isna().all()


def test_csv_is_utf8_with_macrons_and_ships_the_dictionary_and_summary(staff, world, post_export):
    api, body, _ = export(post_export, staff["north-compliance"], "funder-clients", world.period)

    archive = zipfile.ZipFile(io.BytesIO(download(api, body["id"])))
    assert {"clients.csv", "data_dictionary.csv", "export_summary.json", "README.txt"} <= set(
        archive.namelist()
    )
    assert "Māori".encode() in archive.read("clients.csv")
    dictionary = pd.read_csv(archive.open("data_dictionary.csv"))
    assert list(dictionary["column"]) == [
        c.name for c in DEFINITIONS["funder-clients"].tables[0].columns
    ]
    summary = json.loads(archive.read("export_summary.json"))
    assert summary["funder"] == FUNDER
    assert summary["agency"] == "Te Raki Whānau Ora Collective" or summary["agency"]


@pytest.mark.parametrize("definition", ["funder-clients", "funder-aid-payments", "funder-cases"])
def test_csv_xlsx_and_parquet_read_back_to_the_same_frame(staff, world, post_export, definition):
    officer = staff["north-compliance"]
    frames = {
        fmt: export(post_export, officer, definition, world.period, fmt)[2]
        for fmt in ("csv", "xlsx", "parquet")
    }

    for name in frames["csv"]:
        pd.testing.assert_frame_equal(frames["csv"][name], frames["xlsx"][name])
        pd.testing.assert_frame_equal(frames["csv"][name], frames["parquet"][name])
        assert len(frames["csv"][name]) > 0


def test_parquet_columns_are_typed_and_described(staff, world, post_export):
    import pyarrow.parquet as pq

    api, body, _ = export(
        post_export, staff["north-compliance"], "funder-aid-payments", world.period, "parquet"
    )
    archive = zipfile.ZipFile(io.BytesIO(download(api, body["id"])))
    schema = pq.read_schema(io.BytesIO(archive.read("aid_payments.parquet")))

    assert str(schema.field("amount").type) == "decimal128(18, 2)"
    assert str(schema.field("paid_on").type) == "date32[day]"
    assert schema.field("amount").metadata[b"description"].startswith(b"Amount paid")


def test_aid_payment_export_counts_and_sums_equal_the_database(staff, world, post_export):
    _, _, tables = export(
        post_export, staff["north-compliance"], "funder-aid-payments", world.period
    )

    frame = tables["aid_payments"]
    assert len(frame) == len(world.payments)
    assert sum(frame["amount"], Decimal("0.00")) == paid_total(world)
    assert sorted(frame["amount"]) == sorted(p.amount for p in world.payments)


def test_summary_counts_are_protected_and_aid_sums_are_exact_or_suppressed(
    staff, world, post_export, settings
):
    settings.EXPORT_COUNT_THRESHOLD = 0
    settings.EXPORT_SUM_COUNT_THRESHOLD = 3
    _, body, tables = export(post_export, staff["north-compliance"], "funder-summary", world.period)

    for name, frame in tables.items():
        counts = frame["count"].dropna()
        assert all(int(c) % 3 == 0 for c in counts), name
    by_ethnicity = tables["clients_by_ethnicity"].set_index("ethnicity")
    assert abs(int(by_ethnicity.loc["Māori", "count"]) - 2) <= 2
    assert by_ethnicity.loc["Asian", "count"] == 0  # zero stays zero
    aid = tables["aid_by_category"].set_index("category")
    # Food has 2 payments (below the sum threshold of 3): its dollars are suppressed.
    assert pd.isna(aid.loc["Food", "amount"])
    assert aid.loc["Total", "amount"] == paid_total(world)
    assert "randomly rounded to base 3" in body["summary"]["confidentiality"]["footnote"]


def test_summary_suppresses_counts_below_the_threshold(staff, world, post_export):
    _, _, tables = export(post_export, staff["north-compliance"], "funder-summary", world.period)

    by_gender = tables["clients_by_gender"]
    assert by_gender["suppressed"].all()  # four clients: every cell and the total is below 6
    assert by_gender["count"].isna().all()


def test_pseudonymous_keys_are_stable_across_runs_and_differ_between_funders(
    staff, world, post_export
):
    officer = staff["north-compliance"]
    _, _, first = export(post_export, officer, "funder-clients", world.period)
    _, _, second = export(post_export, officer, "funder-clients", world.period, "parquet")
    client = world.clients[0]

    assert set(first["clients"]["client_key"]) == set(second["clients"]["client_key"])
    assert Pseudonymiser(FUNDER).key(client.pk) != Pseudonymiser(OTHER_FUNDER).key(client.pk)
    assert Pseudonymiser(FUNDER).key(client.pk) != str(client.pk)
    assert str(client.pk) not in set(first["clients"]["client_key"])


def test_pseudonym_key_depends_on_the_secret(settings, world):
    client = world.clients[0]
    before = Pseudonymiser(FUNDER).key(client.pk)
    settings.EXPORT_PSEUDONYM_SECRET = "another-secret"

    assert Pseudonymiser(FUNDER).key(client.pk) != before


def test_nhi_is_exported_only_with_current_consent_to_that_funder(staff, world, post_export):
    officer = staff["north-compliance"]
    caseworker = staff["north-caseworker"]
    consenting, other_recipient = world.clients[0], world.clients[1]
    for client, nhi in ((consenting, "ZAA0067"), (other_recipient, "ZAA0075")):
        client.nhi = nhi
        client.save(update_fields=["nhi"])
    consent = consent_record(
        actor=caseworker,
        client=consenting,
        purpose="funder_identifiable",
        recipient_name=FUNDER,
        given_at=timezone.now() - timedelta(days=1),
        method="written",
    )
    consent_record(
        actor=caseworker,
        client=other_recipient,
        purpose="funder_identifiable",
        recipient_name=OTHER_FUNDER,
        given_at=timezone.now() - timedelta(days=1),
        method="written",
    )

    _, _, tables = export(post_export, officer, "funder-clients", world.period)
    frame = tables["clients"].set_index("client_key")
    keys = Pseudonymiser(FUNDER)
    assert frame.loc[keys.key(consenting.pk), "nhi"] == "ZAA0067"
    assert pd.isna(frame.loc[keys.key(other_recipient.pk), "nhi"])
    assert frame["nhi"].notna().sum() == 1

    consent_withdraw(actor=caseworker, consent=consent, reason="Changed their mind.")
    _, _, tables = export(post_export, officer, "funder-clients", world.period)
    assert tables["clients"]["nhi"].isna().all()


def test_export_writes_an_export_audit_event_with_the_files_sha256(staff, world, post_export):
    _, body, _ = export(post_export, staff["north-compliance"], "funder-cases", world.period)

    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=body["id"])
    assert event.changes["sha256"] == body["sha256"]
    assert event.changes["row_counts"] == body["row_counts"]
    assert event.changes["parameters"]["funder"] == FUNDER
    assert len(body["sha256"]) == 64


def test_register_lists_the_agencys_exports_and_downloads_are_audited(
    staff, world, post_export, client_for, make_staff
):
    first = staff["north-compliance"]
    colleague = make_staff(first.agency, "compliance_officer")
    _, body, _ = export(
        post_export, first, "funder-cases", world.period, programme=str(world.programme.pk)
    )
    api = client_for(colleague)

    listed = api.get(URL).json()["results"]
    assert [r["id"] for r in listed] == [body["id"]]
    assert listed[0]["requested_by"] == first.username
    assert listed[0]["parameters"]["period"] == world.period
    download(api, body["id"])
    assert AuditEvent.objects.filter(
        action=AuditAction.DOWNLOAD, object_id=body["id"], actor=colleague
    ).exists()


def test_register_list_queries_do_not_grow_with_page_size(
    staff, world, post_export, list_queries, client_for
):
    officer = staff["north-compliance"]
    for _ in range(4):
        export(post_export, officer, "funder-cases", world.period)
    api = client_for(officer)

    assert list_queries(api, URL, 2) == list_queries(api, URL, 4)


def test_another_agencys_compliance_officer_gets_404(staff, world, post_export, client_for):
    _, body, _ = export(post_export, staff["north-compliance"], "funder-cases", world.period)
    api = client_for(staff["south-compliance"])

    for response in (
        api.get(f"{URL}{body['id']}/"),
        api.get(f"{URL}{body['id']}/download/"),
        api.post(f"{URL}{body['id']}/rerun/"),
        api.get(f"{URL}{body['id']}/diff/"),
    ):
        assert response.status_code == 404
    assert api.get(URL).json()["results"] == []


@pytest.mark.parametrize("username", ["north-caseworker", "north-officer", "north-admin"])
def test_only_compliance_officers_export(staff, world, post_export, username):
    _, response = post_export(
        staff[username],
        {"definition": "funder-cases", "period": world.period, "format": "csv", "funder": FUNDER},
    )

    assert response.status_code == 403
    assert not ExportRun.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"definition": "no-such", "period": "2025/26", "format": "csv", "funder": FUNDER},
            "definition",
        ),
        (
            {"definition": "funder-cases", "period": "2025/27", "format": "csv", "funder": FUNDER},
            "period",
        ),
        (
            {"definition": "funder-cases", "period": "2025Q5", "format": "csv", "funder": FUNDER},
            "period",
        ),
        (
            {"definition": "funder-cases", "period": "2025/26", "format": "pdf", "funder": FUNDER},
            "format",
        ),
        ({"definition": "funder-cases", "period": "2025/26", "format": "csv"}, "funder"),
        (
            {
                "definition": "funder-cases",
                "period": "2025/26",
                "format": "csv",
                "funder": "Nobody",
            },
            "funder",
        ),
    ],
)
def test_bad_export_requests_get_400_with_field_errors(staff, world, post_export, body, field):
    _, response = post_export(staff["north-compliance"], body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not ExportRun.objects.exists()


def test_a_programme_the_agency_does_not_deliver_is_404(staff, world, post_export):
    from tests.programs.factories import ProgrammeFactory

    elsewhere = ProgrammeFactory(delivering_agencies=[staff["south-admin"].agency], funder=FUNDER)
    _, response = post_export(
        staff["north-compliance"],
        {
            "definition": "funder-cases",
            "period": world.period,
            "format": "csv",
            "programme": str(elsewhere.pk),
        },
    )

    assert response.status_code == 404


def test_rerun_keeps_the_parameters_and_seed_and_diffs_by_cell(
    staff, world, post_export, led_case, settings, client_for
):
    settings.EXPORT_COUNT_THRESHOLD = 0
    officer = staff["north-compliance"]
    api, first, _ = export(post_export, officer, "funder-summary", world.period, "xlsx")
    from programs import services as program_services

    caseworker = staff["north-caseworker"]
    for _ in range(3):
        client = ClientFactory(agency=caseworker.agency, created_by=caseworker, gender="another")
        case = led_case(caseworker, client=client)
        program_services.enrolment_create(actor=caseworker, case=case, programme=world.programme)

    _, response = post_export(officer, {}, url=f"{URL}{first['id']}/rerun/")
    assert response.status_code in (201, 202), response.content
    second = api.get(f"{URL}{response.json()['id']}/").json()
    assert second["rerun_of"] == first["id"]
    assert second["parameters"] == first["parameters"]
    first_run = ExportRun.objects.get(pk=first["id"])
    second_run = ExportRun.objects.get(pk=second["id"])
    assert first_run.job.confidentiality_seed == second_run.job.confidentiality_seed

    diff = api.get(f"{URL}{second['id']}/diff/")
    assert diff.status_code == 200, diff.content
    changed = {(c["table"], c["cell"]) for c in diff.json()["changes"]}
    assert ("clients_by_gender", "Another gender") in changed
    # Unchanged cells round the same way under the same seed.
    assert ("clients_by_ethnicity", "Asian") not in changed
    assert diff.json()["unchanged_cells"] > 0


def test_diff_of_an_export_that_is_not_a_rerun_needs_another_export(staff, world, post_export):
    api, body, _ = export(post_export, staff["north-compliance"], "funder-cases", world.period)

    response = api.get(f"{URL}{body['id']}/diff/")

    assert response.status_code == 400
    assert "against" in response.json()["error"]["fields"]


def test_xlsx_caps_a_sheet_at_the_row_limit_and_says_so(staff, world, post_export, monkeypatch):
    from reporting.exports import writers

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 2)
    _, body, tables = export(
        post_export, staff["north-compliance"], "funder-clients", world.period, "xlsx"
    )

    assert len(tables["clients"]) == 2
    assert body["summary"]["xlsx_rows_truncated"] == {"clients": len(world.clients) - 2}


def test_large_exports_are_written_chunk_by_chunk(staff, world, post_export, settings):
    settings.EXPORT_CHUNK_ROWS = 1
    _, _, tables = export(
        post_export, staff["north-compliance"], "funder-clients", world.period, "parquet"
    )

    assert len(tables["clients"]) == len(world.clients)


def test_shell_command_exports_with_a_progress_bar(staff, world, tmp_path, capsys):
    target = tmp_path / "clients.zip"

    call_command(
        "export_compliance",
        "--definition",
        "funder-clients",
        "--period",
        world.period,
        "--format",
        "csv",
        "--funder",
        FUNDER,
        "--agency",
        "north",
        "--as",
        "north-compliance",
        "--output",
        str(target),
    )

    captured = capsys.readouterr()
    assert "100%" in captured.err
    assert "done" in captured.out
    archive = zipfile.ZipFile(target)
    assert "clients.csv" in archive.namelist()
    run = ExportRun.objects.get()
    assert run.job.status == ReportStatus.DONE


def test_shell_command_refuses_a_user_of_another_agency(staff, world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "export_compliance",
            "--definition=funder-clients",
            f"--period={world.period}",
            "--format=csv",
            f"--funder={FUNDER}",
            "--agency=north",
            "--as=south-compliance",
        )


def test_exports_refuse_to_start_without_the_pseudonym_secret(staff, world, post_export, settings):
    settings.EXPORT_PSEUDONYM_SECRET = ""

    _, response = post_export(
        staff["north-compliance"],
        {"definition": "funder-cases", "period": world.period, "format": "csv", "funder": FUNDER},
    )

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "exports_not_configured"
    assert not ExportRun.objects.exists()


def test_placement_export_has_one_row_per_placement_in_work(staff, world, post_export):
    from programs.models import Placement
    from programs.services.employment import placement_create, placement_end, placement_start
    from tests.programs.factories import EmployerFactory

    caseworker = staff["north-caseworker"]
    employer = EmployerFactory(agency=caseworker.agency)
    today = timezone.localdate()
    placed = []
    for case in world.cases[:2]:
        placement = placement_create(
            actor=caseworker,
            case=case,
            employer=employer,
            role="Kaiāwhina",
            start_on=today,
            hours_per_week=Decimal("30.00"),
            hourly_wage=Decimal("30.00"),
        )
        placed.append(placement_start(actor=caseworker, placement=placement, on=today))
    placement_end(actor=caseworker, placement=placed[1], end_reason="resigned", on=today)

    _, _, tables = export(
        post_export, staff["north-compliance"], "funder-placements", world.period, "parquet"
    )
    _, _, summary = export(post_export, staff["north-compliance"], "funder-summary", world.period)

    frame = tables["placements"]
    assert len(frame) == Placement.objects.filter(agency=caseworker.agency).count() == 2
    assert set(frame["status"]) == {"Started", "Ended"}
    assert sum(frame["hourly_wage"], Decimal("0")) == Decimal("60.00")
    outcomes = summary["placements_by_outcome"]
    assert "Ended — Resigned" in set(outcomes["placement_outcome"])


@settings_hypothesis(max_examples=40, deadline=None)
@given(
    counts=st.dictionaries(
        st.sampled_from(sorted(REGIONS.values())), st.integers(min_value=0, max_value=60)
    ),
    seed=st.text(min_size=1, max_size=8),
    threshold=st.integers(min_value=0, max_value=10),
)
def test_published_aggregate_counts_are_rr3_multiples_within_2_and_small_cells_suppressed(
    counts, seed, threshold
):
    table = next(
        t for t in definition_get("funder-summary").tables if t.name == "clients_by_region"
    )
    raw = RawCounts()
    raw.cells["region"].update(counts)
    rules = ConfidentialityRules(count_threshold=threshold)

    published = publish_aggregate(table, raw, seed=seed, rules=rules).table
    again = publish_aggregate(table, raw, seed=seed, rules=rules).table

    pd.testing.assert_frame_equal(published, again)  # reproducible for a seed
    for row in published.itertuples(index=False):
        true = sum(counts.values()) if row.region == "Total" else counts.get(row.region, 0)
        if true < threshold:
            assert row.suppressed
        if row.suppressed:
            assert pd.isna(row.count)
            continue
        assert row.count % 3 == 0
        assert abs(row.count - true) <= 2
        if true == 0:
            assert row.count == 0


def test_the_reports_endpoint_refuses_to_make_an_export_without_its_register_entry(
    staff, world, client_for
):
    response = client_for(staff["north-compliance"]).post(
        "/api/v1/reports/",
        {
            "kind": "compliance-export",
            "program": str(world.programme.pk),
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]
    assert not ExportRun.objects.exists()
