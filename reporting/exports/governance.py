"""Māori data sovereignty in exports: which current flags forbid what, for which use.

Each flag kind says which export uses it forbids and whether it removes the
rows of the people it covers or the iwi-identifying columns and tables. A
flag covers a client directly, every client member of a whānau, or every
client of the agency affiliated with an iwi. The engine applies the plan
built here and reports each exclusion in the run's summary.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from casework.models import ClientIwi, WhanauMember
from reporting.exports.definitions import Use
from reporting.models import DataGovernanceFlag, GovernanceFlagKind, GovernanceScope

ROWS = "rows"
IWI_COLUMNS = "iwi_columns"

# kind -> (uses it forbids, what it removes)
FLAG_EFFECTS: dict[str, tuple[frozenset[str], str]] = {
    # "Not to be shared beyond the funder": any use other than reporting to the funder.
    GovernanceFlagKind.FUNDER_ONLY: (frozenset(set(Use.ALL) - {Use.FUNDER_REPORTING}), ROWS),
    GovernanceFlagKind.NO_RESEARCH_LINKING: (frozenset({Use.RESEARCH_LINKING}), ROWS),
    # Iwi affiliation is left out of every export the flag's people appear in. Whole
    # columns and tables go, not single cells: a blank among filled cells would tell.
    GovernanceFlagKind.NO_IWI_IDENTIFICATION: (frozenset(Use.ALL), IWI_COLUMNS),
}


@dataclass
class GovernancePlan:
    """What an export must leave out: people's rows, iwi columns, and why."""

    excluded_clients: set = field(default_factory=set)
    excluded_whanau: set = field(default_factory=set)
    iwi_covered_clients: set = field(default_factory=set)
    flags: list[dict] = field(default_factory=list)
    drop_iwi: bool = False

    def excludes_client(self, client_id) -> bool:
        return client_id in self.excluded_clients


def current_flags(agency_id, at=None):
    """The agency's flags in force at `at` (default now)."""
    at = at or timezone.now()
    return DataGovernanceFlag.objects.filter(
        agency_id=agency_id, effective_from__lte=timezone.localdate(at)
    ).filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at))


def covered_clients(flag: DataGovernanceFlag) -> set:
    """Ids of the clients a flag covers: its client, its whānau's client members, or an iwi's."""
    if flag.scope == GovernanceScope.CLIENT:
        return {flag.client_id}
    if flag.scope == GovernanceScope.WHANAU:
        return set(
            WhanauMember.objects.filter(whanau_id=flag.whanau_id, client__isnull=False).values_list(
                "client_id", flat=True
            )
        )
    return set(
        ClientIwi.objects.filter(code=flag.iwi_code, client__agency_id=flag.agency_id).values_list(
            "client_id", flat=True
        )
    )


def governance_plan(*, agency_id, use: str, at=None) -> GovernancePlan:
    """The exclusions the agency's current flags impose on an export for `use`."""
    plan = GovernancePlan()
    for flag in current_flags(agency_id, at).order_by("recorded_at", "id"):
        uses, effect = FLAG_EFFECTS[flag.kind]
        if use not in uses:
            continue
        clients = covered_clients(flag)
        if effect == ROWS:
            plan.excluded_clients |= clients
            if flag.whanau_id:
                plan.excluded_whanau.add(flag.whanau_id)
        else:
            plan.iwi_covered_clients |= clients
        plan.flags.append(
            {
                "flag": str(flag.pk),
                "kind": flag.kind,
                "scope": flag.scope,
                "effect": effect,
            }
        )
    if plan.excluded_clients:
        # A whānau case carries every member's data: a member's flag removes it too.
        plan.excluded_whanau |= set(
            WhanauMember.objects.filter(client_id__in=plan.excluded_clients).values_list(
                "whanau_id", flat=True
            )
        )
    return plan
