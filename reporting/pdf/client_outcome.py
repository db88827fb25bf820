"""The client outcome report (A4 PDF) from `reporting.selectors.client_outcome_data`."""

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from reporting.pdf import charts
from reporting.pdf.document import (
    PageFrame,
    auto_widths,
    build_pdf,
    display,
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

TITLE = "Client outcome report"


def _day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def render_client_outcome(data: dict, frame: PageFrame, progress=None) -> bytes:
    """Build the PDF; `progress(percent)` is called as sections are laid out."""
    progress = progress or (lambda _: None)
    s = styles()
    client = data["client"]
    story: list = [
        Paragraph(text(f"{TITLE} — {client['display_name']}"), s.title),
        Paragraph(
            text(f"Pūrongo putanga · {_day(data['period_start'])} to {_day(data['period_end'])}"),
            s.subtitle,
        ),
    ]
    details = [("Name", client["display_name"])]
    if client["identity_shown"]:
        details += [
            ("Legal name", client["legal_name"]),
            ("Date of birth", _day(client["date_of_birth"])),
            ("NHI", client["nhi"] or "—"),
        ]
    details += [("Gender", client["gender"]), ("Region", client["region"])]
    if client["preferred_language"]:
        details.append(("Preferred language", client["preferred_language"]))
    if not client["identity_shown"]:
        details.append(("Note", "Identifying details are restricted and not shown."))
    story += section("Ngā kōrero mōu / About the client", facts(details))

    if data["cases"]:
        cases = table(
            ["Opened", "Status", "Closed", "Reason", "For"],
            [
                [
                    _day(c["opened_on"]),
                    c["status"],
                    _day(c["closed_on"]),
                    c["closure_reason"] or "—",
                    "Whānau" if c["for_whanau"] else "Client",
                ]
                for c in data["cases"]
            ],
            widths=[0.17, 0.17, 0.17, 0.34, 0.15],
        )
    else:
        cases = nothing_recorded("cases")
    story += section("Ngā take / Cases", cases)
    timeline = (
        table(
            ["Date", "What happened"],
            [[_day(item["on"]), item["what"]] for item in data["timeline"]],
            widths=[0.17, 0.83],
        )
        if data["timeline"]
        else nothing_recorded("case events")
    )
    story += section("Te rārangi wā / Case timeline", timeline)
    progress(30)

    goals = (
        table(
            ["Whānau Ora pou (domain)", "Goal", "Status", "Progress"],
            [
                [
                    g["pou_label"],
                    g["description"],
                    g["status"],
                    f"{g['progress']}/10" if g["progress"] is not None else "Not reviewed",
                ]
                for g in data["goals"]
            ],
            widths=[0.3, 0.4, 0.15, 0.15],
            numeric=[3],
        )
        if data["goals"]
        else nothing_recorded("goals")
    )
    story += section("Ō mātou whāinga / Goals", goals)

    aid = data["aid"]
    if aid["rows"]:
        rows = [
            [
                r["label"],
                r["approved_count"],
                money(r["approved"]),
                r["paid_count"],
                money(r["paid"]),
            ]
            for r in aid["rows"]
        ]
        rows.append(
            [
                "Total",
                sum(r["approved_count"] for r in aid["rows"]),
                money(aid["total_approved"]),
                sum(r["paid_count"] for r in aid["rows"]),
                money(aid["total_paid"]),
            ]
        )
        aid_table = table(
            ["Category", "Approved", "Approved (NZD)", "Payments", "Paid (NZD)"],
            rows,
            widths=[0.32, 0.14, 0.19, 0.16, 0.19],
            numeric=[1, 2, 3, 4],
            total_row=True,
        )
    else:
        aid_table = nothing_recorded("financial aid")
    story += section("Te tautoko pūtea / Financial aid received", aid_table)
    progress(50)

    story += section(
        "Te mahi / Employment plan and placements",
        *_provided(data["employment"], "employment plans or placements"),
    )
    story += section(
        "Ngā tukunga / Referrals and their outcomes", *_provided(data["referrals"], "referrals")
    )

    network = data["network"]
    intro = para(
        "The ecomap shows the people and groups in the client's life at the end of the "
        "period. Thicker lines are stronger ties; colour shows whether a tie is "
        "supportive, mixed or stressful."
    )
    if network["ties"]:
        # The explanation and the map it explains share a page.
        story += section(
            "Te kupenga tautoko / Support network",
            keep(intro, charts.ecomap(network["ties"], centre_label=client["display_name"])),
        )
        story.append(
            table(
                ["Who", "Type", "Strength", "Quality", "Contact", "Since"],
                [
                    [
                        t["label"],
                        t["tie_type"],
                        f"{t['strength']}/5",
                        t["quality"].title(),
                        t["contact"],
                        _day(t["since"]),
                    ]
                    for t in network["ties"]
                ],
                widths=[0.26, 0.17, 0.13, 0.13, 0.14, 0.17],
                numeric=[2],
            )
        )
    else:
        story += section(
            "Te kupenga tautoko / Support network", nothing_recorded("current network ties")
        )
    progress(70)
    trend = _trend(network)
    if trend is not None:
        story.append(Spacer(1, 3 * mm))
        story.append(keep(Paragraph("<b>Network and LSNS-6 over time</b>", s.subheading), trend))
        story.append(
            para(
                "LSNS-6 (Lubben Social Network Scale) runs from 0 to 30; a total below "
                "the cut-off suggests a risk of social isolation.",
                s.small,
            )
        )
    progress(85)
    return build_pdf(frame, story, subject=f"{TITLE} {client['id']}")


def _provided(rows, what: str) -> list:
    """A section provider's table, or "No … recorded" when there is none or it is empty."""
    if rows is None or not rows.rows or not rows.header:
        return [nothing_recorded(what)]
    columns = len(rows.header)
    # Rows are padded or cut to the header, so a provider's short row cannot break the table.
    shown = [[display(v) for v in (list(row) + [None] * columns)[:columns]] for row in rows.rows]
    return [table(list(rows.header), shown, widths=auto_widths(rows.header, shown))]


def _trend(network: dict):
    series = []
    if network["snapshots"]:
        series.append(("Network size", [(s["taken_on"], s["size"]) for s in network["snapshots"]]))
        series.append(
            (
                "Supportive ties",
                [(s["taken_on"], s["supportive_count"]) for s in network["snapshots"]],
            )
        )
    if network["lsns"]:
        series.append(("LSNS-6 total", [(a["on"], a["total"]) for a in network["lsns"]]))
    if not series:
        return None
    return charts.time_series(series)
