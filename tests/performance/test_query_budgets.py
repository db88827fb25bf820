"""Query budgets: every list's query count is the same at any page size; every detail has a budget.

The endpoints are discovered from the URL resolver, so a new one without an
entry here fails with a message naming it. The data is a small demo world
(seeded once for the module, rolled back at its end) topped up per endpoint
with factories where the demo holds fewer than 20 rows for the user.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from rest_framework.generics import ListAPIView
from rest_framework.test import APIClient

from casework.models import Case, Client, Whanau
from core.models import Agency, AuditEvent, User
from programs.models import AidRequest, Organisation, Programme, Recovery
from tests.factories import AgencyFactory, StaffFactory, TeamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SMALL, LARGE = 2, 20


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def api_endpoints() -> tuple[set[str], set[str]]:
    """(list endpoint names, detail endpoint names) under /api/v1/, from the URL resolver."""
    lists, details = set(), set()
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or not pattern.name:
            continue
        actions = getattr(pattern.callback, "actions", None) or {}
        view = getattr(pattern.callback, "cls", None)
        if actions.get("get") == "list" or (
            not actions and view is not None and issubclass(view, ListAPIView)
        ):
            lists.add(pattern.name)
        elif actions.get("get") == "retrieve":
            details.add(pattern.name)
    return lists, details


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A demo world of 48 clients, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--clients", "48", stdout=_Quiet(), stderr=_Quiet())
        yield
        transaction.set_rollback(True)


class _Quiet:
    def write(self, *_args):
        return None

    def flush(self):
        return None


def user(username: str) -> User:
    return User.objects.get(username=username)


def first(queryset):
    """The earliest-made matching row: ids are random, the demo's order of making is not."""
    names = {field.name for field in queryset.model._meta.get_fields()}
    made = next((n for n in ("created_at", "occurred_at", "date_joined") if n in names), "pk")
    row = queryset.order_by(made, "pk").first()
    assert row is not None, f"the demo world holds no {queryset.model.__name__}"
    return row


def case_of(username: str) -> Case:
    """A case of the user's that is under way (notes and referrals need one that is not closed)."""
    return first(
        Case.objects.filter(
            lead_caseworker__username=username,
            client__isnull=False,
            status__in=["intake", "active", "on_hold"],
        )
    )


# --- top-ups: rows a demo world of 48 clients does not hold enough of -------------------------


def _agencies():
    AgencyFactory.create_batch(LARGE)
    return "north-caseworker", "/api/v1/agencies/", {}


def _teams():
    north = Agency.objects.get(slug="north")
    TeamFactory.create_batch(LARGE, agency=north)
    return "north-admin", "/api/v1/teams/", {}


def _staff():
    north = Agency.objects.get(slug="north")
    StaffFactory.create_batch(LARGE, agency=north, roles=["caseworker"])
    return "north-admin", "/api/v1/staff/", {}


def _notifications():
    from core.notifications import notify

    recipient = user("north-caseworker")
    for n in range(LARGE):
        notify(recipient=recipient, kind="test", title=f"Notice {n}")
    return "north-caseworker", "/api/v1/notifications/", {}


def _notes():
    from casework.services.notes import note_create

    worker = user("north-caseworker")
    case = case_of("north-caseworker")
    for n in range(LARGE):
        note_create(
            actor=worker,
            case=case,
            kind="phone",
            body=f"Call {n}",
            occurred_at=timezone.now() - timedelta(hours=n),
        )
    return "north-caseworker", f"/api/v1/cases/{case.pk}/notes/", {}


def _whanau():
    from casework.services.whanau import whanau_create

    worker = user("north-caseworker")
    client = first(Client.objects.filter(created_by=worker))
    made = None
    for n in range(LARGE):
        made = whanau_create(
            actor=worker,
            name=f"Whānau {n}",
            members=[{"client": client, "relationship": "parent"}]
            + [{"name": f"Member {n}-{m}", "relationship": "child"} for m in range(LARGE)],
        )
    return made


def _whanau_list():
    _whanau()
    return "north-caseworker", "/api/v1/whanau/", {}


def _whanau_members():
    whanau = _whanau()
    return "north-caseworker", f"/api/v1/whanau/{whanau.pk}/members/", {}


def _organisations():
    return "north-caseworker", "/api/v1/organisations/", {}


def _services():
    return "north-caseworker", "/api/v1/services/", {}


def _budgets():
    from programs.services import budget_set

    programme = first(Programme.objects.filter(kind="financial_aid"))
    north = Agency.objects.get(slug="north")
    for year in range(2000, 2000 + LARGE):
        budget_set(actor=None, programme=programme, fiscal_year=year, allocated=1000, agency=north)
    return "north-officer", f"/api/v1/programs/{programme.pk}/budgets/", {}


def _programmes():
    from programs.services import programme_create

    north = Agency.objects.get(slug="north")
    for n in range(LARGE):
        programme_create(
            actor=None,
            name=f"Programme {n}",
            kind="network_support",
            funder="Te Puni Kōkiri",
            delivering_agencies=[north],
            active_from=timezone.localdate(),
        )
    return "north-officer", "/api/v1/programs/", {}


def _enrolments():
    from programs.services import enrolment_create

    network = first(Programme.objects.filter(kind="network_support"))
    for case in Case.objects.filter(
        agency__slug="north", status__in=["intake", "active", "on_hold"]
    ).exclude(enrolments__programme=network)[:LARGE]:
        enrolment_create(actor=case.lead_caseworker, case=case, programme=network)
    return "north-officer", "/api/v1/enrolments/", {}


def _instruments():
    Instrument = _lazy("casework.Instrument")
    template = first(Instrument.objects.all())
    for n in range(LARGE):
        Instrument.objects.create(
            code=f"test-{n}", name=f"Test {n}", version="1", definition=template.definition
        )
    return "north-caseworker", "/api/v1/instruments/", {}


def _money(path: str):
    """Paid, recoverable aid for north with one repayment each: payments, recoveries, repayments."""

    def build():
        from decimal import Decimal

        from programs.services import (
            aid_request_approve,
            aid_request_create,
            aid_request_submit,
            payment_record,
            repayment_record,
        )

        worker = user("north-caseworker")
        officer = user("north-senior-officer")
        case = first(
            Case.objects.filter(
                lead_caseworker=worker, client__isnull=False, enrolments__isnull=False
            )
        )
        programme = first(Programme.objects.filter(kind="financial_aid"))
        amount = Decimal("100.00")
        for _ in range(LARGE):
            request = aid_request_create(
                actor=worker, case=case, programme=programme, category="furniture",
                amount=amount, is_recoverable=True, repayment_instalment=Decimal("10.00"),
                repayment_frequency="weekly",
                repayment_start_on=timezone.localdate() + timedelta(days=14),
                justification="Beds for the new tenancy.",
            )  # fmt: skip
            aid_request_submit(actor=worker, aid_request=request)
            aid_request_approve(actor=officer, aid_request=request, note="")
            payment_record(
                actor=officer, aid_request=request, amount=amount, method="direct_credit"
            )
            recovery = Recovery.objects.get(aid_request_id=request.pk)
            repayment_record(
                actor=officer, recovery=recovery, amount=Decimal("10.00"), method="deduction"
            )
        return "north-compliance", path, {}

    return build


def _referrals():
    from tests.programs.referral_helpers import draft

    worker = user("north-caseworker")
    case = case_of("north-caseworker")
    service = first(_Model("programs.Service").objects.filter(organisation__agency__isnull=True))
    for n in range(LARGE):
        draft(worker, case, service, reason=f"Referral {n}")
    return "north-caseworker", "/api/v1/referrals/", {}


def _simple(username: str, path: str, **params) -> Callable[[], tuple]:
    return lambda: (username, path, params)


# Every list endpoint: name → a function making ≥ 20 rows visible and returning (user, path,
# params). Counted at page sizes 2 and 20; the two counts must be equal.
LIST_REGISTRY: dict[str, Callable[[], tuple]] = {
    "agency-list": _agencies,
    "team-list": _teams,
    "staff-list": _staff,
    "audit-event-list": _simple("north-compliance", "/api/v1/audit-events/"),
    "notification-list": _notifications,
    "client-list": _simple("north-lead", "/api/v1/clients/"),
    "whanau-list": _whanau_list,
    "whanau-member-list": _whanau_members,
    "case-list": _simple("north-lead", "/api/v1/cases/"),
    "case-note-list": _notes,
    "consent-list": _simple("north-lead", "/api/v1/consents/"),
    "goal-list": _simple("north-lead", "/api/v1/goals/"),
    "network-tie-list": _simple("north-lead", "/api/v1/network-ties/"),
    "assessment-list": _simple("north-lead", "/api/v1/assessments/"),
    "programme-list": _programmes,
    "programme-budget-list": _budgets,
    "enrolment-list": _enrolments,
    "referral-list": _referrals,
    "instrument-list": _instruments,
    "payment-list": _money("/api/v1/payments/"),
    "recovery-list": _money("/api/v1/recoveries/"),
    "repayment-list": _money("/api/v1/repayments/"),
    "aid-request-list": _simple("north-compliance", "/api/v1/aid-requests/"),
    "organisation-list": _organisations,
    "service-list": _services,
}


def _count(path: str, client: APIClient, page_size: int, params: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, {"page_size": page_size, **params})
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    body = response.json()
    assert len(body["results"]) == page_size, (
        f"{path} returned {len(body['results'])} rows for page_size={page_size}: "
        "its registry entry must make at least 20 rows visible"
    )
    return len(ctx.captured_queries)


def test_every_list_endpoint_has_a_query_budget_entry():
    lists, _details = api_endpoints()

    missing = sorted(lists - LIST_REGISTRY.keys() - PENDING_LISTS.keys())

    assert not missing, (
        f"List endpoints without a query-budget entry: {missing}. Add each to LIST_REGISTRY in "
        "tests/performance/test_query_budgets.py with a function that makes 20 rows visible."
    )


def test_every_detail_endpoint_has_a_query_budget():
    _lists, details = api_endpoints()

    missing = sorted(details - DETAIL_BUDGETS.keys() - PENDING_DETAILS.keys())

    assert not missing, (
        f"Detail endpoints without a query budget: {missing}. Add each to DETAIL_BUDGETS in "
        "tests/performance/test_query_budgets.py."
    )


@pytest.mark.parametrize("name", sorted(LIST_REGISTRY))
def test_list_query_count_is_the_same_at_any_page_size(world, name):
    username, path, params = LIST_REGISTRY[name]()
    client = APIClient()
    client.force_authenticate(user=user(username))

    small = _count(path, client, SMALL, params)
    large = _count(path, client, LARGE, params)

    assert small == large, f"{name}: {small} queries for {SMALL} rows, {large} for {LARGE}"


def _detail(username: str, model, lookup: dict, path: str, field: str = "pk"):
    def build():
        row = first(model.objects.filter(**lookup))
        return username, path.format(getattr(row, field))

    return build


def _lazy(dotted: str):
    """A model by "app.Model" name, resolved when the test runs."""
    from django.apps import apps

    return apps.get_model(dotted)


class _Model:
    """A model looked up when first used, so this module imports before every app is ready."""

    def __init__(self, dotted: str):
        self.dotted = dotted

    @property
    def objects(self):
        return _lazy(self.dotted).objects


# Every detail endpoint: name → (function returning (user, path), most queries allowed).
# The budgets are what the endpoints cost today; a change that needs more must say why.
DETAIL_BUDGETS: dict[str, tuple[Callable[[], tuple], int]] = {
    "agency-detail": (
        _detail("north-caseworker", Agency, {"slug": "north"}, "/api/v1/agencies/{}/"),
        1,
    ),
    "team-detail": (
        _detail("north-admin", _Model("core.Team"), {"agency__slug": "north"},
                "/api/v1/teams/{}/"),
        1,
    ),
    "staff-detail": (
        _detail("north-admin", User, {"username": "north-caseworker"}, "/api/v1/staff/{}/"),
        4,
    ),
    "audit-event-detail": (
        _detail("north-compliance", AuditEvent, {"agency__slug": "north"},
                "/api/v1/audit-events/{}/"),
        3,
    ),
    "client-detail": (
        _detail("north-caseworker", Client, {"created_by__username": "north-caseworker"},
                "/api/v1/clients/{}/"),
        4,
    ),
    "whanau-detail": (
        _detail("north-caseworker", Whanau, {"created_by__username": "north-caseworker"},
                "/api/v1/whanau/{}/"),
        3,
    ),
    "case-detail": (
        _detail("north-caseworker", Case, {"lead_caseworker__username": "north-caseworker"},
                "/api/v1/cases/{}/"),
        2,
    ),
    "case-note-detail": (
        lambda: (
            "north-caseworker",
            "/api/v1/cases/{}/notes/{}/".format(
                *(lambda n: (n.case_id, n.pk))(
                    first(_Model("casework.CaseNote").objects.filter(
                        author__username="north-caseworker", restricted=False))
                )
            ),
        ),
        4,
    ),
    "consent-detail": (
        _detail("north-caseworker", _Model("casework.Consent"),
                {"recorded_by__username": "north-caseworker"}, "/api/v1/consents/{}/"),
        2,
    ),
    "goal-detail": (
        _detail("north-caseworker", _Model("casework.Goal"),
                {"created_by__username": "north-caseworker"}, "/api/v1/goals/{}/"),
        1,
    ),
    "network-tie-detail": (
        _detail("north-caseworker", _Model("casework.NetworkTie"),
                {"created_by__username": "north-caseworker"}, "/api/v1/network-ties/{}/"),
        1,
    ),
    "instrument-detail": (
        _detail("north-caseworker", _Model("casework.Instrument"), {},
                "/api/v1/instruments/{}/", field="code"),
        1,
    ),
    "assessment-detail": (
        _detail("north-caseworker", _Model("casework.Assessment"),
                {"administered_by__username": "north-caseworker"}, "/api/v1/assessments/{}/"),
        2,
    ),
    "programme-detail": (
        _detail("north-officer", Programme, {"kind": "financial_aid"}, "/api/v1/programs/{}/"),
        2,
    ),
    "enrolment-detail": (
        _detail("north-officer", _Model("programs.Enrolment"), {"agency__slug": "north"},
                "/api/v1/enrolments/{}/"),
        2,
    ),
    "aid-request-detail": (
        _detail("north-officer", AidRequest, {"agency__slug": "north"},
                "/api/v1/aid-requests/{}/"),
        4,
    ),
    "payment-detail": (
        _detail("north-officer", _Model("programs.Payment"), {"agency__slug": "north"},
                "/api/v1/payments/{}/"),
        2,
    ),
    "recovery-detail": (
        _detail("north-officer", Recovery, {"agency__slug": "north"},
                "/api/v1/recoveries/{}/"),
        3,
    ),
    "repayment-detail": (
        _detail("north-officer", _Model("programs.Repayment"), {"agency__slug": "north"},
                "/api/v1/repayments/{}/"),
        2,
    ),
    "organisation-detail": (
        _detail("north-caseworker", Organisation, {}, "/api/v1/organisations/{}/"),
        1,
    ),
    "service-detail": (
        _detail("north-caseworker", _Model("programs.Service"), {}, "/api/v1/services/{}/"),
        1,
    ),
    "referral-detail": (
        _detail("north-caseworker", _Model("programs.Referral"),
                {"created_by__username": "north-caseworker"}, "/api/v1/referrals/{}/"),
        7,
    ),
}  # fmt: skip

# Endpoints added while this suite was written, whose rows builders are still to come.
# Each is listed with the work it waits for; the registry tests above accept them until then.
_EMPLOYMENT = "employment endpoints: rows builder to come with the employment work"
_EXPORTS = "export and governance endpoints: rows builder to come with the export work"
PENDING_LISTS: dict[str, str] = {
    "correction-request-list": "correction requests: rows builder to come with that work",
    "employer-list": _EMPLOYMENT,
    "employment-activity-list": _EMPLOYMENT,
    "employment-plan-list": _EMPLOYMENT,
    "placement-list": _EMPLOYMENT,
    "export-run-list": _EXPORTS,
    "governance-flag-list": _EXPORTS,
    "report-job-list": "report jobs: rows builder to come with the reporting work",
}
PENDING_DETAILS: dict[str, str] = {
    "correction-request-detail": PENDING_LISTS["correction-request-list"],
    "employer-detail": _EMPLOYMENT,
    "employment-activity-detail": _EMPLOYMENT,
    "employment-plan-detail": _EMPLOYMENT,
    "placement-detail": _EMPLOYMENT,
    "export-run-detail": _EXPORTS,
    "governance-flag-detail": _EXPORTS,
    "report-job-detail": PENDING_LISTS["report-job-list"],
}


@pytest.mark.parametrize("name", sorted(DETAIL_BUDGETS))
def test_detail_endpoint_stays_within_its_query_budget(world, name):
    build, budget = DETAIL_BUDGETS[name]
    username, path = build()
    client = APIClient()
    client.force_authenticate(user=user(username))

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)

    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    assert len(ctx.captured_queries) <= budget, (
        f"{name}: {len(ctx.captured_queries)} queries, budget {budget}"
    )
