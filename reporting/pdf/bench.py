"""Rendering benchmarks for the report PDFs: fixed data, no database, figures for `make bench`.

Each function renders `n` documents after one warm-up render (so the font is
registered and its cached subsets built, as in a long-running worker) and
returns the median and 95th percentile time of one document in milliseconds
and how many documents one core renders per second. The targets live in the
benchmark suite and docs/PERFORMANCE.md, not here.
"""

import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from reporting import sections
from reporting.pdf.client_outcome import render_client_outcome
from reporting.pdf.document import PageFrame, build_pdf, facts, para, section, styles, title
from reporting.pdf.programme_outcome import TITLE as PROGRAMME_TITLE
from reporting.pdf.programme_outcome import render_programme_outcome

NZ = ZoneInfo("Pacific/Auckland")
PERIOD_END = date(2026, 11, 27)
PERIOD_START = PERIOD_END - timedelta(days=365)
GIVEN_NAMES = ["Aroha", "Mere", "Tamati", "Hēmi", "Ānaru", "Whetū", "Kiri", "Rāwiri"]
FAMILY_NAMES = ["Ngātai", "Pōmare", "Tūhoe", "Kāretu", "Te Huia", "Mātene", "Parata"]


def frame(title_text: str = "Client outcome report") -> PageFrame:
    """The page frame every benchmark document carries."""
    return PageFrame(
        title=title_text,
        agency_name="Te Whare Āwhina o Te Tai Tokerau",
        generated_by="Mere Pōmare",
        generated_at=datetime(2026, 11, 27, 9, 30, tzinfo=NZ),
    )


def one_page_story(name: str = "Aroha Ngātai") -> list:
    """A simple one-page report: a title, a details block and a paragraph."""
    return [
        title(f"Whakarāpopototanga / Summary — {name}"),
        *section(
            "Ngā kōrero mōu / About the client",
            facts(
                [
                    ("Name", name),
                    ("Region", "Te Tai Tokerau / Northland"),
                    ("Case", "Open since 3 Mar 2026"),
                    ("Kaiārahi", "Mere Pōmare"),
                ]
            ),
            para(
                "Kia ora. This page sums up the support you received this month: one hui with "
                "your whānau, a food grant of $120.25 and a referral to the Ōtautahi Clubhouse."
            ),
        ),
    ]


def render_one_page(name: str = "Aroha Ngātai") -> bytes:
    """Render the simple one-page report."""
    return build_pdf(frame("Summary"), one_page_story(name))


def client_outcome_sample(index: int = 0) -> dict:
    """Fixed data in the shape of `reporting.selectors.client_outcome_data` (a full report).

    Cases, a 10-event timeline, 5 goals, an aid table, employment and referral
    rows, an 8-tie ecomap and network and LSNS-6 series. `index` varies the
    name, as the members of a batch differ.
    """
    given = GIVEN_NAMES[index % len(GIVEN_NAMES)]
    family = FAMILY_NAMES[index % len(FAMILY_NAMES)]
    start = PERIOD_START
    ties = [
        ("Kuia Mereana", "Whānau", 5, "supportive", "Weekly"),
        ("Ōtautahi Clubhouse", "Clubhouse", 3, "mixed", "Weekly"),
        ("Hōhepa (brother)", "Whānau", 4, "supportive", "Daily"),
        ("Te Rūnanga o Ngāi Tahu", "Iwi / marae", 3, "supportive", "Monthly"),
        ("Work and Income", "Government service", 2, "stressful", "Monthly"),
        ("Peer support group", "Peer", 4, "supportive", "Weekly"),
        ("Aunty Rangi", "Whānau", 2, "mixed", "Fortnightly"),
        ("Netball club", "Community group", 3, "supportive", "Weekly"),
    ]
    return {
        "client": {
            "id": f"bench-{index}",
            "display_name": f"{given} {family}",
            "legal_name": f"{given} {family}",
            "preferred_name": given,
            "date_of_birth": date(1988, 3, 14),
            "gender": "Female",
            "region": "Canterbury / Waitaha",
            "nhi": "ZAC5361",
            "preferred_language": "Te reo Māori",
            "is_restricted": False,
            "identity_shown": True,
        },
        "agency_name": "Te Whare Āwhina o Te Tai Tokerau",
        "period_start": PERIOD_START,
        "period_end": PERIOD_END,
        "cases": [
            {
                "opened_on": start + timedelta(days=10),
                "closed_on": None,
                "status": "Active",
                "closure_reason": "",
                "for_whanau": False,
            },
            {
                "opened_on": start + timedelta(days=40),
                "closed_on": start + timedelta(days=200),
                "status": "Closed",
                "closure_reason": "Goals met",
                "for_whanau": True,
            },
        ],
        "timeline": [
            {
                "on": start + timedelta(days=10 + 30 * i),
                "what": f"Hui with whānau at the marae about housing, step {i + 1} — next hui set",
            }
            for i in range(10)
        ],
        "goals": [
            {
                "pou": pou,
                "pou_label": label,
                "description": description,
                "status": "In progress",
                "target_date": PERIOD_END,
                "progress": progress,
                "reviews_in_period": 2,
            }
            for pou, label, description, progress in (
                (1, "Self-managing and empowered leaders", "Budget each fortnight", 6),
                (2, "Leading healthy lifestyles", "Walk to the marae twice a week", 4),
                (3, "Participating fully in society", "Join the netball club", 7),
                (4, "Confidently participating in te ao Māori", "Kōrero Māori at home", 3),
                (5, "Economically secure", "Find steady mahi", 6),
            )
        ],
        "aid": {
            "rows": [
                {
                    "category": "food",
                    "label": "Food",
                    "approved_count": 2,
                    "approved": Decimal("370.75"),
                    "paid_count": 2,
                    "paid": Decimal("370.75"),
                },
                {
                    "category": "power",
                    "label": "Power and gas",
                    "approved_count": 1,
                    "approved": Decimal("400.00"),
                    "paid_count": 1,
                    "paid": Decimal("269.75"),
                },
            ],
            "total_approved": Decimal("770.75"),
            "total_paid": Decimal("640.50"),
        },
        "employment": sections.SectionRows(
            header=("Plan or placement", "Employer", "Started", "Status", "Sustained"),
            rows=[
                ("Employment plan", "—", "3 Mar 2026", "Active", "—"),
                ("Placement", "Kai Ora Café", "1 Jun 2026", "In work", "13 weeks ✓"),
            ],
        ),
        "referrals": sections.SectionRows(
            header=("Service", "Organisation", "Sent", "Status", "Outcome"),
            rows=[
                ("Whānau navigation", "Ōtautahi Recovery Trust", "3 Apr 2026", "Completed", "—"),
                ("Peer support group", "Te Whare Tiaki", "9 May 2026", "Engaged", "—"),
            ],
        ),
        "network": {
            "ties": [
                {
                    "label": label,
                    "tie_type": tie_type,
                    "strength": strength,
                    "quality": quality,
                    "contact": contact,
                    "since": start,
                }
                for label, tie_type, strength, quality, contact in ties
            ],
            "snapshots": [
                {
                    "taken_on": start + timedelta(days=90 * i),
                    "stage": "review",
                    "size": 4 + i,
                    "supportive_count": 2 + i,
                }
                for i in range(4)
            ],
            "lsns": [
                {
                    "on": start + timedelta(days=90 * i),
                    "total": 9 + 3 * i,
                    "stage": "review",
                    "isolation_risk": i < 1,
                }
                for i in range(4)
            ],
        },
    }


def render_client_outcome_sample(index: int = 0) -> bytes:
    """Render one full client outcome report from the fixed data."""
    return render_client_outcome(client_outcome_sample(index), frame())


PROGRAMME_NAMES = ["Te Puna Oranga", "Whānau Ora Tūāpapa", "Mahi Tahi", "Kāinga Haumaru"]
# (category, label, approved count, approved NZD, paid count, paid NZD) over the period. Small
# categories sit below the publication thresholds, so a funder copy suppresses some cells.
PROGRAMME_AID = [
    ("food", "Food", 412, Decimal("61800.00"), 405, Decimal("60720.50")),
    (
        "accommodation",
        "Accommodation costs / bond",
        58,
        Decimal("69600.00"),
        55,
        Decimal("65890.00"),
    ),
    ("rent_arrears", "Rent arrears", 37, Decimal("27750.00"), 35, Decimal("26180.00")),
    ("power", "Power / utilities", 164, Decimal("49200.00"), 160, Decimal("47910.25")),
    ("medical", "Medical / dental", 41, Decimal("20500.00"), 39, Decimal("19380.00")),
    ("transport", "Transport", 96, Decimal("14400.00"), 94, Decimal("14045.00")),
    ("education", "Education & training", 12, Decimal("7800.00"), 11, Decimal("7150.00")),
    ("furniture", "Furniture / whiteware", 29, Decimal("20300.00"), 27, Decimal("18840.00")),
    ("tangihanga", "Tangihanga / funeral", 4, Decimal("6000.00"), 4, Decimal("6000.00")),
    ("clothing", "Clothing", 18, Decimal("3600.00"), 18, Decimal("3585.00")),
]
# How the year's aid spreads over the months (winter power, the Christmas and Matariki peaks);
# the first and last months of the period are part months.
MONTH_WEIGHTS = [0.4, 1.3, 1.0, 0.9, 1.0, 1.1, 1.2, 1.4, 1.3, 1.1, 0.9, 1.0, 0.8]


def _months(start: date, end: date) -> list[date]:
    """The first day of each calendar month from `start`'s to `end`'s."""
    months, cursor = [], start.replace(day=1)
    while cursor <= end:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def _spread(total, weights: list[float]) -> list:
    """Split `total` (counts or dollars) over `weights`; the last share takes the rounding."""
    whole = sum(weights)
    if isinstance(total, Decimal):
        shares = [(total * Decimal(str(w / whole))).quantize(Decimal("0.01")) for w in weights]
    else:
        shares = [round(total * w / whole) for w in weights]
    shares[-1] = total - sum(shares[:-1])
    return shares


def programme_outcome_sample(index: int = 0) -> dict:
    """Fixed data in the shape of `reporting.selectors.programme_outcome_data` (a full report).

    A financial aid programme over a year: ten aid categories, 13 months of
    aid against two fiscal years' budgets (programme-wide and the agency's
    own, which sets the monthly budget), approval turnaround, employment and
    referral count tables, network and LSNS-6 change. `index` varies the
    programme's name, as successive jobs differ.
    """
    months = _months(PERIOD_START, PERIOD_END)
    weights = MONTH_WEIGHTS[: len(months)]
    approved_count = _spread(sum(row[2] for row in PROGRAMME_AID), weights)
    approved = _spread(sum((row[3] for row in PROGRAMME_AID), Decimal("0.00")), weights)
    paid_count = _spread(sum(row[4] for row in PROGRAMME_AID), weights)
    paid = _spread(sum((row[5] for row in PROGRAMME_AID), Decimal("0.00")), weights)
    # The agency's own allocations, which set its monthly budget (a twelfth of the year's).
    allocated = {2025: Decimal("300000.00"), 2026: Decimal("312000.00")}
    aid_by_month = [
        {
            "month": month,
            "approved": approved[i],
            "approved_count": approved_count[i],
            "paid": paid[i],
            "paid_count": paid_count[i],
            "budget": (allocated[month.year if month.month >= 7 else month.year - 1] / 12).quantize(
                Decimal("0.01")
            ),
        }
        for i, month in enumerate(months)
    ]
    agency = "Te Whare Āwhina o Te Tai Tokerau"
    return {
        "programme": {
            "id": f"00000000-0000-4000-8000-{index:012d}",
            "name": f"{PROGRAMME_NAMES[index % len(PROGRAMME_NAMES)]} Hardship Fund",
            "funder": "Te Manatū Whakahiato Ora / Ministry of Social Development",
            "kind": "Financial aid",
        },
        "agency_name": agency,
        "period_start": PERIOD_START,
        "period_end": PERIOD_END,
        "clients_served": 486,
        "served_client_ids": [],
        "aid_by_category": [
            {
                "category": category,
                "label": label,
                "approved_count": a_count,
                "approved": a_sum,
                "paid_count": p_count,
                "paid": p_sum,
            }
            for category, label, a_count, a_sum, p_count, p_sum in PROGRAMME_AID
        ],
        "aid_by_month": aid_by_month,
        "budgets": [
            {
                "fiscal_year": "2025/26",
                "scope": "All agencies",
                "allocated": Decimal("1200000.00"),
                "committed": Decimal("0.00"),
                "paid": Decimal("1153208.45"),
                "available": Decimal("46791.55"),
            },
            {
                "fiscal_year": "2025/26",
                "scope": agency,
                "allocated": allocated[2025],
                "committed": Decimal("0.00"),
                "paid": Decimal("289412.60"),
                "available": Decimal("10587.40"),
            },
            {
                "fiscal_year": "2026/27",
                "scope": "All agencies",
                "allocated": Decimal("1248000.00"),
                "committed": Decimal("41300.00"),
                "paid": Decimal("437906.10"),
                "available": Decimal("768793.90"),
            },
            {
                "fiscal_year": "2026/27",
                "scope": agency,
                "allocated": allocated[2026],
                "committed": Decimal("9850.00"),
                "paid": Decimal("102647.30"),
                "available": Decimal("199502.70"),
            },
        ],
        "turnaround": {"count": 851, "median": 1.8, "mean": 2.6, "p90": 5.9},
        "decisions_recorded": 851,
        "employment": [
            sections.SectionCounts(
                title="Placements and sustained work",
                counts={
                    "Placements started": 38,
                    "Wage-subsidised": 14,
                    "In work at 4 weeks": 33,
                    "Sustained at 13 weeks": 26,
                    "Sustained at 26 weeks": 17,
                },
            ),
            sections.SectionCounts(
                title="Check-ins recorded",
                counts={"4-week check-ins": 36, "13-week check-ins": 30, "26-week check-ins": 21},
            ),
            sections.SectionCounts(
                title="Placements ended, by reason",
                counts={
                    "Fixed term finished": 6,
                    "Moved to another job": 4,
                    "Resigned": 3,
                    "Health": 2,
                    "Dismissed": 1,
                },
            ),
        ],
        "referrals": [
            sections.SectionCounts(
                title="Referrals by kind of service",
                counts={
                    "Whānau support": 61,
                    "Cultural connection": 24,
                    "Peer support": 18,
                    "Mental health": 22,
                    "Housing": 47,
                    "Food": 35,
                    "Budgeting and financial mentoring": 52,
                    "Employment": 29,
                    "Legal": 4,
                },
            ),
            sections.SectionCounts(
                title="Referrals by kind of organisation",
                counts={
                    "Iwi provider": 58,
                    "Kaupapa Māori service": 41,
                    "Marae": 17,
                    "Peer support": 18,
                    "Budgeting service": 52,
                    "Housing": 47,
                    "Government service": 59,
                },
            ),
            sections.SectionCounts(
                title="Referrals by outcome",
                counts={
                    "Waiting for a reply": 23,
                    "Accepted or taking part": 104,
                    "Completed": 96,
                    "Declined": 31,
                    "Closed without completing": 22,
                    "Withdrawn": 16,
                },
            ),
            sections.SectionCounts(
                title="Referrals that strengthened a support network",
                counts={"Referrals sent": 292, "Added a tie to the client's support network": 88},
            ),
        ],
        "network": {
            "clients": 214,
            "grew": 131,
            "same": 58,
            "shrank": 25,
            "mean_size_intake": 4.2,
            "mean_size_latest": 6.1,
            "mean_supportive_intake": 2.3,
            "mean_supportive_latest": 3.9,
        },
        "lsns": {
            "clients": 176,
            "improved": 109,
            "mean_first": 10.4,
            "mean_latest": 13.7,
            "at_risk_first": 97,
            "at_risk_latest": 58,
            "cutoff": 12,
        },
    }


def render_programme_outcome_sample(index: int = 0, *, funder: bool = False) -> bytes:
    """Render one programme outcome report from the fixed data.

    The internal copy draws the monthly chart; the funder copy protects
    every count (RR3 and suppression, seeded per job as a real job is) and
    adds the confidentiality note instead.
    """
    return render_programme_outcome(
        programme_outcome_sample(index),
        frame(PROGRAMME_TITLE),
        funder=funder,
        seed=f"bench-seed-{index}",
    )


def _timed(render: Callable[[int], bytes], n: int) -> dict:
    """Time `n` renders: wall-clock median and p95, and documents per second.

    `per_second` is wall-clock; `cpu_per_second` counts only this process's
    CPU time, which is the per-core figure when other work shares the machine.
    """
    render(0)  # warm-up: font registered and its common subset built, as in a worker
    times, cpu_times = [], []
    size = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for index in range(max(n, 1)):
        t0, c0 = time.perf_counter(), time.process_time()
        size = len(render(index))
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(times),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "cpu_median_ms": round(statistics.median(cpu_times) * 1000, 2),
        "per_second": round(len(times) / wall, 1) if wall > 0 else 0.0,
        "cpu_per_second": round(len(times) / cpu, 1) if cpu > 0 else 0.0,
        "bytes": size,
    }


def bench_one_page(n: int = 500) -> dict:
    """Simple one-page reports (title, details block, paragraph) rendered back to back."""
    return _timed(
        lambda i: render_one_page(f"{GIVEN_NAMES[i % 8]} {FAMILY_NAMES[i % 7]}"),
        n,
    )


def bench_client_outcome(n: int = 50) -> dict:
    """The full client outcome report with its charts, the same client every time."""
    return _timed(lambda _: render_client_outcome_sample(0), n)


def bench_batch(n: int = 100) -> dict:
    """A batch as one worker renders it: full client outcome reports for different clients."""
    return _timed(render_client_outcome_sample, n)


def bench_programme_outcome(n: int = 20, *, funder: bool = False) -> dict:
    """Programme outcome reports back to back, the internal copy with its chart by default.

    With `funder` the copies for the funder are rendered instead: no chart,
    but every count and sum goes through the confidentiality rules.
    """
    return _timed(lambda i: render_programme_outcome_sample(i, funder=funder), n)


def main() -> None:  # pragma: no cover - a manual entry point
    """Print the figures.

    python manage.py shell -c "from reporting.pdf.bench import main; main()"
    """
    styles()
    for name, bench in (
        ("one page", bench_one_page),
        ("client outcome", bench_client_outcome),
        ("batch", bench_batch),
        ("programme", bench_programme_outcome),
        ("programme funder", lambda: bench_programme_outcome(funder=True)),
    ):
        print(f"{name:16} {bench()}")
