"""Pagination shared by every list endpoint: page numbers with a bounded count (docs/adr/0007)."""

from collections.abc import Callable

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Q, QuerySet, Window
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.querysets import sorted_apart


def count_limit() -> int:
    """Beyond this many rows a list stops counting (`API_COUNT_LIMIT`, default 1,000).

    `count` then says "at least this many" and `count_is_estimate` is true.
    Counting costs in proportion to the rows counted, on every request; at
    national scale counting to 10,000 cost a program officer's queue ten times
    its page (docs/adr/0007). Nobody pages through 1,000 rows: they filter.
    """
    return settings.API_COUNT_LIMIT


# A list whose page query already reads every listed row (a sort no index serves) may
# annotate each row with the list's length under this name (COUNT(*) OVER ()); the
# paginator then takes its count from the page instead of asking again.
PAGE_TOTAL = "listed_total"

# OFFSET is a signed 64-bit integer on PostgreSQL and SQLite.
_LARGEST_OFFSET = 2**63 - 1


class PageReader:
    """A list the paginator reads one page at a time through `read(start, stop)`.

    For a list whose page query depends on where the page ends (a merge of
    index-ordered parts, each read only as far as the page's end; see
    `casework.selectors.clients.clients_in_pages`). `counted` is the same
    rows as one queryset, which the paginator counts as it counts any list.
    """

    def __init__(
        self, counted: QuerySet, read: Callable[[int, int], list], *, counts_with_page=False
    ):
        self.counted = counted
        self._read = read
        # Each row read carries the list's length as PAGE_TOTAL: no count query is needed.
        self.counts_with_page = counts_with_page

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None or index.stop is None:
            raise TypeError("A PageReader is read by bounded slices only.")
        # A page far past the end (the count stopped early, so any number is served)
        # must not ask the database for more rows than a LIMIT can say.
        return self._read(index.start or 0, min(index.stop, _LARGEST_OFFSET))


def keys_first(queryset: QuerySet, *, counted_with_page: bool = False) -> PageReader:
    """`queryset` as the paginator should read it when no index serves its order.

    To find a page of such a list the database looks at every listed row.
    Asked for whole rows, it joined every listed row to the tables the page
    shows and computed every per-row column before sorting: an officer's
    aid requests by amount, 53,000 rows at national scale, took 70–100 ms,
    by requests in 12 months 300 ms (docs/PERFORMANCE.md). Each page is
    read in two steps in one query instead: the keys of the page's rows,
    sorted with only what the order needs, then those rows whole, in the
    same order. The rows, their order and the count are `queryset`'s.

    `counted_with_page`: the keys are read with the list's length
    (`COUNT(*) OVER ()`, see `PAGE_TOTAL`), then the rows by those keys, two
    queries in place of the count and the page, for a list short enough
    that reading all of it costs less than counting it again (a caseload:
    `CaseloadPagesMixin`).
    """

    def read(start: int, stop: int) -> list:
        page_keys = queryset.values("pk")[start:stop]
        return list(queryset.filter(pk__in=page_keys))

    def read_counted(start: int, stop: int) -> list:
        keyed = list(
            queryset.annotate(**{PAGE_TOTAL: Window(Count("pk"))}).values_list("pk", PAGE_TOTAL)[
                start:stop
            ]
        )
        if not keyed:
            return []
        rows = list(queryset.filter(pk__in=[pk for pk, _total in keyed]))
        for row in rows:
            setattr(row, PAGE_TOTAL, keyed[0][1])
        return rows

    if counted_with_page:
        return PageReader(queryset, read_counted, counts_with_page=True)
    return PageReader(queryset, read)


class BoundedCountPaginator(Paginator):
    """A paginator that counts at most `count_limit` + 1 rows.

    When the list holds more, `count` is `count_limit`, `count_is_estimate`
    is true, and pages past the counted ones are still served (an empty one
    is not found, as any page past the end).
    """

    @cached_property
    def count_limit(self) -> int:
        return count_limit()

    @cached_property
    def _bounded(self) -> tuple[int, bool]:
        rows = self.object_list
        if isinstance(rows, PageReader):
            rows = rows.counted
        if isinstance(rows, QuerySet):
            query = rows.query
            if (
                query.values_select
                or query.group_by is not None
                or query.distinct_fields
                or query.combinator
            ):
                # Grouped or projected rows (e.g. balances per client): what a row is
                # depends on the select and order, so count them as they are.
                sliced = rows[: self.count_limit + 1]
                # An evaluated queryset slices into a list.
                counted = sliced.count() if isinstance(sliced, QuerySet) else len(sliced)
            else:
                # SELECT COUNT(*) FROM (SELECT id … LIMIT n) stops early; selecting only
                # the key (no order, no annotated columns) keeps per-row subqueries out.
                counted = rows.order_by().values("pk")[: self.count_limit + 1].count()
        else:
            counted = len(rows[: self.count_limit + 1])
        return min(counted, self.count_limit), counted > self.count_limit

    @cached_property
    def count(self) -> int:
        return self._bounded[0]

    @property
    def count_is_estimate(self) -> bool:
        return self._bounded[1]

    def validate_number(self, number) -> int:
        if not self.count_is_estimate:
            return super().validate_number(number)
        return self._page_number(number)

    def _page_number(self, number) -> int:
        """`number` as a page number, without knowing how many pages there are."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if (number - 1) * self.per_page > _LARGEST_OFFSET:
            # No list is that long, and the database could not even skip that far.
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number) -> Page:
        if (
            isinstance(self.object_list, QuerySet)
            and PAGE_TOTAL in self.object_list.query.annotations
        ) or getattr(self.object_list, "counts_with_page", False):
            page = self._page_counting_itself(number)
            if page is not None:
                return page
        number = self.validate_number(number)
        if not self.count_is_estimate:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if not rows:
            raise EmptyPage("That page contains no results")
        return _UncountedPage(rows, number, self)

    def _page_counting_itself(self, number) -> Page | None:
        """The page, its rows carrying the list's length (`PAGE_TOTAL`); None if it is empty.

        An empty page says nothing of the length, so the caller counts as usual
        (an empty list's first page, or a page past the end: 404).
        """
        number = self._page_number(number)
        bottom = (number - 1) * self.per_page
        if bottom >= self.count_limit:
            # Past the rows a count would reach: the usual path knows what to answer.
            return None
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if not rows:
            return None
        total = getattr(rows[0], PAGE_TOTAL)
        self.__dict__["_bounded"] = (min(total, self.count_limit), total > self.count_limit)
        if self.count_is_estimate:
            return _UncountedPage(rows, number, self)
        return Page(rows, number, self)


class _UncountedPage(Page):
    """A page of a list longer than the count limit: there is a next page if this one is full."""

    def has_next(self) -> bool:
        return len(self.object_list) == self.paginator.per_page


class StandardPagination(PageNumberPagination):
    """Page numbers with `page_size` chosen by the client, capped at 200, and a bounded count."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = BoundedCountPaginator

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_estimate": self.page.paginator.count_is_estimate,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "count_is_estimate", "results"]
        response["properties"] = {
            "count": {
                **response["properties"]["count"],
                "description": f"Rows in the list, counted up to {count_limit():,}.",
            },
            "count_is_estimate": {
                "type": "boolean",
                "description": f"True when the list holds more than {count_limit():,} rows: "
                "`count` is then a lower bound and `next` follows full pages.",
                "example": False,
            },
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        return response


class CaseloadPagesMixin:
    """For a list viewset: a viewer who reads only their own caseload has it sorted apart.

    Their rows are found through their own grants and sorted, instead of read
    along the list's order index until a page turns up
    (`core.querysets.sorted_apart`), the page's keys first (`keys_first`), so
    the sort carries only what the order needs: a caseworker's enrolments
    27 → 22.5 ms, assessments 22.4 → 18.6 ms at national scale, the others
    within a millisecond. The keys come with the list's length, so the
    caseload is read once, not counted and then read again
    (`keys_first(counted_with_page=True)`). Set `sorted_apart_over`, a
    condition on a column of the listed table, and `reads_own_caseload(user)`.
    """

    sorted_apart_over: Q

    def reads_own_caseload(self, user) -> bool:
        raise NotImplementedError

    def paginate_queryset(self, queryset):
        if self.action == "list" and self.reads_own_caseload(self.request.user):
            queryset = keys_first(
                sorted_apart(queryset, over=self.sorted_apart_over), counted_with_page=True
            )
        return super().paginate_queryset(queryset)
