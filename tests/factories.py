"""factory_boy factories: inert data; staff are made through the real service."""

from decimal import Decimal

import factory

from core.models import Agency, AgencyKind, Team
from core.services import staff_create


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Agency {n} Whānau Services")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = AgencyKind.NGO
    region = "09"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


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
