"""Inert programmes data: programmes and budgets. Requests reach their states through services."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from core.nz.fiscal import fiscal_year_of
from programs.models import Budget, Programme, ProgrammeKind


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
