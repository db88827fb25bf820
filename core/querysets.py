"""Queryset shapes shared by the busiest lists."""

from collections.abc import Iterable

from django.db.models import QuerySet


def with_joined_columns(queryset: QuerySet, **joined: Iterable[str]) -> QuerySet:
    """`queryset` loading every column of its own rows and only the named columns of joined rows.

    `joined` maps each `select_related` relation to the columns a list reads
    of it (its key always comes too). A page of 50 aid requests fetched 30
    columns of client, programme and budget per row that nothing read,
    seven of them timestamps parsed in Python (docs/PERFORMANCE.md). A column
    left out and read anyway is fetched row by row, which the list's query
    budget test (the same count at two page sizes) catches.
    """
    selected = queryset.query.select_related
    joined = {name: tuple(columns) for name, columns in joined.items()}
    for name, columns in joined.items():
        # Django would silently load a relation that is not joined in full, later, row by
        # row; and a joined relation named with no column in full.
        if not isinstance(selected, dict) or name not in selected:
            raise ValueError(f"{name!r} is not joined by select_related().")
        if not columns:
            raise ValueError(f"Name the columns read of {name!r}.")
    own = [field.name for field in queryset.model._meta.concrete_fields]
    related = [f"{name}__{column}" for name, columns in joined.items() for column in columns]
    return queryset.only(*own, *related)
