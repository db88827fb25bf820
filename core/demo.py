"""Demo agencies, teams and staff of the demo-data contract (docs/DEMO.md)."""

from dataclasses import dataclass, field
from decimal import Decimal
from random import Random
from typing import Any

from django.contrib.auth.hashers import make_password

from core.models import Agency, AgencyKind, Team, User
from core.roles import Role
from core.services import agency_create, staff_create, team_create

DEMO_AGENCIES = (
    {
        "slug": "north",
        "name": "Te Raki Whānau Ora Collective",
        "kind": AgencyKind.KAUPAPA_MAORI_PROVIDER,
        "region": "01",
        "team": "Kaiārahi — Whangārei",
    },
    {
        "slug": "south",
        "name": "Ōtautahi Recovery Trust",
        "kind": AgencyKind.NGO,
        "region": "13",
        "team": "Navigators — Ōtautahi",
    },
)

# (username suffix, roles, delegated limit, first name, last name) per agency.
DEMO_STAFF = {
    "north": (
        ("caseworker", [Role.CASEWORKER], None, "Aroha", "Ngātai"),
        ("caseworker2", [Role.CASEWORKER], None, "Tamati", "Wīrihana"),
        ("lead", [Role.TEAM_LEAD, Role.CASEWORKER], None, "Mereana", "Tūhoe-Pōtae"),
        ("officer", [Role.PROGRAM_OFFICER], Decimal("2000.00"), "Hēmi", "Pōmare"),
        ("senior-officer", [Role.PROGRAM_OFFICER], Decimal("20000.00"), "Kiri", "Te Kōti"),
        ("compliance", [Role.COMPLIANCE_OFFICER], None, "Rāwiri", "Paewai"),
        ("admin", [Role.AGENCY_ADMIN], None, "Ngaio", "Mātene"),
    ),
    "south": (
        ("caseworker", [Role.CASEWORKER], None, "Sione", "Fifita"),
        ("caseworker2", [Role.CASEWORKER], None, "Emma", "Rēweti"),
        ("lead", [Role.TEAM_LEAD, Role.CASEWORKER], None, "Hana", "Kōhere"),
        ("officer", [Role.PROGRAM_OFFICER], Decimal("2000.00"), "Liam", "O'Connor"),
        ("senior-officer", [Role.PROGRAM_OFFICER], Decimal("20000.00"), "Mele", "Taufa"),
        ("compliance", [Role.COMPLIANCE_OFFICER], None, "Priya", "Sharma"),
        ("admin", [Role.AGENCY_ADMIN], None, "Tūī", "Whaanga"),
    ),
}


@dataclass
class DemoWorld:
    """What the demo seeders share: the random source, options, and what earlier apps made."""

    rng: Random
    password: str
    clients: int
    agencies: dict[str, Agency] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    # What one app's seeder leaves for the next (e.g. casework's cases for programmes).
    shared: dict[str, Any] = field(default_factory=dict)


def seed(world: DemoWorld) -> None:
    """Create the two demo agencies, a team in each and the contract's seven users per agency."""
    # Every demo user shares one password: hash it once, not fourteen times.
    password_hash = make_password(world.password)
    for spec in DEMO_AGENCIES:
        agency = agency_create(
            actor=None,
            name=spec["name"],
            slug=spec["slug"],
            kind=spec["kind"],
            region=spec["region"],
        )
        world.agencies[agency.slug] = agency
        team = team_create(actor=None, agency=agency, name=spec["team"])
        world.teams[agency.slug] = team
        for suffix, roles, limit, first_name, last_name in DEMO_STAFF[agency.slug]:
            username = f"{agency.slug}-{suffix}"
            in_team = Role.CASEWORKER in roles or Role.TEAM_LEAD in roles
            world.staff[username] = staff_create(
                actor=None,
                agency=agency,
                username=username,
                password=world.password,
                roles=[role.value for role in roles],
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@{agency.slug}.demo.tautoko.nz",
                team=team if in_team else None,
                delegated_limit=limit,
                validate_password_strength=False,
                password_hash=password_hash,
            )
