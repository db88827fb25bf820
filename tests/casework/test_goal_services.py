"""Goal services: a plan belongs to its case; reviews are the only way a goal's status moves."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import (
    Case,
    Goal,
    GoalReview,
    GoalStatus,
    Pou,
    Relationship,
    Whanau,
    WhanauMember,
)
from casework.services.cases import case_transition
from casework.services.goals import goal_create, goal_review, goal_update
from core.errors import ApplicationError
from core.models import AuditAction, AuditEvent
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def whanau_case():
    """A case for a whānau of two client members and one member who is not a client."""

    def make(caseworker):
        whanau = Whanau.objects.create(
            agency=caseworker.agency, name="Te whānau o Pōmare", created_by=caseworker
        )
        members = [ClientFactory(agency=caseworker.agency, created_by=caseworker) for _ in range(2)]
        for client, relationship in zip(
            members, [Relationship.PARENT, Relationship.CHILD], strict=True
        ):
            WhanauMember.objects.create(whanau=whanau, client=client, relationship=relationship)
        WhanauMember.objects.create(whanau=whanau, name="Koro Hēmi", relationship="grandparent")
        case = Case.objects.create(
            agency=caseworker.agency,
            whanau=whanau,
            lead_caseworker=caseworker,
            team=caseworker.team,
            opened_at=timezone.now(),
            created_by=caseworker,
        )
        access.grant_case_to_user(case, caseworker)
        if case.team is not None:
            access.grant_case_to_group(case, case.team.lead_group)
        return case, members

    return make


def add(actor, case, **overrides):
    fields = {"pou": Pou.COHESIVE, "description": "Hui with whānau every month", **overrides}
    return goal_create(actor=actor, case=case, **fields)


def close(case, actor):
    return case_transition(actor=actor, case=case, to_status="closed", closure_reason="goals_met")


def test_whanau_case_has_whanau_level_and_member_goals(staff, whanau_case):
    cw = staff["north-caseworker"]
    case, (parent, _child) = whanau_case(cw)

    shared = add(cw, case)
    own = add(cw, case, member=parent, pou=Pou.ECONOMICALLY_SECURE, description="Find mahi")

    assert shared.member is None
    assert own.member == parent
    assert shared.status == own.status == GoalStatus.NOT_STARTED
    event = AuditEvent.objects.get(object_id=str(own.pk))
    assert event.action == AuditAction.CREATE
    assert event.changes["pou"] == 5
    assert event.changes["description"] == "set"


def test_a_member_outside_the_case_is_refused(staff, whanau_case, assigned_client):
    cw = staff["north-caseworker"]
    case, _members = whanau_case(cw)
    outsider = assigned_client(cw)

    with pytest.raises(ApplicationError) as caught:
        add(cw, case, member=outsider)

    assert "member" in caught.value.fields
    assert not Goal.objects.exists()


def test_client_case_goal_is_for_the_client_and_no_one_else(staff, led_case, assigned_client):
    cw = staff["north-caseworker"]
    case = led_case(cw)

    for_client = add(cw, case, member=case.client)
    unnamed = add(cw, case)
    with pytest.raises(ApplicationError):
        add(cw, case, member=assigned_client(cw))

    assert for_client.member == case.client
    assert unnamed.member is None


@pytest.mark.parametrize(("pou", "description"), [(0, "x"), (8, "x"), (True, "x"), (1, "  ")])
def test_pou_must_be_one_of_seven_and_description_given(staff, led_case, pou, description):
    cw = staff["north-caseworker"]

    with pytest.raises(ApplicationError):
        add(cw, led_case(cw), pou=pou, description=description)


def test_a_case_the_actor_cannot_change_is_404(staff, led_case):
    case = led_case(staff["north-caseworker"])

    for username in ["north-caseworker2", "south-caseworker", "south-lead"]:
        with pytest.raises(Http404):
            add(staff[username], case)


def test_roles_that_do_not_plan_are_refused(staff, led_case):
    case = led_case(staff["north-caseworker"])

    with pytest.raises(PermissionDenied):
        add(staff["north-officer"], case)


def test_team_lead_may_add_goals_to_team_cases(staff, led_case):
    case = led_case(staff["north-caseworker"])

    goal = add(staff["north-lead"], case)

    assert goal.created_by == staff["north-lead"]


def test_review_sets_the_goal_status_and_next_review(staff, led_case):
    cw = staff["north-caseworker"]
    goal = add(cw, led_case(cw))
    today = timezone.localdate()

    review = goal_review(
        actor=cw,
        goal=goal,
        reviewed_on=today,
        progress=4,
        status_after=GoalStatus.IN_PROGRESS,
        comment="Two hui held",
        next_review_on=today + timedelta(days=28),
    )

    goal.refresh_from_db()
    assert review.progress == 4
    assert goal.status == GoalStatus.IN_PROGRESS
    assert goal.next_review_on == today + timedelta(days=28)
    event = AuditEvent.objects.filter(object_id=str(goal.pk)).latest("id")
    assert event.action == AuditAction.TRANSITION
    assert event.changes["status"] == {"old": "not_started", "new": "in_progress"}


def test_a_review_that_finishes_the_goal_clears_the_next_review(staff, led_case):
    cw = staff["north-caseworker"]
    today = timezone.localdate()
    goal = add(cw, led_case(cw), next_review_on=today + timedelta(days=3))

    goal_review(
        actor=cw, goal=goal, reviewed_on=today, progress=10, status_after=GoalStatus.ACHIEVED
    )

    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    assert goal.next_review_on is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"progress": 11}, "progress"),
        ({"progress": -1}, "progress"),
        ({"progress": True}, "progress"),
        ({"status_after": "abandoned"}, "status_after"),
        ({"reviewed_on": timezone.localdate() + timedelta(days=1)}, "reviewed_on"),
        ({"next_review_on": timezone.localdate()}, "next_review_on"),
        (
            {
                "status_after": "achieved",
                "next_review_on": timezone.localdate() + timedelta(days=9),
            },
            "next_review_on",
        ),
    ],
)
def test_bad_reviews_are_refused_and_leave_the_goal_alone(staff, led_case, overrides, field):
    cw = staff["north-caseworker"]
    goal = add(cw, led_case(cw))
    fields = {
        "reviewed_on": timezone.localdate(),
        "progress": 5,
        "status_after": GoalStatus.IN_PROGRESS,
        **overrides,
    }

    with pytest.raises(ApplicationError) as caught:
        goal_review(actor=cw, goal=goal, **fields)

    assert field in caught.value.fields
    goal.refresh_from_db()
    assert goal.status == GoalStatus.NOT_STARTED
    assert not GoalReview.objects.exists()


def test_closed_case_refuses_new_goals_reviews_and_changes(staff, led_case):
    cw = staff["north-caseworker"]
    case = led_case(cw)
    goal = add(cw, case)
    close(case, cw)

    with pytest.raises(ApplicationError) as adding:
        add(cw, case)
    with pytest.raises(ApplicationError) as reviewing:
        goal_review(
            actor=cw,
            goal=goal,
            reviewed_on=timezone.localdate(),
            progress=3,
            status_after=GoalStatus.IN_PROGRESS,
        )
    with pytest.raises(ApplicationError) as changing:
        goal_update(actor=cw, goal=goal, description="Rewritten after closing")

    assert adding.value.code == reviewing.value.code == changing.value.code == "case_closed"
    assert Goal.objects.count() == 1
    assert not GoalReview.objects.exists()


def test_update_changes_description_and_dates_but_never_status(staff, led_case):
    cw = staff["north-caseworker"]
    goal = add(cw, led_case(cw))
    target = timezone.localdate() + timedelta(days=90)

    goal_update(actor=cw, goal=goal, description="Monthly hui at the marae", target_date=target)
    with pytest.raises(ApplicationError) as caught:
        goal_update(actor=cw, goal=goal, status=GoalStatus.ACHIEVED)

    goal.refresh_from_db()
    assert goal.description == "Monthly hui at the marae"
    assert goal.target_date == target
    assert goal.status == GoalStatus.NOT_STARTED
    assert "status" in caught.value.fields
    event = AuditEvent.objects.filter(object_id=str(goal.pk), action=AuditAction.UPDATE).get()
    assert event.changes["description"] == "changed"
    assert event.changes["target_date"] == {"old": None, "new": target.isoformat()}


def test_another_caseworker_cannot_review_or_change(staff, led_case):
    cw = staff["north-caseworker"]
    goal = add(cw, led_case(cw))
    other = staff["north-caseworker2"]

    with pytest.raises(Http404):
        goal_update(actor=other, goal=goal, description="Not mine")
    with pytest.raises(Http404):
        goal_review(
            actor=other,
            goal=goal,
            reviewed_on=timezone.localdate(),
            progress=1,
            status_after=GoalStatus.IN_PROGRESS,
        )
