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


def main() -> None:  # pragma: no cover - a manual entry point
    """Print the three figures.

    python manage.py shell -c "from reporting.pdf.bench import main; main()"
    """
    styles()
    for name, bench in (
        ("one page", bench_one_page),
        ("client outcome", bench_client_outcome),
        ("batch", bench_batch),
    ):
        print(f"{name:15} {bench()}")
