"""Demo clients, whānau, cases, notes, consent, goals, networks and LSNS-6 over time.

Everything is made through the casework services, as the caseworkers who
would have done it, so grants, history and audit rows are the real ones.
Dates are relative to today so the demo always looks current; everything
else follows the seed.

A benchmark-sized world (`world.bulk_clients`, from `seed_demo --clients`
above its bulk threshold) adds its extra clients, cases, whānau, whānau
cases, notes and grant rows in batches instead (`bulk_insert`): the same
tables, the same grants as assignment makes and the same status history, but
no audit events, so 100,000 clients take minutes rather than hours.
"""

import uuid
from datetime import date, datetime, time, timedelta
from random import Random
from typing import NamedTuple

from django.contrib.auth.models import Permission
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from casework import access
from casework.instruments import score
from casework.models import (
    Assessment,
    Case,
    CaseGroupObjectPermission,
    CaseNote,
    CaseStatus,
    CaseStatusChange,
    CaseUserObjectPermission,
    Client,
    ClientEthnicity,
    ClientGroupObjectPermission,
    ClientIwi,
    ClientUserObjectPermission,
    ClosureReason,
    ConsentMethod,
    ConsentPurpose,
    ContactFrequency,
    Gender,
    Goal,
    GoalStatus,
    Instrument,
    NetworkTie,
    NoteKind,
    Pou,
    Relationship,
    SnapshotStage,
    TieQuality,
    TieType,
    Whanau,
    WhanauMember,
)
from casework.services.assessments import assessment_record
from casework.services.cases import case_open, case_transition
from casework.services.clients import client_create
from casework.services.consents import consent_record, consent_withdraw
from casework.services.goals import goal_create, goal_review
from casework.services.network import network_snapshot_take, tie_add, tie_end
from casework.services.notes import note_create
from casework.services.whanau import whanau_create
from core.demo import BULK_CASELOAD, DemoWorld
from core.nz.nhi import nhi_with_check

GIVEN_NAMES = (
    "Aroha", "Mere", "Tāne", "Hēmi", "Ngaio", "Rāwiri", "Whetū", "Kahurangi", "Mōhi", "Tūī",
    "Pania", "Wiremu", "Hine", "Ānaru", "Kiri", "Tamati", "Marama", "Ihaia", "Ātaahua", "Rēwi",
    "Sione", "Mele", "Losa", "Tavita", "Emma", "Olivia", "Liam", "Jack", "Charlotte", "Noah",
    "Priya", "Wei", "Arjun", "Grace", "Mākena", "Kōwhai",
)  # fmt: skip
FAMILY_NAMES = (
    "Ngātai", "Pōmare", "Te Kōti", "Wīrihana", "Pāora", "Tāwhiri", "Kōhere", "Hōhepa",
    "Mātene", "Pīwai", "Te Whata", "Parata", "Ngata", "Walker", "Smith", "Wilson", "Fifita",
    "Taufa", "Leota", "Tuilagi", "Singh", "Chen", "Patel", "Brown", "Thompson", "Rēweti",
)  # fmt: skip
# Stats NZ level-2 ethnicity codes with weights loosely like the people such services see.
ETHNICITY_MIX = (
    (("21",), 30), (("11",), 25), (("21", "11"), 15), (("31",), 7), (("33",), 5),
    (("32", "21"), 4), (("42",), 5), (("43",), 5), (("12",), 4),
)  # fmt: skip
STREETS = ("Kahikatea", "Tōtara", "Rātā", "Pōhutukawa", "Kōwhai", "Mānuka")
IWI_BY_AGENCY = {"north": ("0104", "0103", "0105", "0601"), "south": ("1109", "0104", "0601")}
REGIONS_BY_AGENCY = {"north": ("01", "02"), "south": ("13", "16", "17", "14")}
# The case states the demo shows, with how many cases in a hundred end in each.
STATUS_MIX = (
    (CaseStatus.REFERRED, 10), (CaseStatus.INTAKE, 15), (CaseStatus.ACTIVE, 45),
    (CaseStatus.ON_HOLD, 10), (CaseStatus.CLOSED, 20),
)  # fmt: skip
PATH_TO = {
    CaseStatus.REFERRED: [],
    CaseStatus.INTAKE: [CaseStatus.INTAKE],
    CaseStatus.ACTIVE: [CaseStatus.INTAKE, CaseStatus.ACTIVE],
    CaseStatus.ON_HOLD: [CaseStatus.INTAKE, CaseStatus.ACTIVE, CaseStatus.ON_HOLD],
    CaseStatus.CLOSED: [CaseStatus.INTAKE, CaseStatus.ACTIVE, CaseStatus.CLOSED],
}
NOTE_BODIES = {
    NoteKind.CONTACT: "Met at the office. Talked through the week and what is going well.",
    NoteKind.HOME_VISIT: "Home visit. Whānau were welcoming; kai shared, plan talked through.",
    NoteKind.PHONE: "Phoned to check in. Appointment with the GP is booked.",
    NoteKind.HUI: "Whānau hui at the marae. Agreed next steps together.",
    NoteKind.ADMIN: "Updated the plan after the review.",
}
GOALS = (
    (Pou.COHESIVE, "Reconnect with whānau and visit the marae for the next hui"),
    (Pou.HEALTHY_LIFESTYLES, "Keep regular GP and counselling appointments"),
    (Pou.ECONOMICALLY_SECURE, "Set up a weekly budget and clear the power arrears"),
    (Pou.PARTICIPATING_IN_SOCIETY, "Join the clubhouse work unit two days a week"),
    (Pou.TE_AO_MAORI, "Start te reo Māori classes at the wānanga"),
    (Pou.SELF_MANAGING, "Lead the planning of the whānau reunion"),
)
TIES = (
    ("Nan (Kui)", TieType.WHANAU, ["emotional", "cultural"]),
    ("Cousin in Kaikohe", TieType.WHANAU, ["practical"]),
    ("Neighbour", TieType.FRIEND, ["practical"]),
    ("Clubhouse members", TieType.CLUBHOUSE, ["emotional", "practical"]),
    ("Peer support worker", TieType.PEER, ["emotional"]),
    ("Marae komiti", TieType.IWI_MARAE, ["cultural"]),
    ("Church youth group", TieType.COMMUNITY_GROUP, ["emotional"]),
    ("GP", TieType.PROFESSIONAL, ["practical"]),
    ("Old workmate", TieType.FRIEND, ["emotional", "financial"]),
)


def seed(world: DemoWorld) -> None:
    """Create `world.clients` clients split between the two agencies, with their casework.

    Clients alternate between each agency's `caseworker` and `caseworker2`,
    so each has their own caseload; the agency's lead sees both through the
    team. Leaves the cases in `world.shared["cases"]` for later seeders.
    """
    rng = world.rng
    today = timezone.localdate()
    lsns = Instrument.objects.filter(code="lsns-6").first()
    whanau_rating = Instrument.objects.filter(code="whanau-ora-self-rating").first()
    cases = world.shared.setdefault("cases", [])
    agencies = sorted(world.agencies)
    for index in range(world.clients):
        slug = agencies[index % len(agencies)]
        worker = world.staff[
            f"{slug}-caseworker" if (index // 2) % 2 == 0 else f"{slug}-caseworker2"
        ]
        client = _client(rng, worker, slug, index)
        opened = today - timedelta(days=rng.randint(20, 400))
        # Two neighbouring indexes land in different agencies, so each has whānau cases.
        if index % 10 in (8, 9):
            whanau = whanau_create(
                actor=worker,
                name=f"Whānau {client.legal_family_name}",
                members=[
                    {"client": client, "relationship": Relationship.PARENT},
                    {"name": _relative(rng, client), "relationship": Relationship.CHILD},
                    {"name": _relative(rng, client), "relationship": Relationship.GRANDPARENT},
                ],
            )
            case = case_open(
                actor=worker, whanau=whanau, opened_at=_at(opened), summary="Whānau-led plan"
            )
        else:
            case = case_open(
                actor=worker, client=client, opened_at=_at(opened), summary=_summary(rng)
            )
        status = _weighted(rng, STATUS_MIX)
        for step in PATH_TO[status]:
            case_transition(
                actor=worker,
                case=case,
                to_status=step,
                reason="Demo history",
                closure_reason=rng.choice([ClosureReason.GOALS_MET, ClosureReason.MOVED_AWAY])
                if step == CaseStatus.CLOSED
                else "",
            )
        case.refresh_from_db()
        cases.append(case)
        if status == CaseStatus.REFERRED:
            continue
        _notes(rng, worker, case, opened, today, restricted=index % 7 == 0)
        _consents(rng, worker, client, world, slug, opened)
        if status != CaseStatus.CLOSED:
            _goals(rng, worker, case, client, opened, today)
        _network_and_measures(rng, worker, case, client, opened, today, status, lsns, whanau_rating)
    if world.bulk_clients:
        seed_bulk(world)


# Clients per batch (and rows per bulk_create): large enough to amortise round trips, small
# enough for memory.
BULK_BATCH = 5000


def bulk_insert(model, objs: list) -> None:
    """Insert `objs`, new `model` rows with their fields set, in one go; return nothing.

    On PostgreSQL the rows are streamed with `COPY … FROM STDIN`: `bulk_create`
    there sends each column as one array literal that the driver escapes in
    Python, quote by quote, which made JSON decision facts and long text the
    slowest part of a national-scale seed. Values go to the driver as they
    are (it adapts UUIDs, dates, decimals and text itself); only JSON is
    prepared by its field, and `auto_now` stamps are taken as `save` would,
    except a creation stamp already set, which is kept (a row dated when
    what it records happened, such as a decision's notification).
    Other databases get `bulk_create` in batches of `BULK_BATCH`. Primary
    keys left empty are filled in by the database and not read back; related
    objects must already carry their primary keys (drawn with `_uuid`).
    """
    if not objs:
        return
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor != "postgresql":
        # bulk_create stamps every creation time; put back the ones set (small worlds only).
        kept = [
            (obj.pk, {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields
                      if getattr(f, "auto_now_add", False) and getattr(obj, f.attname)})
            for obj in objs
        ]  # fmt: skip
        model.objects.bulk_create(objs, batch_size=BULK_BATCH)
        for pk, stamps in kept:
            if stamps:
                model.objects.filter(pk=pk).update(**stamps)
        return
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and getattr(objs[0], field.attname) is None)
    ]
    names = [field.attname for field in fields]
    stamped = [
        (i, field)
        for i, field in enumerate(fields)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    as_json = [
        (i, field) for i, field in enumerate(fields) if field.get_internal_type() == "JSONField"
    ]
    quote = database.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with database.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            row = [getattr(obj, name) for name in names]
            for i, field in stamped:
                if field.auto_now or row[i] is None:
                    row[i] = field.pre_save(obj, True)
            for i, field in as_json:
                row[i] = field.get_db_prep_save(row[i], database)
            copy.write_row(row)


# One client in every BULK_WHANAU_EVERY an agency gets is the parent of a whānau whose case
# takes the place of their own; the offset puts the first ones at indexes 8 and 9, so even
# a small bulk world has a whānau case in each agency.
BULK_WHANAU_EVERY = 20
BULK_WHANAU_AT = 4
BULK_PARTNER_RELATIONSHIPS = (Relationship.PARTNER, Relationship.SIBLING, Relationship.COUSIN)


class BulkCase(NamedTuple):
    """A bulk client's own case, with the client details later seeders share or freeze.

    Plain values rather than model instances, so a national-scale world's
    cases stay small in memory and nothing is read back from the database.
    """

    case_id: uuid.UUID
    client_id: uuid.UUID
    slug: str
    status: str
    worker_id: uuid.UUID
    opened: datetime
    given_names: str
    family_name: str
    preferred_name: str
    date_of_birth: date
    region: str
    gender: str


def seed_bulk(world: DemoWorld) -> None:
    """Add `world.bulk_clients` clients with one case each, notes and the assignment grants.

    Clients go to the agencies in turn and to the agency's bulk caseworkers
    in caseloads of `core.demo.BULK_CASELOAD`; each case is led by that
    caseworker in the agency's team, so the caseworker holds the assigned
    grants (identity included) and the team's lead group the team grants,
    exactly as `casework.access` gives them on assignment.

    One client in `BULK_WHANAU_EVERY` of each agency has a whānau case
    instead of their own, as in the service-made demo: a whānau with them as
    parent and primary contact, the caseworker's previous client as a second
    client member, and two relatives who are not clients. The whānau case
    carries the grants `case_open` gives a whānau case: the case to the lead
    and the team's lead group, and every client member to both; the previous
    client's grants are already held through their own case, so, as
    guardian's `assign_perm` would, no second row is written for them.

    Each client case also gets the plan and measures a caseworker keeps
    (`_bulk_plan_and_measures`): two goals, three network ties and an intake
    LSNS-6, drawn from a random source of their own, so the rest of the
    world is the same with or without them.

    Appends a `BulkCase` for every client case to `world.shared["bulk_cases"]`.
    """
    rng = world.rng
    today = timezone.localdate()
    now = timezone.now()
    perm = {
        p.codename: p.pk
        for p in Permission.objects.filter(
            content_type__app_label="casework",
            codename__in={*access.CLIENT_ASSIGNED_PERMS, *access.CASE_PERMS},
        )
    }
    agencies = sorted(world.agencies)
    # Derived from the world's random state without drawing from it.
    records_rng = Random(hash(rng.getstate()))
    lsns = Instrument.objects.filter(code="lsns-6").first()
    bulk_cases = world.shared.setdefault("bulk_cases", [])
    previous: dict[str, Client] = {}
    for start in range(0, world.bulk_clients, BULK_BATCH):
        rows: dict[str, list] = {
            "clients": [], "ethnicities": [], "iwi": [], "whanau": [], "members": [],
            "cases": [], "changes": [], "notes": [], "client_user": [], "client_group": [],
            "case_user": [], "case_group": [], "goals": [], "ties": [], "assessments": [],
        }  # fmt: skip
        for index in range(start, min(start + BULK_BATCH, world.bulk_clients)):
            slug = agencies[index % len(agencies)]
            workers = world.bulk_staff[slug]
            worker = workers[min((index // len(agencies)) // BULK_CASELOAD, len(workers) - 1)]
            client = _bulk_client(rng, rows, world, slug, worker, index, today)
            whanau = None
            if (index // len(agencies)) % BULK_WHANAU_EVERY == BULK_WHANAU_AT:
                partner = previous.get(slug)
                if partner is not None and partner.created_by_id != worker.pk:
                    partner = None
                whanau = _bulk_whanau(rng, rows, world, slug, worker, client, partner)
            case = _bulk_case(rng, rows, world, slug, worker, client, whanau, index, today, now)
            _bulk_grants(rows, perm, worker, world.teams[slug].lead_group, case, client)
            if whanau is None:
                _bulk_plan_and_measures(records_rng, rows, worker, case, client, lsns, today)
                bulk_cases.append(
                    BulkCase(
                        case.pk, client.pk, slug, case.status, worker.pk, case.opened_at,
                        client.legal_given_names, client.legal_family_name,
                        client.preferred_name, client.date_of_birth, client.region,
                        client.gender,
                    )
                )  # fmt: skip
            previous[slug] = client
        bulk_insert(Client, rows["clients"])
        bulk_insert(ClientEthnicity, rows["ethnicities"])
        bulk_insert(ClientIwi, rows["iwi"])
        bulk_insert(Whanau, rows["whanau"])
        bulk_insert(WhanauMember, rows["members"])
        bulk_insert(Case, rows["cases"])
        bulk_insert(CaseStatusChange, rows["changes"])
        bulk_insert(CaseNote, rows["notes"])
        bulk_insert(ClientUserObjectPermission, rows["client_user"])
        bulk_insert(ClientGroupObjectPermission, rows["client_group"])
        bulk_insert(CaseUserObjectPermission, rows["case_user"])
        bulk_insert(CaseGroupObjectPermission, rows["case_group"])
        bulk_insert(Goal, rows["goals"])
        bulk_insert(NetworkTie, rows["ties"])
        bulk_insert(Assessment, rows["assessments"])


def _uuid(rng: Random) -> uuid.UUID:
    """A version-4 UUID drawn from the seeded generator, so bulk worlds are reproducible."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _bulk_client(rng, rows, world, slug, worker, index, today) -> Client:
    """One bulk client with ethnicities and iwi, registered by their caseworker."""
    given = rng.choice(GIVEN_NAMES)
    family = rng.choice(FAMILY_NAMES)
    ethnicities = list(_weighted(rng, ETHNICITY_MIX))
    client = Client(
        id=_uuid(rng),
        agency=world.agencies[slug],
        legal_given_names=given,
        legal_family_name=family,
        preferred_name=given if rng.random() < 0.8 else "",
        date_of_birth=today - timedelta(days=rng.randint(18 * 365, 70 * 365)),
        gender=rng.choice([Gender.FEMALE, Gender.MALE, Gender.FEMALE, Gender.MALE, Gender.ANOTHER]),
        region=rng.choice(REGIONS_BY_AGENCY.get(slug, ("09",))),
        phone=f"021 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        email=f"bulk{index}@example.nz",
        address=f"{rng.randint(1, 250)} {rng.choice(STREETS)} Street",
        is_restricted=index % 25 == 7,
        created_by=worker,
    )
    rows["clients"].append(client)
    for position, code in enumerate(ethnicities, start=1):
        rows["ethnicities"].append(
            ClientEthnicity(client_id=client.pk, code=code, position=position)
        )
    if "21" in ethnicities:
        rows["iwi"].append(ClientIwi(client_id=client.pk, code=rng.choice(IWI_BY_AGENCY[slug])))
    return client


def _bulk_whanau(rng, rows, world, slug, worker, client, partner) -> Whanau:
    """A whānau around `client` (parent, primary contact) and `partner`, plus two relatives.

    The members are those `whanau_create` would accept from the caseworker:
    clients they can see, named people who are not clients, one primary contact.
    """
    whanau = Whanau(
        id=_uuid(rng),
        agency=world.agencies[slug],
        name=f"Whānau {client.legal_family_name}",
        created_by=worker,
    )
    rows["whanau"].append(whanau)
    members = [
        WhanauMember(
            id=_uuid(rng), whanau=whanau, client=client, relationship=Relationship.PARENT,
            is_primary_contact=True,
        )
    ]  # fmt: skip
    if partner is not None:
        members.append(
            WhanauMember(
                id=_uuid(rng), whanau=whanau, client=partner,
                relationship=rng.choice(BULK_PARTNER_RELATIONSHIPS),
            )
        )  # fmt: skip
    for relationship in (Relationship.CHILD, Relationship.GRANDPARENT):
        members.append(
            WhanauMember(
                id=_uuid(rng), whanau=whanau, name=_relative(rng, client),
                relationship=relationship,
            )
        )  # fmt: skip
    rows["members"].extend(members)
    return whanau


def _bulk_case(rng, rows, world, slug, worker, client, whanau, index, today, now) -> Case:
    """The case of a bulk client (or of their whānau), its status history and notes."""
    status = _weighted(rng, STATUS_MIX)
    opened = _at(today - timedelta(days=rng.randint(20, 400)))
    case = Case(
        id=_uuid(rng),
        agency=world.agencies[slug],
        client=None if whanau else client,
        whanau=whanau,
        lead_caseworker=worker,
        team=world.teams[slug],
        status=status,
        summary="Whānau-led plan" if whanau else _summary(rng),
        opened_at=opened,
        closed_at=now if status == CaseStatus.CLOSED else None,
        closure_reason=ClosureReason.GOALS_MET if status == CaseStatus.CLOSED else "",
        created_by=worker,
    )
    rows["cases"].append(case)
    previous = ""
    for step in [CaseStatus.REFERRED, *PATH_TO[status]]:
        rows["changes"].append(
            CaseStatusChange(
                case_id=case.pk, from_status=previous, to_status=step, reason="Demo history",
                changed_by_id=worker.pk,
            )
        )  # fmt: skip
        previous = step
    if status != CaseStatus.REFERRED:
        span = max((today - opened.date()).days, 1)
        for n in range(rng.randint(1, 4)):
            kind = rng.choice(list(NOTE_BODIES))
            rows["notes"].append(
                CaseNote(
                    id=_uuid(rng),
                    case_id=case.pk,
                    author_id=worker.pk,
                    kind=kind,
                    body=NOTE_BODIES[kind],
                    occurred_at=_at(opened.date() + timedelta(days=rng.randint(0, span))),
                    restricted=index % 7 == 0 and n == 0,
                )
            )
    return case


def _bulk_plan_and_measures(rng, rows, worker, case, client, lsns, today) -> None:
    """Two goals, three network ties and an intake LSNS-6 (if loaded) for a bulk client's case.

    As the services would write them for a case opened on `case.opened_at`;
    the assessment is scored by the instrument, as `assessment_record` does.
    """
    opened = timezone.localdate(case.opened_at)
    for pou, description in rng.sample(GOALS, 2):
        rows["goals"].append(
            Goal(
                id=_uuid(rng),
                case_id=case.pk,
                pou=pou,
                description=description,
                target_date=today + timedelta(days=rng.randint(30, 180)),
                next_review_on=today + timedelta(days=rng.randint(-10, 40)),
                status=rng.choice([GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS]),
                created_by_id=worker.pk,
            )
        )
    for name, tie_type, kinds in rng.sample(TIES, 3):
        rows["ties"].append(
            NetworkTie(
                id=_uuid(rng),
                client_id=client.pk,
                name=name,
                tie_type=tie_type,
                support_kinds=kinds,
                strength=rng.randint(1, 5),
                contact_frequency=rng.choice(list(ContactFrequency)),
                quality=rng.choice(list(TieQuality)),
                started_on=opened,
                created_by_id=worker.pk,
            )
        )
    if lsns is None:
        return
    answers = _spread(rng, rng.randint(4, 20), 6, 5)
    answers = {f"q{i + 1}": value for i, value in enumerate(answers)}
    interval = lsns.definition.get("review_interval_days")
    rows["assessments"].append(
        Assessment(
            id=_uuid(rng),
            client_id=client.pk,
            case_id=case.pk,
            instrument_id=lsns.pk,
            stage=SnapshotStage.INTAKE,
            administered_on=opened,
            answers=answers,
            scores=score(lsns.definition, answers),
            next_due_on=opened + timedelta(days=interval) if interval else None,
            administered_by_id=worker.pk,
        )
    )


def _bulk_grants(rows, perm, worker, group, case, client) -> None:
    """The grant rows assignment writes for `case`, whose only new client is `client`.

    The lead gets the case and the client with identity, the team's lead
    group the case and the client without (`casework.access`). A whānau
    case's other client member already holds these through their own case.
    """
    for codename in access.CLIENT_ASSIGNED_PERMS:
        rows["client_user"].append(
            ClientUserObjectPermission(
                content_object_id=client.pk, user_id=worker.pk, permission_id=perm[codename]
            )
        )
    for codename in access.CLIENT_TEAM_PERMS:
        rows["client_group"].append(
            ClientGroupObjectPermission(
                content_object_id=client.pk, group_id=group.pk, permission_id=perm[codename]
            )
        )
    for codename in access.CASE_PERMS:
        rows["case_user"].append(
            CaseUserObjectPermission(
                content_object_id=case.pk, user_id=worker.pk, permission_id=perm[codename]
            )
        )
        rows["case_group"].append(
            CaseGroupObjectPermission(
                content_object_id=case.pk, group_id=group.pk, permission_id=perm[codename]
            )
        )


def _client(rng: Random, worker, slug: str, index: int):
    given = rng.choice(GIVEN_NAMES)
    family = rng.choice(FAMILY_NAMES)
    ethnicities = list(_weighted(rng, ETHNICITY_MIX))
    nhi = None
    if rng.random() < 0.8:
        # Demo NHIs are test numbers (starting with Z), never a real person's.
        while nhi is None:
            letters = "Z" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXY") for _ in range(2))
            digits = (
                f"{rng.randint(0, 999):03d}"
                if rng.random() < 0.5
                else f"{rng.randint(0, 99):02d}" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
            )
            candidate = nhi_with_check(letters + digits)
            if candidate and not _nhi_taken(candidate):
                nhi = candidate
    interpreter = rng.random() < 0.05
    return client_create(
        actor=worker,
        legal_given_names=given,
        legal_family_name=family,
        preferred_name=given if rng.random() < 0.8 else "",
        date_of_birth=timezone.localdate() - timedelta(days=rng.randint(18 * 365, 70 * 365)),
        gender=rng.choice([Gender.FEMALE, Gender.MALE, Gender.FEMALE, Gender.MALE, Gender.ANOTHER]),
        nhi=nhi,
        region=rng.choice(REGIONS_BY_AGENCY.get(slug, ("09",))),
        phone=f"021 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        email=f"client{index}@example.nz",
        address=f"{rng.randint(1, 250)} {rng.choice(STREETS)} Street",
        preferred_language="Te reo Māori" if "21" in ethnicities and rng.random() < 0.3 else "",
        interpreter_required=interpreter,
        interpreter_language=rng.choice(["Samoan", "Tongan", "Mandarin"]) if interpreter else "",
        is_restricted=index % 25 == 7,
        ethnicities=ethnicities,
        iwi=[rng.choice(IWI_BY_AGENCY.get(slug, ("0104",)))] if "21" in ethnicities else [],
        confirm_not_duplicate=True,
    )


def _relative(rng: Random, client) -> str:
    return f"{rng.choice(GIVEN_NAMES)} {client.legal_family_name}"


def _nhi_taken(nhi: str) -> bool:
    from casework.models import Client

    return Client.objects.filter(nhi=nhi).exists()


def _notes(rng, worker, case, opened, today, *, restricted: bool) -> None:
    span = max((today - opened).days, 1)
    for n in range(rng.randint(1, 4)):
        kind = rng.choice(list(NOTE_BODIES))
        when = opened + timedelta(days=min(span, rng.randint(0, span)))
        note_create(
            actor=worker,
            case=case,
            kind=kind,
            body=NOTE_BODIES[kind],
            occurred_at=_at(when),
            restricted=restricted and n == 0,
        )


def _consents(rng, worker, client, world: DemoWorld, slug: str, opened) -> None:
    if client is None:
        return
    other = next(a for s, a in world.agencies.items() if s != slug)
    consent_record(
        actor=worker,
        client=client,
        purpose=ConsentPurpose.CONTACT_BY_TEXT,
        given_at=_at(opened),
        method=ConsentMethod.VERBAL,
        recipient_agency=world.agencies[slug],
    )
    if rng.random() < 0.5:
        consent = consent_record(
            actor=worker,
            client=client,
            purpose=ConsentPurpose.REFERRAL_SHARING,
            given_at=_at(opened),
            method=ConsentMethod.WRITTEN,
            recipient_agency=other,
            expires_at=_at(opened + timedelta(days=365)),
        )
        if rng.random() < 0.15 and consent.expires_at > timezone.now():
            consent_withdraw(actor=worker, consent=consent, reason="Changed their mind at review")


def _goals(rng, worker, case, client, opened, today) -> None:
    for pou, description in rng.sample(GOALS, 2):
        goal = goal_create(
            actor=worker,
            case=case,
            pou=pou,
            description=description,
            target_date=today + timedelta(days=rng.randint(30, 180)),
            next_review_on=today + timedelta(days=rng.randint(-10, 40)),
        )
        if rng.random() < 0.6:
            reviewed_on = min(today, opened + timedelta(days=30))
            goal_review(
                actor=worker,
                goal=goal,
                reviewed_on=reviewed_on,
                progress=rng.randint(2, 8),
                status_after=GoalStatus.IN_PROGRESS,
                comment="Good progress; keep going.",
                next_review_on=max(
                    reviewed_on + timedelta(days=1), today + timedelta(days=rng.randint(-5, 30))
                ),
            )


def _network_and_measures(rng, worker, case, client, opened, today, status, lsns, rating) -> None:
    subject = client
    ties = []
    for name, tie_type, kinds in rng.sample(TIES, rng.randint(2, 4)):
        ties.append(
            tie_add(
                actor=worker,
                client=subject,
                name=name,
                tie_type=tie_type,
                strength=rng.randint(1, 4),
                contact_frequency=rng.choice(list(ContactFrequency)),
                quality=rng.choice([TieQuality.SUPPORTIVE, TieQuality.MIXED, TieQuality.STRESSFUL]),
                support_kinds=kinds,
                started_on=opened,
            )
        )
    network_snapshot_take(actor=worker, client=subject, stage=SnapshotStage.INTAKE, taken_on=opened)
    stages = [(SnapshotStage.INTAKE, opened)]
    review_on = min(today, opened + timedelta(days=90))
    if review_on > opened and status != CaseStatus.INTAKE:
        # Recovery shows as a growing, more supportive network at review.
        for name, tie_type, kinds in rng.sample(TIES, 2):
            tie_add(
                actor=worker,
                client=subject,
                name=f"{name} (new)",
                tie_type=tie_type,
                strength=rng.randint(3, 5),
                contact_frequency=ContactFrequency.WEEKLY,
                quality=TieQuality.SUPPORTIVE,
                support_kinds=kinds,
                started_on=review_on,
            )
        stressful = [t for t in ties if t.quality == TieQuality.STRESSFUL]
        if stressful:
            tie_end(actor=worker, tie=stressful[0], ended_on=review_on)
        network_snapshot_take(
            actor=worker, client=subject, stage=SnapshotStage.REVIEW, taken_on=review_on
        )
        stages.append((SnapshotStage.REVIEW, review_on))
    if status == CaseStatus.CLOSED:
        network_snapshot_take(
            actor=worker, client=subject, stage=SnapshotStage.EXIT, taken_on=today
        )
        stages.append((SnapshotStage.EXIT, today))
    if lsns is None:
        return
    base = rng.randint(4, 12)
    for step, (stage, on) in enumerate(stages):
        total_target = min(30, base + step * rng.randint(2, 6))
        answers = _spread(rng, total_target, 6, 5)
        assessment_record(
            actor=worker,
            client=subject,
            instrument=lsns,
            answers={f"q{i + 1}": value for i, value in enumerate(answers)},
            administered_on=on,
            stage=stage,
            case=case if case.client_id else None,
        )
    if rating is not None and rng.random() < 0.5:
        assessment_record(
            actor=worker,
            client=subject,
            instrument=rating,
            answers={f"pou_{p}": rng.randint(3, 9) for p in range(1, 8)},
            administered_on=opened,
            stage=SnapshotStage.INTAKE,
            case=case if case.client_id else None,
        )


def _spread(rng: Random, total: int, items: int, maximum: int) -> list[int]:
    values = [0] * items
    for _ in range(min(total, items * maximum)):
        choices = [i for i, v in enumerate(values) if v < maximum]
        values[rng.choice(choices)] += 1
    return values


def _summary(rng: Random) -> str:
    return rng.choice(
        [
            "Referred by the community mental health team after a hospital stay.",
            "Self-referred; wants support back into work and to reconnect with whānau.",
            "Referred by the GP; housing and income are the first priorities.",
            "Whānau asked for support after a breakdown at work.",
        ]
    )


def _weighted(rng: Random, options):
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights, k=1)[0]


def _at(day) -> datetime:
    """Ten in the morning on `day`, or now if that is still to come."""
    return min(timezone.make_aware(datetime.combine(day, time(10, 0))), timezone.now())
