"""Row sources: the rows of each grain in an export's scope, read in chunks as DataFrames.

Every source reads with `.values_list(...).iterator(chunk_size=…)` (a
server-side cursor on PostgreSQL), so memory holds one chunk whatever the
row count. Each chunk carries the table's columns plus `_client_id` and
`_whanau_id`, which the engine uses to apply data-governance flags and then
drops. Scope: the exporting agency's records under the funder's programmes
in the period, the same "served" rule as the programme outcome report.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

import pandas as pd
from django.db.models import Exists, OuterRef, Q, QuerySet

from casework.models import (
    Case,
    CaseStatus,
    Client,
    ClientEthnicity,
    ClientIwi,
    ClosureReason,
    Consent,
    ConsentPurpose,
    Gender,
)
from core.nz.ethnicity import ETHNICITY_LEVEL1, prioritised_ethnicity
from core.nz.regions import REGIONS
from programs.models import (
    AidCategory,
    AidRequest,
    Enrolment,
    OrganisationKind,
    Payment,
    PaymentMethod,
    Referral,
    ReferralStatus,
    ReferralUrgency,
    ServiceCategory,
)
from reporting.exports.pseudonym import Pseudonymiser

NZ = ZoneInfo("Pacific/Auckland")
AGE_BANDS = (
    (18, "Under 18"),
    (25, "18–24"),
    (35, "25–34"),
    (45, "35–44"),
    (55, "45–54"),
    (65, "55–64"),
)
OLDEST_BAND = "65+"
AGE_BAND_LABELS = (*(label for _, label in AGE_BANDS), OLDEST_BAND)
NOT_STATED = "Not stated"


@dataclass
class ExportContext:
    """Everything a source needs: scope, period, funder and the pseudonymiser."""

    agency_id: object
    funder: str
    programme_ids: list
    period_start: date
    period_end: date
    at: datetime
    chunk_rows: int
    pseudonyms: Pseudonymiser

    @property
    def lower(self) -> datetime:
        return datetime.combine(self.period_start, time.min, tzinfo=NZ)

    @property
    def upper(self) -> datetime:
        return datetime.combine(self.period_end + timedelta(days=1), time.min, tzinfo=NZ)


def _enrolments(ctx: ExportContext) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        agency_id=ctx.agency_id,
        programme_id__in=ctx.programme_ids,
        started_on__lte=ctx.period_end,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=ctx.period_start))


def clients_in_scope(ctx: ExportContext) -> QuerySet[Client]:
    """Clients served in the period: enrolled (or their whānau's case is) or asking for aid."""
    enrolments = _enrolments(ctx)
    enrolled = Exists(enrolments.filter(case__client_id=OuterRef("pk")))
    through_whanau = Exists(enrolments.filter(case__whanau__members__client_id=OuterRef("pk")))
    asked_for_aid = Exists(
        AidRequest.objects.filter(
            agency_id=ctx.agency_id,
            programme_id__in=ctx.programme_ids,
            client_id=OuterRef("pk"),
            submitted_at__gte=ctx.lower,
            submitted_at__lt=ctx.upper,
        )
    )
    return Client.objects.filter(agency_id=ctx.agency_id).filter(
        enrolled | through_whanau | asked_for_aid
    )


def _batches(iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def _local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(NZ).date() if moment else None


def age_band(born: date, on: date) -> str:
    """The age band of someone born on `born`, on the day `on`."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for upper, label in AGE_BANDS:
        if age < upper:
            return label
    return OLDEST_BAND


GENDER_LABELS = dict(Gender.choices)
ETHNICITY_NOT_STATED = "Not stated"


@lru_cache(maxsize=4096)
def _ethnicity_label(codes: tuple[str, ...]) -> str:
    """The prioritised level-1 ethnicity of a set of codes (few distinct sets: cached)."""
    try:
        group = prioritised_ethnicity(list(codes))
    except ValueError:
        group = None
    return ETHNICITY_LEVEL1.get(group or "", ETHNICITY_NOT_STATED)


class ClientSource:
    """One row per client in scope."""

    def queryset(self, ctx: ExportContext) -> QuerySet:
        return clients_in_scope(ctx).order_by("pk")

    def count(self, ctx: ExportContext) -> int:
        return self.queryset(ctx).count()

    def chunks(self, ctx: ExportContext) -> Iterator[pd.DataFrame]:
        rows = (
            self.queryset(ctx)
            .values_list("pk", "nhi", "date_of_birth", "gender", "region")
            .iterator(chunk_size=ctx.chunk_rows)
        )
        for batch in _batches(rows, ctx.chunk_rows):
            ids = [row[0] for row in batch]
            # Rows come in id order, so a chunk's clients lie in one id range: reading their
            # codes by range is an index scan, where a 20,000-id IN list is slow to build,
            # send and plan. Codes of clients in the range but not in the chunk are ignored.
            in_range = {
                "client__agency_id": ctx.agency_id,
                "client_id__gte": ids[0],
                "client_id__lte": ids[-1],
            }
            ethnicities: dict = defaultdict(list)
            for client_id, code in ClientEthnicity.objects.filter(**in_range).values_list(
                "client_id", "code"
            ):
                ethnicities[client_id].append(code)
            iwi: dict = defaultdict(list)
            for client_id, code in (
                ClientIwi.objects.filter(**in_range)
                .order_by("code")
                .values_list("client_id", "code")
            ):
                iwi[client_id].append(code)
            consented = self._consented(ctx, in_range)
            yield pd.DataFrame(
                {
                    "_client_id": ids,
                    "_whanau_id": [None] * len(ids),
                    "client_key": [ctx.pseudonyms.key(pk) for pk in ids],
                    "nhi": [nhi if pk in consented else None for pk, nhi, *_ in batch],
                    "age_band": [age_band(row[2], ctx.period_end) for row in batch],
                    "gender": [GENDER_LABELS.get(row[3], row[3]) for row in batch],
                    "ethnicity": [_ethnicity_label(tuple(ethnicities[pk])) for pk in ids],
                    "iwi": [";".join(iwi[pk]) or None for pk in ids],
                    "region": [REGIONS.get(row[4], row[4]) for row in batch],
                }
            )

    @staticmethod
    def _consented(ctx: ExportContext, in_range: dict) -> set:
        """Clients with current consent to identifiable sharing with this funder (IPP 11)."""
        recipient = Q(recipient_name__iexact=ctx.funder) | Q(
            recipient_agency__name__iexact=ctx.funder
        )
        return set(
            Consent.objects.filter(
                **in_range, purpose=ConsentPurpose.FUNDER_IDENTIFIABLE, given_at__lte=ctx.at
            )
            .filter(recipient)
            .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=ctx.at))
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=ctx.at))
            .values_list("client_id", flat=True)
        )


class CaseSource:
    """One row per case enrolled in the funder's programmes during the period."""

    def queryset(self, ctx: ExportContext) -> QuerySet:
        return (
            Case.objects.filter(agency_id=ctx.agency_id)
            .filter(Exists(_enrolments(ctx).filter(case_id=OuterRef("pk"))))
            .order_by("pk")
        )

    def count(self, ctx: ExportContext) -> int:
        return self.queryset(ctx).count()

    def chunks(self, ctx: ExportContext) -> Iterator[pd.DataFrame]:
        statuses, reasons = dict(CaseStatus.choices), dict(ClosureReason.choices)
        rows = (
            self.queryset(ctx)
            .values_list(
                "pk", "client_id", "whanau_id", "status", "opened_at", "closed_at", "closure_reason"
            )
            .iterator(chunk_size=ctx.chunk_rows)
        )
        key = ctx.pseudonyms.key
        for batch in _batches(rows, ctx.chunk_rows):
            yield pd.DataFrame(
                {
                    "_client_id": [r[1] for r in batch],
                    "_whanau_id": [r[2] for r in batch],
                    "case_key": [key(r[0], kind="case") for r in batch],
                    "client_key": [key(r[1]) for r in batch],
                    "whanau_case": [r[2] is not None for r in batch],
                    "status": [statuses.get(r[3], r[3]) for r in batch],
                    "opened_on": [_local_day(r[4]) for r in batch],
                    "closed_on": [_local_day(r[5]) for r in batch],
                    "closure_reason": [reasons.get(r[6]) if r[6] else None for r in batch],
                }
            )


class AidPaymentSource:
    """One row per aid payment made in the period under the funder's programmes."""

    def queryset(self, ctx: ExportContext) -> QuerySet:
        return Payment.objects.filter(
            agency_id=ctx.agency_id,
            aid_request__programme_id__in=ctx.programme_ids,
            paid_on__gte=ctx.period_start,
            paid_on__lte=ctx.period_end,
        ).order_by("pk")

    def count(self, ctx: ExportContext) -> int:
        return self.queryset(ctx).count()

    def chunks(self, ctx: ExportContext) -> Iterator[pd.DataFrame]:
        categories, methods = dict(AidCategory.choices), dict(PaymentMethod.choices)
        rows = (
            self.queryset(ctx)
            .values_list(
                "pk",
                "aid_request__client_id",
                "aid_request__programme__name",
                "aid_request__category",
                "amount",
                "method",
                "paid_on",
                "aid_request__is_recoverable",
            )
            .iterator(chunk_size=ctx.chunk_rows)
        )
        key = ctx.pseudonyms.key
        for batch in _batches(rows, ctx.chunk_rows):
            yield pd.DataFrame(
                {
                    "_client_id": [r[1] for r in batch],
                    "_whanau_id": [None] * len(batch),
                    "payment_key": [key(r[0], kind="payment") for r in batch],
                    "client_key": [key(r[1]) for r in batch],
                    "programme": [r[2] for r in batch],
                    "category": [categories.get(r[3], r[3]) for r in batch],
                    "amount": [r[4] for r in batch],
                    "method": [methods.get(r[5], r[5]) for r in batch],
                    "paid_on": [r[6] for r in batch],
                    "recoverable": [bool(r[7]) for r in batch],
                }
            )


class ReferralSource:
    """One row per referral sent in the period for a client served under the funder's programmes."""

    def queryset(self, ctx: ExportContext) -> QuerySet:
        return (
            Referral.objects.filter(
                agency_id=ctx.agency_id, sent_at__gte=ctx.lower, sent_at__lt=ctx.upper
            )
            .filter(client_id__in=clients_in_scope(ctx).values("pk"))
            .order_by("pk")
        )

    def count(self, ctx: ExportContext) -> int:
        return self.queryset(ctx).count()

    def chunks(self, ctx: ExportContext) -> Iterator[pd.DataFrame]:
        categories = dict(ServiceCategory.choices)
        kinds = dict(OrganisationKind.choices)
        urgencies, statuses = dict(ReferralUrgency.choices), dict(ReferralStatus.choices)
        rows = (
            self.queryset(ctx)
            .values_list(
                "pk",
                "client_id",
                "service__category",
                "service__organisation__kind",
                "urgency",
                "status",
                "sent_at",
                "ended_at",
            )
            .iterator(chunk_size=ctx.chunk_rows)
        )
        key = ctx.pseudonyms.key
        for batch in _batches(rows, ctx.chunk_rows):
            yield pd.DataFrame(
                {
                    "_client_id": [r[1] for r in batch],
                    "_whanau_id": [None] * len(batch),
                    "referral_key": [key(r[0], kind="referral") for r in batch],
                    "client_key": [key(r[1]) for r in batch],
                    "service_category": [categories.get(r[2], r[2]) for r in batch],
                    "organisation_kind": [kinds.get(r[3], r[3]) for r in batch],
                    "urgency": [urgencies.get(r[4], r[4]) for r in batch],
                    "status": [statuses.get(r[5], r[5]) for r in batch],
                    "sent_on": [_local_day(r[6]) for r in batch],
                    "ended_on": [_local_day(r[7]) for r in batch],
                }
            )


class PlacementSource:
    """One row per job placement in work during the period: started, or ended in or after it.

    In scope when the placement's subsidy comes from one of the funder's
    programmes or its client was served under them.
    """

    def queryset(self, ctx: ExportContext) -> QuerySet:
        from programs.models import Placement, PlacementStatus

        return (
            Placement.objects.filter(
                agency_id=ctx.agency_id,
                status__in=[PlacementStatus.STARTED, PlacementStatus.ENDED],
                started_on__lte=ctx.period_end,
            )
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=ctx.period_start))
            .filter(
                Q(programme_id__in=ctx.programme_ids)
                | Q(client_id__in=clients_in_scope(ctx).values("pk"))
            )
            .order_by("pk")
        )

    def count(self, ctx: ExportContext) -> int:
        return self.queryset(ctx).count()

    def chunks(self, ctx: ExportContext) -> Iterator[pd.DataFrame]:
        from programs.models import PlacementEndReason, PlacementStatus

        statuses, reasons = dict(PlacementStatus.choices), dict(PlacementEndReason.choices)
        rows = (
            self.queryset(ctx)
            .values_list(
                "pk",
                "client_id",
                "status",
                "started_on",
                "ended_on",
                "end_reason",
                "hours_per_week",
                "hourly_wage",
                "is_subsidised",
            )
            .iterator(chunk_size=ctx.chunk_rows)
        )
        key = ctx.pseudonyms.key
        for batch in _batches(rows, ctx.chunk_rows):
            yield pd.DataFrame(
                {
                    "_client_id": [r[1] for r in batch],
                    "_whanau_id": [None] * len(batch),
                    "placement_key": [key(r[0], kind="placement") for r in batch],
                    "client_key": [key(r[1]) for r in batch],
                    "status": [statuses.get(r[2], r[2]) for r in batch],
                    "started_on": [r[3] for r in batch],
                    "ended_on": [r[4] for r in batch],
                    "end_reason": [reasons.get(r[5]) if r[5] else None for r in batch],
                    "hours_per_week": [r[6] for r in batch],
                    "hourly_wage": [r[7] for r in batch],
                    "subsidised": [bool(r[8]) for r in batch],
                    "outcome": [
                        placement_outcome(statuses.get(r[2], r[2]), reasons.get(r[5]))
                        for r in batch
                    ],
                }
            )


def placement_outcome(status: str, end_reason: str | None) -> str:
    """The published outcome of a placement: in work, or ended and why."""
    return f"Ended — {end_reason}" if end_reason else status


def _placement_outcomes() -> list[str]:
    try:
        from programs.models import PlacementEndReason, PlacementStatus
    except ImportError:
        return []
    return [
        PlacementStatus.STARTED.label,
        *(placement_outcome("", label) for label in PlacementEndReason.labels),
    ]


# source name -> source; a new grain is one more entry here and one more Table in
# definitions.py.
SOURCES = {
    "clients": ClientSource(),
    "cases": CaseSource(),
    "aid_payments": AidPaymentSource(),
    "placements": PlacementSource(),
    "referrals": ReferralSource(),
}

# Every cell an aggregate dimension can take, so empty cells are published (as suppressed
# zeros) and a cell's absence never depends on the data.
DIMENSION_VALUES = {
    "ethnicity": [*ETHNICITY_LEVEL1.values(), ETHNICITY_NOT_STATED],
    "age_band": list(AGE_BAND_LABELS),
    "gender": list(GENDER_LABELS.values()),
    "region": list(REGIONS.values()),
    "category": list(dict(AidCategory.choices).values()),
    "outcome": list(dict(ReferralStatus.choices).values()),
    "placement_outcome": _placement_outcomes(),
}
