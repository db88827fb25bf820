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


def test_a_relation_of_a_relation_is_named_by_its_path(staff, led_case, django_assert_num_queries):
    led_case(staff["north-caseworker"])
    queryset = Case.objects.select_related("team__agency")

    case = with_joined_columns(queryset, team=("name", "agency"), team__agency=("slug",)).get()

    assert case.team.agency.get_deferred_fields() >= {"name", "region"}
    with django_assert_num_queries(0):
        assert case.team.name
        assert case.team.agency.slug == "north"


@pytest.mark.parametrize(
    ("queryset", "joined", "message"),
    [
        (lambda: Case.objects.all(), {"client": ("legal_family_name",)}, "not joined"),
        (lambda: Case.objects.select_related("whanau"), {"client": ("nhi",)}, "not joined"),
        (lambda: Case.objects.select_related("client"), {"client": ()}, "Name the columns"),
        (lambda: Case.objects.select_related("team"), {"team__agency": ("slug",)}, "not joined"),
    ],
)
def test_a_relation_not_joined_or_without_columns_is_refused(queryset, joined, message):
    # Django would load such a relation in full, and the list would not be lean.
    with pytest.raises(ValueError, match=message):
        with_joined_columns(queryset(), **joined)


def test_sorted_apart_keeps_the_order_under_a_first_key_over_a_column(staff, led_case):
    from django.db.models import Q

    from core.querysets import sorted_apart

    cases = [led_case(staff["north-caseworker"]) for _ in range(3)]
    ordered = Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("-id")

    apart = sorted_apart(ordered, over=Q(status="active"))

    assert list(apart) == list(ordered)
    assert apart.query.order_by[0] == "listed_apart"
    # A constant key would be dropped by PostgreSQL; this one reads a column.
    key = str(apart.query).split(' AS "listed_apart"')[0].rsplit("CASE", 1)[1]
    assert key.startswith(' WHEN "casework_case"."status" = ')


def test_sorted_apart_refuses_an_unordered_queryset():
    from django.db.models import Q

    from core.querysets import sorted_apart

    with pytest.raises(ValueError, match="Order the queryset"):
        sorted_apart(Case.objects.order_by(), over=Q(status="active"))


def test_sorted_apart_keeps_the_models_own_order_when_none_is_given(staff, led_case):
    from django.db.models import Q

    from core.querysets import sorted_apart

    for _ in range(3):
        led_case(staff["north-caseworker"])

    apart = sorted_apart(Case.objects.all(), over=Q(status="active"))

    assert list(apart) == list(Case.objects.all())
    assert apart.query.order_by[0] == "listed_apart"


def test_has_a_row_answers_per_outer_row_without_exists(staff, led_case):
    from django.db.models import BooleanField as Boolean
    from django.db.models import ExpressionWrapper, OuterRef

    from casework.models import Goal
    from core.querysets import has_a_row

    worker = staff["north-caseworker"]
    with_goal, without = led_case(worker), led_case(worker)
    Goal.objects.create(case=with_goal, pou=1, description="Mahi", created_by=worker)

    goals = Goal.objects.filter(case_id=OuterRef("pk"))
    flagged = Case.objects.annotate(
        has_goal=ExpressionWrapper(has_a_row(goals), output_field=Boolean())
    )

    assert dict(flagged.values_list("pk", "has_goal")) == {with_goal.pk: True, without.pk: False}
    assert list(Case.objects.filter(has_a_row(goals))) == [with_goal]
    assert "EXISTS" not in str(Case.objects.filter(has_a_row(goals)).query)
