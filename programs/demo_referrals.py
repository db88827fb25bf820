"""Demo community directory (30+ organisations, every kind) and referrals in every state.

Made through the directory, consent and referral services as the people who
would have done it: the referring caseworker records consent and sends, the
receiving agency's caseworker answers, so shares, history, notifications
and audit rows are the real ones. Referrals run north → south, south → north
and to outside organisations.

A benchmark-sized world adds referrals from a share of its bulk cases in
batches (`casework.demo.bulk_insert`): every state, to the other agency and
to outside organisations, each with the consent, history, share snapshot and
network tie the referral services write, and no audit events or
notifications. As with service-made referrals, nothing on the client is
granted to the receiving agency: it reads the referral and its share.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from casework import access
from casework.models import (
    CaseStatus,
    Client,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ContactFrequency,
    NetworkTie,
    TieQuality,
    TieType,
)
from casework.services.consents import consent_record
from core.demo import DemoWorld, bulk_notification
from core.models import Notification
from programs.models import (
    Referral,
    ReferralShare,
    ReferralShareField,
    ReferralStatus,
    ReferralStatusChange,
    ReferralUrgency,
    Service,
)
from programs.services import directory, referrals

# (name, kind, region, languages, [(service, category, cost, hours)])
ORGANISATIONS = (
    ("Te Whare Tiaki", "kaupapa_maori_service", "01", "Te reo Māori; English",
     [("Whare tiaki — safe housing support", "housing", "Free", "Mon–Fri 8.30–5")]),
    ("Te Rūnanga o Te Rarawa", "iwi_provider", "01", "Te reo Māori; English",
     [("Whānau Ora navigation", "whanau_support", "Free", "Mon–Fri 8.30–4.30")]),
    ("Ngāti Kahu Social Services", "iwi_provider", "01", "Te reo Māori; English",
     [("Kaiāwhina whānau", "whanau_support", "Free", "Mon–Fri 9–5")]),
    ("Waitangi Marae", "marae", "01", "Te reo Māori",
     [("Wānanga reo me te tikanga", "cultural", "Koha", "Weekends")]),
    ("Ōtiria Marae", "marae", "01", "Te reo Māori; English",
     [("Kai and whānau hui", "food", "Koha", "Thursdays 5–8")]),
    ("Whangārei Clubhouse", "clubhouse", "01", "English",
     [("Work-ordered day", "peer_support", "Free", "Mon–Fri 9–3")]),
    ("Te Hau Āwhiowhio o Ōtangarei", "kaupapa_maori_service", "01", "Te reo Māori; English",
     [("Rangatahi mentoring", "education", "Free", "After school")]),
    ("Northland Budgeting Service", "budgeting_service", "01", "English",
     [("Financial mentoring", "budgeting", "Free", "By appointment")]),
    ("Te Tai Tokerau Peer Support", "peer_support", "01", "English; Te reo Māori",
     [("Peer recovery group", "peer_support", "Free", "Wednesdays 6–8")]),
    ("Kaitāia Community House", "community_group", "01", "English",
     [("Community pantry", "food", "Free", "Tue & Fri 10–2")]),
    ("Fale Pasifika Tāmaki", "pacific_provider", "02", "Samoan; Tongan; English",
     [("Aiga support", "whanau_support", "Free", "Mon–Fri 9–5"),
      ("Budgeting in Pasifika languages", "budgeting", "Free", "Saturdays")]),
    ("The Fono", "pacific_provider", "02", "Samoan; Tongan; Niuean; English",
     [("Primary care", "health", "Low cost", "Mon–Sat 8–8")]),
    ("Te Whānau o Waipareira", "kaupapa_maori_service", "02", "Te reo Māori; English",
     [("Whānau Ora", "whanau_support", "Free", "Mon–Fri 8.30–5")]),
    ("Auckland City Mission — Te Tāpui Atawhai", "housing", "02", "English",
     [("HomeGround housing", "housing", "Free", "24/7")]),
    ("Kāinga Ora — Homes and Communities", "government_service", "02", "English",
     [("Public housing tenancy", "housing", "Income-related rent", "Mon–Fri 8–6")]),
    ("Waikato Tainui Whānau Services", "iwi_provider", "03", "Te reo Māori; English",
     [("Whānau mentoring", "whanau_support", "Free", "Mon–Fri 9–5")]),
    ("Turangawaewae Marae", "marae", "03", "Te reo Māori",
     [("Marae wānanga", "cultural", "Koha", "Monthly")]),
    ("Hamilton Clubhouse — Te Whare Āwhina", "clubhouse", "03", "English",
     [("Clubhouse membership", "peer_support", "Free", "Mon–Fri 9–4")]),
    ("Ngāti Awa Social and Health Services", "iwi_provider", "04", "Te reo Māori; English",
     [("Hauora Māori", "health", "Free", "Mon–Fri 8–5")]),
    ("Tūranga Health", "health", "05", "Te reo Māori; English",
     [("Mental health and addiction support", "mental_health", "Free", "Mon–Fri 8–5")]),
    ("Te Taiwhenua o Heretaunga", "kaupapa_maori_service", "06", "Te reo Māori; English",
     [("Whānau Ora navigation", "whanau_support", "Free", "Mon–Fri 8–4.30")]),
    ("Whanganui Budget Advisory", "budgeting_service", "08", "English",
     [("Budget advice", "budgeting", "Free", "By appointment")]),
    ("Te Awakairangi Health Network", "health", "09", "English; Samoan",
     [("GP enrolment support", "health", "Free", "Mon–Fri 9–5")]),
    ("Wellington Peer Support Network", "peer_support", "09", "English",
     [("Peer support worker", "mental_health", "Free", "Mon–Fri 10–4")]),
    ("Work and Income — Te Hiranga Tangata", "government_service", "09", "English; Te reo Māori",
     [("Hardship assistance", "income_support", "Free", "Mon–Fri 8.30–5")]),
    ("Te Rūnanga o Ngāi Tahu Whānau Ora", "iwi_provider", "13", "Te reo Māori; English",
     [("Whānau Ora navigation", "whanau_support", "Free", "Mon–Fri 8.30–5")]),
    ("Rehua Marae", "marae", "13", "Te reo Māori; English",
     [("Te reo classes", "cultural", "Koha", "Tuesday evenings")]),
    ("Tuahiwi Marae", "marae", "13", "Te reo Māori",
     [("Whānau hui and kai", "food", "Koha", "Fortnightly")]),
    ("Ōtautahi Community Housing Trust", "housing", "13", "English",
     [("Affordable rentals", "housing", "Income-related rent", "Mon–Fri 9–5")]),
    ("Pasifika Futures Christchurch", "pacific_provider", "13", "Samoan; Tongan; Fijian; English",
     [("Pacific family support", "whanau_support", "Free", "Mon–Fri 9–5")]),
    ("Comcare Clubhouse Ōtautahi", "clubhouse", "13", "English",
     [("Clubhouse membership", "peer_support", "Free", "Mon–Fri 9–4")]),
    ("Christchurch Budget Service", "budgeting_service", "13", "English",
     [("Financial mentoring", "budgeting", "Free", "By appointment")]),
    ("Te Puna Oranga", "kaupapa_maori_service", "13", "Te reo Māori; English",
     [("Family violence support", "family_violence", "Free", "24/7 line")]),
    ("Awarua Whānau Services", "iwi_provider", "15", "Te reo Māori; English",
     [("Whānau support", "whanau_support", "Free", "Mon–Fri 9–5")]),
    ("Dunedin Community Law Centre", "community_group", "14", "English",
     [("Free legal advice", "legal", "Free", "Thursday evenings")]),
)  # fmt: skip

# The two Tautoko agencies' own directory entries and what they offer.
AGENCY_ENTRIES = {
    "north": ("kaupapa_maori_service", "Te reo Māori; English",
              [("Whānau Ora navigation — Te Tai Tokerau", "whanau_support"),
               ("Peer support — Whangārei", "peer_support")]),
    "south": ("clubhouse", "English; Te reo Māori",
              [("Recovery clubhouse — Ōtautahi", "peer_support"),
               ("Whānau support — Waitaha", "whanau_support")]),
}  # fmt: skip

SHARED = ["preferred_name", "legal_name", "date_of_birth", "region", "languages", "reason"]
REASONS = (
    "Moving to be closer to whānau; needs a navigator in the new area.",
    "Wants to reconnect with their marae and te reo.",
    "Looking for a clubhouse and peer support close to home.",
    "Needs budgeting support after rent arrears.",
    "Isolated since losing work; would like community connection.",
)
# Where each demo referral ends, in order; every state appears in both directions.
STATE_PATH = {
    ReferralStatus.DRAFT: [],
    ReferralStatus.SENT: ["send"],
    ReferralStatus.ACCEPTED: ["send", "accept"],
    ReferralStatus.DECLINED: ["send", "decline"],
    ReferralStatus.ENGAGED: ["send", "accept", "engage"],
    ReferralStatus.COMPLETED: ["send", "accept", "engage", "complete"],
    ReferralStatus.CLOSED: ["send", "accept", "close"],
    ReferralStatus.WITHDRAWN: ["send", "withdraw"],
}


def seed(world: DemoWorld) -> None:
    """The directory, then referrals in every state between north and south and to outside ones."""
    services_by_org = _directory(world)
    cases = [
        case
        for case in world.shared.get("cases", [])
        if case.client_id is not None and case.status != CaseStatus.CLOSED
    ]
    if not cases or len(world.agencies) < 2:
        return
    rng = world.rng
    outside = [
        service
        for name, offered in services_by_org.items()
        if name not in _agency_names(world)
        for service in offered
    ]
    by_agency = {slug: [c for c in cases if c.agency.slug == slug] for slug in world.agencies}
    made = []
    for sender, receiver in (("north", "south"), ("south", "north")):
        pool = by_agency.get(sender) or []
        targets = services_by_org[world.agencies[receiver].name]
        for index, state in enumerate(STATE_PATH):
            if not pool:
                break
            case = pool[index % len(pool)]
            made.append(
                _referral(world, case, rng.choice(targets), state, receiver=receiver, index=index)
            )
        for index, state in enumerate((ReferralStatus.SENT, ReferralStatus.ENGAGED)):
            if pool:
                case = pool[(index + 3) % len(pool)]
                made.append(_referral(world, case, rng.choice(outside), state, index=index))
    world.shared["referrals"] = made


def _agency_names(world: DemoWorld) -> set[str]:
    return {agency.name for agency in world.agencies.values()}


def _directory(world: DemoWorld) -> dict[str, list]:
    services_by_org: dict[str, list] = {}
    for slug, agency in sorted(world.agencies.items()):
        kind, languages, offered = AGENCY_ENTRIES.get(slug, ("other", "English", []))
        organisation = directory.organisation_create(
            actor=None, agency=agency, name=agency.name, kind=kind, region=agency.region,
            languages=languages, description=f"{agency.name} — an agency on Tautoko.",
        )  # fmt: skip
        services_by_org[agency.name] = [
            directory.service_create(
                actor=None, organisation=organisation, name=name, category=category, cost="Free"
            )
            for name, category in offered
        ]
    for name, kind, region, languages, offered in ORGANISATIONS:
        organisation = directory.organisation_create(
            actor=None, name=name, kind=kind, region=region, languages=languages
        )
        services_by_org[name] = [
            directory.service_create(
                actor=None,
                organisation=organisation,
                name=service_name,
                category=category,
                cost=cost,
                hours=hours,
                languages=languages,
            )
            for service_name, category, cost, hours in offered
        ]
    return services_by_org


def _referral(world, case, service, state, *, receiver=None, index=0):
    sender = case.lead_caseworker
    client = Client.objects.get(pk=case.client_id)
    organisation = service.organisation
    now = timezone.now()
    if state != ReferralStatus.DRAFT:
        consent_record(
            actor=sender,
            client=client,
            purpose="referral_sharing",
            recipient_agency=organisation.agency,
            recipient_name="" if organisation.agency_id else organisation.name,
            given_at=now - timedelta(days=world.rng.randint(1, 60)),
            expires_at=now + timedelta(days=365),
            method=world.rng.choice(["written", "verbal", "electronic"]),
        )
    referral = referrals.referral_create(
        actor=sender,
        case=case,
        service=service,
        reason=REASONS[index % len(REASONS)],
        shared_fields=SHARED,
        urgency=world.rng.choice(["routine", "routine", "soon", "urgent"]),
        follow_up_on=timezone.localdate() + timedelta(days=world.rng.randint(0, 21)),
    )
    answerer = world.staff[f"{receiver}-caseworker"] if receiver else sender
    for step in STATE_PATH[state]:
        actor = sender if step in ("send", "withdraw") else answerer
        if step == "close" and receiver:
            actor = world.staff[f"{receiver}-lead"]
        kwargs = {}
        if step in ("decline", "close"):
            kwargs["reason"] = "No capacity this term; try again in March."
        elif step == "withdraw":
            kwargs["reason"] = "Client found support through their marae instead."
        referral = getattr(referrals, f"referral_{step}")(actor=actor, referral=referral, **kwargs)
    if state == ReferralStatus.COMPLETED and access.user_can(sender, "change_client", client):
        referral = referrals.referral_network_tie_add(actor=sender, referral=referral)
    return referral


# The end state of each bulk referral, per hundred.
BULK_STATE_MIX = (
    (ReferralStatus.DRAFT, 8), (ReferralStatus.SENT, 22), (ReferralStatus.ACCEPTED, 15),
    (ReferralStatus.DECLINED, 10), (ReferralStatus.ENGAGED, 15), (ReferralStatus.COMPLETED, 12),
    (ReferralStatus.CLOSED, 8), (ReferralStatus.WITHDRAWN, 10),
)  # fmt: skip
# Of the bulk cases that are not closed, how many in a hundred make a referral.
BULK_REFERRING_CASES = 12
# Of those, how many in a hundred go to the other agency on Tautoko (the rest go outside).
BULK_TO_AGENCY = 60
# Every tenth referral still open, from the first, has had its consent withdrawn since.
BULK_CONSENT_WITHDRAWN_EVERY = 10
BULK_BATCH = 5000
BULK_URGENCIES = (
    ReferralUrgency.ROUTINE, ReferralUrgency.ROUTINE, ReferralUrgency.SOON, ReferralUrgency.URGENT,
)  # fmt: skip
# The referral service's reference alphabet: no 0, 1, I or O to misread on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
STEP_STATUS = {
    "send": ReferralStatus.SENT, "accept": ReferralStatus.ACCEPTED,
    "decline": ReferralStatus.DECLINED, "engage": ReferralStatus.ENGAGED,
    "complete": ReferralStatus.COMPLETED, "close": ReferralStatus.CLOSED,
    "withdraw": ReferralStatus.WITHDRAWN,
}  # fmt: skip
DECLINE_REASON = "No capacity this term; try again in March."
WITHDRAW_REASON = "Client found support through their marae instead."
OPEN_STATES = {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.ENGAGED}
ENDED_STATES = {
    ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.CLOSED,
    ReferralStatus.WITHDRAWN,
}  # fmt: skip


def seed_bulk(world: DemoWorld) -> None:
    """Referrals from `BULK_REFERRING_CASES` in a hundred of the bulk client cases still open.

    Each goes to a service of the other agency (answered by one of its bulk
    caseworkers; closed by its team lead) or of an outside organisation (the
    sender records the answers), ending in a state of `BULK_STATE_MIX`. A
    sent referral has the client's `referral_sharing` consent for that
    recipient, recorded by the sender before sending, and the share snapshot
    of `SHARED` taken when it was sent; a completed one has added the
    organisation to the client's network, and the sender has the
    notifications of its answers. Some open referrals' consent has been
    withdrawn since, so the recipient may no longer read the share.
    Dates fall in the last four months, after the case opened.
    """
    from casework.demo import _uuid, bulk_insert

    rng = world.rng
    now = timezone.now()
    slugs = sorted(world.agencies)
    services = list(
        Service.objects.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "name", "region")
    )
    by_agency = {
        slug: [s for s in services if s.organisation.agency_id == world.agencies[slug].pk]
        for slug in slugs
    }
    outside = [s for s in services if s.organisation.agency_id is None]
    if not outside:
        return
    taken = set(Referral.objects.values_list("reference", flat=True))
    fields = [name for name in ReferralShareField.values if name in SHARED]
    rows: dict[str, list] = {
        "consents": [],
        "ties": [],
        "referrals": [],
        "changes": [],
        "shares": [],
        "notifications": [],
    }

    def flush():
        bulk_insert(Consent, rows["consents"])
        bulk_insert(NetworkTie, rows["ties"])
        bulk_insert(Referral, rows["referrals"])
        bulk_insert(ReferralStatusChange, rows["changes"])
        bulk_insert(ReferralShare, rows["shares"])
        bulk_insert(Notification, rows["notifications"])
        for batch in rows.values():
            batch.clear()

    still_open = 0
    for case in world.shared.get("bulk_cases", []):
        if case.status == CaseStatus.CLOSED or rng.randrange(100) >= BULK_REFERRING_CASES:
            continue
        receiver = None
        others = [slug for slug in slugs if slug != case.slug and by_agency[slug]]
        if others and rng.randrange(100) < BULK_TO_AGENCY:
            receiver = rng.choice(others)
            service = rng.choice(by_agency[receiver])
        else:
            service = rng.choice(outside)
        state = _weighted(rng, BULK_STATE_MIX)
        reason = rng.choice(REASONS)
        drafted = max(case.opened, now - timedelta(days=rng.randint(5, 120)))
        referral = Referral(
            id=_uuid(rng),
            reference=_bulk_reference(rng, taken),
            agency=world.agencies[case.slug],
            case_id=case.case_id,
            client_id=case.client_id,
            service=service,
            recipient_agency_id=service.organisation.agency_id,
            reason=reason,
            urgency=rng.choice(BULK_URGENCIES),
            shared_fields=fields,
            follow_up_on=timezone.localdate(drafted) + timedelta(days=rng.randint(7, 21)),
            status=state,
            created_by_id=case.worker_id,
        )
        rows["referrals"].append(referral)
        history = [("", ReferralStatus.DRAFT, drafted, case.worker_id, "Referral drafted.")]
        at = drafted
        for step in STATE_PATH[state]:
            at = min(at + timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 8)), now)
            to_status = STEP_STATUS[step]
            actor_id = case.worker_id
            if receiver and step in ("accept", "decline", "engage", "complete"):
                actor_id = rng.choice(world.bulk_staff[receiver]).pk
            elif receiver and step == "close":
                actor_id = world.staff[f"{receiver}-lead"].pk
            why = {"decline": DECLINE_REASON, "close": DECLINE_REASON}.get(step, "")
            why = WITHDRAW_REASON if step == "withdraw" else why
            history.append((history[-1][1], to_status, at, actor_id, why))
            if step == "send":
                _bulk_send(rng, rows, world, case, referral, service, fields, at)
            elif step in ("accept", "decline"):
                referral.responded_by_id, referral.responded_at = actor_id, at
            if why:
                referral.outcome_reason = why
            if to_status in ENDED_STATES:
                referral.ended_at = at
            if to_status in referrals.NOTIFY_SENDER_ON:
                notice = referrals.sender_notice(referral, to_status, why)
                rows["notifications"].append(
                    bulk_notification(referral, case.worker_id, at, **notice)
                )
        if state in OPEN_STATES:
            still_open += 1
        if state in OPEN_STATES and still_open % BULK_CONSENT_WITHDRAWN_EVERY == 1:
            consent = referral.consent
            consent.withdrawn_at = min(at + timedelta(days=rng.randint(1, 10)), now)
            consent.withdrawal_reason = "Changed their mind at review"
        if state == ReferralStatus.COMPLETED:
            referral.network_tie = _bulk_tie(rng, rows, case, referral, service, at)
        for from_status, to_status, changed_at, actor_id, why in history:
            rows["changes"].append(
                ReferralStatusChange(
                    referral=referral, from_status=from_status, to_status=to_status,
                    reason=why, changed_by_id=actor_id, changed_at=changed_at,
                )
            )  # fmt: skip
        if len(rows["referrals"]) >= BULK_BATCH:
            flush()
    flush()


def _bulk_reference(rng, taken: set[str]) -> str:
    """A referral reference drawn from the seeded generator, unlike any already made."""
    while True:
        reference = "R-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
        if reference not in taken:
            taken.add(reference)
            return reference


def _bulk_send(rng, rows, world, case, referral, service, fields, at: datetime) -> None:
    """The consent recorded before sending and the share taken when the referral was sent."""
    from casework.demo import _uuid

    organisation = service.organisation
    given_at = at - timedelta(days=rng.randint(1, 60))
    consent = Consent(
        id=_uuid(rng),
        client_id=case.client_id,
        purpose=ConsentPurpose.REFERRAL_SHARING,
        recipient_agency_id=organisation.agency_id,
        recipient_name="" if organisation.agency_id else organisation.name,
        given_at=given_at,
        expires_at=given_at + timedelta(days=365),
        method=rng.choice([ConsentMethod.WRITTEN, ConsentMethod.VERBAL, ConsentMethod.ELECTRONIC]),
        recorded_by_id=case.worker_id,
    )
    rows["consents"].append(consent)
    referral.consent = consent
    referral.sent_by_id, referral.sent_at = case.worker_id, at
    shared = {
        ReferralShareField.PREFERRED_NAME: case.preferred_name or case.given_names,
        ReferralShareField.LEGAL_NAME: {
            "given_names": case.given_names,
            "family_name": case.family_name,
        },
        ReferralShareField.DATE_OF_BIRTH: case.date_of_birth.isoformat(),
        ReferralShareField.REGION: case.region,
        # Bulk clients need no interpreter and name no preferred language.
        ReferralShareField.LANGUAGES: {
            "preferred_language": "",
            "interpreter_required": False,
            "interpreter_language": "",
        },
        ReferralShareField.REASON: referral.reason,
    }
    rows["shares"].append(
        ReferralShare(
            referral=referral,
            fields=fields,
            snapshot={str(name): shared[name] for name in fields},
            consent=consent,
            shared_by_id=case.worker_id,
            shared_at=at,
        )
    )


def _bulk_tie(rng, rows, case, referral, service, at: datetime) -> NetworkTie:
    """The tie a completed referral adds to the client's network, as `referral_network_tie_add`."""
    from casework.demo import _uuid

    organisation = service.organisation
    tie = NetworkTie(
        id=_uuid(rng),
        client_id=case.client_id,
        name=organisation.name,
        tie_type=referrals.TIE_TYPE_OF_KIND.get(organisation.kind, TieType.PROFESSIONAL),
        strength=3,
        contact_frequency=ContactFrequency.WEEKLY,
        quality=TieQuality.SUPPORTIVE,
        support_kinds=[],
        started_on=timezone.localdate(at),
        source=referrals.referral_tie_source(referral),
        created_by_id=case.worker_id,
    )
    rows["ties"].append(tie)
    return tie


def _weighted(rng, options):
    return rng.choices([v for v, _ in options], weights=[w for _, w in options], k=1)[0]
