"""Row sources: the rows of each grain in an export's scope, read in chunks of plain tuples.

Every source reads with `.iterator(chunk_size=…)` (a server-side cursor on
PostgreSQL), so memory holds one chunk whatever the row count, and yields
lists of tuples laid out as its `columns`: the tables' columns plus
`_client_id` and `_whanau_id` first, which the engine uses to apply
data-governance flags and then drops. Tuples rather than DataFrames: at a
million rows, building and typing frames column by column cost more than
reading the rows. Scope: the exporting agency's records under the funder's
programmes in the period, the same "served" rule as the programme outcome
report.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

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
INTERNAL = ("_client_id", "_whanau_id")


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
    enrolments = _enrolments(ctx).order_by()
    enrolled = enrolments.filter(case__client_id__isnull=False).values("case__client_id")
    through_whanau = enrolments.filter(case__whanau__members__client_id__isnull=False).values(
        "case__whanau__members__client_id"
    )
    asked_for_aid = (
        AidRequest.objects.filter(
            agency_id=ctx.agency_id,
            programme_id__in=ctx.programme_ids,
            submitted_at__gte=ctx.lower,
            submitted_at__lt=ctx.upper,
        )
        .order_by()
        .values("client_id")
    )
    # One set of ids joined once, not three EXISTS tested row by row: PostgreSQL cannot
    # turn an OR of EXISTS into a join, and at a million clients the row-by-row probes
    # took three times as long as one join of the union (21 s against 7 s).
    return Client.objects.filter(
        agency_id=ctx.agency_id, pk__in=enrolled.union(through_whanau, asked_for_aid)
    )


def consents_to_identify(ctx: ExportContext) -> QuerySet[Consent]:
    """Consents in force at `ctx.at` to identifiable sharing with the funder (IPP 11)."""
    recipient = Q(recipient_name__iexact=ctx.funder) | Q(recipient_agency__name__iexact=ctx.funder)
    return (
        Consent.objects.filter(purpose=ConsentPurpose.FUNDER_IDENTIFIABLE, given_at__lte=ctx.at)
        .filter(recipient)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=ctx.at))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=ctx.at))
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
def _ethnicity_label(codes: str | None) -> str:
    """The prioritised level-1 ethnicity of comma-separated codes (few distinct sets: cached)."""
    try:
        group = prioritised_ethnicity(codes.split(",") if codes else [])
    except ValueError:
        group = None
    return ETHNICITY_LEVEL1.get(group or "", ETHNICITY_NOT_STATED)


class Source:
    """The rows of one grain: `columns` names the values of each yielded tuple."""

    columns: tuple[str, ...] = ()

    def queryset(self, ctx: ExportContext) -> QuerySet:
        raise NotImplementedError

    def count(self, ctx: ExportContext) -> int:
        """How many rows the source yields before data-governance flags (for progress)."""
        return self.queryset(ctx).count()

    def chunks(self, ctx: ExportContext) -> Iterator[list[tuple]]:
        """The rows in scope, a list of at most `ctx.chunk_rows` tuples at a time."""
        raise NotImplementedError


# The raw client row both ways of reading produce: id, NHI where consent allows it (else
# None), date of birth, gender code, region code, and the ethnicity and iwi codes, each
# sorted and joined with "," and ";" (None where there are none).
RawClientRow = tuple


class ClientSource(Source):
    """One row per client in scope.

    On PostgreSQL the scope, the consent test and the ethnicity and iwi codes
    come from one query (`joined_queryset`); elsewhere, or with
    `joined=False`, each chunk's codes and consents are looked up by id
    range. Both give the same raw rows (tests/reporting/test_export_streaming.py
    compares them cell by cell on PostgreSQL), published by the same code.
    """

    columns = (*INTERNAL, "client_key", "nhi", "age_band", "gender", "ethnicity", "iwi", "region")

    def __init__(self, *, joined: bool | None = None):
        self.joined = joined

    def queryset(self, ctx: ExportContext) -> QuerySet:
        return clients_in_scope(ctx).order_by("pk")

    def joined_queryset(self, ctx: ExportContext) -> QuerySet:
        """PostgreSQL: the raw client rows in one query, in id order (see RawClientRow)."""
        from django.contrib.postgres.aggregates import StringAgg

        def codes(model, separator: str) -> Subquery:
            return Subquery(
                model.objects.filter(client_id=OuterRef("pk"))
                .order_by()
                .values("client_id")
                .annotate(codes=StringAgg("code", separator, order_by="code"))
                .values("codes")
            )

        consented = Exists(consents_to_identify(ctx).filter(client_id=OuterRef("pk")))
        return (
            self.queryset(ctx)
            .annotate(
                shared_nhi=models.Case(models.When(consented, then=F("nhi"))),
                ethnicity_codes=codes(ClientEthnicity, ","),
                iwi_codes=codes(ClientIwi, ";"),
            )
            .values_list(
                "pk",
                "shared_nhi",
                "date_of_birth",
                "gender",
                "region",
                "ethnicity_codes",
                "iwi_codes",
            )
        )

    def raw_chunks(self, ctx: ExportContext) -> Iterator[list[RawClientRow]]:
        """The raw client rows, a chunk at a time, from the joined query or by look-ups."""
        joined = self.joined
        if joined is None:
            joined = connections[self.queryset(ctx).db].vendor == "postgresql"
        if joined:
            rows = self.joined_queryset(ctx).iterator(chunk_size=ctx.chunk_rows)
            yield from _batches(rows, ctx.chunk_rows)
        else:
            yield from self._looked_up(ctx)

    def _looked_up(self, ctx: ExportContext) -> Iterator[list[RawClientRow]]:
        """The raw client rows with each chunk's codes and consents read by id range."""
        rows = (
            self.queryset(ctx)
            .values_list("pk", "nhi", "date_of_birth", "gender", "region")
            .iterator(chunk_size=ctx.chunk_rows)
        )
        for batch in _batches(rows, ctx.chunk_rows):
            # Rows come in id order, so a chunk's clients lie in one id range: reading their
            # codes by range is an index scan, where a 20,000-id IN list is slow to build,
            # send and plan. Codes of clients in the range but not in the chunk are ignored.
            in_range = {
                "client__agency_id": ctx.agency_id,
                "client_id__gte": batch[0][0],
                "client_id__lte": batch[-1][0],
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
            consented = set(
                consents_to_identify(ctx).filter(**in_range).values_list("client_id", flat=True)
            )
            yield [
                (
                    pk,
                    nhi if pk in consented else None,
                    born,
                    gender,
                    region,
                    ",".join(sorted(ethnicities[pk])) or None,
                    ";".join(iwi[pk]) or None,
                )
                for pk, nhi, born, gender, region in batch
            ]

    def chunks(self, ctx: ExportContext) -> Iterator[list[tuple]]:
        publish = self._publisher(ctx)
        for batch in self.raw_chunks(ctx):
            yield publish(batch)

    @staticmethod
    def _publisher(ctx: ExportContext) -> Callable[[list[RawClientRow]], list[tuple]]:
        """Raw rows to published rows: key, consented NHI, age band and labels."""
        keys = ctx.pseudonyms.keys
        on = ctx.period_end
        bands: dict[date, str] = {}  # one entry a birthday: tens of thousands at most

        def publish(batch: list[RawClientRow]) -> list[tuple]:
            out = []
            append = out.append
            client_keys = keys([row[0] for row in batch])
            for (pk, nhi, born, gender, region, ethnicity, iwi), key in zip(
                batch, client_keys, strict=True
            ):
                band = bands.get(born)
                if band is None:
                    band = bands[born] = age_band(born, on)
                append(
                    (
                        pk,
                        None,
                        key,
                        nhi,
                        band,
                        GENDER_LABELS.get(gender, gender),
                        _ethnicity_label(ethnicity),
                        iwi or None,
                        REGIONS.get(region, region),
                    )
                )
            return out

        return publish


class CaseSource(Source):
    """One row per case enrolled in the funder's programmes during the period."""

    columns = (
        *INTERNAL,
        "case_key",
        "client_key",
        "whanau_case",
        "status",
        "opened_on",
        "closed_on",
        "closure_reason",
    )

    def queryset(self, ctx: ExportContext) -> QuerySet:
        return (
            Case.objects.filter(agency_id=ctx.agency_id)
            .filter(Exists(_enrolments(ctx).filter(case_id=OuterRef("pk"))))
            .order_by("pk")
        )

    def chunks(self, ctx: ExportContext) -> Iterator[list[tuple]]:
        statuses, reasons = dict(CaseStatus.choices), dict(ClosureReason.choices)
        rows = (
            self.queryset(ctx)
            .values_list(
                "pk", "client_id", "whanau_id", "status", "opened_at", "closed_at", "closure_reason"
            )
            .iterator(chunk_size=ctx.chunk_rows)
        )
        case_key, client_key = ctx.pseudonyms.keyer("case"), ctx.pseudonyms.keyer("client")
        for batch in _batches(rows, ctx.chunk_rows):
            yield [
                (
                    client_id,
                    whanau_id,
                    case_key(pk),
                    client_key(client_id),
                    whanau_id is not None,
                    statuses.get(status, status),
                    _local_day(opened_at),
                    _local_day(closed_at),
                    reasons.get(reason) if reason else None,
                )
                for pk, client_id, whanau_id, status, opened_at, closed_at, reason in batch
            ]


class AidPaymentSource(Source):
    """One row per aid payment made in the period under the funder's programmes."""

    columns = (
        *INTERNAL,
        "payment_key",
        "client_key",
        "programme",
        "category",
        "amount",
        "method",
        "paid_on",
        "recoverable",
    )

    def queryset(self, ctx: ExportContext) -> QuerySet:
        return Payment.objects.filter(
            agency_id=ctx.agency_id,
            aid_request__programme_id__in=ctx.programme_ids,
            paid_on__gte=ctx.period_start,
            paid_on__lte=ctx.period_end,
        ).order_by("pk")

    def chunks(self, ctx: ExportContext) -> Iterator[list[tuple]]:
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
        payment_key, client_key = ctx.pseudonyms.keyer("payment"), ctx.pseudonyms.keyer("client")
        for batch in _batches(rows, ctx.chunk_rows):
            yield [
                (
                    client_id,
                    None,
                    payment_key(pk),
                    client_key(client_id),
                    programme,
                    categories.get(category, category),
                    amount,
                    methods.get(method, method),
                    paid_on,
                    bool(recoverable),
                )
                for pk, client_id, programme, category, amount, method, paid_on, recoverable in (
                    batch
                )
            ]


class ReferralSource(Source):
    """One row per referral sent in the period for a client served under the funder's programmes."""

    columns = (
        *INTERNAL,
        "referral_key",
        "client_key",
        "service_category",
        "organisation_kind",
        "urgency",
        "status",
        "sent_on",
        "ended_on",
    )

    def queryset(self, ctx: ExportContext) -> QuerySet:
        return (
            Referral.objects.filter(
                agency_id=ctx.agency_id, sent_at__gte=ctx.lower, sent_at__lt=ctx.upper
            )
            .filter(client_id__in=clients_in_scope(ctx).values("pk"))
            .order_by("pk")
        )

    def chunks(self, ctx: ExportContext) -> Iterator[list[tuple]]:
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
        referral_key, client_key = ctx.pseudonyms.keyer("referral"), ctx.pseudonyms.keyer("client")
        for batch in _batches(rows, ctx.chunk_rows):
            yield [
                (
                    client_id,
                    None,
                    referral_key(pk),
                    client_key(client_id),
                    categories.get(category, category),
                    kinds.get(kind, kind),
                    urgencies.get(urgency, urgency),
                    statuses.get(status, status),
                    _local_day(sent_at),
                    _local_day(ended_at),
                )
                for pk, client_id, category, kind, urgency, status, sent_at, ended_at in batch
            ]


class PlacementSource(Source):
    """One row per job placement in work during the period: started, or ended in or after it.

    In scope when the placement's subsidy comes from one of the funder's
    programmes or its client was served under them. `outcome` feeds the
    placements_by_outcome aggregate and is not a column of the row-level table.
    """

    columns = (
        *INTERNAL,
        "placement_key",
        "client_key",
        "status",
        "started_on",
        "ended_on",
        "end_reason",
        "hours_per_week",
        "hourly_wage",
        "subsidised",
        "outcome",
    )

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

    def chunks(self, ctx: ExportContext) -> Iterator[list[tuple]]:
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
        placement_key = ctx.pseudonyms.keyer("placement")
        client_key = ctx.pseudonyms.keyer("client")
        for batch in _batches(rows, ctx.chunk_rows):
            out = []
            for pk, client_id, status, started_on, ended_on, reason, hours, wage, subsidy in batch:
                status_label = statuses.get(status, status)
                reason_label = reasons.get(reason) if reason else None
                out.append(
                    (
                        client_id,
                        None,
                        placement_key(pk),
                        client_key(client_id),
                        status_label,
                        started_on,
                        ended_on,
                        reason_label,
                        hours,
                        wage,
                        bool(subsidy),
                        placement_outcome(status_label, reasons.get(reason)),
                    )
                )
            yield out


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
