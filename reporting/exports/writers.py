"""Writers for the three export formats, each fed one chunk at a time (memory stays flat).

- csv: one UTF-8 CSV per table (macrons intact), `data_dictionary.csv`,
  `export_summary.json` and `README.txt`, in one ZIP;
- parquet: one Parquet file per table (typed columns, one row group per
  chunk, each column's description in its field metadata), the data
  dictionary as Parquet, the summary and README, in one ZIP;
- xlsx: one sheet per table, a `data_dictionary` sheet and an `about` sheet,
  written in openpyxl's write-only mode. A sheet holds at most Excel's
  1,048,575 data rows; a longer table is cut there and the summary says so.

Row-level tables arrive as lists of tuples (`write_rows`), in the order and
types of the data dictionary; aggregate tables, a few rows each, as typed
DataFrames (`write`). Each writer builds its files under a working
directory; `finish` returns the path of the one file to publish.
"""

import csv
import json
import os
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

from reporting.exports.definitions import Column

XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows less the header.
DECIMAL_TYPE = pa.decimal128(18, 2)
ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int64(),
    "decimal": DECIMAL_TYPE,
    "date": pa.date32(),
    "bool": pa.bool_(),
}
PANDAS_TYPES = {"string": "string", "int": "Int64", "bool": "boolean"}
DICTIONARY_COLUMNS = ["table", "column", "type", "description"]
# Deflate level of the ZIP. A million-row client table (74 MB of CSV, much of it random
# pseudonymous keys that no level compresses) took 2.6 s at zlib's default 6, 1.7 s at 3
# and 1.5 s at 1, for 23.6, 25.0 and 27.7 MB: 3 keeps most of the time saved for 6 % more.
ZIP_LEVEL = 3


def typed_frame(df: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """The chunk's columns in dictionary order and types (decimals and dates as objects)."""
    out = pd.DataFrame(index=df.index)
    for column in columns:
        values = df[column.name]
        if column.dtype in PANDAS_TYPES:
            out[column.name] = values.astype(PANDAS_TYPES[column.dtype])
        else:
            out[column.name] = values.astype(object).where(values.notna(), None)
    return out


def _readme(summary: dict) -> str:
    lines = [
        f"{summary['title']} — {summary['definition']} version {summary['version']}",
        f"Agency: {summary['agency']}",
        f"Funder: {summary['funder']}",
        f"Period: {summary['period']} ({summary['period_start']} to {summary['period_end']})",
        f"Use: {summary['use']}",
        "",
        "Rows per table:",
        *(f"  {name}: {count}" for name, count in summary["row_counts"].items()),
    ]
    if summary.get("confidentiality"):
        lines += ["", summary["confidentiality"]["footnote"]]
    for note in summary.get("notes", []):
        lines += ["", note]
    lines += [
        "",
        "data_dictionary lists every column with its type and meaning; "
        "export_summary.json holds this summary in machine-readable form.",
    ]
    return "\n".join(lines) + "\n"


def _json_default(value):
    if isinstance(value, Decimal | date):
        return str(value)
    raise TypeError(type(value).__name__)


class _ZipWriter:
    extension = "zip"
    suffix = ""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.members: list[Path] = []
        self.truncated: dict[str, int] = {}

    def finish(self, *, summary: dict, dictionary: list[dict]) -> Path:
        self._write_dictionary(dictionary)
        target = self.workdir / "export.zip"
        with zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL
        ) as archive:
            for member in self.members:
                # zipfile streams from disk: nothing is held whole in memory.
                archive.write(member, arcname=member.name)
            archive.writestr("README.txt", _readme(summary))
            archive.writestr(
                "export_summary.json",
                json.dumps(summary, indent=2, ensure_ascii=False, default=_json_default),
            )
        return target


class CsvWriter(_ZipWriter):
    """Tables as UTF-8 CSV, appended chunk by chunk."""

    def begin(self, name: str, columns: list[Column]) -> None:
        self._names = [c.name for c in columns]
        self._path = self.workdir / f"{name}.csv"
        self._handle = self._path.open("w", encoding="utf-8", newline="")
        self._header = True

    def write(self, df: pd.DataFrame) -> int:
        df.to_csv(self._handle, index=False, header=self._header, lineterminator="\n")
        self._header = False
        return len(df)

    def write_rows(self, rows: list[tuple]) -> int:
        # pandas' to_csv writes through this same csv module with these settings (minimal
        # quoting, "\n" line ends, empty for None), so both paths give the same bytes.
        writer = csv.writer(self._handle, lineterminator="\n")
        if self._header:
            writer.writerow(self._names)
            self._header = False
        writer.writerows(rows)
        return len(rows)

    def end_table(self) -> None:
        if self._header:
            # An empty table still gets its header row.
            self._handle.write(",".join(self._names) + "\n")
        self._handle.close()
        self.members.append(self._path)

    def _write_dictionary(self, dictionary: list[dict]) -> None:
        path = self.workdir / "data_dictionary.csv"
        pd.DataFrame(dictionary, columns=DICTIONARY_COLUMNS).to_csv(
            path, index=False, encoding="utf-8", lineterminator="\n"
        )
        self.members.append(path)


def arrow_schema(columns: list[Column]) -> pa.Schema:
    """The Parquet schema of a table: typed columns, each described in its field metadata."""
    return pa.schema(
        [
            pa.field(c.name, ARROW_TYPES[c.dtype], metadata={"description": c.description})
            for c in columns
        ]
    )


class ParquetWriter(_ZipWriter):
    """Tables as Parquet with typed columns, one row group per chunk."""

    def begin(self, name: str, columns: list[Column]) -> None:
        self._path = self.workdir / f"{name}.parquet"
        self._schema = arrow_schema(columns)
        self._writer = pq.ParquetWriter(self._path, self._schema, compression="zstd")

    def write(self, df: pd.DataFrame) -> int:
        table = pa.Table.from_pandas(df, schema=self._schema, preserve_index=False)
        self._writer.write_table(table)
        return len(df)

    def write_rows(self, rows: list[tuple]) -> int:
        values = list(zip(*rows, strict=True)) if rows else [()] * len(self._schema)
        arrays = [
            pa.array(column, type=field.type)
            for column, field in zip(values, self._schema, strict=True)
        ]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        return len(rows)

    def end_table(self) -> None:
        self._writer.close()
        self.members.append(self._path)

    def _write_dictionary(self, dictionary: list[dict]) -> None:
        path = self.workdir / "data_dictionary.parquet"
        frame = pd.DataFrame(dictionary, columns=DICTIONARY_COLUMNS).astype("string")
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
        self.members.append(path)


def _cell(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if pd.api.types.is_bool(value):
        # openpyxl writes numpy booleans as the numbers 1 and 0; Excel has TRUE and FALSE.
        return bool(value)
    return value


class XlsxWriter:
    """One sheet per table, in openpyxl's write-only (streaming) mode."""

    extension = "xlsx"

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.workbook = Workbook(write_only=True)
        self.truncated: dict[str, int] = {}

    def begin(self, name: str, columns: list[Column]) -> None:
        self._name = name
        self._sheet = self.workbook.create_sheet(title=name[:31])
        self._sheet.append([c.name for c in columns])
        self._rows = 0
        self._flags = [index for index, c in enumerate(columns) if c.dtype == "bool"]

    def write(self, df: pd.DataFrame) -> int:
        room = XLSX_MAX_ROWS - self._rows
        if len(df) > room:
            self.truncated[self._name] = self.truncated.get(self._name, 0) + len(df) - room
            df = df.iloc[:room]
        for row in df.itertuples(index=False, name=None):
            self._sheet.append([_cell(v) for v in row])
        self._rows += len(df)
        return len(df)

    def write_rows(self, rows: list[tuple]) -> int:
        room = XLSX_MAX_ROWS - self._rows
        if len(rows) > room:
            self.truncated[self._name] = self.truncated.get(self._name, 0) + len(rows) - room
            rows = rows[:room]
        flags = self._flags
        for row in rows:
            if flags:
                # Excel's own TRUE and FALSE, as `write` gives a typed frame's booleans,
                # whatever truthy value the database driver handed over (SQLite: 1 and 0).
                row = list(row)
                for index in flags:
                    if row[index] is not None:
                        row[index] = bool(row[index])
            self._sheet.append(row)
        self._rows += len(rows)
        return len(rows)

    def end_table(self) -> None:
        pass

    def finish(self, *, summary: dict, dictionary: list[dict]) -> Path:
        sheet = self.workbook.create_sheet(title="data_dictionary")
        sheet.append(DICTIONARY_COLUMNS)
        for entry in dictionary:
            sheet.append([entry[c] for c in DICTIONARY_COLUMNS])
        about = self.workbook.create_sheet(title="about")
        for line in _readme(summary).splitlines():
            about.append([line])
        target = self.workdir / "export.xlsx"
        self.workbook.save(target)
        return target


WRITERS = {"csv": CsvWriter, "parquet": ParquetWriter, "xlsx": XlsxWriter}


def writer_for(output_format: str, workdir) -> CsvWriter | ParquetWriter | XlsxWriter:
    """A writer of `output_format` building its files under `workdir`."""
    os.makedirs(workdir, exist_ok=True)
    return WRITERS[output_format](workdir)
