"""Referral sections of the reports: a client's referrals; a programme's by kind and outcome.

Registered in reporting.apps (sections.REFERRALS). A client's rows are read
with the requester's own permissions (programs.selectors.referrals: the
referring side sees the referrals of the cases it may see, the receiving
agency those sent to it), so a report never shows a referral its requester
could not open in the API. A programme's figures are raw counts of the
delivering agency's referrals for the clients the programme served; the
report protects them before a funder sees them.
"""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q

from casework.redaction import REDACTED, identity_is_visible
from programs.models import (
    OrganisationKind,
    Referral,
    ReferralShareField,
    ReferralStatus,
    ReferralStatusChange,
    ServiceCategory,
)
from programs.selectors.referrals import referral_visibility
from reporting import sections

NZ = ZoneInfo("Pacific/Auckland")
R = ReferralStatus
# Free text is cut to this many characters in a table cell.
_EXCERPT = 160

CLIENT_HEADER = ("Service", "Organisation", "Referred", "Status", "Outcome", "Ended")
PRIVACY_HEADER = (*CLIENT_HEADER, "Reason", "Shared with the recipient")

# What an open referral is waiting on, in words a client reads.
_OPEN_OUTCOME = {
    R.DRAFT: "Not sent",
    R.SENT: "Waiting for the service to reply",
    R.ACCEPTED: "Accepted, not started yet",
    R.ENGAGED: "Taking part",
}
# How a programme report groups current statuses into outcomes.
PROGRAMME_OUTCOMES = (
    ("Waiting for a reply", (R.SENT,)),
    ("Accepted or taking part", (R.ACCEPTED, R.ENGAGED)),
    ("Completed", (R.COMPLETED,)),
    ("Declined", (R.DECLINED,)),
    ("Closed without completing", (R.CLOSED,)),
    ("Withdrawn", (R.WITHDRAWN,)),
)


def _day(moment: datetime | None):
    return moment.astimezone(NZ).date() if moment else None


def _excerpt(value: str) -> str:
    line = " ".join(value.split())
    return line if len(line) <= _EXCERPT else line[: _EXCERPT - 1].rstrip() + "…"


def _outcome(referral: Referral, *, free_text: bool) -> str:
    status = ReferralStatus(referral.status)
    if status in _OPEN_OUTCOME:
        words = _OPEN_OUTCOME[status]
    else:
        words = status.label
        # Declines and closures keep their reason on the referral; a completion's is in history.
        reason = referral.outcome_reason or next(
            (c.reason for c in reversed(referral.status_changes.all()) if c.to_status == status),
            "",
        )
        if free_text and reason:
            words = f"{words}: {_excerpt(reason)}"
    if referral.network_tie_id:
        words += " · added to the support network"
    return words


def client_referrals(query: sections.ClientSectionQuery) -> sections.SectionRows:
    """The referrals made for the client, and received for them, that the actor may see.

    For an outcome report: referrals sent before the period ended and not
    ended before it began (drafts left out). For the client's IPP 6 request:
    every referral, drafts included, with its reason and the fields disclosed
    to the recipient. Free text (reasons) is left out when the actor may not
    see who a restricted client is, as it may name them.
    """
    # Imported here: reporting.selectors imports reporting.sections, which this module extends.
    from reporting.selectors import period_bounds

    client = query.client
    free_text = identity_is_visible(client, getattr(client, "identity_visible", False))
    privacy = query.purpose == sections.PRIVACY_ACCESS
    referrals = (
        Referral.objects.filter(referral_visibility(query.actor))
        .filter(Q(client_id=client.pk) | Q(received_case__client_id=client.pk))
        .select_related("service", "service__organisation", "agency", "share")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=ReferralStatusChange.objects.order_by("changed_at", "id"),
            )
        )
        .order_by("sent_at", "created_at", "id")
    )
    if not privacy:
        lower, upper = period_bounds(query.period_start, query.period_end)
        referrals = referrals.exclude(status=R.DRAFT)
        if upper is not None:
            referrals = referrals.filter(sent_at__lt=upper)
        if lower is not None:
            referrals = referrals.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=lower))
    rows = []
    for referral in referrals.distinct():
        received = referral.client_id != client.pk
        organisation = (
            f"Referred in by {referral.agency.name}"
            if received
            else referral.service.organisation.name
        )
        row = (
            referral.service.name,
            organisation,
            _day(referral.sent_at),
            referral.get_status_display(),
            _outcome(referral, free_text=free_text),
            _day(referral.ended_at),
        )
        if privacy:
            share = getattr(referral, "share", None)
            fields = share.fields if share is not None else referral.shared_fields
            row += (
                referral.reason if free_text else REDACTED,
                ", ".join(ReferralShareField(f).label for f in fields if f in _SHARE_FIELDS),
            )
        rows.append(row)
    return sections.SectionRows(header=PRIVACY_HEADER if privacy else CLIENT_HEADER, rows=rows)


_SHARE_FIELDS = frozenset(ReferralShareField.values)


def programme_referrals(query: sections.ProgrammeSectionQuery) -> list[sections.SectionCounts]:
    """Counts of the agency's referrals sent in the period for the programme's clients.

    By kind of service, by kind of organisation, and by outcome (the
    referral's status when the report runs), plus how many added a tie to
    the client's support network. Raw counts: the report applies the
    confidentiality rules for a funder. Empty when nothing was sent.
    """
    from reporting.selectors import period_bounds

    if not query.client_ids:
        return []
    lower, upper = period_bounds(query.period_start, query.period_end)
    sent = list(
        Referral.objects.filter(
            agency=query.agency,
            client_id__in=query.client_ids,
            sent_at__gte=lower,
            sent_at__lt=upper,
        )
        .exclude(status=R.DRAFT)
        .values_list("service__category", "service__organisation__kind", "status", "network_tie")
    )
    if not sent:
        return []
    by_category = Counter(category for category, _, _, _ in sent)
    by_kind = Counter(kind for _, kind, _, _ in sent)
    by_status = Counter(status for _, _, status, _ in sent)
    return [
        sections.SectionCounts(
            title="Referrals by kind of service",
            counts={
                ServiceCategory(c).label: by_category[c]
                for c in ServiceCategory.values
                if by_category[c]
            },
        ),
        sections.SectionCounts(
            title="Referrals by kind of organisation",
            counts={
                OrganisationKind(k).label: by_kind[k] for k in OrganisationKind.values if by_kind[k]
            },
        ),
        sections.SectionCounts(
            title="Referrals by outcome",
            counts={
                label: sum(by_status[s] for s in statuses) for label, statuses in PROGRAMME_OUTCOMES
            },
        ),
        sections.SectionCounts(
            title="Referrals that strengthened a support network",
            counts={
                "Referrals sent": len(sent),
                "Added a tie to the client's support network": sum(
                    1 for *_, tie in sent if tie is not None
                ),
            },
        ),
    ]


def register() -> None:
    """Fill the referral sections of client and programme reports."""
    sections.register_client_section(sections.REFERRALS, client_referrals)
    sections.register_programme_section(sections.REFERRALS, programme_referrals)
