"""A small reporting world built through the real services: one client with a bit of everything."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from casework.models import Instrument, NoteKind, SnapshotStage, TieQuality
from casework.services.assessments import assessment_record
from casework.services.goals import goal_create, goal_review
from casework.services.network import network_snapshot_take, tie_add
from casework.services.notes import note_create
from programs import services as program_services
from programs.models import AidRequest, Budget, Programme
from tests.factories import ClientFactory
from tests.programs.factories import BudgetFactory, ProgrammeFactory

SECRET_NOTE = "Safe house address Kōwhai Lane 7"
OPEN_NOTE = "Hui with whānau at the marae about housing"


@dataclass
class World:
    client: object
    case: object
    programme: Programme
    budget: Budget
    requests: list[AidRequest]
    paid_total: Decimal
    approved_total: Decimal


def build_world(staff, led_case, *, restricted: bool = False) -> World:
    caseworker = staff["north-caseworker"]
    officer = staff["north-officer"]
    today = timezone.localdate()
    start = today - timedelta(days=120)
    client = ClientFactory(
        agency=caseworker.agency,
        created_by=caseworker,
        legal_given_names="Aroha",
        legal_family_name="Ngātai",
        is_restricted=restricted,
    )
    case = led_case(caseworker, client=client, opened_at=timezone.now() - timedelta(days=100))
    note_create(
        actor=caseworker,
        case=case,
        kind=NoteKind.HUI,
        body=OPEN_NOTE,
        occurred_at=timezone.now() - timedelta(days=20),
    )
    note_create(
        actor=caseworker,
        case=case,
        kind=NoteKind.CONTACT,
        body=SECRET_NOTE,
        occurred_at=timezone.now() - timedelta(days=10),
        restricted=True,
    )
    goal = goal_create(actor=caseworker, case=case, pou=5, description="Find steady mahi")
    goal_review(
        actor=caseworker,
        goal=goal,
        reviewed_on=today - timedelta(days=5),
        progress=6,
        status_after="in_progress",
    )
    tie_add(
        actor=caseworker,
        client=client,
        name="Kuia Mereana",
        tie_type="whanau",
        strength=5,
        contact_frequency="weekly",
        quality=TieQuality.SUPPORTIVE,
        support_kinds=["emotional"],
        started_on=start,
    )
    tie_add(
        actor=caseworker,
        client=client,
        name="Ōtautahi Clubhouse",
        tie_type="clubhouse",
        strength=3,
        contact_frequency="weekly",
        quality=TieQuality.MIXED,
        support_kinds=["practical"],
        started_on=start,
    )
    network_snapshot_take(
        actor=caseworker, client=client, stage=SnapshotStage.INTAKE, taken_on=start
    )
    network_snapshot_take(
        actor=caseworker, client=client, stage=SnapshotStage.REVIEW, taken_on=today
    )
    lsns = Instrument.objects.get(code="lsns-6")
    for on, value in ((start, 1), (today, 3)):
        assessment_record(
            actor=caseworker,
            client=client,
            instrument=lsns,
            answers={f"q{i}": value for i in range(1, 7)},
            administered_on=on,
            stage=SnapshotStage.INTAKE if on == start else SnapshotStage.REVIEW,
            case=case,
        )
    programme = ProgrammeFactory(delivering_agencies=[caseworker.agency])
    budget = BudgetFactory(programme=programme, allocated=Decimal("10000.00"))
    requests = []
    for amount, category in (("250.50", "food"), ("400.00", "power"), ("120.25", "food")):
        request = program_services.aid_request_create(
            actor=caseworker,
            case=case,
            programme=programme,
            amount=Decimal(amount),
            category=category,
            justification="Hardship until the next benefit payment.",
        )
        request = program_services.aid_request_submit(actor=caseworker, aid_request=request)
        request = program_services.aid_request_approve(actor=officer, aid_request=request)
        requests.append(request)
    program_services.payment_record(
        actor=officer, aid_request=requests[0], amount=Decimal("250.50"), method="direct_credit"
    )
    program_services.payment_record(
        actor=officer, aid_request=requests[1], amount=Decimal("390.00"), method="direct_credit"
    )
    return World(
        client=client,
        case=case,
        programme=programme,
        budget=budget,
        requests=requests,
        paid_total=Decimal("640.50"),
        approved_total=Decimal("770.75"),
    )
