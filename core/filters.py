"""The filter backend every list uses: django-filter, refusing parameters a list does not offer.

A misspelt filter (`?stauts=open`) that is silently ignored answers with the
whole list, and the caller believes it was filtered; a government system says
so instead (400, the unknown names as field errors).

Each request's filter set holds only the filters its query names. django-filter
copies every declared filter and builds a form class for them on every
request, whether asked or not: on the busiest lists that cost more than
filtering itself (docs/PERFORMANCE.md). A filter that is not asked filters
nothing, so leaving it out changes no answer; filter sets that read their
cleaned data after filtering (defaults for absent filters) use `.get`.

`?ordering=` is as strict (`StableOrderingFilter`): a term the list cannot
sort by is a 400, not a list in some other order; and every order ends with
the primary key, so pages of a list sorted on a column that ties never
overlap.
"""

from functools import lru_cache

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

# DRF's format override is accepted by every endpoint.
ALWAYS_OFFERED = frozenset({"format"})


def offered_query_params(view, filterset_class) -> set[str]:
    """Every query parameter `view` understands: its filters, ordering, search and paging.

    A view that reads more parameters itself names them in `extra_query_params`.
    """
    names = set(ALWAYS_OFFERED) | set(getattr(view, "extra_query_params", ()))
    if filterset_class is not None:
        for name, declared in filterset_class.base_filters.items():
            names.add(name)
            names.update(_parameters_read(name, declared))
    for backend in getattr(view, "filter_backends", ()):
        if issubclass(backend, OrderingFilter):
            names.add(backend.ordering_param)
        elif issubclass(backend, SearchFilter):
            names.add(backend.search_param)
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        for attribute in ("page_query_param", "page_size_query_param", "cursor_query_param"):
            if getattr(paginator, attribute, None):
                names.add(getattr(paginator, attribute))
    return names


def _parameters_read(name: str, declared) -> tuple[str, ...]:
    """The query parameters the filter `name` reads: its name, or `<name>_<suffix>` for ranges."""
    # Range filters read `<name>_<suffix>` (e.g. `_after`, `_min`).
    suffixes = getattr(declared.field.widget, "suffixes", ()) or ("",)
    return tuple(f"{name}_{suffix}" if suffix else name for suffix in suffixes)


def _asked_filters(filterset_class, query_params) -> frozenset[str]:
    """The names of `filterset_class`'s filters that `query_params` gives a value to."""
    return frozenset(
        name
        for name, declared in filterset_class.base_filters.items()
        if any(parameter in query_params for parameter in _parameters_read(name, declared))
    )


@lru_cache(maxsize=512)
def _narrowed(filterset_class, asked: frozenset[str]):
    """`filterset_class` with only the filters named in `asked` (built once per combination)."""
    narrowed = type(filterset_class.__name__, (filterset_class,), {})
    narrowed.base_filters = {
        name: declared for name, declared in filterset_class.base_filters.items() if name in asked
    }
    return narrowed


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, with a 400 for query parameters the view does not offer."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        unknown = sorted(set(request.query_params) - offered_query_params(view, filterset_class))
        if unknown:
            raise ValidationError({name: ["This list has no such filter."] for name in unknown})
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        if getattr(view, "filterset_class", None) is filterset_class:
            # Only a declared class: one built from `filterset_fields` is new on every call.
            filterset_class = _narrowed(
                filterset_class, _asked_filters(filterset_class, request.query_params)
            )
        return filterset_class(**self.get_filterset_kwargs(request, queryset, view))


class StableOrderingFilter(OrderingFilter):
    """DRF's `?ordering=`, with the primary key as the last sort key of every order.

    Rows that tie on the asked keys (equal amounts, the same review date, no
    closing date yet) have no order of their own: the database may return
    them in a different order for each page's query, and a row then shows on
    two pages or on none. Ending the order with the key makes each page the
    next one.
    """

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        return ordered_to_the_row(ordering, queryset.model) if ordering else ordering

    def remove_invalid_fields(self, queryset, fields, view, request):
        """The asked terms, or a 400 naming those the list cannot sort by (DRF drops them).

        One record (a detail route, which reads its queryset through the same
        backends) has no order to get wrong: there the terms are dropped, as DRF does.
        """
        asked = [term for term in fields if term]
        valid = super().remove_invalid_fields(queryset, asked, view, request)
        refused = [term for term in asked if term not in valid]
        if refused and not getattr(view, "detail", False):
            offered = sorted(
                name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
            )
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"This list cannot be ordered by {', '.join(refused)}. "
                        f"Order by {', '.join(offered)} (prefix - for descending)."
                    ]
                }
            )
        return valid


def ordered_to_the_row(ordering, model) -> list:
    """`ordering` ending with `model`'s primary key, unless it names the key already."""
    key = model._meta.pk.name
    named = {term.lstrip("-") for term in ordering if isinstance(term, str)}
    return list(ordering) if named & {key, "pk"} else [*ordering, key]
