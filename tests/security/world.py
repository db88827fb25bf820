"""One small world for the security tests: every kind of record, owned by north, built by services.

North's caseworker leads one case of one client with a bit of everything
(notes, one restricted; goals; ties; assessments; aid requests in several
states; a paid recoverable advance with a repayment; an enrolment; a whānau;
consent; a report job; a notification). The case is referred, with consent,
to a service of south, so south's staff hold the referral snapshot and nothing
else.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from random import Random

from django.utils import timezone

from casework import access
from casework.models import Assessment, CaseNote, Goal, NetworkTie
from casework.services.corrections import correction_request_record
from casework.services.whanau import whanau_create
from core import demo
from core.audit import audit_record
from core.models import AuditAction
from core.notifications import notify
from programs import services as program_services
from programs.services import employment
from programs.services.enrolments import enrolment_create
from reporting.exports.services import GovernanceFlagInput, governance_flag_record
from reporting.services import ReportRequest, report_job_request, report_job_run
from tests.factories import CaseFactory, ClientFactory
from tests.programs.referral_helpers import consent_for, sent, south_service
from tests.reporting.fixtures_world import SECRET_NOTE, build_world

ROLE_SUFFIXES = (
    "caseworker",
    "caseworker2",
    "lead",
    "officer",
    "senior-officer",
    "compliance",
    "admin",
)
AGENCIES = ("north", "south")
USERNAMES = tuple(f"{agency}-{role}" for agency in AGENCIES for role in ROLE_SUFFIXES)


@dataclass
class SecurityWorld:
    staff: dict
    ids: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


def demo_staff() -> dict:
    """The demo contract's staff of north and south (as the `staff` fixture makes them)."""
    world = demo.DemoWorld(rng=Random(1), password="tautoko-demo", clients=0)
    demo.seed(world)
    return world.staff


def led_case(caseworker, client=None, **fields):
    """A case led by `caseworker` and shared with their team's leads (as the `led_case` fixture)."""
    client = client or ClientFactory(agency=caseworker.agency, created_by=caseworker)
    case = CaseFactory(
        client=client,
        agency=caseworker.agency,
        lead_caseworker=caseworker,
        team=caseworker.team,
        created_by=caseworker,
        **fields,
    )
    access.grant_case_to_user(case, caseworker)
    if case.team is not None:
        access.grant_case_to_group(case, case.team.lead_group)
    return case


def build_security_world(staff, led_case=led_case) -> SecurityWorld:
    """Build the world through the real services and return the ids the matrix addresses."""
    caseworker = staff["north-caseworker"]
    officer = staff["north-officer"]
    south = staff["south-caseworker"].agency
    base = build_world(staff, led_case)
    client, case = base.client, base.case

    submitted = program_services.aid_request_submit(
        actor=caseworker,
        aid_request=program_services.aid_request_create(
            actor=caseworker,
            case=case,
            programme=base.programme,
            amount=Decimal("300.00"),
            category="food",
            justification="Kai for the whānau until payday.",
        ),
    )
    recoverable = program_services.aid_request_submit(
        actor=caseworker,
        aid_request=program_services.aid_request_create(
            actor=caseworker,
            case=case,
            programme=base.programme,
            amount=Decimal("600.00"),
            category="accommodation",
            is_recoverable=True,
            repayment_instalment=Decimal("50.00"),
            repayment_frequency="fortnightly",
            justification="Bond for a new flat.",
        ),
    )
    recoverable = program_services.aid_request_approve(actor=officer, aid_request=recoverable)
    payment = program_services.payment_record(
        actor=officer, aid_request=recoverable, amount=Decimal("600.00"), method="direct_credit"
    )
    recovery = recoverable.recovery
    repayment = program_services.repayment_record(
        actor=officer, recovery=recovery, amount=Decimal("50.00"), method="deduction"
    )
    enrolment = enrolment_create(actor=caseworker, case=case, programme=base.programme)
    whanau = whanau_create(
        actor=caseworker,
        name="Te Whānau o Ngātai",
        members=[
            {"client": client, "relationship": "parent"},
            {"name": "Hēmi", "relationship": "child"},
        ],
    )
    member = whanau.members.order_by("id").last()
    consent = consent_for(caseworker, client, agency=south)
    service = south_service(south)
    referral = sent(caseworker, case, service)
    today = timezone.localdate()
    job = report_job_request(
        actor=caseworker,
        request=ReportRequest(
            kind="client-outcome",
            client_id=client.pk,
            period_start=today - timedelta(days=200),
            period_end=today,
        ),
    )
    correction = correction_request_record(
        actor=caseworker,
        client=client,
        requested_changes={"preferred_name": "Aro"},
        client_statement="I go by Aro.",
    )
    employer = employment.employer_create(actor=caseworker, name="Kai Kitchen Ltd", region="01")
    plan = employment.employment_plan_create(
        actor=caseworker,
        case=case,
        work_goals="Kitchen hand, then chef training.",
        next_review_on=today + timedelta(days=30),
    )
    activity = employment.employment_activity_create(
        actor=caseworker, case=case, kind="coaching", occurred_on=today, hours=Decimal("1.5")
    )
    placement = employment.placement_create(
        actor=caseworker,
        case=case,
        employer=employer,
        role="Kitchen hand",
        start_on=today,
        hours_per_week=Decimal("30"),
        hourly_wage=Decimal("30.00"),
    )
    flag = governance_flag_record(
        actor=caseworker,
        data=GovernanceFlagInput(
            scope="client",
            kind="no_research_linking",
            effective_from=today,
            client_id=client.pk,
            consent_reference="Signed form, hui 3 March",
        ),
    )
    # Run now: the queued task would only start after a commit the test never makes.
    report_job_run(job_id=job.pk)
    notification = notify(recipient=caseworker, kind="test", title="Kia ora", obj=case)
    # The newest event of north's log, so it is on the first page of the audit list.
    audit_event = audit_record(actor=caseworker, action=AuditAction.VIEW, obj=client)
    restricted_note = CaseNote.objects.get(case=case, body=SECRET_NOTE)
    open_note = CaseNote.objects.filter(case=case, restricted=False).order_by("id").first()

    ids = {
        "client": client.pk,
        "case": case.pk,
        "note": open_note.pk,
        "restricted_note": restricted_note.pk,
        "goal": Goal.objects.filter(case=case).order_by("id").first().pk,
        "tie": NetworkTie.objects.filter(client=client).order_by("id").first().pk,
        "assessment": Assessment.objects.filter(client=client).order_by("id").first().pk,
        "instrument": "lsns-6",
        "whanau": whanau.pk,
        "member": member.pk,
        "consent": consent.pk,
        "programme": base.programme.pk,
        "enrolment": enrolment.pk,
        "aid_request": submitted.pk,
        "payment": payment.pk,
        "recovery": recovery.pk,
        "repayment": repayment.pk,
        "organisation": service.organisation_id,
        "service": service.pk,
        "referral": referral.pk,
        "report": job.pk,
        "notification": notification.pk,
        "audit_event": audit_event.pk,
        "staff": staff["north-caseworker2"].pk,
        "correction": correction.pk,
        "employer": employer.pk,
        "plan": plan.pk,
        "activity": activity.pk,
        "placement": placement.pk,
        "check_in_weeks": 4,
        "flag": flag.pk,
        # Records of a kind the world does not build: no one reaches an id that does not exist.
        "absent": uuid.uuid4(),
        "team": caseworker.team_id,
        "agency": caseworker.agency_id,
    }
    return SecurityWorld(
        staff=staff,
        ids=ids,
        objects={"client": client, "case": case, "referral": referral, "programme": base.programme},
    )
