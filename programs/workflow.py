"""Lifecycles as data: the aid request and referral transition tables and their guards.

Referrals: draft → sent → accepted | declined; accepted → engaged | closed;
engaged → completed | closed; the sender withdraws a draft or sent one.
Aid requests: draft → submitted → approved | declined | returned; returned → submitted
(after the caseworker's edits); approved → paid | cancelled; anything not yet
final may be cancelled. Declined, paid and cancelled are final. The services
in programs.services lock the row, call `AID_REQUEST_WORKFLOW.check`, save
the status and write the history row.
"""

from collections.abc import Mapping
from typing import Any

from casework.workflow import Guard, Refusal, Workflow
from programs.models import AidRequestStatus, ReferralStatus

DRAFT, SUBMITTED, APPROVED, DECLINED, RETURNED, PAID, CANCELLED = (
    AidRequestStatus.DRAFT.value,
    AidRequestStatus.SUBMITTED.value,
    AidRequestStatus.APPROVED.value,
    AidRequestStatus.DECLINED.value,
    AidRequestStatus.RETURNED.value,
    AidRequestStatus.PAID.value,
    AidRequestStatus.CANCELLED.value,
)

AID_REQUEST_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (SUBMITTED, CANCELLED),
    SUBMITTED: (APPROVED, DECLINED, RETURNED, CANCELLED),
    RETURNED: (SUBMITTED, CANCELLED),
    APPROVED: (PAID, CANCELLED),
    DECLINED: (),
    PAID: (),
    CANCELLED: (),
}

# The request's own details may change only while it is with the caseworker.
EDITABLE_STATUSES = frozenset({DRAFT, RETURNED})


def reason_given(aid_request: Any, context: Mapping[str, Any]) -> Refusal | None:
    """Declining, returning and cancelling say why: the caseworker (and the client) see it."""
    if not (context.get("reason") or "").strip():
        return Refusal(
            "Give a reason: the caseworker sees it.", code="reason_required", field="reason"
        )
    return None


def justification_given(aid_request: Any, context: Mapping[str, Any]) -> Refusal | None:
    """An officer decides on the caseworker's account of the need, so it must be there."""
    if not (aid_request.justification or "").strip():
        return Refusal(
            "Say why the client needs this before submitting it.",
            code="justification_required",
            field="justification",
        )
    return None


_NEEDS_REASON = (Guard(reason_given, on_input=True),)
_NEEDS_JUSTIFICATION = (Guard(justification_given),)

AID_REQUEST_WORKFLOW = Workflow(
    name="aid request",
    initial=DRAFT,
    transitions=AID_REQUEST_TRANSITIONS,
    input_field="status",
    guards={
        (DRAFT, SUBMITTED): _NEEDS_JUSTIFICATION,
        (RETURNED, SUBMITTED): _NEEDS_JUSTIFICATION,
        (SUBMITTED, DECLINED): _NEEDS_REASON,
        (SUBMITTED, RETURNED): _NEEDS_REASON,
        **{(source, CANCELLED): _NEEDS_REASON for source in (DRAFT, SUBMITTED, RETURNED, APPROVED)},
    },
)


def check_transition(aid_request: Any, target: str, *, reason: str = "") -> None:
    """Raise TransitionRefused (400) unless `aid_request` may move to `target` with `reason`.

    A move missing from the table is `illegal_transition`; a missing reason is
    `reason_required`; a missing justification is `justification_required`.
    """
    AID_REQUEST_WORKFLOW.check(aid_request, aid_request.status, target, {"reason": reason})


def allowed_transitions(aid_request: Any) -> tuple[str, ...]:
    """The statuses `aid_request` may move to next (a reason may still be needed)."""
    return AID_REQUEST_WORKFLOW.available(aid_request, aid_request.status, {})


# ---- the referral lifecycle -----------------------------------------------------------------

R = ReferralStatus

REFERRAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    R.DRAFT.value: (R.SENT.value, R.WITHDRAWN.value),
    R.SENT.value: (R.ACCEPTED.value, R.DECLINED.value, R.WITHDRAWN.value),
    R.ACCEPTED.value: (R.ENGAGED.value, R.CLOSED.value),
    R.ENGAGED.value: (R.COMPLETED.value, R.CLOSED.value),
    R.DECLINED.value: (),
    R.COMPLETED.value: (),
    R.CLOSED.value: (),
    R.WITHDRAWN.value: (),
}

# While a referral is in one of these, the recipient may read what was shared.
REFERRAL_OPEN_STATUSES = frozenset({R.SENT.value, R.ACCEPTED.value, R.ENGAGED.value})
REFERRAL_ENDED_STATUSES = frozenset(
    {R.DECLINED.value, R.COMPLETED.value, R.CLOSED.value, R.WITHDRAWN.value}
)
# A referral that reached one of these may feed the client's support network.
REFERRAL_NETWORK_STATUSES = frozenset({R.ENGAGED.value, R.COMPLETED.value})


def referral_reason_given(referral: Any, context: Mapping[str, Any]) -> Refusal | None:
    """Declining and closing say why: the other side of the referral reads it."""
    if not (context.get("reason") or "").strip():
        return Refusal(
            "Give a reason: the other agency sees it.", code="reason_required", field="reason"
        )
    return None


_REFERRAL_NEEDS_REASON = (Guard(referral_reason_given, on_input=True),)

REFERRAL_WORKFLOW = Workflow(
    name="referral",
    initial=R.DRAFT.value,
    transitions=REFERRAL_TRANSITIONS,
    input_field="status",
    guards={
        (R.SENT.value, R.DECLINED.value): _REFERRAL_NEEDS_REASON,
        (R.ACCEPTED.value, R.CLOSED.value): _REFERRAL_NEEDS_REASON,
        (R.ENGAGED.value, R.CLOSED.value): _REFERRAL_NEEDS_REASON,
    },
)


def check_referral_transition(referral: Any, target: str, *, reason: str = "") -> None:
    """Raise TransitionRefused (400) unless `referral` may move to `target` with `reason`."""
    REFERRAL_WORKFLOW.check(referral, referral.status, target, {"reason": reason})


def referral_allowed_transitions(referral: Any) -> tuple[str, ...]:
    """The statuses `referral` may move to next (a reason may still be needed)."""
    return REFERRAL_WORKFLOW.available(referral, referral.status, {})
