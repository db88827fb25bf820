"""The employment sections of reports: a client's plan, activities and placements; outcome counts.

Registered with reporting.sections from programs.apps, so reports fill in
without reporting knowing programmes' models. A client section shows only
what the actor may see (through the case); a programme section counts one
agency's placements and leaves protecting small counts to the report.
"""

from collections import Counter

from django.db.models import Prefetch, Q

from casework.redaction import identity_is_visible
from programs.models import (
    EmploymentActivity,
    EmploymentActivityKind,
    EmploymentBarrier,
    EmploymentPlan,
    EmploymentPlanStatus,
    Placement,
    PlacementCheckIn,
    PlacementEndReason,
    PlacementStatus,
)
from programs.selectors.employment import through_case

CLIENT_HEADER = ("Record", "Employer or provider", "Date", "Status", "Detail")
_EXCERPT = 120
SUSTAINED_WEEKS = (4, 13, 26)


def _excerpt(text: str) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= _EXCERPT else line[: _EXCERPT - 1].rstrip() + "…"


def _check_in_summary(placement: Placement) -> str:
    parts = []
    for check_in in placement.check_ins.all():
        if check_in.recorded_on is None:
            parts.append(f"{check_in.weeks} weeks: due {check_in.due_on.isoformat()}")
        elif check_in.still_employed:
            parts.append(f"{check_in.weeks} weeks: in work ({check_in.hours_per_week} h/week)")
        else:
            parts.append(f"{check_in.weeks} weeks: not in work")
    return "; ".join(parts)


def client_employment(query):
    """The client's employment plans, activities and placements (with check-ins) the actor may see.

    For an outcome report: plans open during the period, activities in it,
    and placements that had begun by its end and not ended before it began.
    For the client's IPP 6 request: everything. Free text (goals, outcomes,
    notes) is left out when the actor may not see who a restricted client
    is, as it may name them. None when there is nothing to show.
    """
    from reporting import sections

    client = query.client
    free_text = identity_is_visible(client, getattr(client, "identity_visible", False))
    everything = query.purpose == sections.PRIVACY_ACCESS
    start = None if everything else query.period_start
    end = None if everything else query.period_end
    visible = through_case(query.actor)

    plans = EmploymentPlan.objects.filter(visible, client_id=client.pk).order_by("created_at")
    activities = EmploymentActivity.objects.filter(visible, client_id=client.pk).order_by(
        "occurred_on", "created_at"
    )
    placements = (
        Placement.objects.filter(visible, client_id=client.pk)
        .select_related("employer")
        .prefetch_related(
            Prefetch("check_ins", queryset=PlacementCheckIn.objects.order_by("weeks"))
        )
        .order_by("start_on", "created_at")
    )
    if end is not None:
        plans = plans.filter(created_at__date__lte=end)
        activities = activities.filter(occurred_on__lte=end)
        placements = placements.filter(start_on__lte=end)
    if not everything:
        # An offer that fell through is no outcome; the client's own copy still lists it.
        placements = placements.exclude(status=PlacementStatus.WITHDRAWN)
    if start is not None:
        plans = plans.filter(Q(status=EmploymentPlanStatus.ACTIVE) | Q(updated_at__date__gte=start))
        activities = activities.filter(occurred_on__gte=start)
        placements = placements.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))

    rows: list[tuple] = []
    for plan in plans:
        barriers = ", ".join(
            EmploymentBarrier(b).label for b in plan.barriers if b in EmploymentBarrier.values
        )
        detail = f"Barriers: {barriers or 'none recorded'}"
        if free_text and plan.work_goals:
            detail = f"{_excerpt(plan.work_goals)} · {detail}"
        rows.append(
            (
                "Employment plan",
                None,
                plan.created_at.date(),
                plan.get_status_display(),
                f"{detail} · next review {plan.next_review_on.isoformat()}",
            )
        )
    for activity in activities:
        status = ""
        if activity.kind == EmploymentActivityKind.TRAINING and activity.completed is not None:
            status = "Completed" if activity.completed else "Not completed"
        detail = f"{activity.hours} h"
        if activity.qualification:
            level = f", NZQA level {activity.nzqa_level}" if activity.nzqa_level else ""
            detail += f" · {activity.qualification}{level}"
        if free_text and activity.outcome:
            detail += f" · {_excerpt(activity.outcome)}"
        rows.append(
            (activity.get_kind_display(), activity.provider or None, activity.occurred_on,
             status, detail)
        )  # fmt: skip
    for placement in placements:
        status = placement.get_status_display()
        if placement.end_reason:
            status += f": {placement.get_end_reason_display()}"
        detail = f"{placement.hours_per_week} h/week at {placement.hourly_wage}/h"
        if placement.is_subsidised:
            detail += f" · subsidised {placement.subsidy_weeks} weeks"
        summary = _check_in_summary(placement)
        if summary:
            detail += f" · {summary}"
        rows.append(
            (
                f"Placement: {placement.role}",
                placement.employer.name,
                placement.started_on or placement.start_on,
                status,
                detail,
            )
        )
    if not rows:
        return None
    return sections.SectionRows(header=CLIENT_HEADER, rows=rows)


def programme_employment(query):
    """Placement outcomes of one agency for a programme's report, as raw counts.

    The cohort is the agency's placements that started in the period and were
    either subsidised by the programme or for a client the programme served.
    Sustained at 13 (26) weeks means the 13-week (26-week) check-in recorded
    the person still in work. Empty when none started.
    """
    from reporting import sections

    cohort = Placement.objects.filter(
        agency=query.agency,
        started_on__gte=query.period_start,
        started_on__lte=query.period_end,
    ).filter(Q(programme_id=query.programme_id) | Q(client_id__in=list(query.client_ids)))
    started = list(cohort.values_list("pk", "end_reason", "is_subsidised"))
    if not started:
        return []
    in_work = Counter(
        PlacementCheckIn.objects.filter(
            placement__in=cohort, still_employed=True, weeks__in=SUSTAINED_WEEKS
        ).values_list("weeks", flat=True)
    )
    recorded = Counter(
        PlacementCheckIn.objects.filter(
            placement__in=cohort, recorded_on__isnull=False, weeks__in=SUSTAINED_WEEKS
        ).values_list("weeks", flat=True)
    )
    ended = Counter(reason for _, reason, _ in started if reason)
    return [
        sections.SectionCounts(
            title="Placements and sustained work",
            counts={
                "Placements started": len(started),
                "Wage-subsidised": sum(1 for *_, subsidised in started if subsidised),
                "In work at 4 weeks": in_work[4],
                "Sustained at 13 weeks": in_work[13],
                "Sustained at 26 weeks": in_work[26],
            },
        ),
        sections.SectionCounts(
            title="Check-ins recorded",
            counts={f"{weeks}-week check-ins": recorded[weeks] for weeks in SUSTAINED_WEEKS},
        ),
        sections.SectionCounts(
            title="Placements ended, by reason",
            counts={
                PlacementEndReason(r).label: ended[r] for r in PlacementEndReason.values if ended[r]
            },
        ),
    ]


def register() -> None:
    """Fill the employment sections of client and programme reports."""
    from reporting import sections

    sections.register_client_section(sections.EMPLOYMENT, client_employment)
    sections.register_programme_section(sections.EMPLOYMENT, programme_employment)
