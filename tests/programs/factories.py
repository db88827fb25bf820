"""Inert programmes data: programmes and budgets. Requests reach their states through services."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from core.nz.fiscal import fiscal_year_of
from programs.models import Budget, Employer, Programme, ProgrammeKind


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A running financial-aid programme; pass `delivering_agencies=[...]`."""

    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Hardship assistance {n} — Te Raki")
    kind = ProgrammeKind.FINANCIAL_AID
    funder = "Te Manatū Whakahiato Ora (MSD)"
    eligibility_notes = "Clients with an immediate need they cannot meet otherwise."
    active_from = date(2020, 7, 1)

    @factory.post_generation
    def delivering_agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.delivering_agencies.set(extracted)


class BudgetFactory(factory.django.DjangoModelFactory):
    """A budget row for the current fiscal year with nothing committed or paid."""

    class Meta:
        model = Budget

    programme = factory.SubFactory(ProgrammeFactory)
    fiscal_year = factory.LazyFunction(current_fiscal_year)
    agency = None
    allocated = Decimal("10000.00")


class EmployerFactory(factory.django.DjangoModelFactory):
    """An active employer of an agency; pass `agency=`."""

    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Kai Ora Café {n} — Whangārei")
    region = "01"
    industry = "Hospitality"
    contact_name = "Aroha Tūhoe"
    contact_phone = "09 555 0100"


def employment_programme(*agencies, allocated: Decimal | None = Decimal("50000.00"), on=None):
    """A running employment programme the agencies deliver, with a programme-wide budget.

    The budget is for the fiscal year containing `on` (default today); `allocated=None`
    leaves the programme without one.
    """
    programme = ProgrammeFactory(
        kind=ProgrammeKind.EMPLOYMENT,
        delivering_agencies=list(agencies),
    )
    if allocated is not None:
        BudgetFactory(
            programme=programme,
            fiscal_year=fiscal_year_of(on or timezone.localdate()),
            allocated=allocated,
        )
    return programme
