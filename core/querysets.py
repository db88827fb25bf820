"""Queryset shapes shared by the busiest lists."""

from collections.abc import Iterable

from django.db.models import Case, Q, QuerySet, Subquery, Value, When
from django.db.models.lookups import IsNull


def with_joined_columns(queryset: QuerySet, **joined: Iterable[str]) -> QuerySet:
    """`queryset` loading every column of its own rows and only the named columns of joined rows.

    `joined` maps each `select_related` relation (a path such as
    ``service__organisation`` for a relation of a relation) to the columns a
    list reads of it (its key always comes too). A page of 50 aid requests
    fetched 30 columns of client, programme and budget per row that nothing
    read, seven of them timestamps parsed in Python (docs/PERFORMANCE.md). A
    column left out and read anyway is fetched row by row, which the list's
    query budget test (the same count at two page sizes) catches.
    """
    joined = {name: tuple(columns) for name, columns in joined.items()}
    for name, columns in joined.items():
        # Django would silently load a relation that is not joined in full, later, row by
        # row; and a joined relation named with no column in full.
        if not _is_joined(queryset.query.select_related, name):
            raise ValueError(f"{name!r} is not joined by select_related().")
        if not columns:
            raise ValueError(f"Name the columns read of {name!r}.")
    own = [field.name for field in queryset.model._meta.concrete_fields]
    related = [f"{name}__{column}" for name, columns in joined.items() for column in columns]
    return queryset.only(*own, *related)


def _is_joined(selected, path: str) -> bool:
    for name in path.split("__"):
        if not isinstance(selected, dict) or name not in selected:
            return False
        selected = selected[name]
    return True


def sorted_apart(queryset: QuerySet, *, over: Q) -> QuerySet:
    """`queryset` in its own order, under a first sort key that no index holds.

    For a viewer whose rows are a caseload, found through their own grants:
    PostgreSQL takes those rows to be spread evenly along an index of the
    list's order and reads the index until it has a page. A caseload
    registered long ago sits at the index's far end, so the whole index was
    read: a caseworker's aid requests took 92 ms (102,000 requests passed)
    where sorting their 2,000 takes a few (docs/PERFORMANCE.md). The key is
    0 for every row, as a CASE over `over`, a condition on a column of the
    listed table (say `Q(is_restricted=True)`): PostgreSQL drops a constant
    sort key, and would read the index again.
    """
    query = queryset.query
    order = query.order_by or (query.default_ordering and queryset.model._meta.ordering)
    if not order:
        raise ValueError("Order the queryset before sorting it apart.")
    key = Case(When(over, then=Value(0)), default=Value(0))
    return queryset.annotate(listed_apart=key).order_by("listed_apart", *order)


def has_a_row(rows: QuerySet, *, column: str = "pk") -> Q:
    """A condition: does `rows` (correlated to the outer row by `OuterRef`) hold a row?

    Written as a scalar subquery, `(SELECT column … LIMIT 1) IS NOT NULL`,
    not `EXISTS`: PostgreSQL may answer an `EXISTS` for every outer row at
    once, hashing the whole table below it, when it expects many outer
    rows; a scalar subquery is never hashed and runs for the outer rows
    that reach it, one index probe each (docs/adr/0008, the amendments of
    2026-11-29 and 2026-11-30). `column` must never be NULL; one the probed
    index holds keeps the probe in the index.
    """
    return Q(IsNull(Subquery(rows.order_by().values(column)[:1]), False))
