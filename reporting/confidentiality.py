"""Stats NZ confidentiality rules for published counts: random rounding and suppression."""

# Sources (public):
# - Stats NZ, "Microdata output guide" (IDI output rules: random rounding to
#   base 3, suppression of small counts, magnitude tables, secondary suppression):
#   https://www.stats.govt.nz/assets/Methods/Microdata-Output-Guide-2020-v5-Sept22update.pdf
# - Stats NZ census practice of random rounding to base 3 ("RR3"): zeros and
#   multiples of 3 stay, other counts go to a neighbouring multiple of 3 with
#   probabilities that keep the expected value equal to the raw count; totals
#   and subtotals are rounded independently of their cells.

from __future__ import annotations

import hashlib
import hmac
import numbers
import operator
import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "DEFAULT_RULES",
    "SUM_SUPPRESSED_COLUMN",
    "SUPPRESSED_COLUMN",
    "ConfidentialityRules",
    "ProtectedTable",
    "ProtectionSummary",
    "confidentiality_footnote",
    "protect_table",
    "random_round",
    "rr3",
    "seeded_rng",
]

SUPPRESSED_COLUMN = "suppressed"
SUM_SUPPRESSED_COLUMN = "sum_suppressed"


@dataclass(frozen=True)
class ConfidentialityRules:
    """Thresholds for publishing counts and dollar sums (Stats NZ IDI output rules).

    ``count_threshold``: a count whose *raw* value is below it is suppressed.
    ``sum_count_threshold``: a sum (e.g. dollars paid) is suppressed when the raw
    count of units behind it is below it.
    ``base``: counts are randomly rounded to a multiple of it (3 for RR3).
    """

    count_threshold: int = 6
    sum_count_threshold: int = 20
    base: int = 3

    def __post_init__(self) -> None:
        for name in ("count_threshold", "sum_count_threshold", "base"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
            if value < 0:
                raise ValueError(f"{name} must not be negative, got {value}")
        if self.base < 2:
            raise ValueError(f"base must be at least 2, got {self.base}")


DEFAULT_RULES = ConfidentialityRules()


def random_round(value: int, rng: random.Random, *, base: int = 3) -> int:
    """Randomly round a non-negative count to a multiple of ``base``.

    Zero and multiples of ``base`` are returned unchanged. Otherwise, with
    remainder ``r = value % base``, round down with probability
    ``(base - r) / base`` and up with probability ``r / base``, so the expected
    published value equals the raw value (Stats NZ random rounding).

    Raises ``TypeError`` for a value that is not an integer (floats and bools
    included) and ``ValueError`` for a negative value or a base below 2.
    """
    if isinstance(value, bool):
        raise TypeError("a count must be an integer, not a bool")
    value = operator.index(value)
    if value < 0:
        raise ValueError(f"a count must not be negative, got {value}")
    if base < 2:
        raise ValueError(f"base must be at least 2, got {base}")
    remainder = value % base
    if remainder == 0:
        return value
    if rng.random() < remainder / base:
        return value - remainder + base
    return value - remainder


def rr3(value: int, rng: random.Random) -> int:
    """Randomly round a count to base 3 (Stats NZ RR3); see ``random_round``."""
    return random_round(value, rng, base=3)


def _key_text(part: object) -> str:
    """Return the canonical text of one key part, the same for 5 and numpy's 5."""
    if isinstance(part, str):
        return part
    if isinstance(part, bytes):
        return part.decode("utf-8")
    if isinstance(part, numbers.Integral) and not isinstance(part, bool):
        return str(int(part))
    return str(part)


def _encode_key(parts: Sequence[object]) -> bytes:
    """Encode key parts unambiguously: each part prefixed by its length."""
    chunks = []
    for part in parts:
        text = _key_text(part).encode("utf-8")
        chunks.append(len(text).to_bytes(8, "big") + text)
    return b"".join(chunks)


def seeded_rng(seed: int | str | bytes, *key: object) -> random.Random:
    """Return a random generator determined by ``seed`` and a cell ``key``.

    The generator is seeded from HMAC-SHA256 of the key parts under the seed,
    so each cell's rounding depends only on the seed and the cell's identity:
    re-running an export with the same seed reproduces its published figures,
    and a cell rounds the same way whatever the order of the rows around it.
    Key parts are compared as text (``5``, ``numpy.int64(5)`` and ``"5"`` are
    the same part).

    Keep the seed secret (store it with the export, never publish it): someone
    who knows it can replay the draws and narrow down raw values.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | str | bytes):
        raise TypeError(f"seed must be an int, str or bytes, not {type(seed).__name__}")
    seed_bytes = seed if isinstance(seed, bytes) else _key_text(seed).encode("utf-8")
    if not seed_bytes:
        raise ValueError("seed must not be empty")
    digest = hmac.new(seed_bytes, _encode_key(key), hashlib.sha256).digest()
    # Not for cryptography: a reproducible draw for statistical rounding.
    return random.Random(int.from_bytes(digest, "big"))  # noqa: S311


def confidentiality_footnote(
    rules: ConfidentialityRules = DEFAULT_RULES, *, has_sums: bool = False
) -> str:
    """Return the footnote that must accompany a table protected under ``rules``."""
    sums = (
        f", as are dollar amounts for groups of fewer than {rules.sum_count_threshold}"
        if has_sums
        else ""
    )
    return (
        f"To protect confidentiality, counts are randomly rounded to base {rules.base} "
        f"(to a multiple of {rules.base}) and totals are rounded independently of "
        "the cells, so figures in a table may not add up to the totals. "
        f"Counts below {rules.count_threshold} are suppressed{sums}; further cells "
        "are suppressed where needed so that a suppressed value cannot be worked "
        "out from the totals."
    )


@dataclass(frozen=True)
class ProtectionSummary:
    """What ``protect_table`` suppressed, and the footnote to publish with the table.

    Counts cover the table's cells, not its Total row. ``primary_suppressed``
    counts cells below the count threshold; ``secondary_suppressed`` counts cells
    hidden only to protect them (complementary suppression). The ``sum_*`` fields
    do the same for the sum columns (zero when there are none).
    """

    cells: int
    primary_suppressed: int
    secondary_suppressed: int
    sum_primary_suppressed: int
    sum_secondary_suppressed: int
    total_suppressed: bool
    footnote: str


@dataclass(frozen=True, eq=False)
class ProtectedTable:
    """A table ready to publish and a summary of what was done to it."""

    table: pd.DataFrame
    summary: ProtectionSummary


def _raw_counts(series: pd.Series, column: str) -> list[int]:
    """Return a column of raw counts as ints, refusing missing, fractional or negative ones."""
    if pd.api.types.is_bool_dtype(series):
        raise TypeError(f"{column!r} must hold integer counts, not booleans")
    counts = []
    for value in series.tolist():
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            raise ValueError(f"{column!r} must not contain missing counts")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"{column!r} must hold whole counts, got {value}")
            value = int(value)
        if isinstance(value, bool):
            raise TypeError(f"{column!r} must hold integer counts, not booleans")
        count = operator.index(value)
        if count < 0:
            raise ValueError(f"{column!r} must not contain negative counts, got {count}")
        counts.append(count)
    return counts


def _lines(keys: list[tuple[str, ...]], dimensions: list[str]) -> list[list[int]]:
    """Return the groups of cells that add up to a (sub)total, in a row-order-free order.

    The groups are the whole table (adding up to the Total row) and, for each
    dimension, every line of cells that share the values of all the other
    dimensions (adding up to a one-dimensional margin). For a one-dimensional
    table both are the same single group.
    """
    names = sorted(dimensions)
    everything = sorted(range(len(keys)), key=keys.__getitem__)
    tagged: dict[tuple[str, ...], list[int]] = {("",): everything}
    if len(names) > 1:
        for position, name in enumerate(names):
            for index in everything:
                values = keys[index][1::2]
                others = values[:position] + values[position + 1 :]
                tagged.setdefault((name, *others), []).append(index)
    return [tagged[tag] for tag in sorted(tagged)]


def _complement(
    hidden: list[bool], raw: list[int], keys: list[tuple[str, ...]], lines: list[list[int]]
) -> list[bool]:
    """Add complementary suppressions until no line has exactly one hidden cell.

    In a line with exactly one hidden cell, also hide the visible cell with the
    smallest raw count (ties broken by the cell key). Repeat over all lines until
    nothing changes, since a new suppression can leave another line with one.
    """
    hidden = list(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[i] for i in line) != 1:
                continue
            visible = [i for i in line if not hidden[i]]
            if not visible:
                continue
            partner = min(visible, key=lambda i: (raw[i], keys[i]))
            hidden[partner] = True
            changed = True
    return hidden


def _published_sums(
    values: list[object], hidden: list[bool], source: pd.Series
) -> pd.Series | pd.api.extensions.ExtensionArray:
    """Return sums with hidden ones replaced by NA, in a nullable dtype where there is one."""
    shown = [pd.NA if h else v for v, h in zip(values, hidden, strict=True)]
    if pd.api.types.is_integer_dtype(source):
        return pd.array(shown, dtype="Int64")
    if pd.api.types.is_float_dtype(source):
        return pd.array(shown, dtype="Float64")
    return pd.Series(shown, dtype=object)


def protect_table(
    df: pd.DataFrame,
    *,
    dimensions: Sequence[str],
    count_column: str = "count",
    sum_columns: Sequence[str] = (),
    rules: ConfidentialityRules = DEFAULT_RULES,
    seed: int | str | bytes,
    total_label: Hashable = "Total",
) -> ProtectedTable:
    """Apply the Stats NZ output rules to a table of raw counts and return what may be published.

    ``df`` holds one row per cell: the ``dimensions`` identify the cell,
    ``count_column`` holds its raw (unrounded) count and each of ``sum_columns``
    a raw sum (e.g. dollars paid) over the units counted. Other columns are not
    published. Rules (Stats NZ "Microdata output guide", IDI output rules):

    1. Primary suppression: a count whose raw value is below
       ``rules.count_threshold`` is suppressed (zero included). The decision is
       made on the raw value; a raw 5 is suppressed even if it would round to 6.
    2. Complementary suppression: the cells that add up to a total form a line:
       the whole table (adding up to the Total row) and, for each dimension, the
       cells sharing the values of every other dimension (adding up to that
       one-dimensional margin). Wherever a line has exactly one suppressed cell,
       the visible cell in it with the smallest raw count (ties: the smallest
       cell key) is suppressed too, so the hidden value cannot be recovered as
       the total minus the others; repeated until no line has exactly one.
       Lines of a single cell are left alone. This is the usual "never one
       suppressed cell in a line" rule, not a full linear-programming audit.
    3. Random rounding: every published count, the Total included, is randomly
       rounded to a multiple of ``rules.base`` with a generator drawn from
       ``seeded_rng(seed, ...)`` and the cell's key (the dimension names and
       values, and ``count_column``), so results do not depend on row order.
    4. Sums are published unrounded, and suppressed where the cell's count is
       suppressed (rules 1 and 2) or its raw count is below
       ``rules.sum_count_threshold``; rule 2 is then applied to the sums on their
       own, as an exact total would otherwise give away a single hidden sum.
    5. A Total row (dimension columns set to ``total_label``) is computed from
       the raw data (suppressed cells included) and rounded independently, so
       the table need not add up; it is suppressed under the same thresholds.

    The returned table has the dimension columns, the count column as nullable
    ``Int64`` (missing where suppressed), the sum columns (missing where
    suppressed), a boolean ``suppressed`` column and, with sums, a boolean
    ``sum_suppressed`` column; cells keep the input's order and the Total row
    comes last. Whether a suppression was primary or secondary is only in the
    summary, since publishing it would reveal which cells are small.

    Raises ``ValueError`` for missing or clashing columns, missing dimension
    values, duplicate cells, a dimension value equal to ``total_label``, and
    missing, fractional or negative counts or missing sums; ``TypeError`` for
    non-integer counts or a bad seed.
    """
    dimensions = list(dimensions)
    sum_columns = list(sum_columns)
    if not dimensions:
        raise ValueError("a table needs at least one dimension")
    named = [*dimensions, count_column, *sum_columns]
    if len(set(named)) != len(named):
        raise ValueError(f"dimension, count and sum columns must be distinct, got {named}")
    missing = [name for name in named if name not in df.columns]
    if missing:
        raise ValueError(f"columns not in the table: {missing}")
    reserved = {SUPPRESSED_COLUMN, SUM_SUPPRESSED_COLUMN} & set(named)
    if reserved:
        raise ValueError(f"column names reserved for flags: {sorted(reserved)}")
    seeded_rng(seed)  # Refuse a bad seed before doing any work.

    cells = df[named].reset_index(drop=True)
    if cells[dimensions].isna().any().any():
        raise ValueError("dimension values must not be missing; label unknowns explicitly")
    if (cells[dimensions] == total_label).any().any():
        raise ValueError(f"a dimension value equals the total label {total_label!r}")
    for column in sum_columns:
        if cells[column].isna().any():
            raise ValueError(f"{column!r} must not contain missing sums")

    raw = _raw_counts(cells[count_column], count_column)
    keys = [
        tuple(
            part for name in sorted(dimensions) for part in (name, _key_text(cells.at[index, name]))
        )
        for index in range(len(cells))
    ]
    if len(set(keys)) != len(keys):
        raise ValueError("each cell (combination of dimension values) must appear once")
    lines = _lines(keys, dimensions)

    primary = [count < rules.count_threshold for count in raw]
    hidden = _complement(primary, raw, keys, lines)
    published = [
        pd.NA
        if hide
        else random_round(count, seeded_rng(seed, "cell", count_column, *key), base=rules.base)
        for count, hide, key in zip(raw, hidden, keys, strict=True)
    ]

    raw_total = sum(raw)
    total_hidden = raw_total < rules.count_threshold
    total_published = (
        pd.NA
        if total_hidden
        else random_round(raw_total, seeded_rng(seed, "total", count_column), base=rules.base)
    )

    table = pd.concat(
        [cells[dimensions], pd.DataFrame({name: [total_label] for name in dimensions})],
        ignore_index=True,
    )
    table[count_column] = pd.array([*published, total_published], dtype="Int64")

    sum_primary: list[bool] = []
    sum_hidden: list[bool] = []
    if sum_columns:
        sum_primary = [
            hide or count < rules.sum_count_threshold
            for hide, count in zip(hidden, raw, strict=True)
        ]
        sum_hidden = _complement(sum_primary, raw, keys, lines)
        total_sum_hidden = total_hidden or raw_total < rules.sum_count_threshold
        for column in sum_columns:
            values = cells[column].tolist()
            table[column] = _published_sums(
                [*values, cells[column].sum()],
                [*sum_hidden, total_sum_hidden],
                cells[column],
            )

    table[SUPPRESSED_COLUMN] = [*hidden, total_hidden]
    if sum_columns:
        table[SUM_SUPPRESSED_COLUMN] = [*sum_hidden, total_sum_hidden]

    summary = ProtectionSummary(
        cells=len(cells),
        primary_suppressed=sum(primary),
        secondary_suppressed=sum(hidden) - sum(primary),
        sum_primary_suppressed=sum(sum_primary),
        sum_secondary_suppressed=sum(sum_hidden) - sum(sum_primary),
        total_suppressed=total_hidden,
        footnote=confidentiality_footnote(rules, has_sums=bool(sum_columns)),
    )
    return ProtectedTable(table=table, summary=summary)
