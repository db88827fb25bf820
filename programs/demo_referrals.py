"""Demo community directory (30+ organisations, every kind) and referrals in every state.

Made through the directory, consent and referral services as the people who
would have done it: the referring caseworker records consent and sends, the
receiving agency's caseworker answers, so shares, history, notifications
and audit rows are the real ones. Referrals run north → south, south → north
and to outside organisations.
"""

from datetime import timedelta

from django.utils import timezone

from casework import access
from casework.models import CaseStatus, Client
from casework.services.consents import consent_record
from core.demo import DemoWorld
from programs.models import ReferralStatus
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
