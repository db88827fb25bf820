"""Query budgets: every list's query count is the same at any page size; every detail has a budget.

The endpoints are discovered from the URL resolver, so a new one without an
entry here fails with a message naming it. The data is a small demo world
(seeded once for the module, rolled back at its end) topped up per endpoint
with factories where the demo holds fewer than 20 rows for the user. Filtered lists are
also checked for a SELECT DISTINCT that a filter on the model's own column does not need.
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


def _employer_rows():
    from tests.programs.factories import EmployerFactory

    north = Agency.objects.get(slug="north")
    return EmployerFactory.create_batch(LARGE, agency=north)


def _employers():
    _employer_rows()
    return "north-caseworker", "/api/v1/employers/", {}


def _plans():
    """Plans on a case of the caseworker's: all closed but the last (one active plan a client)."""
    from programs.services import employment

    worker = user("north-caseworker")
    case = case_of("north-caseworker")
    for plan in case.employment_plans.filter(status="active"):  # the demo's own, closed first
        employment.employment_plan_close(actor=worker, plan=plan)
    plans = []
    for n in range(LARGE):
        plan = employment.employment_plan_create(
            actor=worker,
            case=case,
            work_goals=f"Work goal {n}",
            barriers=["transport"],
            next_review_on=timezone.localdate() + timedelta(days=30),
        )
        if n < LARGE - 1:
            plan = employment.employment_plan_close(actor=worker, plan=plan)
        plans.append(plan)
    return plans


def _plan_list():
    _plans()
    return "north-caseworker", "/api/v1/employment-plans/", {}


def _activities():
    from programs.services import employment

    worker = user("north-caseworker")
    plan = _plans()[-1]
    for n in range(LARGE):
        employment.employment_activity_create(
            actor=worker,
            case=plan.case,
            plan=plan,
            kind="cv",
            occurred_on=timezone.localdate() - timedelta(days=n),
            hours=1,
            outcome=f"CV draft {n}",
        )
    return "north-caseworker", "/api/v1/employment-activities/", {}


def _placements():
    from decimal import Decimal

    from programs.services import employment

    worker = user("north-caseworker")
    case = case_of("north-caseworker")
    for employer in _employer_rows():
        placement = employment.placement_create(
            actor=worker,
            case=case,
            employer=employer,
            role="Kitchen hand",
            start_on=timezone.localdate() - timedelta(days=2),
            hours_per_week=Decimal("30"),
            hourly_wage=Decimal("25.00"),
        )
        employment.placement_start(actor=worker, placement=placement)
    return "north-caseworker", "/api/v1/placements/", {}


def _corrections():
    from casework.services.corrections import correction_request_record

    worker = user("north-caseworker")
    client = first(Client.objects.filter(created_by=worker))
    for n in range(LARGE):
        correction_request_record(
            actor=worker,
            client=client,
            requested_changes={"phone": f"021 555 {n:04d}"},
            client_statement=f"My phone number is wrong ({n}).",
        )
    return "north-caseworker", "/api/v1/correction-requests/", {}


def _exports():
    from reporting.exports.services import ExportRequest, export_request

    officer = user("north-compliance")
    programme = first(Programme.objects.filter(delivering_agencies__slug="north"))
    year = timezone.localdate().year - 1
    for _ in range(LARGE):
        export_request(
            actor=officer,
            request=ExportRequest(
                definition="funder-cases",
                period=f"{year}/{(year + 1) % 100:02d}",
                output_format="csv",
                programme_id=programme.pk,
            ),
        )
    return "north-compliance", "/api/v1/exports/", {}


def _governance_flags():
    from reporting.exports.services import GovernanceFlagInput, governance_flag_record

    worker = user("north-caseworker")
    client = first(Client.objects.filter(created_by=worker))
    for n in range(LARGE):
        governance_flag_record(
            actor=worker,
            data=GovernanceFlagInput(
                scope="client",
                kind="no_research_linking",
                effective_from=timezone.localdate() - timedelta(days=n),
                client_id=client.pk,
                consent_reference=f"Signed form {n}, kept on file",
            ),
        )
    return "north-caseworker", "/api/v1/data-governance-flags/", {}


def _report_jobs():
    from reporting.services import ReportRequest, report_job_request

    worker = user("north-caseworker")
    client = first(Client.objects.filter(created_by=worker))
    today = timezone.localdate()
    for n in range(LARGE):
        report_job_request(
            actor=worker,
            request=ReportRequest(
                kind="client-outcome",
                client_id=client.pk,
                period_start=today - timedelta(days=365 + n),
                period_end=today,
            ),
        )
    return "north-caseworker", "/api/v1/reports/", {}


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
    "employer-list": _employers,
    "employment-plan-list": _plan_list,
    "employment-activity-list": _activities,
    "placement-list": _placements,
    "correction-request-list": _corrections,
    "export-run-list": _exports,
    "governance-flag-list": _governance_flags,
    "report-job-list": _report_jobs,
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

    missing = sorted(lists - LIST_REGISTRY.keys())

    assert not missing, (
        f"List endpoints without a query-budget entry: {missing}. Add each to LIST_REGISTRY in "
        "tests/performance/test_query_budgets.py with a function that makes 20 rows visible."
    )


def test_every_detail_endpoint_has_a_query_budget():
    _lists, details = api_endpoints()

    missing = sorted(details - DETAIL_BUDGETS.keys())

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


@pytest.mark.parametrize("ordering", ["amount", "-amount", "-requests_12_months"])
def test_aid_requests_read_keys_first_keep_their_query_count(world, ordering):
    # Orders no index serves find each page by its keys first (`keys_first`): the same
    # queries at any page size, as every other list.
    username, path, params = LIST_REGISTRY["aid-request-list"]()
    client = APIClient()
    client.force_authenticate(user=user(username))
    params = {**params, "ordering": ordering}

    assert _count(path, client, SMALL, params) == _count(path, client, LARGE, params)


def _detail(username: str, model, lookup: dict, path: str, field: str = "pk"):
    def build():
        row = first(model.objects.filter(**lookup))
        return username, path.format(getattr(row, field))

    return build


def _lazy(dotted: str):
    """A model by "app.Model" name, resolved when the test runs."""
    from django.apps import apps

    return apps.get_model(dotted)


def _rows(make: Callable[[], list], username: str, path: str):
    """The last of the rows `make` returns, read by `username`."""

    def build():
        return username, path.format(make()[-1].pk)

    return build


def _made(make: Callable[[], tuple], dotted: str, username: str, path: str):
    """A row of `dotted` that a list builder made (the latest one), read by `username`."""

    def build():
        make()
        model = _lazy(dotted)
        names = {field.name for field in model._meta.get_fields()}
        made = next((n for n in ("created_at", "requested_at", "occurred_at") if n in names), "pk")
        return username, path.format(model.objects.order_by(made, "pk").last().pk)

    return build


class _Model:
    """A model looked up when first used, so this module imports before every app is ready."""

    def __init__(self, dotted: str):
        self.dotted = dotted

    @property
    def objects(self):
        return _lazy(self.dotted).objects


# Every detail endpoint: name → (function returning (user, path), most queries allowed).
# The budgets are what the endpoints cost today; a change that needs more must say why.
# Each read of a person's record includes one query for the viewer's group ids, named as
# literals in the permission predicate (docs/adr/0008-permission-predicates.md); the same
# query gives the viewer's roles to the aid visibility rule. An agency aid reader's read of
# aid includes one more: whether they hold any case grant at all
# (`casework.access.holds_case_grants`), which drops the case branch when they do not.
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
        5,
    ),
    "whanau-detail": (
        _detail("north-caseworker", Whanau, {"created_by__username": "north-caseworker"},
                "/api/v1/whanau/{}/"),
        4,
    ),
    "case-detail": (
        _detail("north-caseworker", Case, {"lead_caseworker__username": "north-caseworker"},
                "/api/v1/cases/{}/"),
        3,
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
        5,
    ),
    "consent-detail": (
        _detail("north-caseworker", _Model("casework.Consent"),
                {"recorded_by__username": "north-caseworker"}, "/api/v1/consents/{}/"),
        3,
    ),
    "goal-detail": (
        _detail("north-caseworker", _Model("casework.Goal"),
                {"created_by__username": "north-caseworker"}, "/api/v1/goals/{}/"),
        2,
    ),
    "network-tie-detail": (
        _detail("north-caseworker", _Model("casework.NetworkTie"),
                {"created_by__username": "north-caseworker"}, "/api/v1/network-ties/{}/"),
        2,
    ),
    "instrument-detail": (
        _detail("north-caseworker", _Model("casework.Instrument"), {},
                "/api/v1/instruments/{}/", field="code"),
        1,
    ),
    "assessment-detail": (
        _detail("north-caseworker", _Model("casework.Assessment"),
                {"administered_by__username": "north-caseworker"}, "/api/v1/assessments/{}/"),
        3,
    ),
    "programme-detail": (
        _detail("north-officer", Programme, {"kind": "financial_aid"}, "/api/v1/programs/{}/"),
        2,
    ),
    "enrolment-detail": (
        _detail("north-officer", _Model("programs.Enrolment"), {"agency__slug": "north"},
                "/api/v1/enrolments/{}/"),
        3,
    ),
    "aid-request-detail": (
        _detail("north-officer", AidRequest, {"agency__slug": "north"},
                "/api/v1/aid-requests/{}/"),
        5,
    ),
    "payment-detail": (
        _detail("north-officer", _Model("programs.Payment"), {"agency__slug": "north"},
                "/api/v1/payments/{}/"),
        3,
    ),
    "recovery-detail": (
        _detail("north-officer", Recovery, {"agency__slug": "north"},
                "/api/v1/recoveries/{}/"),
        4,
    ),
    "repayment-detail": (
        _detail("north-officer", _Model("programs.Repayment"), {"agency__slug": "north"},
                "/api/v1/repayments/{}/"),
        3,
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
        8,
    ),
    "employer-detail": (
        _rows(_employer_rows, "north-caseworker", "/api/v1/employers/{}/"),
        1,
    ),
    "employment-plan-detail": (
        _rows(_plans, "north-caseworker", "/api/v1/employment-plans/{}/"),
        4,
    ),
    "employment-activity-detail": (
        _made(_activities, "programs.EmploymentActivity", "north-caseworker",
              "/api/v1/employment-activities/{}/"),
        3,
    ),
    "placement-detail": (
        _made(_placements, "programs.Placement", "north-caseworker", "/api/v1/placements/{}/"),
        5,
    ),
    "correction-request-detail": (
        _made(_corrections, "casework.CorrectionRequest", "north-caseworker",
              "/api/v1/correction-requests/{}/"),
        3,
    ),
    "export-run-detail": (
        _made(_exports, "reporting.ExportRun", "north-compliance", "/api/v1/exports/{}/"),
        3,
    ),
    "governance-flag-detail": (
        _made(_governance_flags, "reporting.DataGovernanceFlag", "north-caseworker",
              "/api/v1/data-governance-flags/{}/"),
        2,
    ),
    "report-job-detail": (
        _made(_report_jobs, "reporting.ReportJob", "north-caseworker", "/api/v1/reports/{}/"),
        1,
    ),
}  # fmt: skip


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


# --- filters on a column of the listed model add no DISTINCT ---------------------------------
# django-filter's multiple-choice filters default to distinct=True, which turns the page and its
# count into SELECT DISTINCT over every column. A filter on the model's own column cannot
# duplicate a row, so those filters say distinct=False.

FILTERED_LISTS = [
    ("north-officer", "/api/v1/aid-requests/", {"status": ["submitted"]}, True),
    ("north-officer", "/api/v1/aid-requests/", {"category": ["furniture", "food"]}, False),
    ("north-lead", "/api/v1/cases/", {"status": ["intake", "active", "on_hold"]}, True),
    ("north-lead", "/api/v1/goals/", {"status": ["in_progress"], "pou": [1, 2]}, False),
    ("north-lead", "/api/v1/consents/", {"purpose": ["referral_sharing"]}, False),
    (
        "north-lead",
        "/api/v1/network-ties/",
        {"tie_type": ["whanau"], "quality": ["supportive"]},
        False,
    ),
    ("north-lead", "/api/v1/assessments/", {"stage": ["intake"]}, False),
    ("north-officer", "/api/v1/enrolments/", {"status": ["active"]}, False),
    ("north-caseworker", "/api/v1/referrals/", {"status": ["sent"], "urgency": ["routine"]}, False),
    ("north-compliance", "/api/v1/payments/", {"payment_method": ["direct_credit"]}, False),
    ("north-caseworker", "/api/v1/correction-requests/", {"status": ["received"]}, False),
    ("north-caseworker", "/api/v1/employment-activities/", {"kind": ["cv"]}, False),
    ("north-caseworker", "/api/v1/placements/", {"status": ["started"]}, False),
    ("north-compliance", "/api/v1/audit-events/", {"action": ["create", "transition"]}, True),
]


def test_every_multiple_choice_filter_of_the_api_selects_without_distinct():
    """The lists above by name, and any list added later: a filter on a column of the
    listed rows (no method of its own, no path across a to-many relation) says
    distinct=False."""
    import django_filters

    offenders = []
    for route, pattern in _walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "cls", None)
        filterset = getattr(view, "filterset_class", None)
        if not route.startswith("api/v1/") or filterset is None:
            continue
        for name, field in filterset.base_filters.items():
            if (
                isinstance(field, django_filters.MultipleChoiceFilter)
                and field.method is None
                and "__" not in field.field_name
                and field.distinct
            ):
                offenders.append(f"{filterset.__name__}.{name}")
    assert not offenders, f"multiple-choice filters selecting DISTINCT: {sorted(set(offenders))}"


@pytest.mark.parametrize(("username", "path", "params", "rows_expected"), FILTERED_LISTS)
def test_a_filtered_list_selects_without_distinct(world, username, path, params, rows_expected):
    client = APIClient()
    client.force_authenticate(user=user(username))

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)

    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    if rows_expected:
        assert response.json()["results"], f"{path} {params}: the demo world holds no such rows"
    distinct = [q["sql"] for q in ctx.captured_queries if "DISTINCT" in q["sql"].upper()]
    assert not distinct, f"{path} {params} selects DISTINCT: {distinct[0][:300]}"


# Columns of joined rows that a list never shows; reading them cost planning and model
# instances on every page (docs/PERFORMANCE.md). `with_joined_columns` names what is read.
UNREAD_ON_LIST = {
    "/api/v1/enrolments/": ['"casework_case"."opened_at"', '"programs_programme"."funder"'],
    "/api/v1/payments/": ['"programs_programme"', '"programs_aidrequest"."justification"'],
    "/api/v1/recoveries/": ['"programs_aidrequest"."justification"', '"casework_client"."nhi"'],
    "/api/v1/repayments/": ['"programs_recovery"."principal"', '"core_user"."password"'],
    "/api/v1/placements/": ['"programs_programme"', '"programs_budget"', '"core_user"."password"'],
    "/api/v1/whanau/": ['"casework_client"."nhi"', '"casework_client"."address"'],
    "/api/v1/referrals/": [
        '"core_user"."password"',
        '"casework_client"."nhi"',
        '"casework_consent"."notes"',
        '"programs_organisation"."website"',
        '"programs_referralshare"."shared_at"',
    ],
}


@pytest.mark.parametrize(
    ("path", "username"),
    [
        (path, username)
        for path in sorted(UNREAD_ON_LIST)
        for username in ("north-caseworker", "north-lead", "north-senior-officer")
        # Officers read money, not placements, referrals or whānau.
        if not (
            path in ("/api/v1/placements/", "/api/v1/referrals/", "/api/v1/whanau/")
            and username == "north-senior-officer"
        )
    ],
)
def test_money_employment_enrolment_and_referral_lists_read_only_what_they_show(
    world, path, username
):
    client = APIClient()
    client.force_authenticate(user=user(username))

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, {"page_size": 5})

    assert response.status_code == 200
    assert response.json()["results"], "nothing listed: the test would prove nothing"
    read = " ".join(q["sql"] for q in ctx.captured_queries)
    assert not [column for column in UNREAD_ON_LIST[path] if column in read]
