"""The programme outcome report (PDF): figures for a programme, one agency and a period.

For a funder every count goes through reporting.confidentiality (RR3 and
suppression, with the job's secret seed) before it is drawn; dollar sums
follow the same table's sum rule, and means are shown only for groups large
enough to publish a magnitude (the sum threshold).
"""

from datetime import date
from decimal import Decimal

import pandas as pd
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from reporting.confidentiality import (
    DEFAULT_RULES,
    confidentiality_footnote,
    protect_table,
    random_round,
    seeded_rng,
)
from reporting.pdf import charts
from reporting.pdf.document import (
    PageFrame,
    build_pdf,
    facts,
    keep,
    money,
    nothing_recorded,
    para,
    section,
    styles,
    table,
    text,
)

TITLE = "Programme outcome report"
SUPPRESSED = "S"


class Publisher:
    """Shows raw figures internally and protected ones to a funder."""

    def __init__(self, *, funder: bool, seed: str):
        self.funder = funder
        self.seed = seed or "internal"

    def count(self, value: int, *key: object) -> str:
        """One count (a table of one cell)."""
        if not self.funder:
            return str(value)
        if value < DEFAULT_RULES.count_threshold:
            return SUPPRESSED
        return str(random_round(value, seeded_rng(self.seed, "count", *key)))

    def mean(self, value: float | None, group_size: int) -> str:
        if value is None:
            return "—"
        if self.funder and group_size < DEFAULT_RULES.sum_count_threshold:
            return SUPPRESSED
        return f"{value:.1f}"

    def table(self, rows: list[dict], *, key: str, count: str, sums: list[str]) -> list[dict]:
        """Return rows with `count` and `sums` as display strings (protected for a funder)."""
        if not rows:
            return []
        if not self.funder:
            return [{**r, count: str(r[count]), **{c: money(r[c]) for c in sums}} for r in rows]
        columns = {key: [r[key] for r in rows], count: [r[count] for r in rows]}
        for column in sums:
            columns[column] = [float(r[column]) for r in rows]
        frame = pd.DataFrame(columns)
        protected = protect_table(
            frame, dimensions=[key], count_column=count, sum_columns=sums, seed=self.seed
        ).table
        shown = []
        for row, (_, cell) in zip(rows, protected.iloc[:-1].iterrows(), strict=True):
            shown.append(
                {
                    **row,
                    count: SUPPRESSED if pd.isna(cell[count]) else str(int(cell[count])),
                    **{
                        c: SUPPRESSED if pd.isna(cell[c]) else money(Decimal(str(row[c])))
                        for c in sums
                    },
                }
            )
        return shown


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def render_programme_outcome(
    data: dict, frame: PageFrame, *, funder: bool, seed: str, progress=None
) -> bytes:
    """Build the PDF; counts protected when `funder` (RR3 + suppression under `seed`)."""
    progress = progress or (lambda _: None)
    s = styles()
    pub = Publisher(funder=funder, seed=seed)
    programme = data["programme"]
    story: list = [
        Paragraph(text(f"{TITLE} — {programme['name']}"), s.title),
        Paragraph(
            text(
                f"Te pūrongo hōtaka · {data['agency_name']} · "
                f"{_day(data['period_start'])} to {_day(data['period_end'])}"
                + (" · For the funder" if funder else " · Internal")
            ),
            s.subtitle,
        ),
    ]
    story += section(
        "Tirohanga whānui / Summary",
        facts(
            [
                ("Programme", programme["name"]),
                ("Kind", programme["kind"]),
                ("Funder", programme["funder"]),
                ("Delivering agency", data["agency_name"]),
                ("Clients served", pub.count(data["clients_served"], "clients_served")),
            ]
        ),
    )

    approved_rows = pub.table(
        [
            {"label": r["label"], "approved_count": r["approved_count"], "approved": r["approved"]}
            for r in data["aid_by_category"]
        ],
        key="label",
        count="approved_count",
        sums=["approved"],
    )
    paid_rows = pub.table(
        [
            {"label": r["label"], "paid_count": r["paid_count"], "paid": r["paid"]}
            for r in data["aid_by_category"]
        ],
        key="label",
        count="paid_count",
        sums=["paid"],
    )
    if approved_rows:
        rows = [
            [a["label"], a["approved_count"], a["approved"], p["paid_count"], p["paid"]]
            for a, p in zip(approved_rows, paid_rows, strict=True)
        ]
        totals = data["aid_by_category"]
        approved_total = sum((r["approved"] for r in totals), Decimal("0.00"))
        paid_total = sum((r["paid"] for r in totals), Decimal("0.00"))
        approved_n = sum(r["approved_count"] for r in totals)
        paid_n = sum(r["paid_count"] for r in totals)
        rows.append(
            [
                "Total",
                pub.count(approved_n, "approved_total"),
                _sum(pub, approved_total, approved_n),
                pub.count(paid_n, "paid_total"),
                _sum(pub, paid_total, paid_n),
            ]
        )
        aid = table(
            ["Category", "Approved", "Approved (NZD)", "Paid", "Paid (NZD)"],
            rows,
            widths=[0.36, 0.12, 0.2, 0.12, 0.2],
            numeric=[1, 2, 3, 4],
            total_row=True,
        )
    else:
        aid = nothing_recorded("aid approvals or payments")
    story += section("Te tautoko pūtea / Aid approved and paid by category", aid)
    progress(35)

    months = data["aid_by_month"]
    month_rows = pub.table(
        [
            {
                "label": m["month"].strftime("%b %Y"),
                "paid_count": m["paid_count"],
                "paid": m["paid"],
            }
            for m in months
        ],
        key="label",
        count="paid_count",
        sums=["paid"],
    )
    # Approved sums go through the same protection as paid ones, so a suppressed
    # month cannot be worked out from the total and the other months.
    month_approved = pub.table(
        [
            {
                "label": m["month"].strftime("%b %Y"),
                "approved_count": m["approved_count"],
                "approved": m["approved"],
            }
            for m in months
        ],
        key="label",
        count="approved_count",
        sums=["approved"],
    )
    monthly_rows = []
    for m, shown, approved in zip(months, month_rows, month_approved, strict=True):
        if m["budget"] is None:
            share = "—"
        elif shown["paid"] == SUPPRESSED:
            share = SUPPRESSED  # the share would give the suppressed amount away
        else:
            share = f"{m['paid'] / m['budget']:.0%}" if m["budget"] else "—"
        monthly_rows.append(
            [
                m["month"].strftime("%b %Y"),
                approved["approved"],
                shown["paid"],
                money(m["budget"]) if m["budget"] is not None else "No budget",
                share,
            ]
        )
    budgets = [m["budget"] for m in months if m["budget"] is not None]
    monthly_rows.append(
        [
            "Total",
            _sum(
                pub,
                sum((m["approved"] for m in months), Decimal("0.00")),
                sum(m["approved_count"] for m in months),
            ),
            _sum(
                pub,
                sum((m["paid"] for m in months), Decimal("0.00")),
                sum(m["paid_count"] for m in months),
            ),
            money(sum(budgets, Decimal("0.00"))) if budgets else "No budget",
            "",
        ]
    )
    monthly = table(
        ["Month", "Approved (NZD)", "Paid (NZD)", "Monthly budget (NZD)", "Paid of budget"],
        monthly_rows,
        widths=[0.18, 0.22, 0.22, 0.22, 0.16],
        numeric=[1, 2, 3, 4],
        total_row=True,
    )
    story += section(
        "Ia marama / By month against budget",
        para(
            "The monthly budget is a twelfth of the fiscal year's allocation (the agency's own "
            "budget where it has one).",
            s.small,
        ),
        monthly,
    )
    if not funder and any(m["paid"] or m["approved"] for m in months):
        story.append(Spacer(1, 2 * mm))
        story.append(
            keep(
                Paragraph("Aid approved and paid each month, against the budget", s.subheading),
                charts.bars(
                    [m["month"].strftime("%b %y") for m in months],
                    [
                        ("Approved", [m["approved"] for m in months]),
                        ("Paid", [m["paid"] for m in months]),
                        ("Monthly budget", [m["budget"] or 0 for m in months]),
                    ],
                    money_axis=True,
                ),
            )
        )
    if data["budgets"]:
        story.append(
            keep(
                Paragraph("Budgets of the fiscal years in the period", s.subheading),
                table(
                    ["Fiscal year", "Budget", "Allocated", "Committed", "Paid", "Available"],
                    [
                        [
                            b["fiscal_year"],
                            b["scope"],
                            money(b["allocated"]),
                            money(b["committed"]),
                            money(b["paid"]),
                            money(b["available"]),
                        ]
                        for b in data["budgets"]
                    ],
                    widths=[0.13, 0.23, 0.16, 0.16, 0.16, 0.16],
                    numeric=[2, 3, 4, 5],
                ),
            )
        )
    progress(55)

    t = data["turnaround"]
    story += section(
        "Te wā whakatau / Approval turnaround",
        facts(
            [
                ("Decisions in the period", pub.count(t["count"], "decisions")),
                ("Median days, submitted to decided", pub.mean(t["median"], t["count"])),
                ("Mean days", pub.mean(t["mean"], t["count"])),
                ("90th percentile days", pub.mean(t["p90"], t["count"])),
            ],
            label_width=0.45,
        ),
    )
    story += section(
        "Te mahi / Employment outcomes", *_counts(data["employment"], pub, "employment outcomes")
    )
    story += section(
        "Ngā tukunga / Referrals by kind and outcome", *_counts(data["referrals"], pub, "referrals")
    )

    n = data["network"]
    story += section(
        "Te kupenga tautoko / Network growth, intake to latest review",
        facts(
            [
                ("Clients with an intake and a later snapshot", pub.count(n["clients"], "net")),
                ("Network grew", pub.count(n["grew"], "net_grew")),
                ("Stayed the same size", pub.count(n["same"], "net_same")),
                ("Shrank", pub.count(n["shrank"], "net_shrank")),
                ("Mean network size at intake", pub.mean(n["mean_size_intake"], n["clients"])),
                (
                    "Mean network size at latest review",
                    pub.mean(n["mean_size_latest"], n["clients"]),
                ),
                (
                    "Mean supportive ties at intake",
                    pub.mean(n["mean_supportive_intake"], n["clients"]),
                ),
                (
                    "Mean supportive ties latest",
                    pub.mean(n["mean_supportive_latest"], n["clients"]),
                ),
            ],
            label_width=0.45,
        ),
    )
    lsns = data["lsns"]
    story += section(
        "LSNS-6 / Social connection, first to latest",
        facts(
            [
                ("Clients assessed at least twice", pub.count(lsns["clients"], "lsns")),
                ("Score improved", pub.count(lsns["improved"], "lsns_improved")),
                ("Mean first total", pub.mean(lsns["mean_first"], lsns["clients"])),
                ("Mean latest total", pub.mean(lsns["mean_latest"], lsns["clients"])),
                (
                    f"At risk of isolation (below {lsns['cutoff']}) first",
                    pub.count(lsns["at_risk_first"], "lsns_risk_first"),
                ),
                (
                    "At risk of isolation latest",
                    pub.count(lsns["at_risk_latest"], "lsns_risk_latest"),
                ),
            ],
            label_width=0.45,
        ),
    )
    if funder:
        story += section(
            "Confidentiality / Te tiaki mōhiotanga",
            para(
                confidentiality_footnote(has_sums=True)
                + f" “{SUPPRESSED}” marks a suppressed value."
            ),
        )
    progress(85)
    return build_pdf(frame, story, subject=f"{TITLE} {programme['id']}")


def _sum(pub: Publisher, amount: Decimal, count: int) -> str:
    if pub.funder and count < DEFAULT_RULES.sum_count_threshold:
        return SUPPRESSED
    return money(amount)


def _counts(tables, pub: Publisher, what: str) -> list:
    """A provider's count tables (protected for a funder), or "No … recorded"."""
    tables = [t for t in tables or [] if t.counts]
    if not tables:
        return [nothing_recorded(what)]
    out = []
    for counts in tables:
        if out:
            out.append(Spacer(1, 2 * mm))
        out.append(
            table(
                [counts.title, "Count"],
                [
                    [label, pub.count(int(value or 0), counts.title, label)]
                    for label, value in counts.counts.items()
                ],
                widths=[0.75, 0.25],
                numeric=[1],
            )
        )
    return out
