"""assessment_record: answers in, scores computed on the server, next one scheduled."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from casework.models import Assessment, Instrument
from casework.services.assessments import assessment_record
from core.errors import ApplicationError
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

ELEVEN = {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 2, "q6": 1}


def lsns6():
    return Instrument.objects.get(code="lsns-6")


def record(actor, client, **overrides):
    fields = {
        "instrument": lsns6(),
        "answers": ELEVEN,
        "administered_on": timezone.localdate(),
        "stage": "intake",
        **overrides,
    }
    return assessment_record(actor=actor, client=client, **fields)


def test_recording_scores_on_the_server_and_schedules_the_next(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    today = timezone.localdate()

    assessment = record(cw, client)

    assert assessment.scores["total"] == 11
    assert assessment.scores["family"] == 6
    assert assessment.scores["friends"] == 5
    assert assessment.scores["flags"] == {"isolation_risk": True}
    assert assessment.next_due_on == today + timedelta(days=90)
    event = AuditEvent.objects.get(object_id=str(assessment.pk))
    assert event.action == AuditAction.CREATE
    assert event.changes["instrument"] == "lsns-6"


def test_an_exit_assessment_has_no_next_one(staff, assigned_client):
    cw = staff["north-caseworker"]

    assessment = record(cw, assigned_client(cw), stage="exit")

    assert assessment.next_due_on is None


def test_the_cutoff_in_force_when_scoring_is_used_and_kept(staff, assigned_client, settings):
    cw = staff["north-caseworker"]
    settings.LSNS6_ISOLATION_CUTOFF = 10

    assessment = record(cw, assigned_client(cw))

    assert assessment.scores["flags"]["isolation_risk"] is False
    assert assessment.scores["cutoffs"]["isolation_risk"] == 10


def test_bad_answers_are_refused_per_item_and_write_nothing(staff, assigned_client):
    cw = staff["north-caseworker"]

    with pytest.raises(ApplicationError) as caught:
        record(cw, assigned_client(cw), answers={**ELEVEN, "q2": 6, "q5": True, "q9": 1})

    assert caught.value.fields["answers"] == {
        "q2": ["Must be between 0 and 5."],
        "q5": ["A whole number is required."],
        "q9": ["Unknown item."],
    }
    assert not Assessment.objects.exists()


def test_stage_date_and_case_are_checked(staff, assigned_client, led_case):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    someone_elses_case = led_case(cw)

    with pytest.raises(ApplicationError) as caught:
        record(
            cw,
            client,
            stage="midway",
            administered_on=timezone.localdate() + timedelta(days=1),
            case=someone_elses_case,
        )

    assert set(caught.value.fields) == {"stage", "administered_on", "case"}


def test_a_case_about_the_client_may_be_given(staff, led_case):
    cw = staff["north-caseworker"]
    case = led_case(cw)

    assessment = record(cw, case.client, case=case)

    assert assessment.case == case


def test_a_case_the_actor_cannot_see_is_refused(staff, led_case):
    cw = staff["north-caseworker"]
    case = led_case(staff["north-caseworker2"])
    from casework import access

    access.grant_client_to_user(case.client, cw)

    with pytest.raises(ApplicationError) as caught:
        record(cw, case.client, case=case)

    assert "case" in caught.value.fields


def test_clients_the_actor_cannot_change_are_404_and_roles_without_perms_403(
    staff, assigned_client
):
    client = assigned_client(staff["north-caseworker"])

    for username in ["north-caseworker2", "south-caseworker"]:
        with pytest.raises(Http404):
            record(staff[username], client)
    for username in ["north-officer", "north-compliance"]:
        with pytest.raises(PermissionDenied):
            record(staff[username], client)
