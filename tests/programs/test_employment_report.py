"""The employment sections of reports: a client's rows and a programme's outcome counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.nz.fiscal import fiscal_year_of
from programs import report_employment
from programs.services import employment as services
from reporting import sections
from tests.programs.factories import BudgetFactory, EmployerFactory, employment_programme

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def cw(staff):
    return staff["north-caseworker"]


@pytest.fixture
def employer(north):
    return EmployerFactory(agency=north, name="Whangārei Packhouse")


@pytest.fixture
def mahi(north):
    """An employment programme with budgets for this fiscal year and the one 190 days ago."""
    programme = employment_programme(north, allocated=Decimal("50000.00"))
    earlier = fiscal_year_of(today() - timedelta(days=190))
    if earlier != fiscal_year_of(today()):
        BudgetFactory(programme=programme, fiscal_year=earlier, allocated=Decimal("50000.00"))
    return programme


def placement(cw, case, employer, *, days_ago, employed=(), not_employed=(), **fields):
    made = services.placement_create(
        actor=cw,
        case=case,
        employer=employer,
        role="Packhouse worker",
        start_on=today() - timedelta(days=days_ago),
        hours_per_week=Decimal("30"),
        hourly_wage=Decimal("25.00"),
        **fields,
    )
    made = services.placement_start(actor=cw, placement=made)
    for weeks in employed:
        services.placement_check_in_record(
            actor=cw, placement=made, weeks=weeks, still_employed=True, hours_per_week=30
        )
    for weeks in not_employed:
        services.placement_check_in_record(
            actor=cw, placement=made, weeks=weeks, still_employed=False
        )
    return made


def client_query(actor, client, **kwargs):
    kwargs.setdefault("period_start", today() - timedelta(days=365))
    kwargs.setdefault("period_end", today())
    return sections.ClientSectionQuery(actor=actor, client=client, **kwargs)


def test_provider_is_registered():
    assert sections._client_providers[sections.EMPLOYMENT] is report_employment.client_employment
    assert (
        sections._programme_providers[sections.EMPLOYMENT] is report_employment.programme_employment
    )


def test_client_section_lists_plan_activities_and_placements_with_check_ins(cw, led_case, employer):
    case = led_case(cw)
    services.employment_plan_create(
        actor=cw,
        case=case,
        work_goals="Horticulture work near whānau.",
        barriers=["transport"],
        next_review_on=today() + timedelta(days=14),
    )
    services.employment_activity_create(
        actor=cw,
        case=case,
        kind="training",
        occurred_on=today() - timedelta(days=100),
        hours=Decimal("8"),
        provider="NorthTec — Te Pūkenga",
        qualification="Growsafe Introductory",
        nzqa_level=2,
        completed=True,
    )
    placement(cw, case, employer, days_ago=95, employed=(4, 13))

    table = sections.client_section(sections.EMPLOYMENT, client_query(cw, case.client))

    assert table.header == report_employment.CLIENT_HEADER
    kinds = [row[0] for row in table.rows]
    assert kinds == ["Employment plan", "Training course", "Placement: Packhouse worker"]
    plan_row, training_row, placement_row = table.rows
    assert "Transport" in plan_row[4]
    assert training_row[1] == "NorthTec — Te Pūkenga"
    assert training_row[3] == "Completed"
    assert placement_row[1] == "Whangārei Packhouse"
    assert "13 weeks: in work" in placement_row[4]
    assert "26 weeks: due" in placement_row[4]


def test_client_section_shows_nothing_to_another_agency(cw, led_case, employer, staff):
    case = led_case(cw)
    placement(cw, case, employer, days_ago=10)
    query = client_query(staff["south-caseworker"], case.client)
    assert sections.client_section(sections.EMPLOYMENT, query) is None


def test_client_section_keeps_to_the_period(cw, led_case, employer):
    case = led_case(cw)
    services.employment_activity_create(
        actor=cw, case=case, kind="cv", occurred_on=today() - timedelta(days=200), hours=1
    )
    query = client_query(cw, case.client, period_start=today() - timedelta(days=30))
    assert sections.client_section(sections.EMPLOYMENT, query) is None
    everything = client_query(
        cw, case.client, period_start=None, period_end=None, purpose=sections.PRIVACY_ACCESS
    )
    assert len(sections.client_section(sections.EMPLOYMENT, everything).rows) == 1


def test_programme_section_counts_started_and_sustained(cw, led_case, employer, mahi, north):
    subsidy = {
        "is_subsidised": True,
        "subsidy_weekly_amount": Decimal("200.00"),
        "subsidy_weeks": 13,
        "programme": mahi,
    }
    placement(cw, led_case(cw), employer, days_ago=190, employed=(4, 13, 26), **subsidy)
    placement(cw, led_case(cw), employer, days_ago=100, employed=(4, 13), **subsidy)
    placement(
        cw, led_case(cw), employer, days_ago=100, employed=(4,), not_employed=(13,), **subsidy
    )
    placement(cw, led_case(cw), employer, days_ago=30, **subsidy)
    # Not this programme's: unsubsidised, for a client it did not serve.
    placement(cw, led_case(cw), employer, days_ago=30)

    query = sections.ProgrammeSectionQuery(
        actor=cw,
        programme_id=mahi.pk,
        agency=north,
        period_start=today() - timedelta(days=365),
        period_end=today(),
    )
    tables = {t.title: t.counts for t in sections.programme_section(sections.EMPLOYMENT, query)}

    assert tables["Placements and sustained work"] == {
        "Placements started": 4,
        "Wage-subsidised": 4,
        "In work at 4 weeks": 3,
        "Sustained at 13 weeks": 2,
        "Sustained at 26 weeks": 1,
    }
    assert tables["Check-ins recorded"] == {
        "4-week check-ins": 3,
        "13-week check-ins": 3,
        "26-week check-ins": 1,
    }


def test_programme_section_is_empty_when_nothing_started(cw, mahi, north):
    query = sections.ProgrammeSectionQuery(
        actor=cw,
        programme_id=mahi.pk,
        agency=north,
        period_start=today() - timedelta(days=30),
        period_end=today(),
    )
    assert sections.programme_section(sections.EMPLOYMENT, query) == []
