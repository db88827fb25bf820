"""Pagination shared by every list endpoint."""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page numbers with `page_size` chosen by the client, capped at 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
