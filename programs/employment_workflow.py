"""The placement lifecycle as data: offered → started → ended, or an offer withdrawn.

programs.services.employment locks the placement, calls `check_placement_transition`,
saves the status and writes the history row (docs/adr/0004).
"""

from collections.abc import Mapping
from typing import Any

from casework.workflow import Guard, Refusal, Workflow
from programs.models import PlacementEndReason, PlacementStatus

P = PlacementStatus

PLACEMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    P.OFFERED.value: (P.STARTED.value, P.WITHDRAWN.value),
    P.STARTED.value: (P.ENDED.value,),
    P.ENDED.value: (),
    P.WITHDRAWN.value: (),
}

# Check-ins are due, and count towards outcomes, once a placement has started.
PLACEMENT_STARTED_STATUSES = frozenset({P.STARTED.value, P.ENDED.value})


def end_reason_given(placement: Any, context: Mapping[str, Any]) -> Refusal | None:
    """An ended placement says why: the outcome reports count the reasons."""
    if context.get("end_reason") not in PlacementEndReason.values:
        return Refusal(
            f"Choose why it ended: {', '.join(PlacementEndReason.values)}.",
            code="end_reason_required",
            field="end_reason",
        )
    return None


def withdraw_reason_given(placement: Any, context: Mapping[str, Any]) -> Refusal | None:
    """A withdrawn offer says why (the client declined, the employer pulled out …)."""
    if not (context.get("reason") or "").strip():
        return Refusal("Say why the offer fell through.", code="reason_required", field="reason")
    return None


PLACEMENT_WORKFLOW = Workflow(
    name="placement",
    initial=P.OFFERED.value,
    transitions=PLACEMENT_TRANSITIONS,
    input_field="status",
    guards={
        (P.STARTED.value, P.ENDED.value): (Guard(end_reason_given, on_input=True),),
        (P.OFFERED.value, P.WITHDRAWN.value): (Guard(withdraw_reason_given, on_input=True),),
    },
)


def check_placement_transition(placement: Any, target: str, **context: Any) -> None:
    """Raise TransitionRefused (400) unless `placement` may move to `target` with `context`."""
    PLACEMENT_WORKFLOW.check(placement, placement.status, target, context)


def placement_allowed_transitions(placement: Any) -> tuple[str, ...]:
    """The statuses `placement` may move to next (a reason may still be needed)."""
    return PLACEMENT_WORKFLOW.available(placement, placement.status, {})
