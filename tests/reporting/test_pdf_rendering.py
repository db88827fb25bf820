"""The PDF layer without the database: the embedded font, its reused subsets, tables, benchmarks."""

import functools
import io

import pytest
from django.conf import settings
from pypdf import PdfReader

from config.celery import app
from reporting import fonts
from reporting.pdf import bench
from reporting.pdf.document import CONTENT_WIDTH, auto_widths, build_pdf, display, table, title


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def font_names(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def embedded_programs(content: bytes) -> list[bytes]:
    programs = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/FontDescriptor"].get_object()
            programs.append(descriptor["/FontFile2"].get_object().get_data())
    return programs


def test_macrons_are_real_text_in_an_embedded_font_and_no_standard_font_is_used():
    content = bench.render_one_page("Ānaru Kāretu")
    assert content.startswith(b"%PDF")
    text = text_of(content)
    assert "Ānaru Kāretu" in text
    assert "Whakarāpopototanga / Summary" in text
    names = font_names(content)
    assert names
    assert all("DejaVuSans" in name for name in names), names
    assert all(program for program in embedded_programs(content))


def test_the_first_font_subset_is_the_same_bytes_in_every_document():
    first = embedded_programs(bench.render_one_page("Aroha Ngātai"))
    second = embedded_programs(bench.render_one_page("Hēmi Pōmare"))
    assert first == second


def test_characters_beyond_the_fixed_subset_still_render_and_extract():
    # Letters outside the fixed set extend the first subset; past 256 codes a second begins.
    latin = "".join(chr(c) for c in range(0x0100, 0x0180))  # Latin Extended-A
    greek = "".join(chr(c) for c in range(0x03B1, 0x03CA))  # α … ω
    content = build_pdf(
        bench.frame("Rare letters"), [title(f"Ōkārito Ẁ {latin}"), title(f"Kupu {greek}")]
    )
    text = text_of(content)
    assert "Ōkārito" in text
    assert "ŋ" in text
    assert "ſ" in text
    assert "αβγ" in text
    assert "ω" in text  # well past 256 codes: in the font's second subset


def test_one_page_renders_a_single_page_with_its_footer():
    reader = PdfReader(io.BytesIO(bench.render_one_page()))
    assert len(reader.pages) == 1
    assert "Page 1 of 1" in reader.pages[0].extract_text()


def test_client_outcome_sample_renders_every_section_with_macrons():
    content = bench.render_client_outcome_sample(3)
    text = " ".join(text_of(content).split())
    for words in (
        "Hēmi Kāretu",
        "Ō mātou whāinga / Goals",
        "$770.75",
        "$640.50",
        "Ngā tukunga / Referrals and their outcomes",
        "Ōtautahi Recovery Trust",
        "Te Rūnanga o Ngāi Tahu",
        "Network and LSNS-6 over time",
    ):
        assert words in text, words


def test_tables_keep_short_cells_as_plain_text_and_wrap_long_ones():
    long_text = "A very long description of a goal that cannot fit in a narrow column " * 2
    built = table(["Goal", "Status"], [[long_text, "Open"]], widths=[0.2, 0.8])
    assert isinstance(built._cellvalues[1][1], str)
    assert not isinstance(built._cellvalues[1][0], str)  # a wrapping Paragraph


def test_auto_widths_fill_the_page_and_keep_dates_whole():
    header = ("Service", "Organisation", "Referred", "Outcome")
    rows = [("Whānau navigation", "Ōtautahi Recovery Trust", "28 Nov 2026", "Declined: " * 30)]
    widths = auto_widths(header, rows)
    assert sum(widths) == pytest.approx(1.0)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    assert widths[2] * CONTENT_WIDTH >= stringWidth("28 Nov 2026", fonts.REGULAR, 8.5)
    assert widths[3] == max(widths)


def test_display_formats_plain_values():
    from datetime import date
    from decimal import Decimal

    assert display(None) == "—"
    assert display(date(2026, 3, 3)) == "03 Mar 2026"
    assert display(True) == "Yes"
    assert display(Decimal("20.50")) == "20.50"
    assert display(["a", "b"]) == "a, b"
    from datetime import UTC, datetime

    assert display(datetime(2026, 3, 2, 21, 30, tzinfo=UTC)) == "03 Mar 2026 10:30"


def test_programme_outcome_sample_renders_the_internal_copy_with_its_chart():
    content = bench.render_programme_outcome_sample(1)
    reader = PdfReader(io.BytesIO(content))
    assert content.startswith(b"%PDF")
    assert reader.metadata.title == "Programme outcome report"
    assert len(reader.pages) == 4
    text = " ".join(text_of(content).split())
    for words in (
        "Programme outcome report — Whānau Ora Tūāpapa Hardship Fund",
        "· Internal",
        "Te tautoko pūtea / Aid approved and paid by category",
        "$269,700.75",
        "Ia marama / By month against budget",
        "Aid approved and paid each month, against the budget",  # the chart's heading
        "Budgets of the fiscal years in the period",
        "Te mahi / Employment outcomes",
        "Sustained at 26 weeks",
        "Ngā tukunga / Referrals by kind and outcome",
        "Kaupapa Māori service",
        "LSNS-6 / Social connection, first to latest",
        "Page 4 of 4",
    ):
        assert words in text, words
    assert "Confidentiality / Te tiaki mōhiotanga" not in text


def test_programme_outcome_sample_for_the_funder_suppresses_small_cells_and_has_no_chart():
    content = bench.render_programme_outcome_sample(0, funder=True)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 3
    text = " ".join(text_of(content).split())
    assert "Programme outcome report — Te Puna Oranga Hardship Fund" in text
    assert "For the funder" in text
    # Four tangihanga grants are below the count threshold: count and sums suppressed.
    assert "Tangihanga / funeral S S S S" in text
    assert "Confidentiality / Te tiaki mōhiotanga" in text
    assert "randomly rounded to base 3" in text
    assert "Aid approved and paid each month, against the budget" not in text


def test_programme_outcome_months_add_up_to_the_categories():
    data = bench.programme_outcome_sample(0)
    months, categories = data["aid_by_month"], data["aid_by_category"]
    assert len(months) == 13
    for field in ("approved", "approved_count", "paid", "paid_count"):
        assert sum(m[field] for m in months) == sum(c[field] for c in categories), field


@pytest.mark.parametrize(
    "bench_function",
    [
        bench.bench_one_page,
        bench.bench_client_outcome,
        bench.bench_batch,
        bench.bench_programme_outcome,
        functools.partial(bench.bench_programme_outcome, funder=True),
    ],
)
def test_benchmarks_return_sane_figures_quickly(bench_function):
    figures = bench_function(2)
    assert figures["n"] == 2
    assert figures["median_ms"] > 0
    assert figures["p95_ms"] >= figures["median_ms"]
    assert figures["per_second"] > 0
    assert figures["cpu_per_second"] > 0
    assert figures["bytes"] > 10_000


def test_beat_schedule_names_real_tasks():
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["reap-stale-report-jobs"]["task"] == "reporting.reap_stale_report_jobs"
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
        assert entry["schedule"] > 0


def test_a_crowded_ecomap_shortens_long_labels_and_still_renders():
    data = bench.client_outcome_sample(0)
    data["network"]["ties"] = [
        {
            "label": f"Te Rōpū Tautoko o Ngā Mātua me Ngā Tamariki {index}",
            "tie_type": "Community group",
            "strength": 1 + index % 5,
            "quality": ("supportive", "mixed", "stressful")[index % 3],
            "contact": "Weekly",
            "since": bench.PERIOD_START,
        }
        for index in range(20)
    ]
    from reporting.pdf.client_outcome import render_client_outcome

    text = " ".join(text_of(render_client_outcome(data, bench.frame())).split())
    assert "Te Rōpū Tautoko o Ngā Mātua me Ngā Tamariki 19" in text  # in the table, whole
    assert "…" in text  # on the map, shortened
