"""Export speed on PostgreSQL: a client-level export against COPY … TO of the same rows.

`run_export_benchmark(rows)` builds `rows` served clients (with cases,
enrolments and ethnicities) inside one transaction, times PostgreSQL's own
`COPY (SELECT …) TO STDOUT` of the export's rows, then the export itself
(funder-clients, streamed in chunks), and rolls everything back, so the
database is left as it was. Peak memory is the process's maximum resident
set size (resource.getrusage) before and after the export.
"""

import resource
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.models import Agency, User
from reporting.confidentiality import ConfidentialityRules
from reporting.exports.definitions import definition_get
from reporting.exports.engine import build_export
from reporting.exports.pseudonym import Pseudonymiser
from reporting.exports.sources import ClientSource, ExportContext

FUNDER = "Benchmark funder"


def _max_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _seed(rows: int, started_on) -> tuple[Agency, list]:
    from casework.models import Case, Client, ClientEthnicity
    from programs.models import Enrolment, Programme

    tag = uuid.uuid4().hex[:10]
    agency = Agency.objects.create(
        name=f"Benchmark agency {tag}", slug=f"bench-{tag}", kind="ngo", region="09"
    )
    user = User.objects.create(username=f"bench-{tag}", agency=agency)
    programme = Programme.objects.create(
        name=f"Benchmark programme {tag}",
        kind="financial_aid",
        funder=FUNDER,
        active_from=started_on - timedelta(days=365),
    )
    programme.delivering_agencies.add(agency)
    clients, cases = Client._meta.db_table, Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {clients} (id, agency_id, legal_given_names, legal_family_name,
                preferred_name, date_of_birth, gender, nhi, region, phone, email, address,
                preferred_language, interpreter_required, interpreter_language, is_restricted,
                archived_at, created_by_id, created_at, updated_at)
            SELECT gen_random_uuid(), %s, 'Aroha', 'Ngātai', '', date '1960-01-01' + (g %% 14600),
                (array['female','male','another','not_stated'])[1 + g %% 4], NULL,
                (array['01','02','08','13'])[1 + g %% 4], '', '', '', '', false, '', false,
                NULL, %s, now(), now()
            FROM generate_series(1, %s) AS g
            """,  # noqa: S608 - table names from the models; values are bound
            [agency.pk, user.pk, rows],
        )
        cursor.execute(
            f"""
            INSERT INTO {ClientEthnicity._meta.db_table} (client_id, code, position)
            SELECT id, (array['21111','11111','31111','42100'])[1 + abs(hashtext(id::text)) %% 4], 1
            FROM {clients} WHERE agency_id = %s
            """,  # noqa: S608 - table names from the models; values are bound
            [agency.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO {cases} (id, agency_id, client_id, whanau_id, lead_caseworker_id, team_id,
                status, summary, opened_at, closed_at, closure_reason, created_by_id,
                created_at, updated_at)
            SELECT gen_random_uuid(), %s, id, NULL, NULL, NULL, 'active', '', now(), NULL, '',
                %s, now(), now()
            FROM {clients} WHERE agency_id = %s
            """,  # noqa: S608 - table names from the models; values are bound
            [agency.pk, user.pk, agency.pk],
        )
        cursor.execute(
            f"""
            INSERT INTO {Enrolment._meta.db_table} (id, agency_id, case_id, programme_id, status,
                started_on, ended_on, end_reason, enrolled_by_id, created_at, updated_at)
            SELECT gen_random_uuid(), %s, id, %s, 'active', %s, NULL, '', %s, now(), now()
            FROM {cases} WHERE agency_id = %s
            """,  # noqa: S608 - table names from the models; values are bound
            [agency.pk, programme.pk, started_on, user.pk, agency.pk],
        )
        cursor.execute("ANALYZE")
    return agency, [programme.pk]


def _copy_seconds(ctx: ExportContext) -> tuple[float, int]:
    """Time COPY (SELECT …) TO STDOUT of the export's rows; return seconds and bytes.

    The SELECT is the one the export reads the client table from: every client in scope
    with its id, NHI where consent allows it, date of birth, gender, region, and its
    ethnicity and iwi codes, so COPY reads and sends everything the export publishes
    and the export's own cost is what the ratio shows.
    """
    query = ClientSource(joined=True).joined_queryset(ctx)
    sql, params = query.query.sql_with_params()
    raw = connection.connection
    statement = psycopg.ClientCursor(raw).mogrify(sql, params)
    size = 0
    started = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(f"COPY ({statement}) TO STDOUT") as copy:
        for block in copy:
            size += len(block)
    return time.perf_counter() - started, size


def run_export_benchmark(rows: int, *, output_format: str = "csv") -> dict:
    """Time a `funder-clients` export of `rows` client rows against COPY of the same rows.

    PostgreSQL only. Returns rows, format, copy_seconds, export_seconds, ratio
    (export / COPY), copy_bytes, export_bytes, chunk_rows, and the process's
    peak resident memory before and after the export (MB) with its growth.
    Nothing is left in the database.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError(
            "The export benchmark compares with PostgreSQL's COPY: set DATABASE_URL."
        )
    today = timezone.localdate()
    definition = definition_get("funder-clients")
    with transaction.atomic():
        agency, programme_ids = _seed(rows, today)
        ctx = ExportContext(
            agency_id=agency.pk,
            funder=FUNDER,
            programme_ids=programme_ids,
            period_start=today - timedelta(days=30),
            period_end=today,
            at=timezone.now(),
            chunk_rows=settings.EXPORT_CHUNK_ROWS,
            pseudonyms=Pseudonymiser(FUNDER),
        )
        copy_seconds, copy_bytes = _copy_seconds(ctx)
        memory_before = _max_rss_mb()
        with tempfile.TemporaryDirectory(prefix="export-bench-") as workdir:
            started = time.perf_counter()
            result = build_export(
                definition=definition,
                ctx=ctx,
                output_format=output_format,
                seed="benchmark",
                rules=ConfidentialityRules(),
                workdir=Path(workdir),
                header={
                    "agency": agency.name,
                    "funder": FUNDER,
                    "period": "benchmark",
                    "period_start": str(ctx.period_start),
                    "period_end": str(ctx.period_end),
                },
            )
            export_seconds = time.perf_counter() - started
            export_bytes = result.path.stat().st_size
        memory_after = _max_rss_mb()
        transaction.set_rollback(True)
    exported = result.row_counts["clients"]
    if exported != rows:
        raise RuntimeError(f"Exported {exported} rows, expected {rows}.")
    return {
        "rows": rows,
        "format": output_format,
        "chunk_rows": settings.EXPORT_CHUNK_ROWS,
        "copy_seconds": round(copy_seconds, 6),
        "export_seconds": round(export_seconds, 6),
        "ratio": round(export_seconds / copy_seconds, 2) if copy_seconds else None,
        "copy_bytes": copy_bytes,
        "export_bytes": export_bytes,
        "peak_rss_mb_before_export": round(memory_before, 1),
        "peak_rss_mb_after_export": round(memory_after, 1),
        "peak_rss_growth_mb": round(memory_after - memory_before, 1),
    }
