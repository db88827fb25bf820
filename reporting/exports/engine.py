"""The export engine: stream each table of a definition through its writer, applying the rules.

Row-level tables are read and written a chunk at a time. Aggregate tables
are counted from the same row sources and published through
reporting.confidentiality (RR3 and suppression, the one implementation).
Data-governance flags (governance.py) remove rows or iwi columns first, and
every exclusion is written into the export's summary.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

import pandas as pd

from core.nz.iwi import iwi_label
from reporting.confidentiality import ConfidentialityRules, protect_table
from reporting.exports.definitions import Column, ExportDefinition, Table
from reporting.exports.governance import GovernancePlan, governance_plan
from reporting.exports.sources import DIMENSION_VALUES, SOURCES, ExportContext, clients_in_scope
from reporting.exports.writers import typed_frame, writer_for

TOTAL = "Total"


@dataclass
class BuildResult:
    """The built file and what the register records about it."""

    path: Path
    extension: str
    row_counts: dict
    figures: dict
    summary: dict


def _governed(rows: list[tuple], plan: GovernancePlan) -> tuple[list[tuple], int]:
    """Drop rows a flag forbids (their `_client_id` or `_whanau_id` is excluded)."""
    clients, whanau = plan.excluded_clients, plan.excluded_whanau
    if not clients and not whanau:
        return rows, 0
    kept = [row for row in rows if row[0] not in clients and row[1] not in whanau]
    return kept, len(rows) - len(kept)


def _picker(source_columns: tuple[str, ...], columns: list[Column]) -> Callable[[tuple], tuple]:
    """A function taking a source row to the table's columns, in the dictionary's order."""
    indexes = [source_columns.index(column.name) for column in columns]
    if len(indexes) == 1:
        index = indexes[0]
        return lambda row: (row[index],)
    return itemgetter(*indexes)


def _columns(table: Table, drop_iwi: bool) -> list[Column]:
    return [c for c in table.columns if not (drop_iwi and c.iwi)]


def _dictionary(tables: list[tuple[Table, list[Column]]]) -> list[dict]:
    return [
        {"table": table.name, "column": c.name, "type": c.dtype, "description": c.description}
        for table, columns in tables
        for c in columns
    ]


def _iwi_name(code: str) -> str:
    try:
        return iwi_label(code)
    except ValueError:
        # A code from a newer classification than this list: publish the code itself.
        return code


class RawCounts:
    """Raw counts for aggregate tables, gathered in one pass over a row source."""

    def __init__(self):
        self.cells: dict[str, Counter] = defaultdict(Counter)
        self.sums: dict[str, dict] = defaultdict(lambda: defaultdict(Decimal))
        self.rows = 0
        self.excluded = 0


def _count_source(name: str, ctx: ExportContext, plan: GovernancePlan) -> RawCounts:
    counts = RawCounts()
    source = SOURCES[name]
    at = {column: index for index, column in enumerate(source.columns)}
    for rows in source.chunks(ctx):
        rows, dropped = _governed(rows, plan)
        counts.excluded += dropped
        counts.rows += len(rows)
        if name == "clients":
            for dimension in ("ethnicity", "age_band", "gender", "region"):
                index = at[dimension]
                counts.cells[dimension].update(row[index] for row in rows)
            index = at["iwi"]
            for row in rows:
                if row[index] is not None:
                    counts.cells["iwi"].update(_iwi_name(code) for code in row[index].split(";"))
        elif name == "aid_payments":
            category, amount = at["category"], at["amount"]
            counts.cells["category"].update(row[category] for row in rows)
            for row in rows:
                counts.sums["category"][row[category]] += row[amount]
        elif name == "referrals":
            index = at["status"]
            counts.cells["outcome"].update(row[index] for row in rows)
        elif name == "placements":
            index = at["outcome"]
            counts.cells["placement_outcome"].update(row[index] for row in rows)
    return counts


def publish_aggregate(table: Table, counts: "RawCounts", *, seed: str, rules: ConfidentialityRules):
    """Apply the Stats NZ output rules (reporting.confidentiality) to one aggregate table."""
    dimension = table.dimensions[0]
    observed = counts.cells[dimension]
    values = DIMENSION_VALUES.get(dimension) or sorted(observed)
    values += sorted(set(observed) - set(values))
    raw = pd.DataFrame({dimension: values, "count": [observed[v] for v in values]})
    for column in table.sum_columns:
        raw[column] = [counts.sums[dimension].get(v, Decimal("0.00")) for v in values]
    if raw.empty:
        raw = pd.DataFrame({dimension: pd.Series(dtype=object), "count": pd.Series(dtype=int)})
        for column in table.sum_columns:
            raw[column] = pd.Series(dtype=object)
    return protect_table(
        raw,
        dimensions=[dimension],
        sum_columns=list(table.sum_columns),
        rules=rules,
        # Each table draws its own rounding: tables with equal totals stay independent.
        seed=f"{seed}:{table.name}",
        total_label=TOTAL,
    )


def _figures_of(table: Table, frame: pd.DataFrame) -> dict:
    dimension = table.dimensions[0]
    figures = {}
    for record in frame.to_dict("records"):
        cell = {}
        for column in ("count", *table.sum_columns):
            value = record[column]
            cell[column] = None if value is None or pd.isna(value) else str(value)
        figures[str(record[dimension])] = cell
    return figures


def build_export(
    *,
    definition: ExportDefinition,
    ctx: ExportContext,
    output_format: str,
    seed: str,
    rules: ConfidentialityRules,
    workdir: Path,
    header: dict,
    progress: Callable[[int], None] | None = None,
) -> BuildResult:
    """Write every table of `definition` for `ctx` into one file of `output_format` under `workdir`.

    `header` (agency, funder, period…) opens the summary. Returns the file
    and the register's row counts, published figures and summary.
    """
    progress = progress or (lambda percent: None)
    plan = governance_plan(agency_id=ctx.agency_id, use=definition.use, at=ctx.at)
    drop_iwi = bool(plan.iwi_covered_clients) and (
        clients_in_scope(ctx).filter(pk__in=plan.iwi_covered_clients).exists()
    )
    writer = writer_for(output_format, workdir)
    row_counts: dict[str, int] = {}
    excluded_rows: dict[str, int] = {}
    figures: dict[str, dict] = {}
    written: list[tuple[Table, list[Column]]] = []
    excluded_tables: list[str] = []
    confidentiality = None
    counted: dict[str, RawCounts] = {}
    total_tables = len(definition.tables)

    for index, table in enumerate(definition.tables):
        base = 5 + 90 * index // total_tables
        step = 90 // total_tables
        if table.is_aggregate and drop_iwi and table.names_iwi:
            excluded_tables.append(table.name)
            continue
        columns = _columns(table, drop_iwi)
        writer.begin(table.name, columns)
        if table.is_aggregate:
            if table.source not in counted:
                counted[table.source] = _count_source(table.source, ctx, plan)
            counts = counted[table.source]
            protected = publish_aggregate(table, counts, seed=seed, rules=rules)
            frame = typed_frame(protected.table, columns)
            row_counts[table.name] = writer.write(frame)
            figures[table.name] = _figures_of(table, frame)
            excluded_rows[table.name] = counts.excluded
            confidentiality = protected.summary.footnote
        else:
            source = SOURCES[table.source]
            pick = _picker(source.columns, columns)
            expected = max(source.count(ctx), 1)
            done = dropped_total = 0
            for rows in source.chunks(ctx):
                rows, dropped = _governed(rows, plan)
                dropped_total += dropped
                done += writer.write_rows(list(map(pick, rows)))
                progress(min(base + step * done // expected, 99))
            row_counts[table.name] = done
            excluded_rows[table.name] = dropped_total
            figures[table.name] = {"rows": {"count": str(done)}}
        writer.end_table()
        written.append((table, columns))
        progress(base + step)

    notes = []
    if plan.flags:
        notes.append(
            "Data governance: rows and columns that the data-sovereignty flags of clients, "
            "whānau or iwi forbid for this use were left out; see governance in "
            "export_summary.json."
        )
    truncated = getattr(writer, "truncated", {})
    if truncated:
        notes.append(
            "Excel holds at most 1,048,575 rows a sheet: "
            + ", ".join(f"{name} lost {lost} rows" for name, lost in truncated.items())
            + ". Ask for CSV or Parquet for the whole table."
        )
    summary = {
        **header,
        "title": definition.title,
        "definition": definition.name,
        "version": definition.version,
        "use": definition.use,
        "grain": definition.grain,
        "format": output_format,
        "row_counts": row_counts,
        "governance": {
            "flags_applied": plan.flags,
            "rows_excluded": {name: n for name, n in excluded_rows.items() if n},
            "columns_excluded": sorted(
                {c.name for t in definition.tables for c in t.columns if c.iwi}
            )
            if drop_iwi
            else [],
            "tables_excluded": excluded_tables,
        },
        "xlsx_rows_truncated": truncated,
        "notes": notes,
    }
    if confidentiality:
        summary["confidentiality"] = {
            "footnote": confidentiality,
            "count_threshold": rules.count_threshold,
            "sum_count_threshold": rules.sum_count_threshold,
            "base": rules.base,
        }
    path = writer.finish(summary=summary, dictionary=_dictionary(written))
    return BuildResult(
        path=path,
        extension=writer.extension,
        row_counts=row_counts,
        figures=figures,
        summary=summary,
    )
