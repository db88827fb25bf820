"""The "my information" report (Privacy Act 2020, IPP 6): everything held, as PDF or JSON."""

import json
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from reportlab.platypus import Paragraph

from reporting.pdf.document import (
    PageFrame,
    build_pdf,
    facts,
    money,
    nothing_recorded,
    para,
    section,
    styles,
    table,
    text,
)

TITLE = "My information"
NZ_FORMAT = "%d %b %Y"


def render_my_information_json(data: dict) -> bytes:
    """The same records as the PDF, machine-readable, UTF-8 (macrons kept, not escaped)."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime(NZ_FORMAT + " %H:%M")
    if isinstance(value, date):
        return value.strftime(NZ_FORMAT)
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def render_my_information_pdf(data: dict, frame: PageFrame, progress=None) -> bytes:
    """Build the PDF copy of the client's information."""
    progress = progress or (lambda _: None)
    s = styles()
    c = data["client"]
    name = f"{c['preferred_name'] or c['legal_given_names']} {c['legal_family_name']}"
    story: list = [
        Paragraph(text(f"{TITLE} — {name}"), s.title),
        Paragraph(
            text(
                "Ōku mōhiotanga · A copy of the information held about you"
                " (Privacy Act 2020, IPP 6)"
            ),
            s.subtitle,
        ),
    ]
    story += section(
        "Ōu taipitopito / Your details",
        facts([(key.replace("_", " ").capitalize(), _show(value)) for key, value in c.items()]),
    )
    story += section(
        "Tōu whānau / Your whānau",
        _records(data["whanau"], ["whanau", "relationship", "is_primary_contact"]),
    )
    story += section(
        "Ngā take / Cases",
        _records(
            data["cases"],
            ["opened_at", "status", "closed_at", "closure_reason", "lead_caseworker", "summary"],
        ),
    )
    progress(30)
    story += section(
        "Ngā tuhipoka / Case notes",
        _records(data["notes"], ["occurred_at", "kind", "body"], widths=[0.18, 0.12, 0.7]),
    )
    story += section(
        "Te whakaaetanga / Consents",
        _records(
            data["consents"],
            ["purpose", "recipient", "given_at", "expires_at", "withdrawn_at", "state"],
        ),
    )
    story += section(
        "Ō whāinga / Goals",
        _records(data["goals"], ["pou", "description", "status", "target_date"]),
    )
    progress(50)
    story += section(
        "Tō kupenga tautoko / Your support network",
        _records(
            data["network_ties"],
            ["name", "tie_type", "strength", "quality", "started_on", "ended_on"],
        ),
    )
    story += section(
        "Ngā aromatawai / Assessments",
        _records(
            [{**a, "total": a["scores"].get("total")} for a in data["assessments"]],
            ["instrument", "administered_on", "stage", "total"],
        ),
    )
    story += section(
        "Te tautoko pūtea / Financial aid",
        _records(
            [{**r, "paid": (r["payment"] or {}).get("amount")} for r in data["aid_requests"]],
            ["programme", "category", "amount", "status", "decided_at", "paid"],
        ),
    )
    story += section(
        "Ngā utu whakahoki / Advances being repaid",
        _records(data["recoveries"], ["principal", "repaid", "balance", "status"]),
    )
    story += section(
        "Te mahi / Employment",
        _records(data["employment"], None, empty="employment plans or placements"),
    )
    story += section(
        "Ngā tukunga / Referrals", _records(data["referrals"], None, empty="referrals")
    )
    story += section("Mōhiohio kua puritia / Information withheld", para(data["withheld"]))
    progress(85)
    return build_pdf(frame, story, subject=f"{TITLE} {c['id']}")


def _records(rows: list[dict], columns: list[str] | None, *, widths=None, empty: str = "records"):
    if not rows:
        return nothing_recorded(empty)
    columns = columns or list(rows[0].keys())
    return table(
        [col.replace("_", " ").capitalize() for col in columns],
        [[_show(row.get(col)) for col in columns] for row in rows],
        widths=widths or [1 / len(columns)] * len(columns),
    )
