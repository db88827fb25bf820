"""Export definitions as data: name, version, use, grain, tables and their data dictionary.

A definition never changes meaning under the same version: change a column,
a filter or the scope of its rows and bump `version`, so the register says
exactly what a past export contained. Adding a grain (for example employment
placements) is one more `Table` whose `source` names a row source in
reporting.exports.sources.
"""

from dataclasses import dataclass, field


class Grain:
    CLIENT = "client"
    CASE = "case"
    AID_PAYMENT = "aid_payment"
    PLACEMENT = "placement"
    REFERRAL = "referral"
    AGGREGATE = "aggregate"


class Use:
    """What an export is for; data-governance flags forbid some uses (governance.py)."""

    FUNDER_REPORTING = "funder-reporting"
    RESEARCH_LINKING = "research-linking"

    ALL = (FUNDER_REPORTING, RESEARCH_LINKING)


# Filters every definition takes: the exporting agency (always the requester's),
# the funder (named directly or through one of its programmes) and the period.
FILTERS = ("agency", "funder", "programme", "period")


@dataclass(frozen=True)
class Column:
    """One column of an exported table, with its type and meaning (the data dictionary)."""

    name: str
    dtype: str  # string | int | decimal | date | bool
    description: str
    # Identifies a person: filled only where the client consented to identifiable sharing.
    identifiable: bool = False
    # Names an iwi: left out where a no-iwi-identification flag applies.
    iwi: bool = False


@dataclass(frozen=True)
class Table:
    """One table of an export: row-level (one row per unit of `grain`) or an aggregate."""

    name: str
    grain: str
    source: str
    description: str
    columns: tuple[Column, ...]
    dimensions: tuple[str, ...] = ()
    sum_columns: tuple[str, ...] = ()

    @property
    def is_aggregate(self) -> bool:
        return self.grain == Grain.AGGREGATE

    @property
    def names_iwi(self) -> bool:
        return any(column.iwi for column in self.columns)


@dataclass(frozen=True)
class ExportDefinition:
    """A named, versioned export: its use, its tables and the filters it accepts."""

    name: str
    version: int
    title: str
    description: str
    use: str
    tables: tuple[Table, ...]
    filters: tuple[str, ...] = field(default=FILTERS)

    @property
    def grain(self) -> str:
        grains = {table.grain for table in self.tables}
        return grains.pop() if len(grains) == 1 else "mixed"


def _c(name, dtype, description, **flags) -> Column:
    return Column(name=name, dtype=dtype, description=description, **flags)


CLIENT_KEY = _c(
    "client_key",
    "string",
    "Pseudonymous client key: HMAC-SHA256 of the client's Tautoko id under a key for this "
    "funder. The same client has the same key in every export to this funder and a "
    "different key for any other funder; it is never the database id, NHI or name.",
)

CLIENT_COLUMNS = (
    CLIENT_KEY,
    _c(
        "nhi",
        "string",
        "NHI number, only where the client has current consent to identifiable sharing "
        "with this funder; empty otherwise.",
        identifiable=True,
    ),
    _c("age_band", "string", "Age at the end of the period, in bands (Under 18 … 65+)."),
    _c("gender", "string", "Gender (Stats NZ gender statistical standard 2021)."),
    _c(
        "ethnicity",
        "string",
        "Prioritised ethnicity, level 1 (Stats NZ ETHNIC05; Māori, Pacific Peoples, Asian, "
        "MELAA, Other, European, then residual).",
    ),
    _c(
        "iwi",
        "string",
        "Iwi affiliations, Stats NZ iwi classification codes separated by ';'.",
        iwi=True,
    ),
    _c("region", "string", "Stats NZ region (REGC) name."),
)

CASE_COLUMNS = (
    _c("case_key", "string", "Pseudonymous case key (HMAC-SHA256 under this funder's key)."),
    _c("client_key", "string", "Client key of a one-client case; empty for a whānau case."),
    _c("whanau_case", "bool", "True when the case supports a whole whānau."),
    _c("status", "string", "Case status at the time of the export."),
    _c("opened_on", "date", "Day the case was opened (NZ time)."),
    _c("closed_on", "date", "Day the case was closed (NZ time); empty while open."),
    _c("closure_reason", "string", "Why the case was closed; empty while open."),
)

AID_PAYMENT_COLUMNS = (
    _c("payment_key", "string", "Pseudonymous payment key (HMAC-SHA256 under this funder's key)."),
    CLIENT_KEY,
    _c("programme", "string", "Programme the aid was paid under."),
    _c("category", "string", "Aid category."),
    _c("amount", "decimal", "Amount paid, NZD (exact, two decimal places)."),
    _c("method", "string", "Payment method."),
    _c("paid_on", "date", "Day the payment was made."),
    _c("recoverable", "bool", "True for a recoverable advance, False for a grant."),
)

PLACEMENT_COLUMNS = (
    _c(
        "placement_key",
        "string",
        "Pseudonymous placement key (HMAC-SHA256 under this funder's key).",
    ),
    CLIENT_KEY,
    _c("status", "string", "Placement status at the time of the export (Started or Ended)."),
    _c("started_on", "date", "Day the client started work."),
    _c("ended_on", "date", "Day the job ended; empty while in work."),
    _c("end_reason", "string", "Why the job ended; empty while in work."),
    _c("hours_per_week", "decimal", "Contracted hours a week."),
    _c("hourly_wage", "decimal", "Hourly wage, NZD."),
    _c("subsidised", "bool", "True when a wage subsidy is paid for the placement."),
)

REFERRAL_COLUMNS = (
    _c(
        "referral_key", "string", "Pseudonymous referral key (HMAC-SHA256 under this funder's key)."
    ),
    CLIENT_KEY,
    _c("service_category", "string", "Category of the service referred to."),
    _c("organisation_kind", "string", "Kind of organisation referred to."),
    _c("urgency", "string", "Urgency of the referral."),
    _c("status", "string", "Referral status at the time of the export."),
    _c("sent_on", "date", "Day the referral was sent (NZ time)."),
    _c("ended_on", "date", "Day the referral ended (NZ time); empty while open."),
)


def _aggregate(name, dimension, label, description, *, iwi=False, source="clients") -> Table:
    return Table(
        name=name,
        grain=Grain.AGGREGATE,
        source=source,
        description=description,
        dimensions=(dimension,),
        columns=(
            _c(dimension, "string", label, iwi=iwi),
            _c("count", "int", "Count, randomly rounded to base 3; empty where suppressed."),
            _c("suppressed", "bool", "True where the count is suppressed (confidentiality)."),
        ),
    )


AGGREGATE_TABLES = (
    _aggregate(
        "clients_by_ethnicity",
        "ethnicity",
        "Prioritised ethnicity, level 1.",
        "Clients served, by prioritised ethnicity (one group per person).",
    ),
    _aggregate(
        "clients_by_iwi",
        "iwi",
        "Iwi (Stats NZ iwi classification).",
        "Clients served, by iwi affiliation (total response: a person is counted once for "
        "each iwi they affiliate with, so cells add up to affiliations, not people).",
        iwi=True,
    ),
    _aggregate(
        "clients_by_age_band", "age_band", "Age band at period end.", "Clients served, by age."
    ),
    _aggregate("clients_by_gender", "gender", "Gender.", "Clients served, by gender."),
    _aggregate("clients_by_region", "region", "Region (REGC).", "Clients served, by region."),
    Table(
        name="aid_by_category",
        grain=Grain.AGGREGATE,
        source="aid_payments",
        description="Aid payments in the period by category: number and dollars paid.",
        dimensions=("category",),
        sum_columns=("amount",),
        columns=(
            _c("category", "string", "Aid category."),
            _c("count", "int", "Payments, randomly rounded to base 3; empty where suppressed."),
            _c(
                "amount",
                "decimal",
                "Dollars paid, NZD, not rounded; empty where suppressed (fewer than the "
                "threshold of payments behind it, or its count cell is suppressed).",
            ),
            _c("suppressed", "bool", "True where the count is suppressed."),
            _c("sum_suppressed", "bool", "True where the amount is suppressed."),
        ),
    ),
    _aggregate(
        "placements_by_outcome",
        "placement_outcome",
        "In work (Started) or ended, and why.",
        "Employment outcomes: job placements in work during the period, by outcome.",
        source="placements",
    ),
    _aggregate(
        "referrals_by_outcome",
        "outcome",
        "Referral status at the time of the export.",
        "Referrals sent in the period, by outcome.",
        source="referrals",
    ),
)

DEFINITIONS: dict[str, ExportDefinition] = {
    definition.name: definition
    for definition in (
        ExportDefinition(
            name="funder-clients",
            version=1,
            title="Clients served (one row per client)",
            description="Clients of the agency served in the period under the funder's "
            "programmes: enrolled (themselves or through their whānau's case) or asking for aid.",
            use=Use.FUNDER_REPORTING,
            tables=(
                Table("clients", Grain.CLIENT, "clients", "One row per client.", CLIENT_COLUMNS),
            ),
        ),
        ExportDefinition(
            name="funder-cases",
            version=1,
            title="Cases (one row per case)",
            description="Cases enrolled in the funder's programmes during the period.",
            use=Use.FUNDER_REPORTING,
            tables=(Table("cases", Grain.CASE, "cases", "One row per case.", CASE_COLUMNS),),
        ),
        ExportDefinition(
            name="funder-aid-payments",
            version=1,
            title="Aid payments (one row per payment)",
            description="Aid paid in the period under the funder's programmes.",
            use=Use.FUNDER_REPORTING,
            tables=(
                Table(
                    "aid_payments",
                    Grain.AID_PAYMENT,
                    "aid_payments",
                    "One row per payment.",
                    AID_PAYMENT_COLUMNS,
                ),
            ),
        ),
        ExportDefinition(
            name="funder-placements",
            version=1,
            title="Job placements (one row per placement)",
            description="Job placements in work during the period, subsidised under the "
            "funder's programmes or of clients served under them.",
            use=Use.FUNDER_REPORTING,
            tables=(
                Table(
                    "placements",
                    Grain.PLACEMENT,
                    "placements",
                    "One row per placement.",
                    PLACEMENT_COLUMNS,
                ),
            ),
        ),
        ExportDefinition(
            name="funder-referrals",
            version=1,
            title="Referrals (one row per referral)",
            description="Referrals sent in the period for clients served under the funder's "
            "programmes.",
            use=Use.FUNDER_REPORTING,
            tables=(
                Table(
                    "referrals",
                    Grain.REFERRAL,
                    "referrals",
                    "One row per referral.",
                    REFERRAL_COLUMNS,
                ),
            ),
        ),
        ExportDefinition(
            name="funder-summary",
            version=1,
            title="Quarterly or annual summary (aggregate tables)",
            description="Clients served by ethnicity, iwi, age band, gender and region; aid by "
            "category; employment and referral outcomes. Counts follow Stats NZ "
            "confidentiality rules.",
            use=Use.FUNDER_REPORTING,
            tables=AGGREGATE_TABLES,
        ),
        ExportDefinition(
            name="research-linking-clients",
            version=1,
            title="Clients for linking into a research dataset",
            description="As funder-clients, for research linking: clients, whānau and iwi who "
            "asked that their data not be linked for research are left out.",
            use=Use.RESEARCH_LINKING,
            tables=(
                Table("clients", Grain.CLIENT, "clients", "One row per client.", CLIENT_COLUMNS),
            ),
        ),
    )
}


def definition_get(name: str) -> ExportDefinition | None:
    """The current definition called `name`, or None."""
    return DEFINITIONS.get(name)
