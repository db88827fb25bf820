"""FastReadMixin gives exactly DRF's own representation, field for field."""

import pytest
from django.core.management import call_command
from rest_framework import serializers

from casework.selectors.cases import case_list
from casework.selectors.clients import client_list
from casework.serializers.cases import CaseSerializer
from casework.serializers.clients import ClientSerializer
from core.fast_read import FastReadMixin
from core.models import User
from programs.selectors.aid import aid_requests_visible_to, with_history
from programs.serializers.aid import AidRequestSerializer, AidRequestStatusChangeSerializer

pytestmark = pytest.mark.django_db


class _Quiet:
    def write(self, *_args):
        return None

    def flush(self):
        return None


@pytest.fixture
def demo():
    call_command("seed_demo", "--clients", "24", stdout=_Quiet(), stderr=_Quiet())


def _drf(serializer, instance) -> dict:
    """DRF's own field-by-field representation, bypassing the mixin."""
    return serializers.Serializer.to_representation(serializer, instance)


def _assert_same(serializer_class, instances) -> int:
    serializer = serializer_class()
    assert isinstance(serializer, FastReadMixin)
    for instance in instances:
        assert FastReadMixin.to_representation(serializer, instance) == _drf(serializer, instance)
    return len(instances)


def test_fast_path_equals_drf_on_the_demo_lists(demo):
    caseworker = User.objects.get(username="north-caseworker")
    lead = User.objects.get(username="north-lead")
    officer = User.objects.get(username="north-officer")

    assert _assert_same(ClientSerializer, list(client_list(actor=caseworker))) > 5
    assert _assert_same(ClientSerializer, list(client_list(actor=lead))) > 5
    assert _assert_same(CaseSerializer, list(case_list(actor=lead))) > 5
    requests = with_history(list(aid_requests_visible_to(officer)))
    assert _assert_same(AidRequestSerializer, requests) > 5
    history = [change for request in requests for change in request.history]
    assert _assert_same(AidRequestStatusChangeSerializer, history) > 5


def test_fast_path_equals_drf_on_the_demo_referrals(demo):
    from core.serializers import AgencySerializer
    from programs.selectors.referrals import referrals_listed, referrals_visible_to
    from programs.serializers.directory import OrganisationBriefSerializer, ServiceSerializer
    from programs.serializers.referrals import ReferralHistorySerializer, ReferralSerializer

    for username in ("north-caseworker", "north-lead", "south-lead"):
        reader = User.objects.get(username=username)
        listed = list(referrals_listed(referrals_visible_to(reader)))
        assert _assert_same(ReferralSerializer, listed) > 0, username
        history = [change for referral in listed for change in referral.status_changes.all()]
        assert _assert_same(ReferralHistorySerializer, history) > 0
        agencies = [r.agency for r in listed] + [r.recipient_agency for r in listed]
        assert _assert_same(AgencySerializer, [a for a in agencies if a is not None]) > 0
        assert _assert_same(ServiceSerializer, [r.service for r in listed]) > 0
        organisations = [r.service.organisation for r in listed]
        assert _assert_same(OrganisationBriefSerializer, organisations) > 0


def test_fast_path_equals_drf_on_the_demo_employment_records(demo):
    from programs.selectors.employment import (
        employment_activities_visible_to,
        employment_plans_visible_to,
        placements_visible_to,
    )
    from programs.serializers.employment import (
        EmployerSerializer,
        EmploymentActivitySerializer,
        EmploymentPlanSerializer,
        PlacementCheckInSerializer,
        PlacementHistorySerializer,
        PlacementSerializer,
    )

    lead = User.objects.get(username="north-lead")
    placements = list(placements_visible_to(lead))
    assert _assert_same(PlacementSerializer, placements) > 0
    assert _assert_same(EmployerSerializer, [p.employer for p in placements]) > 0
    check_ins = [c for p in placements for c in p.check_ins.all()]
    history = [c for p in placements for c in p.status_changes.all()]
    assert _assert_same(PlacementCheckInSerializer, check_ins) > 0
    assert _assert_same(PlacementHistorySerializer, history) > 0
    assert _assert_same(EmploymentPlanSerializer, list(employment_plans_visible_to(lead))) > 0
    activities = list(employment_activities_visible_to(lead))
    assert _assert_same(EmploymentActivitySerializer, activities) > 0


def test_fast_path_equals_drf_on_the_demo_whanau(demo):
    from casework.selectors.whanau import whanau_list
    from casework.serializers.whanau import WhanauMemberSerializer, WhanauSerializer

    for username in ("north-caseworker", "north-lead"):
        listed = list(whanau_list(actor=User.objects.get(username=username)))
        assert _assert_same(WhanauSerializer, listed) > 0, username
        members = [member for whanau in listed for member in whanau.members.all()]
        assert _assert_same(WhanauMemberSerializer, members) > 0


def test_fast_path_reads_columns_and_leaves_the_rest_to_drf():
    plan = {name: reader for name, reader, _field in CaseSerializer()._read_plan()}
    # Columns and foreign-key ids are read straight off the instance...
    assert plan["status"] is not None
    assert plan["opened_at"] is not None
    assert plan["client"][0] == "client_id"
    # ...methods, dotted sources and labels go through DRF's own path.
    assert plan["client_display_name"] is None
    assert plan["whanau_name"] is None
    assert plan["status_label"] is None
    assert plan["agency"] is None


def test_choice_labels_are_the_models_own_display_values(demo):
    from casework.models import Case

    serializer = CaseSerializer()
    cases = list(Case.objects.all()[:20])
    assert len(cases) > 5
    for case in cases:
        assert serializer.fields["status_label"].get_attribute(case) == case.get_status_display()
        assert (
            serializer.fields["closure_reason_label"].get_attribute(case)
            == case.get_closure_reason_display()
        )


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "Pacific/Chatham"])
def test_datetimes_read_fast_equal_drf_in_the_active_timezone(zone):
    import datetime as dt

    from django.utils import timezone

    from casework.models import Case
    from casework.serializers.cases import CaseSerializer

    utc = dt.UTC
    instants = [
        dt.datetime(2026, 4, 5, 1, 59, 59, tzinfo=utc),  # around NZ's end of daylight time
        dt.datetime(2026, 9, 26, 14, 0, 1, 123456, tzinfo=utc),
        dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
    ]
    with timezone.override(zone):
        serializer = CaseSerializer()
        reader = {name: r for name, r, _field in serializer._read_plan()}["opened_at"]
        field = serializer.fields["opened_at"]
        for instant in instants:
            case = Case(opened_at=instant)
            assert reader[1](case.opened_at) == field.to_representation(instant)


def test_datetimes_the_fast_path_does_not_know_go_to_drf():
    import datetime as dt

    from casework.serializers.cases import CaseSerializer

    serializer = CaseSerializer()
    reader = {name: r for name, r, _field in serializer._read_plan()}["opened_at"]
    field = serializer.fields["opened_at"]
    naive = dt.datetime(2026, 3, 1, 12, 0)
    assert reader[1](naive) == field.to_representation(naive)
    assert reader[1]("2026-03-01T12:00:00Z") == "2026-03-01T12:00:00Z"
