"""The bulk demo world (`seed_demo --clients N` above its threshold): same grants, reproducible."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from casework import access
from casework.instruments import score
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
    WhanauMember,
)
from core.models import Notification, User
from programs.employment_schedule import check_in_due_dates
from programs.models import (
    AidDecision,
    AidRequest,
    AidRequestStatus,
    Budget,
    DecisionOutcome,
    EmploymentActivity,
    EmploymentPlan,
    Payment,
    PaymentMethod,
    Placement,
    PlacementStatus,
    ProgrammeKind,
    Recovery,
    Referral,
    ReferralStatus,
)
from programs.selectors.referrals import referrals_visible_to, shared_snapshot_visible
from programs.services import employment, payment_record, referrals
from programs.services.aid import requester_notice

pytestmark = pytest.mark.django_db

OPEN = [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.ENGAGED]


def seed(*args):
    call_command("seed_demo", *args, stdout=StringIO(), stderr=StringIO())


def test_bulk_world_has_every_client_with_a_case_notes_and_aid():
    seed("--clients", "40", "--bulk-above", "10")

    assert Client.objects.count() == 40
    bulk_workers = User.objects.filter(username__in=["north-cw001", "south-cw001"])
    assert bulk_workers.count() == 2
    bulk_cases = Case.objects.filter(lead_caseworker__in=bulk_workers)
    assert bulk_cases.count() == 30
    assert CaseNote.objects.filter(case__in=bulk_cases).exists()
    assert AidRequest.objects.filter(
        case__in=bulk_cases, status=AidRequestStatus.SUBMITTED
    ).exists()
    assert User.objects.filter(username__startswith="north-po").count() == 8


def test_bulk_clients_carry_the_grants_assignment_gives():
    seed("--clients", "40", "--bulk-above", "10")
    worker = User.objects.get(username="north-cw001")
    lead = User.objects.get(username="north-lead")
    other = User.objects.get(username="south-cw001")
    theirs = Client.objects.filter(created_by=worker)

    assert theirs.count() == 15
    visible_to_worker = set(access.clients_visible_to(worker).values_list("pk", flat=True))
    assert set(theirs.values_list("pk", flat=True)) == visible_to_worker
    assert set(theirs.values_list("pk", flat=True)) <= set(
        access.clients_visible_to(lead).values_list("pk", flat=True)
    )
    assert not access.clients_visible_to(other).filter(pk__in=theirs).exists()
    restricted = Client.objects.get(email="bulk7@example.nz")  # every 25th from the 8th
    assert restricted.is_restricted
    assert access.user_can(restricted.created_by, "view_client_identity", restricted)
    south_lead = User.objects.get(username="south-lead")
    assert access.user_can(south_lead, "view_client", restricted)
    assert not access.user_can(south_lead, "view_client_identity", restricted)
    case = Case.objects.filter(lead_caseworker=worker).first()
    assert access.user_can(lead, "view_case", case)
    assert not access.user_can(other, "view_case", case)


def test_bulk_world_is_reproducible_for_a_seed():
    with transaction.atomic():
        seed("--clients", "30", "--bulk-above", "10", "--seed", "7")
        first = _bulk_fingerprint()
        transaction.set_rollback(True)
    assert not Client.objects.exists()

    seed("--clients", "30", "--bulk-above", "10", "--seed", "7")

    assert _bulk_fingerprint() == first


def _bulk_fingerprint() -> dict:
    """What the bulk seeders made, without the timestamps of the run."""
    bulk = r"^(north|south)-cw[0-9]+$"
    rows = {
        "clients": Client.objects.filter(email__startswith="bulk").values_list("pk", "email"),
        "whanau": WhanauMember.objects.filter(whanau__created_by__username__regex=bulk).values_list(
            "whanau_id", "client_id", "name", "relationship"
        ),
        "aid": AidRequest.objects.filter(created_by__username__regex=bulk).values_list(
            "pk", "status", "amount", "budget__fiscal_year"
        ),
        "referrals": Referral.objects.filter(created_by__username__regex=bulk).values_list(
            "reference", "status", "service__name", "consent__method"
        ),
        "budgets": Budget.objects.values_list("fiscal_year", "agency__slug", "committed", "paid"),
        "goals": Goal.objects.filter(created_by__username__regex=bulk).values_list(
            "pk", "case_id", "pou", "status", "next_review_on"
        ),
        "assessments": Assessment.objects.filter(administered_by__username__regex=bulk).values_list(
            "pk", "client_id", "answers"
        ),
        "plans": EmploymentPlan.objects.filter(created_by__username__regex=bulk).values_list(
            "pk", "case_id", "barriers"
        ),
        "placements": Placement.objects.filter(created_by__username__regex=bulk).values_list(
            "pk", "status", "start_on", "hourly_wage"
        ),
        "notifications": Notification.objects.filter(recipient__username__regex=bulk).values_list(
            "pk", "kind", "title", "object_id"
        ),
    }
    return {name: sorted(values, key=str) for name, values in rows.items()}


def test_bulk_client_cases_carry_goals_ties_and_a_scored_intake_lsns(client_for):
    seed("--clients", "40", "--bulk-above", "10")
    worker = User.objects.get(username="north-cw001")
    cases = list(Case.objects.filter(lead_caseworker=worker, client__isnull=False))

    assert cases
    for case in cases:
        assert Goal.objects.filter(case=case, created_by=worker).count() == 2
        assert NetworkTie.objects.filter(client_id=case.client_id, created_by=worker).count() == 3
        (lsns,) = Assessment.objects.filter(client_id=case.client_id, case=case)
        assert lsns.instrument_id == "lsns-6"
        assert lsns.administered_on == timezone.localdate(case.opened_at)
        assert lsns.scores == score(lsns.instrument.definition, lsns.answers)
    api = client_for(worker)
    case = cases[0]
    assert api.get("/api/v1/goals/", {"case": case.pk}).json()["count"] == 2
    assert api.get("/api/v1/network-ties/", {"client": case.client_id}).json()["count"] == 3
    assert api.get("/api/v1/assessments/", {"client": case.client_id}).json()["count"] == 1
    # Another caseworker's bulk clients' records stay theirs.
    other = client_for(User.objects.get(username="south-cw001"))
    assert other.get("/api/v1/goals/", {"case": case.pk}).json()["count"] == 0


def test_at_or_under_the_threshold_every_client_is_made_through_the_services():
    seed("--clients", "10", "--bulk-above", "10")

    assert Client.objects.count() == 10
    assert not User.objects.filter(username__startswith="north-cw").exists()


def test_bulk_whanau_cases_carry_exactly_the_grants_opening_them_gives():
    seed("--clients", "400", "--bulk-above", "0")
    whanau_cases = list(
        Case.objects.filter(whanau__isnull=False).select_related("lead_caseworker", "team")
    )

    assert {case.agency.slug for case in whanau_cases} == {"north", "south"}
    assert len(whanau_cases) == 400 // 20
    south_worker = User.objects.get(username="south-cw001")
    for case in whanau_cases:
        lead, group = case.lead_caseworker, case.team.lead_group
        assert case.client_id is None
        assert lead.username.startswith(f"{case.agency.slug}-cw")
        members = access.case_clients(case)
        assert len(members) == 2
        # Given: the grant rows as seeded.
        before = _grant_rows(case, members)
        # When: the services' own assignment grants run again for this case.
        access.grant_case_to_user(case, lead)
        access.grant_case_to_group(case, group)
        # Then: nothing was missing (guardian writes a row only where none is held) ...
        assert _grant_rows(case, members) == before
        assert before["case_user"] == {(lead.pk, p) for p in access.CASE_PERMS}
        assert before["case_group"] == {(group.pk, p) for p in access.CASE_PERMS}
        # ... and nothing is there that the whānau case and the members' own cases don't give.
        for member in members:
            assert before[("client_user", member.pk)] == {
                (lead.pk, p) for p in access.CLIENT_ASSIGNED_PERMS
            }
            assert before[("client_group", member.pk)] == {
                (group.pk, p) for p in access.CLIENT_TEAM_PERMS
            }
        visible = access.clients_visible_to(lead).filter(pk__in=[m.pk for m in members])
        assert visible.count() == 2
        assert all(c.identity_visible for c in visible)
        team_lead = User.objects.get(username=f"{case.agency.slug}-lead")
        assert (
            access.clients_visible_to(team_lead).filter(pk__in=[m.pk for m in members]).count() == 2
        )
        assert access.user_can(team_lead, "view_case", case)
        if case.agency.slug == "north":
            assert (
                not access.clients_visible_to(south_worker)
                .filter(pk__in=[m.pk for m in members])
                .exists()
            )
    # The parent's only case is the whānau case: that is what makes them visible to the lead.
    parents = WhanauMember.objects.filter(is_primary_contact=True, whanau__cases__in=whanau_cases)
    assert not Case.objects.filter(client__in=parents.values("client_id")).exists()
    assert (
        WhanauMember.objects.filter(client__isnull=True, whanau__cases__in=whanau_cases).count()
        == 40
    )


def _grant_rows(case, members) -> dict:
    def rows(model, holder, **where):
        return set(model.objects.filter(**where).values_list(holder, "permission__codename"))

    found = {
        "case_user": rows(CaseUserObjectPermission, "user_id", content_object=case),
        "case_group": rows(CaseGroupObjectPermission, "group_id", content_object=case),
    }
    for member in members:
        found[("client_user", member.pk)] = rows(
            ClientUserObjectPermission, "user_id", content_object=member
        )
        found[("client_group", member.pk)] = rows(
            ClientGroupObjectPermission, "group_id", content_object=member
        )
    return found


def test_bulk_money_keeps_every_budget_equal_to_its_rows_and_within_its_allocation():
    # Twenty clients through the services first: bulk approvals add to what they moved.
    seed("--clients", "300", "--bulk-above", "20")
    bulk = AidRequest.objects.filter(created_by__username__regex=r"^(north|south)-cw[0-9]+$")

    assert {AidRequestStatus.APPROVED, AidRequestStatus.PAID, AidRequestStatus.CANCELLED} <= set(
        bulk.values_list("status", flat=True)
    )
    for budget in Budget.objects.filter(programme__kind=ProgrammeKind.FINANCIAL_AID):
        committed = _total(
            AidRequest.objects.filter(budget=budget, status=AidRequestStatus.APPROVED), "amount"
        )
        paid = _total(Payment.objects.filter(aid_request__budget=budget), "amount")
        assert (budget.committed, budget.paid) == (committed, paid), budget
        assert budget.committed + budget.paid <= budget.allocated
    for request in bulk.filter(
        status__in=[AidRequestStatus.APPROVED, AidRequestStatus.PAID, AidRequestStatus.CANCELLED]
    ).select_related("budget"):
        decision = AidDecision.objects.get(aid_request=request)
        assert decision.outcome == DecisionOutcome.APPROVED
        assert decision.budget_id == request.budget_id
        assert request.budget.fiscal_year_label == decision.facts["budget"]["fiscal_year"]
        assert request.decided_by.delegated_limit >= request.amount
        assert request.decided_by_id != request.case.lead_caseworker_id
    paid = bulk.filter(status=AidRequestStatus.PAID)
    assert Payment.objects.filter(aid_request__in=paid).count() == paid.count()
    assert (
        Recovery.objects.filter(aid_request__in=paid).count()
        == paid.filter(is_recoverable=True).count()
    )
    for status in (AidRequestStatus.DECLINED, AidRequestStatus.RETURNED):
        assert not bulk.filter(status=status).exclude(decisions__outcome=status).exists()


def test_a_bulk_approval_is_paid_through_the_service_and_the_budget_stays_true():
    seed("--clients", "200", "--bulk-above", "0")
    request = (
        AidRequest.objects.filter(status=AidRequestStatus.APPROVED, agency__slug="north")
        .order_by("id")
        .first()
    )
    budget = request.budget
    officer = User.objects.exclude(pk=request.decided_by_id).get(username="north-po08")

    payment_record(
        actor=officer,
        aid_request=request,
        amount=request.amount,
        method=PaymentMethod.DIRECT_CREDIT,
        paid_on=timezone.localdate(),
    )

    budget.refresh_from_db()
    assert budget.committed == _total(
        AidRequest.objects.filter(budget=budget, status=AidRequestStatus.APPROVED), "amount"
    )
    assert budget.paid == _total(Payment.objects.filter(aid_request__budget=budget), "amount")


def _total(queryset, field) -> Decimal:
    return sum(queryset.values_list(field, flat=True), Decimal("0.00"))


def test_bulk_referrals_reach_the_receiving_agency_as_the_referral_rules_say():
    seed("--clients", "400", "--bulk-above", "0")
    north, south = (User.objects.get(username=f"{slug}-cw001") for slug in ("north", "south"))
    made = Referral.objects.select_related("consent", "share", "service__organisation")

    assert len(set(made.values_list("status", flat=True))) >= 6
    assert made.filter(recipient_agency__isnull=True).exists()
    for sender, receiver in ((north, south), (south, north)):
        sent_to_receiver = made.filter(
            agency_id=sender.agency_id, recipient_agency_id=receiver.agency_id
        )
        assert sent_to_receiver.exists()
        # The receiving side sees exactly what was sent to its agency, never a draft ...
        seen = referrals_visible_to(receiver).filter(agency_id=sender.agency_id)
        assert set(seen.values_list("pk", flat=True)) == set(
            sent_to_receiver.exclude(status=ReferralStatus.DRAFT).values_list("pk", flat=True)
        )
        # ... and no grant on the referred clients: it reads the share, not the record.
        assert (
            not access.clients_visible_to(receiver)
            .filter(pk__in=sent_to_receiver.values("client_id"))
            .exists()
        )
    for referral in made.exclude(status=ReferralStatus.DRAFT):
        consent, share = referral.consent, referral.share
        assert share.consent_id == consent.pk
        assert share.shared_at == referral.sent_at
        assert consent.is_current(referral.sent_at)
        assert consent.recipient_agency_id == referral.recipient_agency_id
        assert consent.recipient_name == (
            "" if referral.recipient_agency_id else referral.service.organisation.name
        )
        assert set(share.snapshot) == set(referral.shared_fields)
        assert shared_snapshot_visible(referral) == (
            referral.status in OPEN and consent.withdrawn_at is None
        )
    # An open referral whose consent was withdrawn since: the share is closed to the recipient.
    assert made.filter(status__in=OPEN, consent__withdrawn_at__isnull=False).exists()
    completed = made.filter(status=ReferralStatus.COMPLETED)
    assert completed.exists()
    assert not completed.filter(network_tie__isnull=True).exists()


def test_a_bulk_referral_is_answered_through_the_service():
    seed("--clients", "400", "--bulk-above", "0")
    referral = (
        Referral.objects.filter(
            status=ReferralStatus.SENT, recipient_agency__slug="south", consent__withdrawn_at=None
        )
        .order_by("reference")
        .first()
    )
    south = User.objects.get(username="south-cw001")

    accepted = referrals.referral_accept(actor=south, referral=referral)

    assert accepted.status == ReferralStatus.ACCEPTED
    assert referrals_visible_to(south).filter(pk=referral.pk).exists()


def test_bulk_decisions_and_referral_answers_notify_as_the_services_do():
    seed("--clients", "400", "--bulk-above", "0")
    bulk = r"^(north|south)-cw[0-9]+$"
    decided = AidRequest.objects.filter(created_by__username__regex=bulk, decisions__isnull=False)

    assert decided.exists()
    for request in decided.prefetch_related("decisions"):
        (decision,) = request.decisions.all()
        (notice,) = Notification.objects.filter(object_id=str(request.pk))
        expected = requester_notice(request, DecisionOutcome(decision.outcome))
        assert (notice.kind, notice.title, notice.body) == (
            expected["kind"],
            expected["title"],
            expected["body"],
        )
        assert notice.recipient_id == request.submitted_by_id
        assert notice.object_type == "programs.aidrequest"
        assert notice.created_at == decision.decided_at
        assert (notice.read_at is None) == (
            decision.decided_at >= timezone.now() - timedelta(days=14)
        )
    undecided = AidRequest.objects.filter(created_by__username__regex=bulk, decisions__isnull=True)
    assert not Notification.objects.filter(
        object_id__in=[str(pk) for pk in undecided.values_list("pk", flat=True)]
    ).exists()
    answered = Referral.objects.filter(
        created_by__username__regex=bulk, responded_at__isnull=False
    ).select_related("service__organisation")
    assert answered.exists()
    for referral in answered:
        kinds = set(
            Notification.objects.filter(object_id=str(referral.pk)).values_list("kind", flat=True)
        )
        answer = (
            "referral_declined"
            if referral.status == ReferralStatus.DECLINED
            else ("referral_accepted")
        )
        assert answer in kinds
        assert ("referral_completed" in kinds) == (referral.status == ReferralStatus.COMPLETED)


def test_bulk_notifications_reach_only_their_recipient(client_for):
    seed("--clients", "400", "--bulk-above", "0")
    worker, other = (User.objects.get(username=f"{slug}-cw001") for slug in ("north", "south"))
    theirs = Notification.objects.filter(recipient=worker)

    assert theirs.count() > 50
    page = client_for(worker).get("/api/v1/notifications/", {"page_size": 50}).json()
    assert page["count"] == theirs.count()
    assert [row["id"] for row in page["results"]] == [
        str(pk) for pk in theirs.order_by("-created_at", "id").values_list("pk", flat=True)[:50]
    ]
    mine = client_for(other).get("/api/v1/notifications/", {"page_size": 50}).json()
    assert not {row["id"] for row in mine["results"]} & {
        str(pk) for pk in theirs.values_list("pk", flat=True)
    }


def test_bulk_cases_carry_employment_plans_activities_and_placements(client_for):
    seed("--clients", "400", "--bulk-above", "0")
    worker = User.objects.get(username="north-cw001")
    plans = EmploymentPlan.objects.filter(created_by=worker).select_related("case")
    today = timezone.localdate()

    assert plans.exists()
    for plan in plans:
        assert plan.case.lead_caseworker_id == worker.pk
        assert plan.case.status not in ("referred", "closed")
        assert plan.client_id == plan.case.client_id
        assert plan.agency_id == plan.case.agency_id
        activities = EmploymentActivity.objects.filter(plan=plan)
        assert 1 <= activities.count() <= 4
        for activity in activities:
            assert timezone.localdate(plan.created_at) <= activity.occurred_on <= today
    placements = Placement.objects.filter(plan__in=plans).prefetch_related(
        "status_changes", "check_ins"
    )
    assert placements.exists()
    # Every outcome is made, in turn, across the bulk world.
    assert set(
        Placement.objects.filter(plan__created_by__username__regex=r"-cw[0-9]+$").values_list(
            "status", flat=True
        )
    ) == {PlacementStatus.OFFERED, PlacementStatus.WITHDRAWN, PlacementStatus.STARTED}
    for placement in placements:
        history = [(c.from_status, c.to_status) for c in placement.status_changes.all()]
        assert history[0] == ("", PlacementStatus.OFFERED)
        assert history[-1][1] == placement.status
        assert placement.hourly_wage >= placement.minimum_wage
        assert not placement.is_subsidised
        due = {c.weeks: c.due_on for c in placement.check_ins.all()}
        if placement.status == PlacementStatus.STARTED:
            assert placement.started_on <= today
            assert due == check_in_due_dates(placement.started_on)
            assert min(due.values()) > today
        else:
            assert due == {}
    api = client_for(worker)
    assert api.get("/api/v1/employment-plans/").json()["count"] == plans.count()
    assert api.get("/api/v1/placements/").json()["count"] == placements.count()
    other = client_for(User.objects.get(username="south-cw001"))
    assert other.get("/api/v1/employment-plans/", {"case": plans[0].case_id}).json()["count"] == 0


def test_a_bulk_placement_offered_starts_through_the_service():
    seed("--clients", "400", "--bulk-above", "0")
    placement = (
        Placement.objects.filter(
            status=PlacementStatus.OFFERED, plan__created_by__username__regex=r"-cw[0-9]+$"
        )
        .order_by("start_on", "id")
        .select_related("case__lead_caseworker")
        .first()
    )

    started = employment.placement_start(
        actor=placement.case.lead_caseworker, placement=placement, on=timezone.localdate()
    )

    assert started.status == PlacementStatus.STARTED
    assert started.check_ins.count() == 3
