"""The figures of one benchmark run, each against its baselines in the same process."""

import importlib
import threading
import time
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from bench import baselines
from bench.run import timed, timed_together
from casework import access
from casework.access import grant_case_to_user, user_group_ids
from casework.models import (
    Assessment,
    Case,
    CaseGroupObjectPermission,
    CaseNote,
    CaseUserObjectPermission,
    Client,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
    Goal,
    NetworkTie,
)
from core.models import Notification, User
from programs.models import (
    AidRequest,
    AidRequestStatus,
    EmploymentActivity,
    EmploymentPlan,
    Payment,
    Placement,
    Referral,
)

PAGE = 50
# Where a user's own grants of each list's view permission are kept.
# (own grants, group grants, the list's view permission) per list kind.
GRANT_TABLES = {
    "clients": (ClientUserObjectPermission, ClientGroupObjectPermission, "view_client"),
    "cases": (CaseUserObjectPermission, CaseGroupObjectPermission, "view_case"),
}


def _predicate_shape(user: User, kind: str) -> dict:
    """Which branches the API's predicate has for `user` (ADR 8), for baseline (a) to match.

    `direct`: the user's own grants are tested (always without grant-holding
    groups; with them, only for own grants the groups do not also hold).
    `identifies`: the user identifies someone, which changes the client
    list's name order (for a group member, only restricted clients count).
    """
    groups = user_group_ids(user)
    if groups:
        identifies = access.restricted_clients_identified(user) is not None
    else:
        identifies = ClientUserObjectPermission.objects.filter(
            user_id=user.pk, permission_id=_perm("view_client_identity")
        ).exists()
    if kind not in GRANT_TABLES:
        return {"direct": False, "identifies": identifies}
    user_model, group_model, codename = GRANT_TABLES[kind]
    if groups:
        own = access._direct_beyond_groups(user_model, group_model, user, codename)
    else:
        own = user_model.objects.filter(user_id=user.pk, permission_id=_perm(codename))
    return {"direct": own.exists(), "identifies": identifies}


def prepare_world(clients: int) -> float | None:
    """Migrate and seed a world of `clients` clients, unless the database already holds one.

    Returns the seeding time in seconds, or None when the world was re-used.
    """
    call_command("migrate", verbosity=0, interactive=False)
    existing = Client.objects.count()
    if existing == clients:
        _vacuum()
        return None
    if existing:
        call_command("flush", verbosity=0, interactive=False)
    start = time.perf_counter()
    call_command("seed_demo", clients=clients, verbosity=0, stdout=_Null())
    _vacuum()
    return round(time.perf_counter() - start, 1)


def _vacuum() -> None:
    """Pack and analyze the world before it is timed, new or re-used: `VACUUM (FULL, ANALYZE)`.

    A new world's freshly loaded pages would otherwise have their hint bits
    written by the first timed reads. A re-used one holds what earlier runs
    left: the export figure builds a million rows in a transaction it rolls
    back. Left alone (autovacuum may be off; it is on the machines measured
    here), every run read the case list's order index past a million more
    dead entries than the last (baseline (a) for the team lead's case page
    went from about 10 to 50 ms over four runs); a plain vacuum removes the
    dead rows but leaves tables and indexes ten times their size, and the
    lookups of a caseworker's 2,000 clients cost more in them. Packing makes
    every run start from the same state (about 10 s at 100,000 clients).

    A plain `VACUUM` follows: a rewritten table has an empty visibility map,
    so every index-only scan (the grant probes, the bounded counts) would
    visit the table for each row as well. On a live database autovacuum
    keeps the map set; measured without it, a caseworker's count of active
    cases took 17.5 ms instead of 5.4 (100,000 clients).
    """
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (FULL, ANALYZE)")
        cursor.execute("VACUUM")
    # The vacuum's writes would otherwise reach the disk while the first figures are
    # timed. CHECKPOINT needs a superuser (or pg_checkpoint); without one, go on.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


class _Null:
    def write(self, *_args, **_kwargs):
        return None

    def flush(self):
        return None


def world_counts() -> dict:
    """How big the world is: the rows the figures run over."""
    return {
        "clients": Client.objects.count(),
        "cases": Case.objects.count(),
        "whanau_cases": Case.objects.filter(whanau__isnull=False).count(),
        "notes": CaseNote.objects.count(),
        "aid_requests": AidRequest.objects.count(),
        "submitted_aid_requests": AidRequest.objects.filter(
            status=AidRequestStatus.SUBMITTED
        ).count(),
        "approved_aid_requests": AidRequest.objects.filter(
            status=AidRequestStatus.APPROVED
        ).count(),
        "paid_aid_requests": AidRequest.objects.filter(status=AidRequestStatus.PAID).count(),
        "payments": Payment.objects.count(),
        "referrals": Referral.objects.count(),
        "goals": Goal.objects.count(),
        "network_ties": NetworkTie.objects.count(),
        "assessments": Assessment.objects.count(),
        "employment_plans": EmploymentPlan.objects.count(),
        "employment_activities": EmploymentActivity.objects.count(),
        "placements": Placement.objects.count(),
        "notifications": Notification.objects.count(),
        "client_user_grants": ClientUserObjectPermission.objects.count(),
    }


def _user(*usernames: str) -> User:
    for username in usernames:
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
    raise LookupError(f"None of {usernames} exists; seed the world first.")


def _perm(codename: str) -> int:
    return Permission.objects.get(content_type__app_label="casework", codename=codename).pk


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def _get(client: APIClient, url: str, params: dict) -> None:
    response = client.get(url, params)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} {params} answered {response.status_code}")
    return response


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


LIST_CASES = (
    # (figure, user kind, API url, stock url, baseline kind, filter params)
    ("client list", "caseworker", "/api/v1/clients/", "/stock/clients/", "clients", {}),
    ("client list, region 01", "caseworker", "/api/v1/clients/", "/stock/clients/", "clients",
     {"region": "01"}),
    ("client list", "team lead", "/api/v1/clients/", "/stock/clients/", "clients", {}),
    ("client list, region 01", "team lead", "/api/v1/clients/", "/stock/clients/", "clients",
     {"region": "01"}),
    ("case list", "caseworker", "/api/v1/cases/", "/stock/cases/", "cases", {}),
    ("case list, active", "caseworker", "/api/v1/cases/", "/stock/cases/", "cases",
     {"status": "active"}),
    ("case list", "team lead", "/api/v1/cases/", "/stock/cases/", "cases", {}),
    ("case list, active", "team lead", "/api/v1/cases/", "/stock/cases/", "cases",
     {"status": "active"}),
    ("aid requests", "program officer", "/api/v1/aid-requests/", "/stock/aid-requests/", "aid",
     {}),
    ("aid queue (submitted)", "program officer", "/api/v1/aid-requests/",
     "/stock/aid-requests/", "aid", {"status": "submitted"}),
)  # fmt: skip


def users() -> dict[str, User]:
    return {
        "caseworker": _user("north-cw001", "north-caseworker"),
        "team lead": _user("north-lead"),
        "program officer": _user("north-officer"),
    }


# A team lead who also leads cases in their own name (small agencies): the same lists,
# measured after giving `north-lead` the lead of OWN_CASES cases of their agency inside a
# transaction that is rolled back, so the seeded world is left as it was.
OWN_CASES = 20
OWN_LEAD = "team lead, leads 20 cases"
OWN_LEAD_LIST_CASES = (
    ("client list", OWN_LEAD, "/api/v1/clients/", "/stock/clients/", "clients", {}),
    ("case list", OWN_LEAD, "/api/v1/cases/", "/stock/cases/", "cases", {}),
)  # fmt: skip


@override_settings(ROOT_URLCONF="bench.urls")
def lists(*, repeat: int) -> list[dict]:
    """Every list figure: the API, baseline (a) and baseline (b), page of 50."""
    people = users()
    view_perm = {"clients": _perm("view_client"), "cases": _perm("view_case"), "aid": None}
    figures = [_list_figure(case, people, view_perm, repeat=repeat) for case in LIST_CASES]
    with transaction.atomic():
        lead = people["team lead"]
        for case in Case.objects.filter(agency_id=lead.agency_id).order_by("id")[:OWN_CASES]:
            grant_case_to_user(case, lead)
        people = {**people, OWN_LEAD: lead}
        figures += [
            _list_figure(case, people, view_perm, repeat=repeat) for case in OWN_LEAD_LIST_CASES
        ]
        transaction.set_rollback(True)
    return figures


def _list_figure(case: tuple, people: dict, view_perm: dict, *, repeat: int) -> dict:
    """One list figure: the API, baseline (a) and baseline (b), page of 50."""
    figure, who, url, stock_url, kind, extra = case
    user = people[who]
    api = _api(user)
    params = {"page_size": PAGE, **extra}
    sql_params = {
        "user": user.pk,
        "perm": view_perm[kind],
        "identity_perm": _perm("view_client_identity"),
        "agency": user.agency_id,
        "region": extra.get("region"),
        "limit": PAGE,
        "groups": user_group_ids(user),
        **_predicate_shape(user, kind),
    }
    response = _get(api, url, params)
    body = response.json()
    # The API and its baselines in alternation, so that each ratio compares times taken
    # on the same machine in the same minutes (`bench.run.timed_together`).
    timings = timed_together(
        {
            "api": lambda: _get(api, url, params),
            # The same request for a page of one row: what a request costs before its rows.
            "api_one_row": lambda: _get(api, url, {**params, "page_size": 1}),
            "baseline_a": lambda: baselines.hand_written_page(
                kind, filtered=bool(extra), params=sql_params
            ),
            "baseline_b": lambda: _get(api, stock_url, params),
        },
        repeat=repeat,
    )
    row = {
        "figure": figure,
        "user": who,
        "username": user.username,
        "rows": len(body["results"]),
        "count": body.get("count"),
        **timings,
        "api_queries": _queries(lambda: _get(api, url, params)),
        "api_queries_page_10": _queries(lambda: _get(api, url, {"page_size": 10, **extra})),
        "baseline_b_queries": _queries(lambda: _get(api, stock_url, params)),
    }
    row["ratio_to_a"] = round(row["api"]["median_ms"] / row["baseline_a"]["median_ms"], 2)
    row["b_over_api"] = round(row["baseline_b"]["median_ms"] / row["api"]["median_ms"], 2)
    row["one_row_to_a"] = round(row["api_one_row"]["median_ms"] / row["baseline_a"]["median_ms"], 2)
    print(
        f"  {who:16} {figure:26} api {row['api']['median_ms']:8.1f} ms "
        f"({row['api_queries']} q)  a {row['baseline_a']['median_ms']:7.1f}  "
        f"b {row['baseline_b']['median_ms']:8.1f}",
        flush=True,
    )
    return row


# Every filter and ordering of the three national-scale lists, as the users who use them
# read them: API only (the baselines are for the lists above). A filter that a query
# shape cannot serve shows here as seconds where its list takes milliseconds.
CASEWORKER_ID = "<the caseworker's id>"
FILTER_SWEEP = (
    ("team lead", "/api/v1/clients/", {"ordering": "-name"}),
    ("team lead", "/api/v1/clients/", {"ordering": "created_at"}),
    ("team lead", "/api/v1/clients/", {"ordering": "-created_at"}),
    ("team lead", "/api/v1/clients/", {"search": "smith"}),
    ("team lead", "/api/v1/clients/", {"search": "ng"}),
    ("team lead", "/api/v1/clients/", {"search": "ng smith"}),
    ("team lead", "/api/v1/clients/", {"gender": "female"}),
    ("team lead", "/api/v1/clients/", {"is_restricted": "true"}),
    ("team lead", "/api/v1/clients/", {"archived": "true"}),
    ("team lead", "/api/v1/clients/", {"created_after": "30 days ago"}),
    ("team lead", "/api/v1/clients/", {"date_of_birth_after": "1990-01-01",
                                      "date_of_birth_before": "1990-12-31"}),
    ("team lead", "/api/v1/clients/", {"ethnicity": "21"}),
    ("team lead", "/api/v1/clients/", {"prioritised_ethnicity": "2"}),
    ("team lead", "/api/v1/clients/", {"iwi": "0104"}),
    ("team lead", "/api/v1/clients/", {"caseworker": CASEWORKER_ID}),
    ("team lead", "/api/v1/clients/", {"case_status": "active"}),
    ("caseworker", "/api/v1/clients/", {"ordering": "-created_at"}),
    ("caseworker", "/api/v1/clients/", {"search": "smith"}),
    ("caseworker", "/api/v1/clients/", {"search": "ng"}),
    ("caseworker", "/api/v1/clients/", {"case_status": "active"}),
    ("team lead", "/api/v1/cases/", {"status": "closed"}),
    ("team lead", "/api/v1/cases/", {"lead_caseworker": CASEWORKER_ID}),
    ("team lead", "/api/v1/cases/", {"region": "01"}),
    ("team lead", "/api/v1/cases/", {"opened_after": "60 days ago"}),
    ("team lead", "/api/v1/cases/", {"closed_after": "365 days ago"}),
    ("team lead", "/api/v1/cases/", {"search": "smith"}),
    ("team lead", "/api/v1/cases/", {"search": "ng"}),
    ("caseworker", "/api/v1/cases/", {"search": "smith"}),
    ("program officer", "/api/v1/aid-requests/", {"category": "food"}),
    ("program officer", "/api/v1/aid-requests/", {"is_recoverable": "true"}),
    ("program officer", "/api/v1/aid-requests/", {"amount_min": "500"}),
    ("program officer", "/api/v1/aid-requests/", {"within_my_limit": "true"}),
    ("program officer", "/api/v1/aid-requests/", {"budgeting_support": "true"}),
    ("program officer", "/api/v1/aid-requests/", {"status": "submitted", "min_age_days": "10"}),
    ("program officer", "/api/v1/aid-requests/", {"submitted_after": "30 days ago"}),
    ("program officer", "/api/v1/aid-requests/", {"ordering": "amount"}),
    ("program officer", "/api/v1/aid-requests/", {"status": "submitted", "ordering": "-amount"}),
    ("program officer", "/api/v1/aid-requests/", {"ordering": "-requests_12_months"}),
    ("program officer", "/api/v1/aid-requests/", {"status": "submitted",
                                                  "ordering": "submitted_at"}),
)  # fmt: skip
# The other lists of people's records and money, each as the users who read it most.
OTHER_LISTS = (
    ("caseworker", "/api/v1/aid-requests/", {}),
    ("caseworker", "/api/v1/payments/", {}),
    ("team lead", "/api/v1/payments/", {}),
    ("program officer", "/api/v1/payments/", {}),
    ("caseworker", "/api/v1/recoveries/", {}),
    ("team lead", "/api/v1/recoveries/", {}),
    ("program officer", "/api/v1/recoveries/", {}),
    ("caseworker", "/api/v1/repayments/", {}),
    ("team lead", "/api/v1/repayments/", {}),
    ("program officer", "/api/v1/repayments/", {}),
    ("caseworker", "/api/v1/enrolments/", {}),
    ("team lead", "/api/v1/enrolments/", {}),
    ("program officer", "/api/v1/enrolments/", {}),
    ("caseworker", "/api/v1/referrals/", {}),
    ("team lead", "/api/v1/referrals/", {}),
    ("caseworker", "/api/v1/consents/", {}),
    ("team lead", "/api/v1/consents/", {}),
    ("caseworker", "/api/v1/whanau/", {}),
    ("team lead", "/api/v1/whanau/", {}),
    ("caseworker", "/api/v1/goals/", {}),
    ("team lead", "/api/v1/goals/", {}),
    ("caseworker", "/api/v1/network-ties/", {}),
    ("team lead", "/api/v1/network-ties/", {}),
    ("caseworker", "/api/v1/assessments/", {}),
    ("team lead", "/api/v1/assessments/", {}),
    ("caseworker", "/api/v1/employment-plans/", {}),
    ("team lead", "/api/v1/employment-plans/", {}),
    ("caseworker", "/api/v1/employment-activities/", {}),
    ("team lead", "/api/v1/employment-activities/", {}),
    ("caseworker", "/api/v1/placements/", {}),
    ("team lead", "/api/v1/placements/", {}),
    ("caseworker", "/api/v1/notifications/", {}),
    ("caseworker", "/api/v1/notifications/", {"unread": "true"}),
)
LIST_NAMES = {
    "/api/v1/clients/": "client list",
    "/api/v1/cases/": "case list",
    "/api/v1/aid-requests/": "aid requests",
    "/api/v1/payments/": "payments",
    "/api/v1/recoveries/": "recoveries",
    "/api/v1/repayments/": "repayments",
    "/api/v1/enrolments/": "enrolments",
    "/api/v1/referrals/": "referrals",
    "/api/v1/consents/": "consents",
    "/api/v1/whanau/": "whānau",
    "/api/v1/goals/": "goals",
    "/api/v1/network-ties/": "network ties",
    "/api/v1/assessments/": "assessments",
    "/api/v1/employment-plans/": "employment plans",
    "/api/v1/employment-activities/": "employment activities",
    "/api/v1/placements/": "placements",
    "/api/v1/notifications/": "notifications",
}


def _sweep_params(params: dict, *, caseworker: User) -> dict:
    """`params` with the caseworker's id and the "N days ago" instants filled in."""
    filled = {}
    for key, value in params.items():
        if value == CASEWORKER_ID:
            value = str(caseworker.pk)
        elif value.endswith(" days ago"):
            days = int(value.split()[0])
            value = (timezone.now() - timedelta(days=days)).isoformat()
        filled[key] = value
    return filled


def filters(*, repeat: int) -> list[dict]:
    """Each filter and ordering of `FILTER_SWEEP`: page of 50, median and p95, queries."""
    return _swept(FILTER_SWEEP, repeat=repeat)


def other_lists(*, repeat: int) -> list[dict]:
    """Each list of `OTHER_LISTS` as it opens: page of 50, median and p95, queries."""
    return _swept(OTHER_LISTS, repeat=repeat)


@override_settings(ROOT_URLCONF="bench.urls")
def _swept(sweeps, *, repeat: int) -> list[dict]:
    people = users()
    figures = []
    for who, url, sweep in sweeps:
        api = _api(people[who])
        params = {"page_size": PAGE, **_sweep_params(sweep, caseworker=people["caseworker"])}
        body = _get(api, url, params).json()
        figures.append(
            {
                "user": who,
                "list": LIST_NAMES[url],
                "filter": ", ".join(f"{key}={value}" for key, value in sweep.items()),
                "count": body["count"],
                "count_is_estimate": body["count_is_estimate"],
                "api": timed(
                    lambda api=api, url=url, params=params: _get(api, url, params), repeat=repeat
                ),
                "api_queries": _queries(
                    lambda api=api, url=url, params=params: _get(api, url, params)
                ),
            }
        )
        print(
            f"  {who:16} {LIST_NAMES[url]:13} {figures[-1]['filter'][:40]:40} "
            f"{figures[-1]['api']['median_ms']:8.1f} ms",
            flush=True,
        )
    return figures


def details(*, repeat: int) -> list[dict]:
    """One client with its cases, and a new case note, as the caseworker."""
    worker = users()["caseworker"]
    api = _api(worker)
    case = Case.objects.filter(lead_caseworker=worker, client__isnull=False).order_by("id").first()
    client_id = case.client_id

    def retrieve():
        _get(api, f"/api/v1/clients/{client_id}/", {})
        _get(api, "/api/v1/cases/", {"client": str(client_id)})

    def note():
        response = api.post(
            f"/api/v1/cases/{case.pk}/notes/",
            {"kind": "phone", "body": "Phoned to check in.", "occurred_at": timezone.now()},
            format="json",
        )
        if response.status_code != 201:
            raise RuntimeError(f"note create answered {response.status_code}: {response.content}")

    return [
        {"figure": "client with its cases (2 requests)", "api": timed(retrieve, repeat=repeat),
         "api_queries": _queries(retrieve)},
        {"figure": "create a case note", "api": timed(note, repeat=repeat),
         "api_queries": _queries(note)},
    ]  # fmt: skip


def approvals(*, total: int, workers: int) -> dict:
    """Aid approvals per second with `workers` officers approving side by side (threads)."""
    officers = [
        u
        for u in User.objects.filter(username__startswith="north-po").order_by("username")[:workers]
    ]
    if len(officers) < workers:
        return {"status": "not available", "why": f"needs {workers} bulk officers (north-po01…)"}
    queue = list(
        AidRequest.objects.filter(
            agency_id=officers[0].agency_id,
            status=AidRequestStatus.SUBMITTED,
            amount__lte=officers[0].delegated_limit,
        )
        .order_by("submitted_at", "id")
        .values_list("pk", flat=True)[:total]
    )
    if len(queue) < total:
        # Every run approves what it times, so a world re-used many times runs out.
        return {
            "status": "not available",
            "why": f"the world's queue holds {len(queue)} of the {total} submitted requests "
            "needed; seed it again with --reseed",
        }
    shares = [queue[i::workers] for i in range(workers)]
    outcomes: list[int] = []
    lock = threading.Lock()

    def work(officer, ids):
        api = _api(officer)
        try:
            for pk in ids:
                response = api.post(f"/api/v1/aid-requests/{pk}/approve/", {}, format="json")
                with lock:
                    outcomes.append(response.status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(officer, ids))
        for officer, ids in zip(officers, shares, strict=True)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    approved = sum(1 for code in outcomes if code == 200)
    return {
        "workers": workers,
        "attempted": len(outcomes),
        "approved": approved,
        "refused": {str(c): outcomes.count(c) for c in set(outcomes) if c != 200},
        "seconds": round(elapsed, 2),
        "approvals_per_second": round(approved / elapsed, 1) if elapsed else None,
    }


def pdfs() -> dict:
    """The PDF figures from `reporting.pdf.bench`, where that module provides them."""
    try:
        module = importlib.import_module("reporting.pdf.bench")
    except ImportError:
        return {"status": "not available"}
    figures = {}
    for name, n in (
        ("bench_one_page", 200),
        ("bench_client_outcome", 50),
        ("bench_batch", 60),
        ("bench_programme_outcome", 20),
    ):
        fn = getattr(module, name, None)
        figures[name] = fn(n) if fn else {"status": "not available"}
    return figures


def export(*, rows: int) -> dict:
    """The compliance export against PostgreSQL `COPY … TO` of the same rows, where provided."""
    try:
        module = importlib.import_module("reporting.exports.bench")
    except ImportError:
        return {"status": "not available"}
    fn = getattr(module, "run_export_benchmark", None)
    if fn is None:
        return {"status": "not available"}
    return fn(rows)
