"""Retention (Privacy Act 2020, IPP 9): removing the identity of clients whose work ended long ago.

An agency keeps personal information no longer than it needs it. Once every
case of a client has been closed for settings.RETENTION_CLOSED_CASE_YEARS
and nothing about them is still open, `client_anonymise` replaces everything
that says who they are — and the free text written about them — with neutral
values, and keeps what statistics and funders' reports need: the rows and
their counts, dates, statuses and amounts, region, gender, ethnicity, iwi and
the year of birth (for age bands).

Audit events are append-only and are not rewritten: the client is marked
restricted and nobody keeps an identity grant, so the audit redactors
(casework.audit_redaction) blank the identifying values of every earlier
event whenever it is read, for every reader. The audit trail keeps its
existence — who did what, when — and one more event per anonymised client.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casework.models import (
    Case,
    CaseNote,
    CaseStatus,
    CaseStatusChange,
    Client,
    ClientAnonymisation,
    ClientUserObjectPermission,
    Consent,
    CorrectionRequest,
    CorrectionStatus,
    Goal,
    GoalReview,
    NetworkSnapshot,
    NetworkTie,
    Whanau,
    WhanauMember,
)
from core.audit import audit_record
from core.models import AuditAction, User

ANONYMISED = "[anonymised]"
ANONYMISED_GIVEN_NAMES = "Anonymised"
ANONYMISED_FAMILY_NAME = "client"
ANONYMISED_WHANAU_NAME = "Anonymised whānau"
ANONYMISED_MEMBER_NAME = "Whānau member"
ANONYMISED_TIE_NAME = "Network contact"

# Aid requests and referrals still being worked keep a client's identity.
_OPEN_AID_STATUSES = ("draft", "submitted", "returned", "approved")
_OPEN_REFERRAL_STATUSES = ("draft", "sent", "accepted", "engaged")


@dataclass
class RetentionResult:
    """What a run found and (unless a dry run) did."""

    cutoff: datetime.datetime
    dry_run: bool
    clients: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    def add(self, counts: dict[str, int]) -> None:
        for name, count in counts.items():
            self.totals[name] = self.totals.get(name, 0) + count


def retention_cutoff(
    *, now: datetime.datetime | None = None, years: int | None = None
) -> datetime.datetime:
    """The moment before which every case must have closed: `years` (default setting) ago."""
    now = now or timezone.now()
    years = settings.RETENTION_CLOSED_CASE_YEARS if years is None else years
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def clients_due_for_anonymisation(cutoff: datetime.datetime) -> QuerySet[Client]:
    """Clients whose identity may go: nothing open, and every case closed before `cutoff`.

    A client qualifies when they were registered before the cut-off, are not
    anonymised yet, every case about them (their own or their whānau's) is
    closed and closed before the cut-off, and no aid request, recovery or
    referral of theirs is still open. A client with no case at all qualifies
    on their registration date alone.
    """
    about_client = Q(client_id=OuterRef("pk")) | Q(whanau__members__client_id=OuterRef("pk"))
    recent_or_open_case = Case.objects.filter(about_client).filter(
        ~Q(status=CaseStatus.CLOSED) | Q(closed_at__gte=cutoff)
    )
    queryset = (
        Client.objects.filter(created_at__lt=cutoff)
        .exclude(Exists(ClientAnonymisation.objects.filter(client_id=OuterRef("pk"))))
        .exclude(Exists(recent_or_open_case))
    )
    # Programmes depend on casework, not the reverse: reach their models by name.
    aid_request = apps.get_model("programs", "AidRequest")
    recovery = apps.get_model("programs", "Recovery")
    referral = apps.get_model("programs", "Referral")
    return (
        # An unanswered correction request (IPP 7) is owed an answer: identity stays.
        queryset.exclude(
            Exists(
                CorrectionRequest.objects.filter(
                    client_id=OuterRef("pk"), status=CorrectionStatus.RECEIVED
                )
            )
        )
        .exclude(
            Exists(
                aid_request.objects.filter(client_id=OuterRef("pk"), status__in=_OPEN_AID_STATUSES)
            )
        )
        .exclude(Exists(recovery.objects.filter(client_id=OuterRef("pk"), status="active")))
        .exclude(
            Exists(
                referral.objects.filter(
                    client_id=OuterRef("pk"), status__in=_OPEN_REFERRAL_STATUSES
                )
            )
        )
        .order_by("created_at", "id")
    )


def anonymise_closed_clients(
    *, cutoff: datetime.datetime, dry_run: bool = False, actor: User | None = None
) -> RetentionResult:
    """Anonymise every client due under `cutoff` (see `clients_due_for_anonymisation`).

    Each client is anonymised in its own transaction, so a failure leaves the
    others done and the run can simply be repeated: it is idempotent (an
    anonymised client is never picked again). With `dry_run` nothing is
    written and the result lists who would be anonymised.
    """
    result = RetentionResult(cutoff=cutoff, dry_run=dry_run)
    for client_id in clients_due_for_anonymisation(cutoff).values_list("pk", flat=True):
        if dry_run:
            result.clients.append(str(client_id))
            continue
        counts = client_anonymise(client_id=client_id, cutoff=cutoff, actor=actor)
        if counts is not None:
            result.clients.append(str(client_id))
            result.add(counts)
    return result


@transaction.atomic
def client_anonymise(
    *, client_id, cutoff: datetime.datetime, actor: User | None = None
) -> dict[str, int] | None:
    """Remove one client's identity, keeping their statistical facts; None if no longer due.

    The client's row is locked and the rule is checked again under the lock,
    so a case opened meanwhile keeps them. Replaces names, contact details,
    NHI and the day and month of birth (kept: 1 July of the birth year);
    blanks the free text about them (notes, case summaries, goals, reviews,
    network contacts, consents' notes, correction requests, aid
    justifications, referrals and what they shared); renames whānau that
    hold no other client still identified. Marks the client restricted and
    archived, takes every identity grant away, records a ClientAnonymisation
    and writes one `update` audit event. Aid decisions are append-only and
    keep their reasons (they record the decision, not the person).
    """
    client = clients_due_for_anonymisation(cutoff).select_for_update().filter(pk=client_id).first()
    if client is None:
        return None
    now = timezone.now()
    counts: dict[str, int] = {"clients": 1}

    client.legal_given_names = ANONYMISED_GIVEN_NAMES
    client.legal_family_name = ANONYMISED_FAMILY_NAME
    client.preferred_name = ""
    client.date_of_birth = datetime.date(client.date_of_birth.year, 7, 1)
    client.nhi = None
    client.phone = ""
    client.email = ""
    client.address = ""
    client.is_restricted = True
    client.archived_at = client.archived_at or now
    client.save()
    counts["identity_grants_revoked"] = ClientUserObjectPermission.objects.filter(
        content_object=client, permission__codename="view_client_identity"
    ).delete()[0]

    own_cases = Case.objects.filter(client=client)
    counts["cases"] = own_cases.exclude(summary="").update(summary="")
    counts["case_history"] = (
        CaseStatusChange.objects.filter(case__in=own_cases)
        .exclude(reason="")
        .update(reason=ANONYMISED)
    )
    counts["notes"] = CaseNote.objects.filter(case__in=own_cases).update(body=ANONYMISED)
    goals = Goal.objects.filter(Q(case__in=own_cases) | Q(member=client))
    counts["goals"] = goals.update(description=ANONYMISED)
    counts["goal_reviews"] = (
        GoalReview.objects.filter(goal__in=goals).exclude(comment="").update(comment="")
    )
    counts["network_ties"] = NetworkTie.objects.filter(client=client).update(
        name=ANONYMISED_TIE_NAME
    )
    counts["network_snapshots"] = 0
    for snapshot in NetworkSnapshot.objects.filter(client=client):
        snapshot.ties = [
            {**tie, "name": ANONYMISED_TIE_NAME} if isinstance(tie, dict) else tie
            for tie in snapshot.ties
        ]
        snapshot.save(update_fields=["ties"])
        counts["network_snapshots"] += 1
    counts["consents"] = (
        Consent.objects.filter(client=client)
        .exclude(notes="", withdrawal_reason="")
        .update(notes="", withdrawal_reason="")
    )
    counts["correction_requests"] = 0
    for correction in CorrectionRequest.objects.filter(client=client):
        correction.requested_changes = dict.fromkeys(correction.requested_changes, ANONYMISED)
        correction.client_statement = ANONYMISED
        if correction.statement_of_correction:
            correction.statement_of_correction = ANONYMISED
        correction.save(
            update_fields=[
                "requested_changes",
                "client_statement",
                "statement_of_correction",
                "updated_at",
            ]
        )
        counts["correction_requests"] += 1
    counts.update(_anonymise_whanau(client))
    counts.update(_anonymise_programme_records(client))

    ClientAnonymisation.objects.create(
        client=client, anonymised_at=now, cutoff=cutoff, summary=counts
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=client,
        changes={
            "anonymised": True,
            "rule": "IPP 9 retention",
            "cutoff": cutoff.isoformat(),
            "records": counts,
        },
    )
    return counts


def _anonymise_whanau(client: Client) -> dict[str, int]:
    """Rename whānau of `client` that no longer hold an identified client, with their members.

    A whānau whose other client members are still identified keeps its name:
    it is their record too. Notes of a renamed whānau's cases are blanked.
    """
    renamed = 0
    notes = 0
    whanau_ids = WhanauMember.objects.filter(client=client).values_list("whanau_id", flat=True)
    for whanau in Whanau.objects.filter(pk__in=list(whanau_ids)):
        identified = (
            WhanauMember.objects.filter(whanau=whanau, client__isnull=False)
            .exclude(client=client)
            .exclude(client__anonymisation__isnull=False)
            .exists()
        )
        if identified:
            continue
        whanau.name = ANONYMISED_WHANAU_NAME
        whanau.save(update_fields=["name"])
        WhanauMember.objects.filter(whanau=whanau, client__isnull=True).update(
            name=ANONYMISED_MEMBER_NAME
        )
        whanau_cases = Case.objects.filter(whanau=whanau)
        whanau_cases.exclude(summary="").update(summary="")
        notes += CaseNote.objects.filter(case__in=whanau_cases).update(body=ANONYMISED)
        renamed += 1
    return {"whanau": renamed, "whanau_notes": notes}


def _anonymise_programme_records(client: Client) -> dict[str, int]:
    """Blank the free text of the client's aid requests and referrals; keep amounts and dates."""
    aid_request = apps.get_model("programs", "AidRequest")
    referral = apps.get_model("programs", "Referral")
    referral_share = apps.get_model("programs", "ReferralShare")
    referral_change = apps.get_model("programs", "ReferralStatusChange")
    counts: dict[str, Any] = {}
    counts["aid_requests"] = aid_request.objects.filter(client=client).update(
        justification=ANONYMISED, supplier_reference=""
    )
    aid_change = apps.get_model("programs", "AidRequestStatusChange")
    aid_change.objects.filter(aid_request__client=client).exclude(reason="").update(
        reason=ANONYMISED
    )
    apps.get_model("programs", "Payment").objects.filter(aid_request__client=client).exclude(
        reference=""
    ).update(reference="")
    counts.update(_anonymise_employment_records(client))
    referrals = referral.objects.filter(client=client)
    counts["referrals"] = referrals.update(reason=ANONYMISED)
    referrals.exclude(outcome_reason="").update(outcome_reason=ANONYMISED)
    referral_change.objects.filter(referral__in=referrals).exclude(reason="").update(
        reason=ANONYMISED
    )
    counts["referral_shares"] = 0
    for share in referral_share.objects.filter(referral__in=referrals):
        share.snapshot = _anonymised_snapshot(share.snapshot)
        share.save(update_fields=["snapshot"])
        counts["referral_shares"] += 1
    return counts


def _anonymise_employment_records(client: Client) -> dict[str, int]:
    """Blank the free text of the client's employment plans, activities and placements.

    Kinds, dates, hours, wages, subsidies and check-in answers stay: they are
    the sustained-work figures reported to funders.
    """
    plan = apps.get_model("programs", "EmploymentPlan")
    activity = apps.get_model("programs", "EmploymentActivity")
    placement = apps.get_model("programs", "Placement")
    placement_change = apps.get_model("programs", "PlacementStatusChange")
    check_in = apps.get_model("programs", "PlacementCheckIn")
    counts = {
        "employment_plans": plan.objects.filter(client=client).update(
            work_goals=ANONYMISED, barrier_notes="", support_agreed=""
        ),
        "employment_activities": activity.objects.filter(client=client).update(
            outcome="", provider="", qualification=""
        ),
    }
    placements = placement.objects.filter(client=client)
    counts["placements"] = placements.exclude(end_notes="").update(end_notes="")
    placement_change.objects.filter(placement__in=placements).exclude(reason="").update(
        reason=ANONYMISED
    )
    check_in.objects.filter(placement__in=placements).exclude(notes="").update(notes="")
    return counts


def _anonymised_snapshot(snapshot: Any) -> Any:
    """A referral's shared values with everything but the statistical codes blanked."""
    if not isinstance(snapshot, dict):
        return {}
    kept = {"gender", "region", "iwi", "ethnicity"}
    anonymised = {}
    for name, value in snapshot.items():
        if name in kept:
            anonymised[name] = value
        elif name == "date_of_birth" and isinstance(value, str) and len(value) >= 4:
            anonymised[name] = f"{value[:4]}-07-01"
        else:
            anonymised[name] = ANONYMISED
    return anonymised
