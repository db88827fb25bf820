"""Demo agencies, teams and staff of the demo-data contract (docs/DEMO.md)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from core.models import Agency, AgencyKind, Notification, Team, User
from core.notifications import notification_unsaved
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

# A bulk world gives each extra caseworker this many clients (national-scale caseloads
# as the benchmark assumes: 50 caseworkers of 2,000 clients hold 100,000).
BULK_CASELOAD = 2000
# Program officers per agency in a bulk world (north-po01 …), deciding the queue together.
BULK_OFFICERS = 8
# A bulk notification older than this was read the day after it came.
BULK_NOTICE_READ_AFTER = timedelta(days=14)

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
    # Clients added in bulk after the service-made ones (a benchmark-sized world).
    bulk_clients: int = 0
    agencies: dict[str, Agency] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    # Extra caseworkers of a bulk world, by agency slug, each holding one caseload.
    bulk_staff: dict[str, list[User]] = field(default_factory=dict)
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
    if world.bulk_clients:
        _bulk_staff(world, password_hash)


def _bulk_staff(world: DemoWorld, password_hash: str) -> None:
    """Caseworkers for the bulk clients: one per `BULK_CASELOAD` clients in each agency."""
    per_agency = -(-world.bulk_clients // len(DEMO_AGENCIES))
    workers = max(1, -(-per_agency // BULK_CASELOAD))
    for spec in DEMO_AGENCIES:
        slug = spec["slug"]
        agency = world.agencies[slug]
        world.bulk_staff[slug] = [
            staff_create(
                actor=None,
                agency=agency,
                username=f"{slug}-cw{n:03d}",
                password=world.password,
                roles=[Role.CASEWORKER.value],
                first_name="Kaimahi",
                last_name=f"{n:03d}",
                email=f"{slug}-cw{n:03d}@{slug}.demo.tautoko.nz",
                team=world.teams[slug],
                validate_password_strength=False,
                password_hash=password_hash,
            )
            for n in range(1, workers + 1)
        ]
        # Officers enough to decide a national queue side by side.
        for n in range(1, BULK_OFFICERS + 1):
            username = f"{slug}-po{n:02d}"
            world.staff[username] = staff_create(
                actor=None,
                agency=agency,
                username=username,
                password=world.password,
                roles=[Role.PROGRAM_OFFICER.value],
                first_name="Āpiha",
                last_name=f"{n:02d}",
                email=f"{username}@{slug}.demo.tautoko.nz",
                delegated_limit=Decimal("20000.00"),
                validate_password_strength=False,
                password_hash=password_hash,
            )


def bulk_notification(
    obj, recipient_id, at: datetime, *, kind: str, title: str, body: str = ""
) -> Notification:
    """The notification a service left `recipient_id` about `obj` at `at`, for the bulk seeders.

    Unsaved, for `casework.demo.bulk_insert`. Its id is derived from the
    object's and the kind, so the world stays reproducible without drawing
    from its random source; one older than `BULK_NOTICE_READ_AFTER` was read
    the day after it came.
    """
    notification = notification_unsaved(
        recipient_id=recipient_id, kind=kind, title=title, body=body, obj=obj
    )
    notification.id = uuid.uuid5(obj.pk, kind)
    notification.created_at = at
    if at < timezone.now() - BULK_NOTICE_READ_AFTER:
        notification.read_at = at + timedelta(days=1)
    return notification
