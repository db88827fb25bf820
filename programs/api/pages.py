"""Pieces shared by the programme endpoints' list pages."""

from django.db.models import Q

from programs import selectors


class CaseloadPagesMixin:
    """A list whose pages a caseworker reads sorted apart from its order index.

    See `selectors.caseload_rows_in_pages`; `sorted_apart_over` is a condition on
    a column of the listed table.
    """

    sorted_apart_over: Q

    def paginate_queryset(self, queryset):
        if self.action == "list":
            queryset = selectors.caseload_rows_in_pages(
                queryset, actor=self.request.user, over=self.sorted_apart_over
            )
        return super().paginate_queryset(queryset)
