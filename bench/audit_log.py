"""The agency audit log at national scale: its list, unfiltered and by each filter it offers.

Every read of a person's record writes an audit event, so in a live system
the audit table outgrows every other; the seeded world writes none in bulk.
This part writes a year of them (`--audit-events`, two million by default)
in one `INSERT … SELECT` inside a transaction that is rolled back
afterwards, as the export figure does, and times the list as the north
agency's compliance officer reads it.

The events follow what the services write: the actor's agency (a client's
agency is its caseworker's), mostly views of clients and cases, updates,
transitions and sign-ins, a few permission changes, exports and Privacy Act
access requests; one request id per two events; object ids of clients of
the actor's agency. Failed sign-ins carry no actor and no agency (only an
operator sees them) and are left out.
"""

import time
from datetime import timedelta

from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from bench.run import timed
from casework.models import Client
from core.audit import audit_record
from core.models import AuditAction, AuditEvent, User

AUDITOR = "north-compliance"
# (action, object type, share of events); shares add up to 1.
AUDIT_MIX = (
    ("view", "casework.client", 0.42),
    ("view", "casework.case", 0.28),
    ("update", "casework.client", 0.05),
    ("update", "casework.case", 0.04),
    ("create", "casework.casenote", 0.08),
    ("transition", "programs.aidrequest", 0.05),
    ("create", "programs.aidrequest", 0.03),
    ("login", "core.user", 0.025),
    ("logout", "core.user", 0.02),
    ("download", "reporting.reportjob", 0.002),
    ("export", "exports.exportrun", 0.001),
    ("permission_change", "casework.case", 0.0019),
    ("privacy_access", "casework.client", 0.0001),
)
# Placeholders in `AUDIT_SWEEP`, filled from the events written.
AUDITED_CLIENT = "<a client in the log>"
AUDITED_REQUEST = "<a request in the log>"
AUDITED_ACTOR = "<a caseworker's id>"
AUDITED_USERNAME = "<a caseworker's username>"
AUDIT_SWEEP = (
    {},
    {"action": "view"},
    {"action": "permission_change"},
    {"action": "privacy_access"},
    {"actor": AUDITED_ACTOR},
    {"actor_username": AUDITED_USERNAME},
    {"object_type": "casework.client", "object_id": AUDITED_CLIENT},
    {"object_id": AUDITED_CLIENT},
    {"request_id": AUDITED_REQUEST},
    {"occurred_after": "7 days ago"},
    {"occurred_after": "200 days ago", "occurred_before": "199 days ago"},
    {"ordering": "occurred_at"},
)


def _write_events(events: int) -> float:
    """Write `events` audit events in one statement; return the seconds it took."""
    cases = " ".join(
        f"WHEN p.kind < {round(sum(share for *_, share in AUDIT_MIX[: i + 1]), 6)} THEN {i}"
        for i in range(len(AUDIT_MIX) - 1)
    )
    actions = ", ".join(f"'{action}'" for action, _, _ in AUDIT_MIX)
    types = ", ".join(f"'{object_type}'" for _, object_type, _ in AUDIT_MIX)
    table = AuditEvent._meta.db_table
    sql = f"""
        WITH staff AS (
            SELECT row_number() OVER (ORDER BY id) AS n, id, username, agency_id
            FROM {User._meta.db_table}
            WHERE agency_id IN (SELECT agency_id FROM casework_client)
        ),
        clients AS (
            SELECT agency_id, row_number() OVER (PARTITION BY agency_id ORDER BY id) AS n, id
            FROM casework_client
        ),
        sizes AS (SELECT agency_id, count(*) AS size FROM casework_client GROUP BY agency_id),
        picks AS (
            SELECT g, random() AS kind, random() AS age, random() AS subject,
                1 + floor(random() * (SELECT count(*) FROM staff))::int AS who
            FROM generate_series(1, %s) AS g
        )
        INSERT INTO {table} (occurred_at, actor_id, actor_username, agency_id, action,
            object_type, object_id, changes, request_id, ip_address)
        SELECT now() - p.age * interval '365 days', s.id, s.username, s.agency_id,
            (ARRAY[{actions}])[1 + CASE {cases} ELSE {len(AUDIT_MIX) - 1} END],
            (ARRAY[{types}])[1 + CASE {cases} ELSE {len(AUDIT_MIX) - 1} END],
            c.id::text, '{{}}'::jsonb, md5((p.g / 2)::text), '10.1.2.3'
        FROM picks p
        JOIN staff s ON s.n = p.who
        JOIN sizes z ON z.agency_id = s.agency_id
        JOIN clients c ON c.agency_id = s.agency_id AND c.n = 1 + floor(p.subject * z.size)::int
    """  # noqa: S608 - table names from the models, constants from this module
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(sql, [events])
        cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def _placeholders(auditor: User) -> dict:
    """What `AUDIT_SWEEP`'s placeholders stand for: the caseworker's latest client event's."""
    caseworker = User.objects.get(username="north-cw001")
    sample = (
        AuditEvent.objects.filter(
            agency_id=auditor.agency_id, actor_id=caseworker.pk, object_type="casework.client"
        )
        .exclude(request_id="")
        .order_by("-id")
        .values("object_id", "request_id")
        .first()
    )
    return {
        AUDITED_CLIENT: sample["object_id"],
        AUDITED_REQUEST: sample["request_id"],
        AUDITED_ACTOR: str(caseworker.pk),
        AUDITED_USERNAME: caseworker.username,
    }


def _filled(params: dict, placeholders: dict) -> dict:
    """`params` with the placeholders and "N days ago" instants filled in."""
    filled = {}
    for key, value in params.items():
        if value.endswith(" days ago"):
            value = (timezone.now() - timedelta(days=int(value.split()[0]))).isoformat()
        filled[key] = placeholders.get(value, value)
    return filled


@override_settings(ROOT_URLCONF="bench.urls")
def audit_log(*, events: int, repeat: int) -> dict:
    """Write `events` audit events, time the audit list by each filter, and roll them back."""
    from bench.measure import PAGE, _api, _get, _queries

    auditor = User.objects.get(username=AUDITOR)
    api = _api(auditor)
    figures = []
    with transaction.atomic():
        seconds = _write_events(events)
        in_log = AuditEvent.objects.count()
        placeholders = _placeholders(auditor)
        # What every audited request pays to write its event into a table this size.
        caseworker = User.objects.get(username="north-cw001")
        client = Client.objects.filter(agency_id=caseworker.agency_id).first()
        record = timed(
            lambda: audit_record(actor=caseworker, action=AuditAction.VIEW, obj=client),
            repeat=repeat * 10,
        )
        for sweep in AUDIT_SWEEP:
            params = {"page_size": PAGE, **_filled(sweep, placeholders)}
            body = _get(api, "/api/v1/audit-events/", params).json()
            figures.append(
                {
                    "filter": ", ".join(f"{key}={value}" for key, value in sweep.items()),
                    "count": body["count"],
                    "count_is_estimate": body["count_is_estimate"],
                    "api": timed(
                        lambda params=params: _get(api, "/api/v1/audit-events/", params),
                        repeat=repeat,
                    ),
                    "api_queries": _queries(
                        lambda params=params: _get(api, "/api/v1/audit-events/", params)
                    ),
                }
            )
            print(
                f"  audit log {figures[-1]['filter'][:50]:50} "
                f"{figures[-1]['api']['median_ms']:8.1f} ms",
                flush=True,
            )
        transaction.set_rollback(True)
    return {
        "events": in_log,
        "write_seconds": round(seconds, 1),
        "record": record,
        "figures": figures,
    }
