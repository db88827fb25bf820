"""factory_boy factories: inert data; staff are made through the real service."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from core.models import Agency, AgencyKind, Team
from core.services import staff_create, team_create


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Agency {n} Whānau Services")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = AgencyKind.NGO
    region = "09"


class TeamFactory(factory.django.DjangoModelFactory):
    """Teams through the real service, so each has its lead group."""

    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")

    @classmethod
    def _create(cls, model_class, agency, name):
        return team_create(actor=None, agency=agency, name=name)


class StaffFactory(factory.Factory):
    """Staff built with `core.services.staff_create`, so roles become groups as in production."""

    class Meta:
        model = dict

    agency = factory.SubFactory(AgencyFactory)
    username = factory.Sequence(lambda n: f"staff{n}")
    password = "kia-kaha-2026"
    roles = factory.LazyFunction(lambda: ["caseworker"])
    first_name = "Aroha"
    last_name = "Ngātai"
    team = None
    delegated_limit = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        roles = kwargs["roles"]
        if "program_officer" in roles and kwargs["delegated_limit"] is None:
            kwargs["delegated_limit"] = Decimal("2000.00")
        return staff_create(actor=None, validate_password_strength=False, **kwargs)

    _build = _create


class ClientFactory(factory.django.DjangoModelFactory):
    """An inert client row with no grants; use `assigned_client` to give a caseworker access."""

    class Meta:
        model = "casework.Client"

    agency = factory.SubFactory(AgencyFactory)
    legal_given_names = factory.Iterator(["Aroha", "Mere", "Tama", "Hēmi", "Ngaio", "Sione"])
    legal_family_name = factory.Iterator(["Ngātai", "Pōmare", "Te Kōti", "Wīrihana", "Fifita"])
    # Spread over 1960–2000 and wrap, so long test runs never make a future birth date.
    date_of_birth = factory.Sequence(
        lambda n: date(1960, 1, 1) + timedelta(days=(137 * n) % 14_600)
    )
    region = "01"
    created_by = factory.LazyAttribute(
        lambda o: StaffFactory(agency=o.agency, roles=["caseworker"])
    )


class CaseFactory(factory.django.DjangoModelFactory):
    """An inert case row in `referred`, with no grants; states are reached through services."""

    class Meta:
        model = "casework.Case"

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    opened_at = factory.LazyFunction(timezone.now)
    created_by = factory.SelfAttribute("client.created_by")
