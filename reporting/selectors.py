"""Reads for reports: the jobs a user may see, and the permission-filtered data each report shows.

Report data is gathered here with the requester's own permissions (the casework
and programs selectors), at the time the report runs, and handed to the PDF
builders as plain dicts: a report never shows what its requester could not
open in the API. Restricted notes are excluded outright, whoever asks.
"""

import statistics
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from casework import access
from casework.models import (
    Assessment,
    CaseStatusChange,
    Client,
    GoalReview,
    NetworkSnapshot,
    Pou,
    SnapshotStage,
    TieType,
    WhanauMember,
)
from casework.redaction import REDACTED, REDACTED_DISPLAY_NAME, identity_is_visible
from casework.selectors.assessments import assessments_visible_to
from casework.selectors.cases import case_list
from casework.selectors.clients import client_list, ethnicity_codes_of, iwi_codes_of
from casework.selectors.consents import consents_visible_to
from casework.selectors.goals import goals_visible_to
from casework.selectors.network import current_ties, snapshots_visible_to, ties_visible_to
from casework.selectors.notes import notes_visible_to
from core.models import Agency, User
from core.roles import Role
from programs.models import (
    AidCategory,
    AidDecision,
    AidRequest,
    AidRequestStatus,
    Budget,
    Enrolment,
    Payment,
    Programme,
    Recovery,
    Repayment,
)
from programs.selectors.aid import aid_requests_visible_to
from programs.selectors.payments import payments_visible_to
from programs.selectors.programmes import programmes_visible_to
from reporting import sections
from reporting.models import ReportJob

LSNS6 = "lsns-6"
PROGRAMME_REPORT_ROLES = (Role.PROGRAM_OFFICER, Role.COMPLIANCE_OFFICER, Role.AGENCY_ADMIN)
NZ = ZoneInfo("Pacific/Auckland")
_EXCERPT = 160


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("Not found.") from None


def report_jobs_visible_to(actor: User) -> QuerySet[ReportJob]:
    """The jobs `actor` asked for, in their current agency (batch members included).

    A report is rendered with its requester's permissions (a caseworker's
    report may name a restricted client), so nobody else fetches it; the
    subject is checked again on download.
    """
    if not (actor and actor.is_authenticated and actor.is_active and actor.agency_id):
        return ReportJob.objects.none()
    return ReportJob.objects.filter(requested_by=actor, agency_id=actor.agency_id).select_related(
        "requested_by", "agency"
    )


def report_job_get(*, actor: User, job_id) -> ReportJob:
    """One job `actor` may see; anything else, malformed ids included, is 404."""
    job = report_jobs_visible_to(actor).filter(pk=_uuid_or_404(job_id)).first()
    if job is None:
        raise Http404("No such report.")
    return job


def report_client_get(*, actor: User, client_id) -> Client:
    """The subject client of a report, if `actor` may see them (404 otherwise)."""
    client = client_list(actor=actor).filter(pk=_uuid_or_404(client_id)).first()
    if client is None:
        raise Http404("No such client.")
    return client


def report_programme_get(*, actor: User, programme_id) -> Programme:
    """A programme `actor`'s agency delivers (404 otherwise)."""
    programme = programmes_visible_to(actor).filter(pk=_uuid_or_404(programme_id)).first()
    if programme is None:
        raise Http404("No such programme.")
    return programme


def may_report_on_programme(actor: User) -> bool:
    """Programme reports are for program officers, compliance officers and agency admins."""
    return actor.agency_id is not None and any(actor.has_role(r) for r in PROGRAMME_REPORT_ROLES)


def period_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """The period's days as NZ-time instants: [start 00:00, day after end 00:00)."""
    lower = datetime.combine(start, time.min, tzinfo=NZ) if start else None
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=NZ) if end else None
    return lower, upper


def _in_period(field: str, start: date | None, end: date | None, *, is_date: bool) -> Q:
    q = Q()
    if is_date:
        if start:
            q &= Q(**{f"{field}__gte": start})
        if end:
            q &= Q(**{f"{field}__lte": end})
        return q
    lower, upper = period_bounds(start, end)
    if lower:
        q &= Q(**{f"{field}__gte": lower})
    if upper:
        q &= Q(**{f"{field}__lt": upper})
    return q


def _local(moment: datetime | None) -> date | None:
    return moment.astimezone(NZ).date() if moment else None


def _excerpt(body: str) -> str:
    line = " ".join(body.split())
    return line if len(line) <= _EXCERPT else line[: _EXCERPT - 1].rstrip() + "…"


def _client_details(client: Client, identity_shown: bool) -> dict:
    def shown(value):
        return value if identity_shown else REDACTED

    return {
        "id": str(client.pk),
        "display_name": client.display_name if identity_shown else REDACTED_DISPLAY_NAME,
        "legal_name": shown(f"{client.legal_given_names} {client.legal_family_name}"),
        "preferred_name": shown(client.preferred_name),
        "date_of_birth": client.date_of_birth if identity_shown else None,
        "gender": client.get_gender_display(),
        "region": client.get_region_display(),
        "nhi": client.nhi if identity_shown else None,
        "preferred_language": client.preferred_language,
        "is_restricted": client.is_restricted,
        "identity_shown": identity_shown,
    }


def _client_cases(actor: User, client: Client) -> list:
    """Cases about the client the actor may see: their own and their whānau's."""
    in_whanau = WhanauMember.objects.filter(client_id=client.pk).values("whanau_id")
    return list(
        case_list(actor=actor)
        .filter(Q(client_id=client.pk) | Q(whanau_id__in=in_whanau))
        .order_by("opened_at", "id")
    )


def client_outcome_data(*, actor: User, client_id, period_start: date, period_end: date) -> dict:
    """Everything the client outcome report shows, read with `actor`'s permissions.

    Raises Http404 if the actor may no longer see the client. Identifying
    details, and the names in the client's network, appear only when the
    actor may see who a restricted client is (casework.redaction); restricted
    notes never appear.
    """
    client = report_client_get(actor=actor, client_id=client_id)
    identity_shown = identity_is_visible(client, client.identity_visible)
    cases = _client_cases(actor, client)
    case_ids = [case.pk for case in cases]

    timeline: list[dict] = []
    for case in cases:
        timeline.append(
            {"on": _local(case.opened_at), "what": f"Case opened ({case.get_status_display()} now)"}
        )
    for change in CaseStatusChange.objects.filter(case_id__in=case_ids).filter(
        _in_period("changed_at", period_start, period_end, is_date=False)
    ):
        reason = f": {_excerpt(change.reason)}" if change.reason else ""
        timeline.append(
            {
                "on": _local(change.changed_at),
                "what": f"Case {change.get_from_status_display() or 'new'} → "
                f"{change.get_to_status_display()}{reason}",
            }
        )
    notes = (
        notes_visible_to(actor)
        .filter(case_id__in=case_ids, restricted=False)
        .filter(_in_period("occurred_at", period_start, period_end, is_date=False))
        .order_by("occurred_at")
    )
    for note in notes:
        timeline.append(
            {
                "on": _local(note.occurred_at),
                "what": f"{note.get_kind_display()}: {_excerpt(note.body)}",
            }
        )
    timeline = [
        item for item in timeline if item["on"] and period_start <= item["on"] <= period_end
    ]
    timeline.sort(key=lambda item: item["on"])

    goals = list(
        goals_visible_to(actor)
        .filter(case_id__in=case_ids)
        .filter(Q(member_id=client.pk) | Q(member__isnull=True))
        .order_by("pou", "created_at")
    )
    reviews = defaultdict(list)
    for review in GoalReview.objects.filter(
        goal_id__in=[g.pk for g in goals], reviewed_on__lte=period_end
    ).order_by("reviewed_on", "created_at"):
        reviews[review.goal_id].append(review)
    goal_rows = []
    for goal in goals:
        history = reviews.get(goal.pk, [])
        in_period = [r for r in history if r.reviewed_on >= period_start]
        goal_rows.append(
            {
                "pou": goal.pou,
                "pou_label": Pou(goal.pou).label,
                "description": goal.description,
                "status": goal.get_status_display(),
                "target_date": goal.target_date,
                "progress": history[-1].progress if history else None,
                "reviews_in_period": len(in_period),
            }
        )

    aid = client_aid_summary(
        actor=actor, client_id=client.pk, period_start=period_start, period_end=period_end
    )

    ties = list(
        current_ties(ties_visible_to(actor).filter(client_id=client.pk), on=period_end).order_by(
            "-strength", "name", "id"
        )
    )
    tie_rows = [
        {
            "label": tie.name if identity_shown else TieType(tie.tie_type).label,
            "tie_type": TieType(tie.tie_type).label,
            "strength": tie.strength,
            "quality": tie.quality,
            "contact": tie.get_contact_frequency_display(),
            "since": tie.started_on,
        }
        for tie in ties
    ]
    snapshots = list(
        snapshots_visible_to(actor)
        .filter(client_id=client.pk, taken_on__lte=period_end)
        .order_by("taken_on", "created_at")
        .values("taken_on", "stage", "size", "supportive_count")
    )
    lsns = [
        {
            "on": a.administered_on,
            "total": a.scores.get("total"),
            "stage": a.stage,
            "isolation_risk": bool(a.scores.get("flags", {}).get("isolation_risk")),
        }
        for a in assessments_visible_to(actor)
        .filter(client_id=client.pk, instrument_id=LSNS6, administered_on__lte=period_end)
        .order_by("administered_on", "created_at")
        if a.scores.get("total") is not None
    ]

    query = sections.ClientSectionQuery(
        actor=actor, client=client, period_start=period_start, period_end=period_end
    )
    return {
        "client": _client_details(client, identity_shown),
        "agency_name": client.agency.name,
        "period_start": period_start,
        "period_end": period_end,
        "cases": [
            {
                "opened_on": _local(case.opened_at),
                "closed_on": _local(case.closed_at),
                "status": case.get_status_display(),
                "closure_reason": case.get_closure_reason_display() if case.closure_reason else "",
                "for_whanau": case.client_id is None,
            }
            for case in cases
        ],
        "timeline": timeline,
        "goals": goal_rows,
        "aid": aid,
        "employment": sections.client_section(sections.EMPLOYMENT, query),
        "referrals": sections.client_section(sections.REFERRALS, query),
        "network": {"ties": tie_rows, "snapshots": snapshots, "lsns": lsns},
    }


def client_aid_summary(
    *, actor: User, client_id, period_start: date | None, period_end: date | None
) -> dict:
    """Aid approved and paid for one client in the period, by category, with totals.

    Approved: requests decided as approved (and not since cancelled) in the
    period; paid: payments made in the period. Sums are exact Decimals.
    """
    approved = (
        aid_requests_visible_to(actor)
        .filter(client_id=client_id, status__in=[AidRequestStatus.APPROVED, AidRequestStatus.PAID])
        .filter(_in_period("decided_at", period_start, period_end, is_date=False))
        .values_list("category", "amount")
    )
    paid = (
        payments_visible_to(actor)
        .filter(aid_request__client_id=client_id)
        .filter(_in_period("paid_on", period_start, period_end, is_date=True))
        .values_list("aid_request__category", "amount")
    )
    rows: dict[str, dict] = {}
    for category, amount in approved:
        row = rows.setdefault(category, _aid_row(category))
        row["approved_count"] += 1
        row["approved"] += Decimal(amount)
    for category, amount in paid:
        row = rows.setdefault(category, _aid_row(category))
        row["paid_count"] += 1
        row["paid"] += Decimal(amount)
    ordered = [rows[c] for c in AidCategory.values if c in rows]
    return {
        "rows": ordered,
        "total_approved": sum((r["approved"] for r in ordered), Decimal("0.00")),
        "total_paid": sum((r["paid"] for r in ordered), Decimal("0.00")),
    }


def _aid_row(category: str) -> dict:
    return {
        "category": category,
        "label": AidCategory(category).label,
        "approved_count": 0,
        "approved": Decimal("0.00"),
        "paid_count": 0,
        "paid": Decimal("0.00"),
    }


def programme_outcome_data(
    *, actor: User, programme_id, agency: Agency, period_start: date, period_end: date
) -> dict:
    """Raw figures for a programme's outcome report for one delivering agency over a period.

    Aggregates only: no client is named. The caller has checked that the
    actor may report on the programme (`may_report_on_programme`); the
    programme must be one the actor's agency delivers (404 otherwise).
    Counts here are raw: the report applies reporting.confidentiality for a
    funder.
    """
    programme = report_programme_get(actor=actor, programme_id=programme_id)
    lower, upper = period_bounds(period_start, period_end)
    enrolments = Enrolment.objects.filter(programme=programme, agency=agency).filter(
        Q(started_on__lte=period_end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=period_start))
    )
    served = set(
        enrolments.filter(case__client__isnull=False).values_list("case__client_id", flat=True)
    )
    served |= set(
        WhanauMember.objects.filter(
            whanau__cases__enrolments__in=enrolments, client__isnull=False
        ).values_list("client_id", flat=True)
    )
    requests = AidRequest.objects.filter(programme=programme, agency=agency)
    served |= set(
        requests.filter(submitted_at__gte=lower, submitted_at__lt=upper).values_list(
            "client_id", flat=True
        )
    )

    approved = list(
        requests.filter(
            status__in=[AidRequestStatus.APPROVED, AidRequestStatus.PAID],
            decided_at__gte=lower,
            decided_at__lt=upper,
        ).values_list("category", "amount", "decided_at")
    )
    paid = list(
        Payment.objects.filter(
            aid_request__programme=programme,
            agency=agency,
            paid_on__gte=period_start,
            paid_on__lte=period_end,
        ).values_list("aid_request__category", "amount", "paid_on")
    )
    by_category: dict[str, dict] = {}
    for category, amount, _ in approved:
        row = by_category.setdefault(category, _aid_row(category))
        row["approved_count"] += 1
        row["approved"] += Decimal(amount)
    for category, amount, _ in paid:
        row = by_category.setdefault(category, _aid_row(category))
        row["paid_count"] += 1
        row["paid"] += Decimal(amount)

    months = _months(period_start, period_end)
    by_month = {
        m: {
            "month": m,
            "approved": Decimal("0.00"),
            "approved_count": 0,
            "paid": Decimal("0.00"),
            "paid_count": 0,
        }
        for m in months
    }
    for _, amount, decided_at in approved:
        key = _local(decided_at).replace(day=1)
        if key in by_month:
            by_month[key]["approved"] += Decimal(amount)
            by_month[key]["approved_count"] += 1
    for _, amount, paid_on in paid:
        key = paid_on.replace(day=1)
        if key in by_month:
            by_month[key]["paid"] += Decimal(amount)
            by_month[key]["paid_count"] += 1

    budgets = list(
        Budget.objects.filter(programme=programme)
        .filter(Q(agency__isnull=True) | Q(agency=agency))
        .order_by("fiscal_year", "agency_id")
    )
    budget_for_year: dict[int, Budget] = {}
    for budget in budgets:
        # An agency's own budget takes precedence over the programme-wide one, as in approval.
        if budget.fiscal_year not in budget_for_year or budget.agency_id is not None:
            budget_for_year[budget.fiscal_year] = budget
    for month, row in by_month.items():
        budget = budget_for_year.get(month.year if month.month >= 7 else month.year - 1)
        row["budget"] = (
            (Decimal(budget.allocated) / 12).quantize(Decimal("0.01")) if budget else None
        )

    decided = list(
        requests.filter(decided_at__gte=lower, decided_at__lt=upper, submitted_at__isnull=False)
        .exclude(status=AidRequestStatus.RETURNED)
        .values_list("submitted_at", "decided_at")
    )
    first_decisions = {
        d["aid_request_id"]: d["decided_at"]
        for d in AidDecision.objects.filter(
            aid_request__in=requests, decided_at__gte=lower, decided_at__lt=upper
        )
        .order_by("-decided_at")
        .values("aid_request_id", "decided_at")
    }
    turnaround_days = [
        (decided_at - submitted_at).total_seconds() / 86400 for submitted_at, decided_at in decided
    ]

    network = _network_change(served, period_end)
    lsns = _lsns_change(served, period_end)
    query = sections.ProgrammeSectionQuery(
        actor=actor,
        programme_id=programme.pk,
        agency=agency,
        period_start=period_start,
        period_end=period_end,
        client_ids=frozenset(served),
    )
    return {
        "programme": {
            "id": str(programme.pk),
            "name": programme.name,
            "funder": programme.funder,
            "kind": programme.get_kind_display(),
        },
        "agency_name": agency.name,
        "period_start": period_start,
        "period_end": period_end,
        "clients_served": len(served),
        "served_client_ids": sorted(str(c) for c in served),
        "aid_by_category": [by_category[c] for c in AidCategory.values if c in by_category],
        "aid_by_month": [by_month[m] for m in months],
        "budgets": [
            {
                "fiscal_year": b.fiscal_year_label,
                "scope": b.agency.name if b.agency_id else "All agencies",
                "allocated": b.allocated,
                "committed": b.committed,
                "paid": b.paid,
                "available": b.available,
            }
            for b in budgets
            if b.fiscal_year in {m.year if m.month >= 7 else m.year - 1 for m in months}
        ],
        "turnaround": _turnaround(turnaround_days),
        "decisions_recorded": len(first_decisions),
        "employment": sections.programme_section(sections.EMPLOYMENT, query),
        "referrals": sections.programme_section(sections.REFERRALS, query),
        "network": network,
        "lsns": lsns,
    }


def _months(start: date, end: date) -> list[date]:
    months, cursor = [], start.replace(day=1)
    while cursor <= end:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def _turnaround(days: list[float]) -> dict:
    if not days:
        return {"count": 0, "median": None, "mean": None, "p90": None}
    ordered = sorted(days)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {
        "count": len(days),
        "median": round(statistics.median(ordered), 1),
        "mean": round(statistics.fmean(ordered), 1),
        "p90": round(p90, 1),
    }


def _network_change(client_ids: set, end: date) -> dict:
    """Network size at intake against the latest later snapshot, for clients with both."""
    first: dict = {}
    last: dict = {}
    for snap in (
        NetworkSnapshot.objects.filter(client_id__in=client_ids, taken_on__lte=end)
        .order_by("taken_on", "created_at")
        .values("client_id", "stage", "size", "supportive_count")
    ):
        if snap["stage"] == SnapshotStage.INTAKE and snap["client_id"] not in first:
            first[snap["client_id"]] = snap
        elif snap["client_id"] in first:
            last[snap["client_id"]] = snap
    pairs = [(first[c], last[c]) for c in last]
    grew = sum(1 for a, b in pairs if b["size"] > a["size"])
    same = sum(1 for a, b in pairs if b["size"] == a["size"])
    return {
        "clients": len(pairs),
        "grew": grew,
        "same": same,
        "shrank": len(pairs) - grew - same,
        "mean_size_intake": _mean([a["size"] for a, _ in pairs]),
        "mean_size_latest": _mean([b["size"] for _, b in pairs]),
        "mean_supportive_intake": _mean([a["supportive_count"] for a, _ in pairs]),
        "mean_supportive_latest": _mean([b["supportive_count"] for _, b in pairs]),
    }


def _lsns_change(client_ids: set, end: date) -> dict:
    """LSNS-6 totals, first against latest, for clients assessed at least twice."""
    series = defaultdict(list)
    for assessment in (
        Assessment.objects.filter(
            client_id__in=client_ids, instrument_id=LSNS6, administered_on__lte=end
        )
        .order_by("administered_on", "created_at")
        .values("client_id", "scores")
    ):
        total = assessment["scores"].get("total")
        if total is not None:
            series[assessment["client_id"]].append(int(total))
    pairs = [(v[0], v[-1]) for v in series.values() if len(v) >= 2]
    cutoff = settings.LSNS6_ISOLATION_CUTOFF
    return {
        "clients": len(pairs),
        "improved": sum(1 for a, b in pairs if b > a),
        "mean_first": _mean([a for a, _ in pairs]),
        "mean_latest": _mean([b for _, b in pairs]),
        "at_risk_first": sum(1 for a, _ in pairs if a < cutoff),
        "at_risk_latest": sum(1 for _, b in pairs if b < cutoff),
        "cutoff": cutoff,
    }


def _mean(values: list) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def my_information_data(*, actor: User, client_id) -> dict:
    """Everything held about one client, for their Privacy Act request (IPP 6).

    Read with `actor`'s permissions; the caller has checked the actor may see
    who the client is. Restricted notes are withheld (Privacy Act 2020 s 53:
    disclosure could endanger a person), as reports never show them.
    """
    client = report_client_get(actor=actor, client_id=client_id)
    cases = _client_cases(actor, client)
    case_ids = [case.pk for case in cases]
    history = defaultdict(list)
    for change in CaseStatusChange.objects.filter(case_id__in=case_ids).order_by(
        "changed_at", "id"
    ):
        history[change.case_id].append(
            {
                "at": change.changed_at,
                "from": change.from_status,
                "to": change.to_status,
                "reason": change.reason,
            }
        )
    goals = list(
        goals_visible_to(actor)
        .filter(case_id__in=case_ids)
        .filter(Q(member_id=client.pk) | Q(member__isnull=True))
        .order_by("pou", "created_at")
    )
    reviews = defaultdict(list)
    for review in GoalReview.objects.filter(goal_id__in=[g.pk for g in goals]).order_by(
        "reviewed_on", "created_at"
    ):
        reviews[review.goal_id].append(
            {
                "reviewed_on": review.reviewed_on,
                "progress": review.progress,
                "status_after": review.status_after,
                "comment": review.comment,
            }
        )
    aid = list(
        aid_requests_visible_to(actor).filter(client_id=client.pk).order_by("created_at", "id")
    )
    payments = {
        p.aid_request_id: p
        for p in payments_visible_to(actor).filter(aid_request__client_id=client.pk)
    }
    recoveries = list(Recovery.objects.filter(client_id=client.pk, aid_request__in=aid))
    repayments = defaultdict(list)
    for repayment in Repayment.objects.filter(recovery__in=recoveries).order_by("received_on"):
        repayments[repayment.recovery_id].append(
            {
                "received_on": repayment.received_on,
                "amount": repayment.amount,
                "method": repayment.method,
            }
        )
    query = sections.ClientSectionQuery(
        actor=actor,
        client=client,
        period_start=None,
        period_end=None,
        purpose=sections.PRIVACY_ACCESS,
    )
    employment = sections.client_section(sections.EMPLOYMENT, query)
    referrals = sections.client_section(sections.REFERRALS, query)
    return {
        "client": {
            "id": str(client.pk),
            "agency": client.agency.name,
            "legal_given_names": client.legal_given_names,
            "legal_family_name": client.legal_family_name,
            "preferred_name": client.preferred_name,
            "date_of_birth": client.date_of_birth,
            "gender": client.gender,
            "nhi": client.nhi,
            "region": client.region,
            "phone": client.phone,
            "email": client.email,
            "address": client.address,
            "preferred_language": client.preferred_language,
            "interpreter_required": client.interpreter_required,
            "interpreter_language": client.interpreter_language,
            "is_restricted": client.is_restricted,
            # report_client_get reads through client_list, which brings these in its query.
            "ethnicity_codes": ethnicity_codes_of(client),
            "iwi_codes": iwi_codes_of(client),
            "created_at": client.created_at,
            "updated_at": client.updated_at,
            "archived_at": client.archived_at,
        },
        "whanau": [
            {
                "whanau": m.whanau.name,
                "relationship": m.relationship,
                "is_primary_contact": m.is_primary_contact,
            }
            for m in WhanauMember.objects.filter(client_id=client.pk).select_related("whanau")
        ],
        "cases": [
            {
                "id": str(case.pk),
                "for_whanau": case.client_id is None,
                "status": case.status,
                "summary": case.summary,
                "opened_at": case.opened_at,
                "closed_at": case.closed_at,
                "closure_reason": case.closure_reason,
                "lead_caseworker": case.lead_caseworker.get_full_name()
                if case.lead_caseworker
                else "",
                "status_history": history.get(case.pk, []),
            }
            for case in cases
        ],
        "notes": [
            {
                "case": str(n.case_id),
                "occurred_at": n.occurred_at,
                "kind": n.kind,
                "body": n.body,
                "amends": str(n.amends_id) if n.amends_id else None,
            }
            for n in notes_visible_to(actor)
            .filter(case_id__in=case_ids, restricted=False)
            .order_by("occurred_at", "created_at")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "recipient": c.recipient_agency.name if c.recipient_agency else c.recipient_name,
                "given_at": c.given_at,
                "expires_at": c.expires_at,
                "withdrawn_at": c.withdrawn_at,
                "withdrawal_reason": c.withdrawal_reason,
                "method": c.method,
                "state": c.state,
            }
            for c in consents_visible_to(actor).filter(client_id=client.pk).order_by("given_at")
        ],
        "goals": [
            {
                "pou": Pou(g.pou).label,
                "description": g.description,
                "status": g.status,
                "target_date": g.target_date,
                "reviews": reviews.get(g.pk, []),
            }
            for g in goals
        ],
        "network_ties": [
            {
                "name": t.name,
                "tie_type": t.tie_type,
                "support_kinds": t.support_kinds,
                "strength": t.strength,
                "contact_frequency": t.contact_frequency,
                "quality": t.quality,
                "started_on": t.started_on,
                "ended_on": t.ended_on,
            }
            for t in ties_visible_to(actor)
            .filter(client_id=client.pk)
            .order_by("started_on", "name")
        ],
        "network_snapshots": list(
            snapshots_visible_to(actor)
            .filter(client_id=client.pk)
            .order_by("taken_on", "created_at")
            .values("taken_on", "stage", "size", "supportive_count", "mean_strength")
        ),
        "assessments": [
            {
                "instrument": a.instrument.name,
                "administered_on": a.administered_on,
                "stage": a.stage,
                "answers": a.answers,
                "scores": a.scores,
            }
            for a in assessments_visible_to(actor)
            .filter(client_id=client.pk)
            .order_by("administered_on", "created_at")
        ],
        "aid_requests": [
            {
                "id": str(r.pk),
                "programme": r.programme.name,
                "category": r.category,
                "amount": r.amount,
                "is_recoverable": r.is_recoverable,
                "status": r.status,
                "justification": r.justification,
                "submitted_at": r.submitted_at,
                "decided_at": r.decided_at,
                "decision_reason": r.decision_reason,
                "payment": {
                    "amount": payments[r.pk].amount,
                    "paid_on": payments[r.pk].paid_on,
                    "method": payments[r.pk].method,
                }
                if r.pk in payments
                else None,
            }
            for r in aid
        ],
        "recoveries": [
            {
                "aid_request": str(rec.aid_request_id),
                "principal": rec.principal,
                "repaid": rec.repaid,
                "balance": rec.balance,
                "status": rec.status,
                "repayments": repayments.get(rec.pk, []),
            }
            for rec in recoveries
        ],
        "employment": _section_records(employment),
        "referrals": _section_records(referrals),
        "withheld": (
            "Some case notes may be withheld where disclosure could put a person at risk "
            "(Privacy Act 2020, section 53). You may ask the agency to review this."
        ),
    }


def _section_records(rows: sections.SectionRows | None) -> list[dict]:
    if rows is None:
        return []
    return [dict(zip(rows.header, row, strict=False)) for row in rows.rows]


def programme_client_ids_visible_to(
    *, actor: User, programme: Programme, period_start: date, period_end: date
) -> list:
    """Clients of the actor's agency enrolled in the programme during the period, or who
    asked it for aid then, that `actor` may see (the members of a batch of client reports)."""
    enrolled = Enrolment.objects.filter(
        programme=programme, agency_id=actor.agency_id, started_on__lte=period_end
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period_start))
    lower, upper = period_bounds(period_start, period_end)
    in_programme = (
        Q(cases__enrolments__in=enrolled)
        | Q(whanau_memberships__whanau__cases__enrolments__in=enrolled)
        | Q(
            aid_requests__programme=programme,
            aid_requests__submitted_at__gte=lower,
            aid_requests__submitted_at__lt=upper,
        )
    )
    return list(
        access.clients_visible_to(actor)
        .filter(in_programme, agency_id=actor.agency_id)
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )


def client_list_for_samples(actor: User) -> Client | None:
    """The visible client with the most to show: the richest sample client outcome report.

    Ranks by how many of the report's sections have something (snapshots,
    goals, aid, referrals, employment), then by how much; ties by id.
    """
    from django.db.models import Count

    from casework.models import Goal
    from programs.models import Placement, Referral

    ids = list(client_list(actor=actor).values_list("pk", flat=True))
    if not ids:
        return None
    sources = (
        (NetworkSnapshot.objects.filter(client_id__in=ids), "client_id"),
        (Goal.objects.filter(case__client_id__in=ids), "case__client_id"),
        (AidRequest.objects.filter(client_id__in=ids), "client_id"),
        (Referral.objects.filter(client_id__in=ids), "client_id"),
        (Placement.objects.filter(client_id__in=ids), "client_id"),
    )
    sections_with_rows: dict = defaultdict(int)
    rows: dict = defaultdict(int)
    for queryset, key in sources:
        for row in queryset.values(key).annotate(n=Count("pk")):
            sections_with_rows[row[key]] += 1
            rows[row[key]] += row["n"]
    best = max(ids, key=lambda pk: (sections_with_rows[pk], rows[pk], str(pk)))
    return client_list(actor=actor).filter(pk=best).first()


def programme_for_samples(agency_id) -> Programme | None:
    """A programme the agency delivers, for sample reports."""
    return Programme.objects.filter(delivering_agencies=agency_id).order_by("name").first()
