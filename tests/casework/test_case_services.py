"""Case services: opening, every transition and its refusal, reassignment moving access."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Case, CaseStatusChange, Whanau, WhanauMember
from casework.services import cases as services
from casework.workflow import CASE_TRANSITIONS
from core.errors import ApplicationError, ConflictError
from core.models import AuditAction, AuditEvent
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

# The shortest way from `referred` to each status, through the real service.
PATH_TO = {
    "referred": [],
    "intake": ["intake"],
    "active": ["intake", "active"],
    "on_hold": ["intake", "active", "on_hold"],
    "closed": ["closed"],
}
ALLOWED = sorted((s, t) for s, targets in CASE_TRANSITIONS.items() for t in targets)
ILLEGAL = sorted((s, t) for s in PATH_TO for t in PATH_TO if t not in CASE_TRANSITIONS[s])


@pytest.fixture
def open_case(assigned_client):
    """open_case(caseworker, **kwargs): a case opened through case_open for a client of theirs."""

    def make(caseworker, **kwargs):
        if "client" not in kwargs and "whanau" not in kwargs:
            kwargs["client"] = assigned_client(caseworker)
        return services.case_open(actor=caseworker, **kwargs)

    return make


def move(case, actor, *statuses):
    for status in statuses:
        case = services.case_transition(
            actor=actor,
            case=case,
            to_status=status,
            reason=f"to {status}",
            closure_reason="goals_met" if status == "closed" else "",
        )
    return case


def events(obj, action):
    return list(AuditEvent.objects.filter(object_id=str(obj.pk), action=action).order_by("id"))


# ---- opening ---------------------------------------------------------------------------------


def test_caseworker_opens_a_case_for_their_client_and_becomes_its_lead(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    case = services.case_open(actor=cw, client=client, summary="Kei te rapu mahi")

    assert case.status == "referred"
    assert case.lead_caseworker == cw
    assert case.team == cw.team
    assert case.agency_id == cw.agency_id
    assert case.summary == "Kei te rapu mahi"
    history = list(case.status_changes.all())
    assert [(h.from_status, h.to_status, h.changed_by_id) for h in history] == [
        ("", "referred", cw.pk)
    ]
    assert access.user_can(cw, "change_case", case)
    assert access.user_can(staff["north-lead"], "change_case", case)
    assert not access.user_can(staff["north-caseworker2"], "view_case", case)
    assert len(events(case, AuditAction.CREATE)) == 1
    assert len(events(case, AuditAction.PERMISSION_CHANGE)) == 1


def test_a_client_the_actor_cannot_see_is_not_found(staff, assigned_client):
    client = assigned_client(staff["north-caseworker2"])

    with pytest.raises(Http404):
        services.case_open(actor=staff["north-caseworker"], client=client)

    assert not Case.objects.exists()


def test_another_agencys_client_is_not_found_even_with_a_grant(staff, assigned_client):
    south_client = assigned_client(staff["south-caseworker"])
    # Even a stray grant does not let north open a case for south's client.
    access.grant_client_to_user(south_client, staff["north-caseworker"])

    with pytest.raises(Http404):
        services.case_open(actor=staff["north-caseworker"], client=south_client)


@pytest.mark.parametrize("username", ["north-officer", "north-compliance", "north-admin"])
def test_roles_that_do_not_open_cases_are_refused(staff, assigned_client, username):
    client = assigned_client(staff["north-caseworker"])

    with pytest.raises(PermissionDenied):
        services.case_open(actor=staff[username], client=client)


def test_exactly_one_of_client_and_whanau(staff, assigned_client):
    cw = staff["north-caseworker"]
    whanau = Whanau.objects.create(agency=cw.agency, name="Te whānau o Ngātai", created_by=cw)

    with pytest.raises(ApplicationError) as both:
        services.case_open(actor=cw, client=assigned_client(cw), whanau=whanau)
    with pytest.raises(ApplicationError) as neither:
        services.case_open(actor=cw)

    assert set(both.value.fields) == {"client", "whanau"}
    assert set(neither.value.fields) == {"client", "whanau"}


def test_a_whanau_case_grants_every_client_member(staff, assigned_client):
    cw = staff["north-caseworker"]
    member = assigned_client(cw)
    whanau = Whanau.objects.create(agency=cw.agency, name="Te whānau o Pōmare", created_by=cw)
    WhanauMember.objects.create(whanau=whanau, client=member, relationship="parent")

    case = services.case_open(actor=cw, whanau=whanau)

    assert case.whanau == whanau
    assert access.user_can(staff["north-lead"], "view_client", member)


def test_a_whanau_the_actor_cannot_see_is_not_found(staff, assigned_client):
    other = staff["north-caseworker2"]
    whanau = Whanau.objects.create(
        agency=other.agency, name="Te whānau o Te Kōti", created_by=other
    )
    WhanauMember.objects.create(whanau=whanau, client=assigned_client(other), relationship="child")

    with pytest.raises(Http404):
        services.case_open(actor=staff["north-caseworker"], whanau=whanau)


def test_a_whanau_is_visible_through_a_member_the_actor_can_see(staff, assigned_client):
    cw = staff["north-caseworker"]
    other = staff["north-caseworker2"]
    whanau = Whanau.objects.create(agency=cw.agency, name="Te whānau o Wīrihana", created_by=other)
    WhanauMember.objects.create(whanau=whanau, client=assigned_client(cw), relationship="sibling")

    case = services.case_open(actor=cw, whanau=whanau)

    assert case.lead_caseworker == cw


def test_team_lead_opens_a_case_for_one_of_their_caseworkers(staff, assigned_client):
    lead, cw2 = staff["north-lead"], staff["north-caseworker2"]
    client = assigned_client(lead)

    case = services.case_open(actor=lead, client=client, lead_caseworker=cw2)

    assert case.lead_caseworker == cw2
    assert access.user_can(cw2, "view_client", client)


def test_a_caseworker_cannot_hand_a_new_case_to_someone_else(staff, assigned_client):
    cw = staff["north-caseworker"]

    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=cw, client=assigned_client(cw), lead_caseworker=staff["north-caseworker2"]
        )


@pytest.mark.parametrize("username", ["north-officer", "south-caseworker"])
def test_the_lead_must_be_an_active_caseworker_of_the_agency(staff, assigned_client, username):
    lead = staff["north-lead"]

    with pytest.raises(ApplicationError) as refused:
        services.case_open(
            actor=lead, client=assigned_client(lead), lead_caseworker=staff[username]
        )

    assert "lead_caseworker" in refused.value.fields


def test_a_team_of_another_agency_is_refused(staff, assigned_client):
    cw = staff["north-caseworker"]
    south_team = TeamFactory(agency=staff["south-lead"].agency)

    with pytest.raises(ApplicationError) as refused:
        services.case_open(actor=cw, client=assigned_client(cw), team=south_team)

    assert "team" in refused.value.fields


def test_an_archived_client_gets_no_new_case(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw, archived_at=timezone.now())

    with pytest.raises(ConflictError):
        services.case_open(actor=cw, client=client)


def test_a_case_is_not_opened_in_the_future(staff, assigned_client):
    cw = staff["north-caseworker"]

    with pytest.raises(ApplicationError) as refused:
        services.case_open(
            actor=cw, client=assigned_client(cw), opened_at=timezone.now() + timedelta(days=1)
        )

    assert "opened_at" in refused.value.fields


# ---- the workflow ----------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_transition_applies_and_writes_one_history_row(
    staff, open_case, source, target
):
    cw = staff["north-caseworker"]
    case = move(open_case(cw), cw, *PATH_TO[source])
    rows_before = CaseStatusChange.objects.filter(case=case).count()

    case = services.case_transition(
        actor=cw,
        case=case,
        to_status=target,
        reason="Kōrero with whānau",
        closure_reason="goals_met" if target == "closed" else "",
    )

    case.refresh_from_db()
    assert case.status == target
    rows = CaseStatusChange.objects.filter(case=case).order_by("changed_at", "id")
    assert rows.count() == rows_before + 1
    last = rows.last()
    assert (last.from_status, last.to_status, last.changed_by_id) == (source, target, cw.pk)
    assert "Kōrero with whānau" in last.reason
    event = events(case, AuditAction.TRANSITION)[-1]
    assert event.changes["status"] == {"old": source, "new": target}
    assert event.changes["reason"] == "Kōrero with whānau"


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_writes_nothing(staff, open_case, source, target):
    cw = staff["north-caseworker"]
    case = move(open_case(cw), cw, *PATH_TO[source])
    rows_before = CaseStatusChange.objects.filter(case=case).count()

    with pytest.raises(ApplicationError) as refused:
        services.case_transition(
            actor=cw, case=case, to_status=target, reason="x", closure_reason="goals_met"
        )

    assert refused.value.status_code == 400
    assert refused.value.code == "illegal_transition"
    for allowed in CASE_TRANSITIONS[source]:
        assert allowed in refused.value.message
    case.refresh_from_db()
    assert case.status == source
    assert CaseStatusChange.objects.filter(case=case).count() == rows_before


def test_closing_without_a_closure_reason_is_a_field_error(staff, open_case):
    cw = staff["north-caseworker"]
    case = move(open_case(cw), cw, "intake", "active")

    with pytest.raises(ApplicationError) as refused:
        services.case_transition(actor=cw, case=case, to_status="closed", reason="done")

    assert refused.value.status_code == 400
    assert "closure_reason" in refused.value.fields
    case.refresh_from_db()
    assert case.status == "active"


def test_a_closure_reason_is_only_for_closing(staff, open_case):
    cw = staff["north-caseworker"]
    case = open_case(cw)

    with pytest.raises(ApplicationError) as refused:
        services.case_transition(
            actor=cw, case=case, to_status="intake", closure_reason="goals_met"
        )

    assert "closure_reason" in refused.value.fields


def test_closing_records_when_and_why_and_reopening_clears_it(staff, open_case):
    cw = staff["north-caseworker"]
    case = move(open_case(cw), cw, "intake", "active")

    closed = services.case_transition(
        actor=cw, case=case, to_status="closed", closure_reason="moved_away", reason="To Ōtautahi"
    )

    assert closed.closed_at is not None
    assert closed.closure_reason == "moved_away"
    assert "Moved out of area" in closed.status_changes.order_by("id").last().reason

    reopened = services.case_transition(
        actor=cw, case=closed, to_status="active", reason="Came home to Te Tai Tokerau"
    )

    assert reopened.status == "active"
    assert reopened.closed_at is None
    assert reopened.closure_reason == ""
    event = events(case, AuditAction.TRANSITION)[-1]
    assert event.changes["closure_reason"] == {"old": "moved_away", "new": ""}


def test_reopen_within_90_days_is_allowed(staff, open_case, settings):
    settings.CASE_REOPEN_WINDOW_DAYS = 90
    cw = staff["north-caseworker"]
    case = move(open_case(cw), cw, "closed")
    Case.objects.filter(pk=case.pk).update(closed_at=F("closed_at") - timedelta(days=89))

    reopened = services.case_transition(actor=cw, case=case, to_status="active", reason="Back")

    assert reopened.status == "active"


def test_reopen_after_91_days_is_refused(staff, open_case, settings):
    settings.CASE_REOPEN_WINDOW_DAYS = 90
    cw = staff["north-caseworker"]
    case = move(open_case(cw), cw, "closed")
    Case.objects.filter(pk=case.pk).update(closed_at=F("closed_at") - timedelta(days=91))

    with pytest.raises(ApplicationError) as refused:
        services.case_transition(actor=cw, case=case, to_status="active", reason="Back")

    assert refused.value.code == "reopen_window_passed"
    case.refresh_from_db()
    assert case.status == "closed"


def test_reopen_window_measured_from_closing_with_a_frozen_clock(
    staff, open_case, settings, monkeypatch
):
    settings.CASE_REOPEN_WINDOW_DAYS = 90
    cw = staff["north-caseworker"]
    case = move(open_case(cw), cw, "closed")
    later = case.closed_at + timedelta(days=90, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    with pytest.raises(ApplicationError):
        services.case_transition(actor=cw, case=case, to_status="active", reason="Back")


def test_reopen_needs_a_reason(staff, open_case):
    cw = staff["north-caseworker"]
    case = move(open_case(cw), cw, "closed")

    with pytest.raises(ApplicationError) as refused:
        services.case_transition(actor=cw, case=case, to_status="active")

    assert "reason" in refused.value.fields


def test_team_lead_moves_a_team_case(staff, open_case):
    case = open_case(staff["north-caseworker"])

    case = services.case_transition(actor=staff["north-lead"], case=case, to_status="intake")

    assert case.status == "intake"
    assert case.status_changes.order_by("id").last().changed_by == staff["north-lead"]


@pytest.mark.parametrize(
    "username", ["north-caseworker2", "north-officer", "south-caseworker", "south-lead"]
)
def test_staff_who_cannot_see_the_case_cannot_move_it(staff, open_case, username):
    case = open_case(staff["north-caseworker"])

    with pytest.raises(Http404):
        services.case_transition(actor=staff[username], case=case, to_status="intake")

    case.refresh_from_db()
    assert case.status == "referred"


def test_seeing_a_case_without_change_access_is_forbidden(staff, open_case):
    from guardian.shortcuts import assign_perm

    case = open_case(staff["north-caseworker"])
    cw2 = staff["north-caseworker2"]
    assign_perm("casework.view_case", cw2, case)

    with pytest.raises(PermissionDenied):
        services.case_transition(actor=cw2, case=case, to_status="intake")


# ---- assignment ------------------------------------------------------------------------------


def test_reassignment_moves_access_from_the_old_lead_to_the_new(staff, open_case):
    cw, cw2, lead = staff["north-caseworker"], staff["north-caseworker2"], staff["north-lead"]
    case = open_case(cw)

    case = services.case_assign(actor=lead, case=case, lead_caseworker=cw2)

    assert case.lead_caseworker == cw2
    assert not access.user_can(cw, "view_case", case)
    assert not access.user_can(cw, "view_client", case.client)
    assert access.user_can(cw2, "change_case", case)
    assert access.user_can(cw2, "view_client", case.client)
    assert access.clients_visible_to(cw2).get(pk=case.client_id).identity_visible
    assert access.user_can(lead, "view_case", case)
    [event] = events(case, AuditAction.PERMISSION_CHANGE)[1:]
    assert event.actor == lead
    assert event.changes["lead_caseworker"] == {"old": str(cw.pk), "new": str(cw2.pk)}


def test_the_old_lead_keeps_a_client_they_lead_another_case_for(staff, open_case):
    cw, cw2, lead = staff["north-caseworker"], staff["north-caseworker2"], staff["north-lead"]
    first = open_case(cw)
    open_case(cw, client=first.client)

    services.case_assign(actor=lead, case=first, lead_caseworker=cw2)

    assert not access.user_can(cw, "view_case", first)
    assert access.user_can(cw, "view_client", first.client)


def test_reassignment_is_one_transaction(staff, open_case, monkeypatch):
    cw, cw2, lead = staff["north-caseworker"], staff["north-caseworker2"], staff["north-lead"]
    case = open_case(cw)

    def broken_grant(case, user):
        raise RuntimeError("grant failed")

    monkeypatch.setattr(access, "grant_case_to_user", broken_grant)
    with pytest.raises(RuntimeError):
        services.case_assign(actor=lead, case=case, lead_caseworker=cw2)

    case.refresh_from_db()
    assert case.lead_caseworker == cw
    assert access.user_can(cw, "change_case", case)
    assert access.user_can(cw, "view_client", case.client)
    assert not access.user_can(cw2, "view_case", case)
    assert len(events(case, AuditAction.PERMISSION_CHANGE)) == 1


def test_moving_a_case_to_another_team_moves_the_team_leads_access(staff, open_case, make_staff):
    cw, lead = staff["north-caseworker"], staff["north-lead"]
    other_team = TeamFactory(agency=cw.agency, name="Kaiārahi — Kaitāia")
    other_lead = make_staff(cw.agency, "team_lead", "caseworker", team=other_team)
    other_cw = make_staff(cw.agency, "caseworker", team=other_team)
    case = open_case(cw)

    case = services.case_assign(actor=lead, case=case, lead_caseworker=other_cw, team=other_team)

    assert case.team == other_team
    assert access.user_can(other_lead, "change_case", case)
    assert not access.user_can(lead, "view_case", case)
    event = events(case, AuditAction.PERMISSION_CHANGE)[-1]
    assert event.changes["team"] == {"old": str(cw.team_id), "new": str(other_team.pk)}


def test_a_caseworker_cannot_assign_even_their_own_case(staff, open_case):
    cw = staff["north-caseworker"]
    case = open_case(cw)

    with pytest.raises(PermissionDenied):
        services.case_assign(actor=cw, case=case, lead_caseworker=staff["north-caseworker2"])

    case.refresh_from_db()
    assert case.lead_caseworker == cw


@pytest.mark.parametrize("username", ["north-caseworker2", "south-lead", "south-caseworker"])
def test_staff_who_cannot_see_the_case_cannot_assign_it(staff, open_case, username):
    case = open_case(staff["north-caseworker"])

    with pytest.raises(Http404):
        services.case_assign(
            actor=staff[username], case=case, lead_caseworker=staff["north-caseworker2"]
        )


def test_a_lead_of_another_team_who_can_see_the_case_may_not_assign_it(
    staff, open_case, make_staff
):
    cw = staff["north-caseworker"]
    other_lead = make_staff(
        cw.agency, "team_lead", "caseworker", team=TeamFactory(agency=cw.agency)
    )
    case = open_case(cw)
    access.grant_case_to_user(case, other_lead)

    with pytest.raises(PermissionDenied):
        services.case_assign(actor=other_lead, case=case, lead_caseworker=other_lead)


@pytest.mark.parametrize("username", ["north-officer", "south-caseworker"])
def test_the_new_lead_must_be_a_caseworker_of_the_cases_agency(staff, open_case, username):
    case = open_case(staff["north-caseworker"])

    with pytest.raises(ApplicationError) as refused:
        services.case_assign(actor=staff["north-lead"], case=case, lead_caseworker=staff[username])

    assert "lead_caseworker" in refused.value.fields


def test_assigning_the_current_lead_again_is_refused(staff, open_case):
    cw = staff["north-caseworker"]
    case = open_case(cw)

    with pytest.raises(ApplicationError) as refused:
        services.case_assign(actor=staff["north-lead"], case=case, lead_caseworker=cw)

    assert refused.value.code == "no_change"


# ---- the summary -----------------------------------------------------------------------------


def test_summary_changes_are_audited_without_the_text(staff, open_case):
    cw = staff["north-caseworker"]
    case = open_case(cw, summary="Tīmatanga")

    case = services.case_update(actor=cw, case=case, summary="Kua kitea he whare")

    assert case.summary == "Kua kitea he whare"
    [event] = events(case, AuditAction.UPDATE)
    assert "Kua kitea" not in str(event.changes)
    assert event.changes["summary"]["new_length"] == len("Kua kitea he whare")


def test_other_caseworkers_cannot_change_the_summary(staff, open_case):
    case = open_case(staff["north-caseworker"], summary="Tīmatanga")

    with pytest.raises(Http404):
        services.case_update(actor=staff["north-caseworker2"], case=case, summary="Hacked")

    case.refresh_from_db()
    assert case.summary == "Tīmatanga"


# ---- row locks -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_of_one_case_apply_once(staff, open_case, monkeypatch):
    import threading
    import time

    from django.db import connection

    from casework import workflow

    cw, lead = staff["north-caseworker"], staff["north-lead"]
    case = move(open_case(cw), cw, "intake", "active")
    real_check = workflow.Workflow.check

    def slow_check(self, *args, **kwargs):
        # Hold the row lock long enough for the other request to arrive and wait for it.
        real_check(self, *args, **kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(workflow.Workflow, "check", slow_check)
    outcomes = []

    def put_on_hold(actor):
        try:
            services.case_transition(actor=actor, case=case, to_status="on_hold")
            outcomes.append("moved")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=put_on_hold, args=(actor,)) for actor in (cw, lead)]
    threads[0].start()
    time.sleep(0.1)
    threads[1].start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["illegal_transition", "moved"]
    assert CaseStatusChange.objects.filter(case=case, to_status="on_hold").count() == 1


# ---- who may become a lead, and what it grants ---------------------------------------------


def whanau_with(actor, *clients):
    whanau = Whanau.objects.create(agency=actor.agency, name="Te whānau o Rangi", created_by=actor)
    for client in clients:
        WhanauMember.objects.create(whanau=whanau, client=client, relationship="sibling")
    return whanau


def test_a_whanau_case_needs_every_client_member_visible_to_the_actor(staff, assigned_client):
    cw, cw2 = staff["north-caseworker"], staff["north-caseworker2"]
    mine = assigned_client(cw)
    theirs = assigned_client(cw2, is_restricted=True)
    whanau = whanau_with(cw, mine, theirs)

    with pytest.raises(Http404) as refused:
        services.case_open(actor=cw, whanau=whanau)

    # The answer names no member: the same as for a whānau that does not exist.
    assert str(refused.value) == "No such whānau."
    assert not Case.objects.exists()
    assert not access.user_can(cw, "view_client", theirs)


def test_a_whanau_case_opens_when_the_actor_sees_every_client_member(staff, assigned_client):
    cw = staff["north-caseworker"]
    first, second = assigned_client(cw), assigned_client(cw)

    case = services.case_open(actor=cw, whanau=whanau_with(cw, first, second))

    assert case.lead_caseworker == cw


def test_a_named_lead_must_see_every_client_member_of_the_whanau(staff, assigned_client, led_case):
    lead, cw2 = staff["north-lead"], staff["north-caseworker2"]
    # The team lead sees cw2's client through the team; north-caseworker does not.
    whanau = whanau_with(lead, assigned_client(lead), led_case(cw2).client)

    with pytest.raises(ApplicationError) as refused:
        services.case_open(actor=lead, whanau=whanau, lead_caseworker=staff["north-caseworker"])

    assert refused.value.fields == {
        "lead_caseworker": [
            "The lead caseworker must already be able to see every client in the whānau."
        ]
    }
    assert not Case.objects.filter(whanau=whanau).exists()


def test_a_named_lead_who_sees_every_member_gets_the_whanau_case(staff, assigned_client):
    lead, cw2 = staff["north-lead"], staff["north-caseworker2"]
    member = assigned_client(cw2)
    access.grant_client_to_user(member, lead)

    case = services.case_open(actor=lead, whanau=whanau_with(lead, member), lead_caseworker=cw2)

    assert case.lead_caseworker == cw2


def test_a_team_lead_cannot_lead_a_new_case_for_a_restricted_team_client(staff, led_case):
    lead = staff["north-lead"]
    restricted = led_case(staff["north-caseworker"], client=None).client
    restricted.is_restricted = True
    restricted.save()
    assert access.user_can(lead, "view_client", restricted)

    with pytest.raises(PermissionDenied):
        services.case_open(actor=lead, client=restricted)

    assert not access.clients_visible_to(lead).get(pk=restricted.pk).identity_visible
    assert Case.objects.filter(client=restricted).count() == 1


def test_a_team_lead_cannot_lead_a_whanau_case_with_a_restricted_member(staff, led_case):
    lead = staff["north-lead"]
    restricted = led_case(staff["north-caseworker"]).client
    restricted.is_restricted = True
    restricted.save()

    with pytest.raises(PermissionDenied):
        services.case_open(actor=lead, whanau=whanau_with(lead, restricted))


def test_a_team_lead_leads_a_new_case_for_an_unrestricted_team_client(staff, led_case):
    lead = staff["north-lead"]
    client = led_case(staff["north-caseworker"]).client

    case = services.case_open(actor=lead, client=client)

    assert case.lead_caseworker == lead


def test_a_team_lead_hands_a_restricted_client_to_their_assigned_caseworker(staff, led_case):
    lead, cw = staff["north-lead"], staff["north-caseworker"]
    restricted = led_case(cw).client
    restricted.is_restricted = True
    restricted.save()

    case = services.case_open(actor=lead, client=restricted, lead_caseworker=cw)

    assert case.lead_caseworker == cw
    assert not access.clients_visible_to(lead).get(pk=restricted.pk).identity_visible


def test_case_open_audits_the_clients_it_grants(staff, assigned_client):
    cw = staff["north-caseworker"]
    first, second = assigned_client(cw), assigned_client(cw)

    case = services.case_open(actor=cw, whanau=whanau_with(cw, first, second))

    [event] = events(case, AuditAction.PERMISSION_CHANGE)
    granted = event.changes["granted"]
    assert sorted(granted["user_clients"]) == sorted([str(first.pk), str(second.pk)])
    assert sorted(granted["group_clients"]) == sorted([str(first.pk), str(second.pk)])
    assert granted["user_client_perms"] == list(access.CLIENT_ASSIGNED_PERMS)
    assert granted["group_client_perms"] == list(access.CLIENT_TEAM_PERMS)


def test_case_assign_audits_the_clients_it_grants_and_revokes(staff, open_case):
    cw, cw2, lead = staff["north-caseworker"], staff["north-caseworker2"], staff["north-lead"]
    case = open_case(cw)

    services.case_assign(actor=lead, case=case, lead_caseworker=cw2)

    event = events(case, AuditAction.PERMISSION_CHANGE)[-1]
    assert event.changes["granted_clients"] == [str(case.client_id)]
    assert event.changes["revoked_clients"] == [str(case.client_id)]


# ---- closing -------------------------------------------------------------------------------


def test_closing_keeps_the_leads_and_team_leads_access_for_reopening_and_reports(staff, open_case):
    cw, lead = staff["north-caseworker"], staff["north-lead"]
    case = open_case(cw)

    case = move(case, cw, "closed")

    assert access.user_can(cw, "view_case", case)
    assert access.user_can(cw, "change_case", case)
    assert access.clients_visible_to(cw).get(pk=case.client_id).identity_visible
    assert access.user_can(lead, "view_case", case)
    assert not access.user_can(staff["north-caseworker2"], "view_case", case)
    reopened = services.case_transition(actor=cw, case=case, to_status="active", reason="Back")
    assert reopened.status == "active"
