"""The list filter backends: unknown parameters and orderings refused, only asked filters built,
and every order ending with the primary key."""

from datetime import timedelta

import django_filters
import pytest
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from casework.api.clients import ClientFilter
from casework.models import Case, Client
from core.filters import StrictFilterBackend, _asked_filters, ordered_to_the_row

pytestmark = pytest.mark.django_db


class _View:
    filterset_class = ClientFilter


def _filterset(query: str, view=None):
    request = Request(APIRequestFactory().get(f"/api/v1/clients/?{query}"))
    return StrictFilterBackend().get_filterset(request, Client.objects.all(), view or _View())


def test_a_request_builds_only_the_filters_it_names():
    assert set(_filterset("region=01&page=1").filters) == {"region"}
    assert set(_filterset("case_status=active&case_status=closed").filters) == {"case_status"}
    assert set(_filterset("").filters) == set()


def test_the_narrowed_filter_set_is_built_once_per_combination_and_keeps_its_rules():
    first, second = _filterset("region=01"), _filterset("region=02")

    assert type(first) is type(second)
    assert issubclass(type(first), ClientFilter)
    # The declared class itself keeps every filter, for the schema and the 400 check.
    assert "archived" in ClientFilter.base_filters


def test_a_view_whose_filter_set_is_built_from_field_names_is_not_narrowed():
    class FieldsView:
        filterset_fields = ["region"]

    request = Request(APIRequestFactory().get("/?"))
    filterset = StrictFilterBackend().get_filterset(request, Client.objects.all(), FieldsView())

    assert set(filterset.filters) == {"region"}


def test_a_range_filter_is_asked_by_either_of_its_suffixed_parameters():
    class RangeFilter(django_filters.FilterSet):
        created = django_filters.DateFromToRangeFilter()
        region = django_filters.CharFilter()

        class Meta:
            model = Client
            fields = []

    assert _asked_filters(RangeFilter, {"created_after": "2020-01-01"}) == {"created"}
    assert _asked_filters(RangeFilter, {"created_before": "2020-01-01"}) == {"created"}
    assert _asked_filters(RangeFilter, {"created": "2020-01-01"}) == set()
    assert _asked_filters(RangeFilter, {"region": "01"}) == {"region"}


def test_an_invalid_value_of_an_asked_filter_is_still_refused():
    filterset = _filterset("region=zz")

    assert not filterset.is_valid()
    assert "region" in filterset.errors


def test_defaults_of_filters_not_asked_still_apply(client_for, staff, assigned_client):
    # The client list hides archived clients unless `archived` is asked: the narrowed
    # filter set leaves `archived` out, and the default must hold all the same.
    cw = staff["north-caseworker"]
    kept = assigned_client(cw, region="01", legal_family_name="Aroha")
    assigned_client(cw, region="01", archived_at=timezone.now())
    later = assigned_client(cw, region="01", legal_family_name="Whetu")
    assigned_client(cw, region="02")

    rows = client_for(cw).get("/api/v1/clients/", {"region": "01"}).json()["results"]

    assert [row["id"] for row in rows] == [str(kept.pk), str(later.pk)]


def test_an_order_ends_with_the_primary_key_unless_it_names_it():
    assert ordered_to_the_row(["amount"], Client) == ["amount", "id"]
    assert ordered_to_the_row(["-amount", "-id"], Client) == ["-amount", "-id"]
    assert ordered_to_the_row(["pk"], Client) == ["pk"]


def test_an_ordering_the_list_does_not_offer_is_refused(client_for, staff):
    response = client_for(staff["north-caseworker"]).get(
        "/api/v1/cases/", {"ordering": "opened_at,-stauts"}
    )

    assert response.status_code == 400
    message = response.json()["error"]["fields"]["ordering"][0]
    assert "-stauts" in message
    assert "opened_at" in message


def test_an_offered_ordering_is_followed(client_for, staff, led_case):
    cw = staff["north-caseworker"]
    first, second = led_case(cw), led_case(cw)
    Case.objects.filter(pk=first.pk).update(opened_at=timezone.now() - timedelta(days=3))

    rows = client_for(cw).get("/api/v1/cases/", {"ordering": "opened_at"}).json()["results"]

    assert [row["id"] for row in rows] == [str(first.pk), str(second.pk)]
