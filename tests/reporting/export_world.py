"""A small export world built through the real services: enrolled clients, aid paid, a referral."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from casework.models import ClientEthnicity, ClientIwi
from core.nz.fiscal import fiscal_year_label
from programs import services as program_services
from programs.models import Payment
from tests.factories import ClientFactory
from tests.programs.factories import BudgetFactory, ProgrammeFactory, current_fiscal_year

FUNDER = "Te Manatū Whakahiato Ora (MSD)"
OTHER_FUNDER = "Te Puni Kōkiri"


@dataclass
class ExportWorld:
    period: str
    programme: object
    other_programme: object
    clients: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    outside: list = field(default_factory=list)


def _client(caseworker, led_case, world, programme, *, ethnicities=("21111",), iwi=(), **fields):
    client = ClientFactory(agency=caseworker.agency, created_by=caseworker, **fields)
    for position, code in enumerate(ethnicities, start=1):
        ClientEthnicity.objects.create(client=client, code=code, position=position)
    for code in iwi:
        ClientIwi.objects.create(client=client, code=code)
    case = led_case(caseworker, client=client, opened_at=timezone.now() - timedelta(days=3))
    program_services.enrolment_create(actor=caseworker, case=case, programme=programme)
    return client, case


def build_export_world(staff, led_case, *, clients: int = 4) -> ExportWorld:
    caseworker = staff["north-caseworker"]
    officer = staff["north-officer"]
    north = caseworker.agency
    programme = ProgrammeFactory(delivering_agencies=[north], funder=FUNDER)
    other_programme = ProgrammeFactory(delivering_agencies=[north], funder=OTHER_FUNDER)
    BudgetFactory(programme=programme, allocated=Decimal("50000.00"))
    world = ExportWorld(
        period=fiscal_year_label(current_fiscal_year()),
        programme=programme,
        other_programme=other_programme,
    )
    regions = ["08", "01", "13", "09"]
    for index in range(clients):
        client, case = _client(
            caseworker,
            led_case,
            world,
            programme,
            ethnicities=("21111",) if index % 2 == 0 else ("11111",),
            iwi=("0104",) if index % 2 == 0 else (),
            region=regions[index % len(regions)],
            legal_family_name="Ngātai",
        )
        world.clients.append(client)
        world.cases.append(case)
    for index, amount in enumerate(("250.50", "400.00", "120.25")):
        request = program_services.aid_request_create(
            actor=caseworker,
            case=world.cases[index % len(world.cases)],
            programme=programme,
            amount=Decimal(amount),
            category="food" if index != 1 else "power",
            justification="Hardship until the next benefit payment.",
        )
        request = program_services.aid_request_submit(actor=caseworker, aid_request=request)
        request = program_services.aid_request_approve(actor=officer, aid_request=request)
        world.payments.append(
            program_services.payment_record(
                actor=officer, aid_request=request, amount=Decimal(amount), method="direct_credit"
            )
        )
    # Served only under another funder's programme: never in this funder's exports.
    other, _ = _client(caseworker, led_case, world, other_programme)
    world.outside.append(other)
    # Another agency's client under the same funder: never in north's exports.
    south_worker = staff["south-caseworker"]
    programme.delivering_agencies.add(south_worker.agency)
    south_client, _ = _client(south_worker, led_case, world, programme)
    world.outside.append(south_client)
    return world


def paid_total(world: ExportWorld) -> Decimal:
    return sum(
        (p.amount for p in Payment.objects.filter(pk__in=[p.pk for p in world.payments])),
        Decimal("0.00"),
    )
