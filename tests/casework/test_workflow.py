"""The transition table and its guards, as plain data and pure functions (no database)."""

from datetime import UTC, datetime, timedelta
from itertools import product
from types import SimpleNamespace

import pytest

from casework.models import CaseStatus
from casework.workflow import (
    CASE_TRANSITIONS,
    CASE_WORKFLOW,
    Guard,
    Refusal,
    TransitionRefused,
    Workflow,
)

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
STATUSES = CaseStatus.values
ALLOWED = {(source, target) for source, targets in CASE_TRANSITIONS.items() for target in targets}
ILLEGAL = [pair for pair in product(STATUSES, STATUSES) if pair not in ALLOWED]


def a_case(status="active", closed_days_ago=None):
    closed_at = NOW - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    return SimpleNamespace(status=status, closed_at=closed_at)


def context(**values):
    return {"now": NOW, "reason": "", "closure_reason": "", **values}


def test_the_table_is_the_one_in_the_design():
    designed = {
        ("referred", "intake"),
        ("referred", "closed"),
        ("intake", "active"),
        ("intake", "closed"),
        ("active", "on_hold"),
        ("active", "closed"),
        ("on_hold", "active"),
        ("on_hold", "closed"),
        ("closed", "active"),
    }

    assert designed == ALLOWED
    assert CASE_WORKFLOW.initial == "referred"


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_every_allowed_move_passes_with_what_it_needs(source, target):
    case = a_case(source, closed_days_ago=1 if source == "closed" else None)

    CASE_WORKFLOW.check(
        case, source, target, context(closure_reason="goals_met", reason="Hoki mai")
    )

    assert CASE_WORKFLOW.allowed(source, target)


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_other_move_is_refused_naming_the_allowed_targets(source, target):
    with pytest.raises(TransitionRefused) as refused:
        CASE_WORKFLOW.check(a_case(source), source, target, context(closure_reason="goals_met"))

    error = refused.value
    assert error.code == "illegal_transition"
    assert error.status_code == 400
    assert error.allowed == CASE_TRANSITIONS[source]
    for allowed in CASE_TRANSITIONS[source]:
        assert allowed in error.message
    assert error.fields == {"to_status": [error.message]}


def test_moving_to_the_same_status_is_not_a_transition():
    assert not CASE_WORKFLOW.allowed("active", "active")


def test_closing_without_a_closure_reason_is_refused_on_that_field():
    with pytest.raises(TransitionRefused) as refused:
        CASE_WORKFLOW.check(a_case("active"), "active", "closed", context())

    assert refused.value.code == "closure_reason_required"
    assert "closure_reason" in refused.value.fields


def test_an_unknown_closure_reason_is_refused():
    with pytest.raises(TransitionRefused) as refused:
        CASE_WORKFLOW.check(a_case("active"), "active", "closed", context(closure_reason="bored"))

    assert "closure_reason" in refused.value.fields


@pytest.mark.parametrize("days", [0, 1, 89, 90])
def test_reopen_within_the_window_passes(settings, days):
    settings.CASE_REOPEN_WINDOW_DAYS = 90

    CASE_WORKFLOW.check(
        a_case("closed", closed_days_ago=days), "closed", "active", context(reason="Came back")
    )


@pytest.mark.parametrize("days", [91, 400])
def test_reopen_after_the_window_is_refused(settings, days):
    settings.CASE_REOPEN_WINDOW_DAYS = 90

    with pytest.raises(TransitionRefused) as refused:
        CASE_WORKFLOW.check(
            a_case("closed", closed_days_ago=days), "closed", "active", context(reason="Came back")
        )

    assert refused.value.code == "reopen_window_passed"
    assert "90 days" in refused.value.message
    assert refused.value.allowed == ()


def test_the_window_follows_the_setting(settings):
    settings.CASE_REOPEN_WINDOW_DAYS = 30
    case = a_case("closed", closed_days_ago=31)

    with pytest.raises(TransitionRefused):
        CASE_WORKFLOW.check(case, "closed", "active", context(reason="Came back"))


def test_reopen_needs_a_reason():
    with pytest.raises(TransitionRefused) as refused:
        CASE_WORKFLOW.check(a_case("closed", closed_days_ago=1), "closed", "active", context())

    assert "reason" in refused.value.fields


def test_available_skips_input_guards_but_applies_record_guards():
    assert CASE_WORKFLOW.available(a_case("active"), "active", {"now": NOW}) == (
        "on_hold",
        "closed",
    )
    recent = a_case("closed", closed_days_ago=10)
    assert CASE_WORKFLOW.available(recent, "closed", {"now": NOW}) == ("active",)
    stale = a_case("closed", closed_days_ago=120)
    assert CASE_WORKFLOW.available(stale, "closed", {"now": NOW}) == ()


def test_a_workflow_refuses_guards_for_moves_missing_from_its_table():
    with pytest.raises(ValueError, match="not in the table"):
        Workflow(
            name="placement",
            initial="proposed",
            transitions={"proposed": ["started"]},
            guards={("started", "proposed"): [Guard(lambda obj, ctx: None)]},
        )


def test_a_workflow_refuses_an_initial_state_outside_its_table():
    with pytest.raises(ValueError, match="initial"):
        Workflow(name="referral", initial="draft", transitions={"sent": ["accepted"]})


def test_other_apps_can_build_their_own_workflow_with_guards():
    # Given a workflow shaped like an aid request, with a separation-of-duties guard
    def not_own_request(request, ctx):
        if ctx["actor"] == request.submitted_by:
            return Refusal("Nobody approves their own request.", code="own_request")
        return None

    aid = Workflow(
        name="aid request",
        initial="submitted",
        transitions={"submitted": ["approved", "declined"], "approved": ["paid"]},
        guards={("submitted", "approved"): [Guard(not_own_request)]},
        input_field="decision",
    )
    request = SimpleNamespace(submitted_by="hemi")

    # Then the guard and the table both speak
    aid.check(request, "submitted", "approved", {"actor": "kiri"})
    with pytest.raises(TransitionRefused) as own:
        aid.check(request, "submitted", "approved", {"actor": "hemi"})
    assert own.value.code == "own_request"
    assert own.value.fields == {"decision": ["Nobody approves their own request."]}
    with pytest.raises(TransitionRefused) as illegal:
        aid.check(request, "paid", "submitted", {"actor": "kiri"})
    assert "Allowed from 'paid': none." in illegal.value.message
