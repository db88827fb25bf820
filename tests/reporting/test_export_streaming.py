"""Streaming exports: the joined PostgreSQL read equals the generic one; rows write as frames did.

The client table is read on PostgreSQL with one query (scope, consent,
ethnicity and iwi codes together) and elsewhere with per-chunk look-ups; the
tests here prove both give the same rows and the same files, and that the
tuple writers produce what the typed-frame writers produced.
"""

import hashlib
import hmac
import io
import uuid
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from django.utils import timezone
from openpyxl import load_workbook

from casework.models import ClientEthnicity, ClientIwi, Consent, Whanau, WhanauMember
from casework.services.cases import case_open
from core.nz.fiscal import parse_period
from programs.services.aid import aid_request_create, aid_request_submit
from programs.services.enrolments import enrolment_create
from reporting.confidentiality import ConfidentialityRules
from reporting.exports import sources
from reporting.exports.definitions import Column, definition_get
from reporting.exports.engine import build_export
from reporting.exports.pseudonym import Pseudonymiser, funder_key
from reporting.exports.readback import read_export
from reporting.exports.sources import ClientSource, ExportContext, clients_in_scope
from reporting.exports.writers import typed_frame, writer_for
from tests.factories import AgencyFactory, ClientFactory
from tests.reporting.export_world import FUNDER, build_export_world

pytestmark = pytest.mark.django_db


def _consent(client, recorder, **fields):
    values = {
        "purpose": "funder_identifiable",
        "recipient_name": FUNDER,
        "given_at": timezone.now() - timedelta(days=10),
        "method": "written",
    }
    return Consent.objects.create(client=client, recorded_by=recorder, **{**values, **fields})


@pytest.fixture
def world(staff, led_case, assigned_client):
    """The export world plus every case the client rows branch on."""
    world = build_export_world(staff, led_case)
    caseworker = staff["north-caseworker"]
    agency = caseworker.agency
    first, consenting, withdrawn, by_agency = world.clients

    # Several ethnicities (priority decides) and several iwi (published sorted).
    ClientEthnicity.objects.create(client=first, code="11111", position=2)
    ClientEthnicity.objects.create(client=first, code="31111", position=3)
    ClientIwi.objects.create(client=first, code="0101")

    # NHI shared with consent by name (another case), by recipient agency; not when
    # withdrawn, expired, not yet given or for another purpose.
    for client, nhi in ((consenting, "ZAA0067"), (withdrawn, "ZAA0075"), (by_agency, "ZAA0083")):
        type(client).objects.filter(pk=client.pk).update(nhi=nhi)
    _consent(consenting, caseworker, recipient_name=FUNDER.lower())
    _consent(withdrawn, caseworker, withdrawn_at=timezone.now() - timedelta(days=1))
    _consent(by_agency, caseworker, recipient_name="", recipient_agency=AgencyFactory(name=FUNDER))

    # A whānau served through its case: every client member is in scope.
    whanau = Whanau.objects.create(agency=agency, name="Te whānau o Pōmare", created_by=caseworker)
    members = [assigned_client(caseworker) for _ in range(2)]
    for member in members:
        WhanauMember.objects.create(whanau=whanau, client=member, relationship="sibling")
    enrolment_create(
        actor=caseworker, case=case_open(actor=caseworker, whanau=whanau), programme=world.programme
    )
    expired, not_yet = members
    type(expired).objects.filter(pk=expired.pk).update(nhi="ZAA0091")
    _consent(
        expired,
        caseworker,
        given_at=timezone.now() - timedelta(days=40),
        expires_at=timezone.now() - timedelta(days=1),
    )
    type(not_yet).objects.filter(pk=not_yet.pk).update(nhi="ZAA0105")
    _consent(not_yet, caseworker, given_at=timezone.now() + timedelta(days=1))
    _consent(not_yet, caseworker, purpose="whanau_sharing")

    # Served only by asking for aid; an ethnicity code outside the classification.
    asker = ClientFactory(agency=agency, created_by=caseworker, region="13")
    ClientEthnicity.objects.create(client=asker, code="12345", position=1)
    request = aid_request_create(
        actor=caseworker,
        case=led_case(caseworker, client=asker),
        programme=world.programme,
        category="food",
        amount=Decimal("80.00"),
        justification="Food until the next benefit payment.",
    )
    aid_request_submit(actor=caseworker, aid_request=request)

    world.clients += [*members, asker]
    return world


def _context(world, chunk_rows: int) -> ExportContext:
    start, end, _ = parse_period(world.period)
    return ExportContext(
        agency_id=world.clients[0].agency_id,
        funder=FUNDER,
        programme_ids=[world.programme.pk],
        period_start=start,
        period_end=end,
        at=timezone.now(),
        chunk_rows=chunk_rows,
        pseudonyms=Pseudonymiser(FUNDER),
    )


def test_scope_is_every_client_served_and_no_one_else(world):
    ctx = _context(world, chunk_rows=100)

    in_scope = set(clients_in_scope(ctx).values_list("pk", flat=True))

    assert in_scope == {client.pk for client in world.clients}
    assert not in_scope & {client.pk for client in world.outside}


def _rows(chunks) -> list[tuple]:
    return [row for chunk in chunks for row in chunk]


@pytest.mark.postgres
@pytest.mark.parametrize("chunk_rows", [2, 1000])
def test_joined_read_gives_the_generic_rows_cell_by_cell(world, chunk_rows):
    ctx = _context(world, chunk_rows)

    joined = _rows(ClientSource(joined=True).raw_chunks(ctx))
    looked_up = _rows(ClientSource(joined=False).raw_chunks(ctx))

    assert len(joined) == len(looked_up) == len(world.clients)
    for joined_row, looked_up_row in zip(joined, looked_up, strict=True):
        assert len(joined_row) == len(looked_up_row)
        for joined_cell, looked_up_cell in zip(joined_row, looked_up_row, strict=True):
            assert joined_cell == looked_up_cell, (joined_row, looked_up_row)
    # The world reaches every branch: consent both ways, several codes, none at all.
    assert {row[1] for row in joined} == {"ZAA0067", "ZAA0083", None}
    assert "0101;0104" in {row[6] for row in joined}
    assert None in {row[6] for row in joined}
    assert "11111,21111,31111" in {row[5] for row in joined}
    published = _rows(ClientSource(joined=True).chunks(ctx))
    assert published == _rows(ClientSource(joined=False).chunks(ctx))
    assert {row[6] for row in published} >= {"Māori", "European", "Not stated"}


def _build(world, tmp_path: Path, definition: str, output_format: str) -> Path:
    ctx = _context(world, chunk_rows=3)
    return build_export(
        definition=definition_get(definition),
        ctx=ctx,
        output_format=output_format,
        seed="same-seed",
        rules=ConfidentialityRules(),
        workdir=tmp_path,
        header={
            "agency": "north",
            "funder": FUNDER,
            "period": world.period,
            "period_start": str(ctx.period_start),
            "period_end": str(ctx.period_end),
        },
    ).path


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("definition", "output_format"),
    [
        ("funder-clients", "csv"),
        ("funder-clients", "parquet"),
        ("funder-clients", "xlsx"),
        ("funder-summary", "csv"),
    ],
)
def test_export_files_are_the_same_whichever_way_clients_are_read(
    world, tmp_path, monkeypatch, definition, output_format
):
    monkeypatch.setitem(sources.SOURCES, "clients", ClientSource(joined=True))
    joined = _build(world, tmp_path / "joined", definition, output_format)
    monkeypatch.setitem(sources.SOURCES, "clients", ClientSource(joined=False))
    looked_up = _build(world, tmp_path / "looked-up", definition, output_format)

    if output_format == "csv":
        with zipfile.ZipFile(joined) as one, zipfile.ZipFile(looked_up) as other:
            assert one.namelist() == other.namelist()
            for name in one.namelist():
                assert one.read(name) == other.read(name), name
    else:
        spec = definition_get(definition)
        one = read_export(joined.read_bytes(), output_format, spec)
        other = read_export(looked_up.read_bytes(), output_format, spec)
        assert one.keys() == other.keys()
        for name, frame in one.items():
            pd.testing.assert_frame_equal(frame, other[name])


COLUMNS = [
    Column("text", "string", "Text."),
    Column("number", "int", "A count."),
    Column("amount", "decimal", "Dollars."),
    Column("day", "date", "A day."),
    Column("flag", "bool", "Yes or no."),
]
ROWS = [
    ('Ngātai, "Aroha"\nsecond line', 3, Decimal("250.50"), date(2025, 7, 1), True),
    (None, None, None, None, None),
    ("", 0, Decimal("0.00"), date(2026, 6, 30), False),
    ("Māori", 1_048_576, Decimal("-12.05"), date(1960, 2, 29), True),
]


def _write(tmp_path: Path, output_format: str, how: str) -> Path:
    writer = writer_for(output_format, tmp_path / how)
    writer.begin("table", COLUMNS)
    for chunk in (ROWS[:2], [], ROWS[2:]):
        if how == "rows":
            writer.write_rows(chunk)
        else:
            frame = pd.DataFrame(chunk, columns=[c.name for c in COLUMNS], dtype=object)
            writer.write(typed_frame(frame, COLUMNS))
    writer.end_table()
    return writer.finish(summary=_summary(), dictionary=[])


def _summary() -> dict:
    return {
        "title": "t",
        "definition": "d",
        "version": 1,
        "agency": "a",
        "funder": FUNDER,
        "period": "p",
        "period_start": "s",
        "period_end": "e",
        "use": "u",
        "row_counts": {"table": len(ROWS)},
    }


def test_csv_rows_are_the_bytes_pandas_wrote(tmp_path):
    from_rows = zipfile.ZipFile(_write(tmp_path, "csv", "rows")).read("table.csv")
    from_frame = zipfile.ZipFile(_write(tmp_path, "csv", "frame")).read("table.csv")

    assert from_rows == from_frame
    assert from_rows.startswith(b"text,number,amount,day,flag\n")
    assert b'"Ng\xc4\x81tai, ""Aroha""\nsecond line",3,250.50,2025-07-01,True\n' in from_rows


def test_parquet_rows_are_the_table_pandas_wrote(tmp_path):
    def table(path):
        with zipfile.ZipFile(path) as archive:
            return pq.read_table(io.BytesIO(archive.read("table.parquet")))

    from_rows = table(_write(tmp_path, "parquet", "rows"))
    from_frame = table(_write(tmp_path, "parquet", "frame"))

    assert from_rows.equals(from_frame, check_metadata=True)
    assert from_rows.to_pylist()[0]["amount"] == Decimal("250.50")


def test_xlsx_rows_are_the_cells_pandas_wrote(tmp_path):
    def cells(path):
        sheet = load_workbook(path, read_only=True)["table"]
        return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]

    from_rows = cells(_write(tmp_path, "xlsx", "rows"))

    assert from_rows == cells(_write(tmp_path, "xlsx", "frame"))
    assert len(from_rows) == len(ROWS) + 1
    # Booleans are Excel's TRUE and FALSE (type "b"), not the numbers 1 and 0.
    flags = [row[4] if len(row) > 4 else (None, "n") for row in from_rows[1:]]
    assert flags == [(True, "b"), (None, "n"), (False, "b"), (True, "b")]


def test_xlsx_booleans_from_a_driver_that_gives_numbers_are_still_booleans(tmp_path):
    writer = writer_for("xlsx", tmp_path)
    writer.begin("table", COLUMNS)
    writer.write_rows([("a", 1, Decimal("1.00"), date(2025, 7, 1), 1), ("b", 0, None, None, 0)])
    writer.end_table()
    sheet = load_workbook(writer.finish(summary=_summary(), dictionary=[]), read_only=True)["table"]

    flags = [row[4].value for row in sheet.iter_rows(min_row=2)]

    assert flags == [True, False]
    assert all(type(flag) is bool for flag in flags)


def test_pseudonym_keys_are_hmac_sha256_under_the_funders_key():
    keys = Pseudonymiser(FUNDER)
    record = uuid.uuid4()
    expected = hmac.new(funder_key(FUNDER), b"case\x00" + record.bytes, hashlib.sha256)

    assert keys.key(record, kind="case") == expected.hexdigest()[:32]
    assert keys.keyer("case")(str(record)) == expected.hexdigest()[:32]
    assert keys.key(record) != keys.key(record, kind="case")
    assert keys.key(None) is None
