"""`core.querysets.with_joined_columns`: all of a row's own columns, only the named joined ones."""

import pytest

from casework.models import Case
from core.querysets import with_joined_columns

pytestmark = pytest.mark.django_db


def test_own_columns_all_joined_columns_only_those_named(
    staff, led_case, django_assert_num_queries
):
    led_case(staff["north-caseworker"], summary="Hui tuatahi")
    queryset = Case.objects.select_related("client", "lead_caseworker")

    case = with_joined_columns(
        queryset, client=("legal_family_name",), lead_caseworker=("username",)
    ).get()

    assert case.get_deferred_fields() == set()
    assert "legal_family_name" not in case.client.get_deferred_fields()
    assert {"address", "email", "created_at"} <= case.client.get_deferred_fields()
    assert case.lead_caseworker.get_deferred_fields() >= {"password", "last_login"}
    with django_assert_num_queries(0):
        assert case.summary == "Hui tuatahi"
        assert case.client.legal_family_name
        assert case.lead_caseworker.username == "north-caseworker"


def test_a_column_left_out_is_fetched_when_read(staff, led_case, django_assert_num_queries):
    led_case(staff["north-caseworker"])
    queryset = Case.objects.select_related("client")
    case = with_joined_columns(queryset, client=("preferred_name",)).get()

    # Why each list's query budget test guards its columns: a left-out column costs a query.
    with django_assert_num_queries(1):
        assert case.client.legal_family_name


@pytest.mark.parametrize(
    ("queryset", "joined", "message"),
    [
        (lambda: Case.objects.all(), {"client": ("legal_family_name",)}, "not joined"),
        (lambda: Case.objects.select_related("whanau"), {"client": ("nhi",)}, "not joined"),
        (lambda: Case.objects.select_related("client"), {"client": ()}, "Name the columns"),
    ],
)
def test_a_relation_not_joined_or_without_columns_is_refused(queryset, joined, message):
    # Django would load such a relation in full, and the list would not be lean.
    with pytest.raises(ValueError, match=message):
        with_joined_columns(queryset(), **joined)
