"""Aid request services: the approval rules, each with a case that holds and one that refuses."""

import functools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Client, Whanau, WhanauMember
from core.errors import ApplicationError
from core.models import AuditAction, AuditEvent
from programs import services
from programs.models import (
    AidDecision,
    AidDecisionImmutable,
    AidRequest,
    AidRequestStatus,
    Budget,
    DecisionOutcome,
)
from tests.factories import CaseFactory, ClientFactory
from tests.programs.factories import BudgetFactory, ProgrammeFactory, current_fiscal_year

pytestmark = pytest.mark.django_db

S = AidRequestStatus


def refused(exc_info) -> str:
    return exc_info.value.code


# ---- lifecycle -------------------------------------------------------------------------------


def test_request_starts_as_draft_and_submits_with_history(make_request, staff):
    draft = make_request(submit=False)

    assert draft.status == S.DRAFT
    submitted = services.aid_request_submit(actor=staff["north-caseworker"], aid_request=draft)

    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_by == staff["north-caseworker"]
    assert [(h.from_status, h.to_status) for h in submitted.status_changes.order_by("id")] == [
        ("", S.DRAFT),
        (S.DRAFT, S.SUBMITTED),
    ]
    event = AuditEvent.objects.filter(object_id=str(draft.pk), action=AuditAction.TRANSITION).get()
    assert event.changes["status"] == {"old": S.DRAFT, "new": S.SUBMITTED}


def test_submit_without_justification_is_refused(make_request, staff):
    draft = make_request(submit=False, justification="")

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_submit(actor=staff["north-caseworker"], aid_request=draft)

    assert refused(exc) == "justification_required"
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_approving_a_draft_is_an_illegal_transition(make_request, staff, budget):
    draft = make_request(submit=False)

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_approve(actor=staff["north-officer"], aid_request=draft)

    assert refused(exc) == "illegal_transition"
    assert exc.value.status_code == 400
    budget.refresh_from_db()
    assert budget.committed == Decimal("0.00")


def test_approving_twice_is_an_illegal_transition(approved_request, staff, budget):
    aid_request = approved_request()

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_approve(actor=staff["north-senior-officer"], aid_request=aid_request)

    assert refused(exc) == "illegal_transition"
    budget.refresh_from_db()
    assert budget.committed == Decimal("500.00")


# ---- who may approve --------------------------------------------------------------------------


def test_officer_approves_within_limit_and_commits_budget(make_request, staff, budget):
    aid_request = make_request("2000.00")

    approved = services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)

    assert approved.status == S.APPROVED
    assert approved.decided_by == staff["north-officer"]
    assert approved.budget == budget
    budget.refresh_from_db()
    assert budget.committed == Decimal("2000.00")
    assert budget.available == Decimal("8000.00")


def test_approval_above_delegated_limit_is_refused_and_waits_for_a_senior(
    make_request, staff, budget
):
    aid_request = make_request("2000.01")

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)

    assert refused(exc) == "over_delegated_limit"
    assert exc.value.status_code == 403
    aid_request.refresh_from_db()
    assert aid_request.status == S.SUBMITTED
    budget.refresh_from_db()
    assert budget.committed == Decimal("0.00")

    approved = services.aid_request_approve(
        actor=staff["north-senior-officer"], aid_request=aid_request
    )
    assert approved.status == S.APPROVED


def test_caseworker_cannot_approve(make_request, staff, budget):
    aid_request = make_request()

    with pytest.raises(PermissionDenied):
        services.aid_request_approve(actor=staff["north-caseworker"], aid_request=aid_request)


def test_other_agency_officer_gets_404(make_request, staff, budget):
    aid_request = make_request()

    with pytest.raises(Http404):
        services.aid_request_approve(actor=staff["south-senior-officer"], aid_request=aid_request)


def test_officer_cannot_approve_a_request_they_raised(make_request, make_staff, north, budget):
    dual = make_staff(
        north, "program_officer", "caseworker", username="dual", delegated_limit=Decimal("5000")
    )
    aid_request = make_request(caseworker=dual)

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_approve(actor=dual, aid_request=aid_request)

    assert refused(exc) == "separation_of_duties"
    assert exc.value.status_code == 403
    aid_request.refresh_from_db()
    assert aid_request.status == S.SUBMITTED


def test_officer_who_leads_the_case_cannot_approve_its_aid(
    make_request, make_staff, staff, led_case, north, budget
):
    team = staff["north-caseworker"].team
    dual = make_staff(
        north,
        "program_officer",
        "caseworker",
        username="dual",
        team=team,
        delegated_limit=Decimal("5000"),
    )
    case = led_case(dual)
    # The team lead sees the team's cases and raises the request for them.
    aid_request = make_request(caseworker=staff["north-lead"], case=case)

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_approve(actor=dual, aid_request=aid_request)

    assert refused(exc) == "separation_of_duties"
    assert (
        services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request).status
        == S.APPROVED
    )


def test_officer_of_an_agency_not_delivering_the_programme_cannot_decide(
    make_request, staff, north, budget
):
    north_only = ProgrammeFactory(delivering_agencies=[north])
    BudgetFactory(programme=north_only)
    aid_request = make_request(programme_=north_only)
    north_only.delivering_agencies.clear()

    with pytest.raises(Http404):
        services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)


# ---- budget ---------------------------------------------------------------------------------


def test_over_budget_is_refused_with_the_available_amount_and_changes_nothing(
    make_request, staff, programme
):
    budget = BudgetFactory(programme=programme, allocated=Decimal("700.00"))
    first = make_request("500.00")
    second = make_request("250.00")
    services.aid_request_approve(actor=staff["north-officer"], aid_request=first)
    events_before = AuditEvent.objects.count()

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_approve(actor=staff["north-officer"], aid_request=second)

    assert refused(exc) == "over_budget"
    assert "NZD 200.00 available" in exc.value.message
    assert "NZD 250.00" in exc.value.message
    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (Decimal("500.00"), Decimal("0.00"))
    second.refresh_from_db()
    assert second.status == S.SUBMITTED
    assert not AidDecision.objects.filter(aid_request=second).exists()
    assert AuditEvent.objects.count() == events_before


def test_no_budget_for_the_fiscal_year_is_refused(make_request, staff, programme):
    BudgetFactory(programme=programme, fiscal_year=current_fiscal_year() - 1)
    aid_request = make_request()

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)

    assert refused(exc) == "no_budget"


def test_agency_budget_is_used_before_the_programme_wide_one(
    make_request, staff, programme, north, budget
):
    own = BudgetFactory(programme=programme, agency=north, allocated=Decimal("1000.00"))

    approved = services.aid_request_approve(
        actor=staff["north-officer"], aid_request=make_request("300.00")
    )

    assert approved.budget == own
    own.refresh_from_db()
    budget.refresh_from_db()
    assert (own.committed, budget.committed) == (Decimal("300.00"), Decimal("0.00"))


def test_approval_uses_the_budget_of_the_approval_dates_fiscal_year(make_request, staff, programme):
    this_year = BudgetFactory(programme=programme)
    BudgetFactory(programme=programme, fiscal_year=current_fiscal_year() + 1)

    approved = services.aid_request_approve(
        actor=staff["north-officer"], aid_request=make_request()
    )

    assert approved.budget == this_year


def test_decimal_commitments_are_exact(make_request, staff, programme):
    budget = BudgetFactory(programme=programme, allocated=Decimal("0.30"))

    for amount in ("0.10", "0.20"):
        services.aid_request_approve(actor=staff["north-officer"], aid_request=make_request(amount))

    budget.refresh_from_db()
    assert budget.committed == Decimal("0.30")
    assert budget.available == Decimal("0.00")
    with pytest.raises(ApplicationError) as exc:
        services.aid_request_approve(actor=staff["north-officer"], aid_request=make_request("0.01"))
    assert refused(exc) == "over_budget"


def test_sequential_approvals_stop_exactly_at_the_allocation(make_request, staff, programme):
    """The non-threaded counterpart of the PostgreSQL race test, for SQLite."""
    budget = BudgetFactory(programme=programme, allocated=Decimal("1000.00"))
    requests = [make_request("333.33") for _ in range(4)]

    outcomes = []
    for aid_request in requests:
        try:
            services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)
            outcomes.append("approved")
        except ApplicationError as exc:
            outcomes.append(exc.code)

    assert outcomes == ["approved", "approved", "approved", "over_budget"]
    budget.refresh_from_db()
    assert budget.committed == Decimal("999.99")
    assert budget.committed + budget.paid <= budget.allocated


def test_database_refuses_a_budget_over_its_allocation(budget):
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(committed=Decimal("10000.01"))


# ---- decline, return, cancel ----------------------------------------------------------------


@pytest.mark.parametrize(
    "service",
    [services.aid_request_decline, services.aid_request_return],
    ids=["decline", "return"],
)
def test_decline_and_return_require_a_reason(make_request, staff, service):
    aid_request = make_request()

    with pytest.raises(ApplicationError) as exc:
        service(actor=staff["north-officer"], aid_request=aid_request, reason="  ")

    assert refused(exc) == "reason_required"
    assert "reason" in exc.value.fields
    aid_request.refresh_from_db()
    assert aid_request.status == S.SUBMITTED


def test_declined_request_records_reason_and_decision(make_request, staff):
    aid_request = make_request()

    declined = services.aid_request_decline(
        actor=staff["north-officer"], aid_request=aid_request, reason="Covered by another grant."
    )

    assert declined.status == S.DECLINED
    assert declined.decision_reason == "Covered by another grant."
    decision = AidDecision.objects.get(aid_request=aid_request)
    assert decision.outcome == DecisionOutcome.DECLINED
    assert "budget" not in decision.facts


def test_returned_request_is_edited_and_resubmitted(make_request, staff, budget):
    aid_request = make_request("800.00")
    services.aid_request_return(
        actor=staff["north-officer"], aid_request=aid_request, reason="Attach the power bill."
    )

    edited = services.aid_request_update(
        actor=staff["north-caseworker"],
        aid_request=aid_request,
        amount=Decimal("650.00"),
        supplier_reference="Bill 2231",
    )
    resubmitted = services.aid_request_submit(actor=staff["north-caseworker"], aid_request=edited)

    assert resubmitted.status == S.SUBMITTED
    assert resubmitted.amount == Decimal("650.00")
    assert resubmitted.decision_reason == ""


def test_submitted_request_cannot_be_edited(make_request, staff):
    aid_request = make_request()

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_update(
            actor=staff["north-caseworker"], aid_request=aid_request, amount=Decimal("1.00")
        )

    assert refused(exc) == "not_editable"


def test_cancelling_an_approved_request_releases_the_commitment(approved_request, staff, budget):
    aid_request = approved_request("750.00")

    cancelled = services.aid_request_cancel(
        actor=staff["north-caseworker"], aid_request=aid_request, reason="Whānau paid it."
    )

    assert cancelled.status == S.CANCELLED
    budget.refresh_from_db()
    assert budget.committed == Decimal("0.00")
    assert budget.available == Decimal("10000.00")


def test_declined_request_cannot_be_cancelled(make_request, staff):
    aid_request = make_request()
    services.aid_request_decline(
        actor=staff["north-officer"], aid_request=aid_request, reason="No."
    )

    with pytest.raises(ApplicationError) as exc:
        services.aid_request_cancel(
            actor=staff["north-caseworker"], aid_request=aid_request, reason="Oops."
        )

    assert refused(exc) == "illegal_transition"


# ---- raising -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "field"),
    [
        ("0", "amount"),
        ("-5.00", "amount"),
        ("12.345", "amount"),
        ("100000.01", "amount"),
    ],
)
def test_bad_amounts_are_refused(make_request, amount, field):
    with pytest.raises(ApplicationError) as exc:
        make_request(amount, submit=False)

    assert field in exc.value.fields


def test_float_amounts_are_refused(staff, led_case, programme):
    with pytest.raises(ApplicationError) as exc:
        services.aid_request_create(
            actor=staff["north-caseworker"],
            case=led_case(staff["north-caseworker"]),
            programme=programme,
            category="food",
            amount=0.1,
        )

    assert "amount" in exc.value.fields


def test_recoverable_request_needs_a_plan_and_a_grant_has_none(make_request):
    with pytest.raises(ApplicationError) as exc:
        make_request(submit=False, is_recoverable=True)
    assert "repayment_instalment" in exc.value.fields
    assert "repayment_frequency" in exc.value.fields

    with pytest.raises(ApplicationError) as exc:
        make_request(submit=False, repayment_instalment=Decimal("20.00"))
    assert "is_recoverable" in exc.value.fields

    advance = make_request(
        submit=False,
        is_recoverable=True,
        repayment_instalment=Decimal("20.00"),
        repayment_frequency="weekly",
    )
    assert advance.is_recoverable


def test_caseworker_cannot_raise_aid_on_a_case_they_do_not_work(staff, led_case, programme):
    other_case = led_case(staff["north-caseworker2"])

    with pytest.raises(Http404):
        services.aid_request_create(
            actor=staff["north-caseworker"],
            case=other_case,
            programme=programme,
            category="food",
            amount=Decimal("10.00"),
        )


def test_officer_cannot_raise_aid(staff, led_case, programme):
    with pytest.raises(PermissionDenied):
        services.aid_request_create(
            actor=staff["north-officer"],
            case=led_case(staff["north-caseworker"]),
            programme=programme,
            category="food",
            amount=Decimal("10.00"),
        )


def test_programme_not_delivered_by_the_case_agency_is_refused(make_request, south):
    south_only = ProgrammeFactory(delivering_agencies=[south])

    with pytest.raises(ApplicationError) as exc:
        make_request(submit=False, programme_=south_only)

    assert "programme" in exc.value.fields


# ---- frozen facts and the budgeting-support flag ----------------------------------------------


def test_approval_freezes_the_facts_it_relied_on(make_request, staff, budget):
    aid_request = make_request("400.00")
    client = aid_request.client

    services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)
    Client.objects.filter(pk=client.pk).update(
        region="13", date_of_birth=client.date_of_birth - timedelta(days=365 * 30)
    )
    budget.refresh_from_db()
    Budget.objects.filter(pk=budget.pk).update(allocated=Decimal("20000.00"))

    decision = AidDecision.objects.get(aid_request=aid_request)
    assert decision.facts["client"]["region"] == "01"
    assert decision.facts["request"]["amount"] == "400.00"
    assert decision.facts["budget"]["before"] == {
        "allocated": "10000.00",
        "committed": "0.00",
        "paid": "0.00",
        "available": "10000.00",
    }
    assert decision.facts["budget"]["after"]["available"] == "9600.00"
    assert decision.facts["aid_history"]["other_requests_12_months"] == 0


def test_decision_rows_cannot_be_changed(approved_request):
    decision = AidDecision.objects.get(aid_request=approved_request())

    decision.reason = "rewritten"
    with pytest.raises(AidDecisionImmutable):
        decision.save()
    with pytest.raises(AidDecisionImmutable):
        AidDecision.objects.filter(pk=decision.pk).update(reason="rewritten")
    with pytest.raises(AidDecisionImmutable):
        decision.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE programs_aiddecision SET reason = %s", ["rewritten"])


def test_third_request_in_twelve_months_is_flagged_in_the_decision(
    make_request, staff, led_case, budget
):
    case = led_case(staff["north-caseworker"])
    old = make_request(case=case)
    AidRequest.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=400))
    make_request(case=case)
    make_request(case=case)
    third = make_request(case=case)

    services.aid_request_approve(actor=staff["north-officer"], aid_request=third)

    facts = AidDecision.objects.get(aid_request=third).facts
    assert facts["aid_history"]["other_requests_12_months"] == 2
    assert facts["aid_history"]["budgeting_support_flag"] is True


def test_whanau_case_names_the_member_the_aid_is_for(staff, programme, budget):
    caseworker = staff["north-caseworker"]
    whanau = Whanau.objects.create(agency=caseworker.agency, name="Pōmare", created_by=caseworker)
    member = ClientFactory(agency=caseworker.agency, created_by=caseworker)
    outsider = ClientFactory(agency=caseworker.agency, created_by=caseworker)
    WhanauMember.objects.create(whanau=whanau, client=member, relationship="parent")
    WhanauMember.objects.create(whanau=whanau, name="Koro", relationship="grandparent")
    case = CaseFactory(
        client=None,
        whanau=whanau,
        agency=caseworker.agency,
        lead_caseworker=caseworker,
        created_by=caseworker,
    )
    access.grant_case_to_user(case, caseworker)
    raise_for = functools.partial(
        services.aid_request_create,
        actor=caseworker,
        case=case,
        programme=programme,
        category="tangihanga",
        amount=Decimal("900.00"),
        justification="Travel to the tangihanga in Kaikohe.",
    )

    with pytest.raises(ApplicationError) as missing:
        raise_for()
    with pytest.raises(ApplicationError) as not_member:
        raise_for(client=outsider)
    aid_request = raise_for(client=member)
    services.aid_request_submit(actor=caseworker, aid_request=aid_request)
    services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)

    assert "client" in missing.value.fields
    assert "client" in not_member.value.fields
    facts = AidDecision.objects.get(aid_request=aid_request).facts
    assert facts["client"]["case_for"] == "whanau"
    assert facts["client"]["whanau_size"] == 2
