"""Directory and referral set-up for the referral tests, made through the services."""

from datetime import timedelta

from django.utils import timezone

from casework.services.consents import consent_record
from programs.services import directory, referrals


def south_service(south, **fields):
    """South's own directory entry (an agency on Tautoko) with one whānau-support service."""
    organisation = directory.organisation_create(
        actor=None, agency=south, name="Ōtautahi Recovery Trust", kind="kaupapa_maori_service",
        region="13", languages="English; Te reo Māori",
    )  # fmt: skip
    fields.setdefault("name", "Whānau navigation")
    fields.setdefault("category", "whanau_support")
    return directory.service_create(actor=None, organisation=organisation, **fields)


def outside_service(name="Te Whare Tiaki", kind="community_group", **fields):
    """An outside organisation (not on Tautoko) with one peer-support service."""
    organisation = directory.organisation_create(actor=None, name=name, kind=kind, region="01")
    fields.setdefault("name", "Peer support group")
    fields.setdefault("category", "peer_support")
    return directory.service_create(actor=None, organisation=organisation, **fields)


def consent_for(actor, client, *, agency=None, name="", days=365):
    """A current referral-sharing consent of `client` for one recipient, given yesterday."""
    now = timezone.now()
    return consent_record(
        actor=actor,
        client=client,
        purpose="referral_sharing",
        recipient_agency=agency,
        recipient_name=name,
        given_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=days) if days else None,
        method="written",
    )


SHARED = ["preferred_name", "legal_name", "date_of_birth", "region", "reason"]


def draft(actor, case, service, **fields):
    fields.setdefault("reason", "Needs whānau support near home after moving south.")
    fields.setdefault("shared_fields", SHARED)
    return referrals.referral_create(actor=actor, case=case, service=service, **fields)


def sent(actor, case, service, **fields):
    referral = draft(actor, case, service, **fields)
    return referrals.referral_send(actor=actor, referral=referral)
