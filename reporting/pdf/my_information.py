"""The "my information" report (Privacy Act 2020, IPP 6): everything held, as PDF or JSON."""

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from reportlab.platypus import Paragraph

from casework.models import (
    Assessment,
    Case,
    CaseNote,
    Client,
    Consent,
    Goal,
    NetworkTie,
    WhanauMember,
)
from programs.models import AidRequest, Recovery
from reporting.pdf.document import (
    PageFrame,
    auto_widths,
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
NZ = ZoneInfo("Pacific/Auckland")


def render_my_information_json(data: dict) -> bytes:
    """The same records as the PDF, machine-readable, UTF-8 (macrons kept, not escaped)."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


# Codes in the data (kept as codes in the JSON copy) shown with their labels in the PDF.
_MODELS = {
    "client": Client,
    "whanau": WhanauMember,
    "cases": Case,
    "notes": CaseNote,
    "consents": Consent,
    "goals": Goal,
    "network_ties": NetworkTie,
    "assessments": Assessment,
    "aid_requests": AidRequest,
    "recoveries": Recovery,
}
_LABELS_OF_FIELDS = {
    "nhi": "NHI",
    "iwi_codes": "Iwi (codes)",
    "ethnicity_codes": "Ethnicity (codes)",
}


def _choices(section: str) -> dict[str, dict]:
    model = _MODELS.get(section)
    if model is None:
        return {}
    return {
        f.name: {str(k): v for k, v in f.flatchoices}
        for f in model._meta.get_fields()
        if getattr(f, "choices", None)
    }


def _labelled(section: str, rows: list[dict]) -> list[dict]:
    """`rows` with coded values replaced by their labels ("moved_away" → "Moved away")."""
    choices = _choices(section)
    return [
        {
            key: choices[key].get(str(value), value)
            if key in choices and isinstance(value, str | int) and not isinstance(value, bool)
            else value
            for key, value in row.items()
        }
        for row in rows
    ]


def _heading_of(field: str) -> str:
    if field in _LABELS_OF_FIELDS:
        return _LABELS_OF_FIELDS[field]
    # Keys from a section provider are headings already ("Service", "Shared with …").
    return field.replace("_", " ").capitalize() if field.islower() else field


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        # Stored in UTC; a person reads New Zealand time.
        if value.tzinfo is not None:
            value = value.astimezone(NZ)
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
        facts(
            [(_heading_of(key), _show(value)) for key, value in _labelled("client", [c])[0].items()]
        ),
    )
    story += section(
        "Tōu whānau / Your whānau",
        _records(
            "whanau",
            data["whanau"],
            ["whanau", "relationship", "is_primary_contact"],
            empty="whānau records",
        ),
    )
    story += section(
        "Ngā take / Cases",
        _records(
            "cases",
            data["cases"],
            ["opened_at", "status", "closed_at", "closure_reason", "lead_caseworker", "summary"],
            empty="cases",
        ),
    )
    progress(30)
    story += section(
        "Ngā tuhipoka / Case notes",
        _records(
            "notes",
            data["notes"],
            ["occurred_at", "kind", "body"],
            widths=[0.2, 0.14, 0.66],
            empty="case notes",
        ),
    )
    story += section(
        "Te whakaaetanga / Consents",
        _records(
            "consents",
            data["consents"],
            ["purpose", "recipient", "given_at", "expires_at", "withdrawn_at", "state"],
            empty="consents",
        ),
    )
    story += section(
        "Ō whāinga / Goals",
        _records(
            "goals", data["goals"], ["pou", "description", "status", "target_date"], empty="goals"
        ),
    )
    progress(50)
    story += section(
        "Tō kupenga tautoko / Your support network",
        _records(
            "network_ties",
            data["network_ties"],
            ["name", "tie_type", "strength", "quality", "started_on", "ended_on"],
            empty="support network ties",
        ),
    )
    story += section(
        "Ngā aromatawai / Assessments",
        _records(
            "assessments",
            [{**a, "total": a["scores"].get("total")} for a in data["assessments"]],
            ["instrument", "administered_on", "stage", "total"],
            empty="assessments",
        ),
    )
    story += section(
        "Te tautoko pūtea / Financial aid",
        _records(
            "aid_requests",
            [{**r, "paid": (r["payment"] or {}).get("amount")} for r in data["aid_requests"]],
            ["programme", "category", "amount", "status", "decided_at", "paid"],
            empty="financial aid requests",
        ),
    )
    story += section(
        "Ngā utu whakahoki / Advances being repaid",
        _records(
            "recoveries",
            data["recoveries"],
            ["principal", "repaid", "balance", "status"],
            empty="advances",
        ),
    )
    story += section(
        "Te mahi / Employment",
        _records("employment", data["employment"], None, empty="employment plans or placements"),
    )
    story += section(
        "Ngā tukunga / Referrals", _records("referrals", data["referrals"], None, empty="referrals")
    )
    story += section("Mōhiohio kua puritia / Information withheld", para(data["withheld"]))
    progress(85)
    return build_pdf(frame, story, subject=f"{TITLE} {c['id']}")


def _records(
    section_name: str,
    rows: list[dict],
    columns: list[str] | None,
    *,
    widths=None,
    empty: str = "records",
):
    """One kind of record as a table (codes shown as labels), or a line saying none is held."""
    if not rows:
        return nothing_recorded(empty, in_period=False)
    columns = columns or list(rows[0].keys())
    header = [_heading_of(col) for col in columns]
    shown = [[_show(row.get(col)) for col in columns] for row in _labelled(section_name, rows)]
    return table(header, shown, widths=widths or auto_widths(header, shown))
