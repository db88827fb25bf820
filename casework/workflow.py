"""State machines as plain data: a transition table, pure guards, and the case lifecycle.

`Workflow` is deliberately small so aid requests, referrals and placements
can reuse it: a table of allowed moves, optional guards per move, and one
`check` that either passes or raises `TransitionRefused` (a 400 with the
allowed targets in its message). Nothing here touches the database; the
service that applies a transition locks the row, calls `check`, saves the
status and writes the history row (see docs/adr/0004-state-machines-without-a-library.md).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from casework.models import CaseStatus, ClosureReason
from core.errors import ApplicationError


@dataclass(frozen=True)
class Refusal:
    """Why a guard refuses a move; `field` names the input at fault, if one is."""

    message: str
    code: str = "transition_refused"
    field: str | None = None


@dataclass(frozen=True)
class Guard:
    """A pure check on one move: `check(obj, context)` returns a Refusal or None.

    `on_input` marks guards that judge what the caller sends (a reason, a
    closure reason) rather than the record itself; `Workflow.available`
    skips them, so a list can say which moves the record allows before
    anyone has typed anything.
    """

    check: Callable[[Any, Mapping[str, Any]], Refusal | None]
    on_input: bool = False


class TransitionRefused(ApplicationError):
    """The transition is not in the table or a guard refused it (400)."""

    def __init__(self, message: str, *, code: str, field: str, allowed: Iterable[str]):
        super().__init__(message, code=code, fields={field: [message]})
        self.allowed = tuple(allowed)


@dataclass
class Workflow:
    """A transition table with guards.

    `transitions` maps each state to the states it may move to; `guards` maps
    a (source, target) pair to the guards that must all pass. `input_field` is the
    input field named in refusals (``to_status`` unless set).
    """

    name: str
    initial: str
    transitions: Mapping[str, Iterable[str]]
    guards: Mapping[tuple[str, str], Iterable[Guard]] = field(default_factory=dict)
    input_field: str = "to_status"

    def __post_init__(self) -> None:
        self.transitions = {source: tuple(targets) for source, targets in self.transitions.items()}
        self.guards = {pair: tuple(checks) for pair, checks in self.guards.items()}
        states = set(self.transitions) | {t for ts in self.transitions.values() for t in ts}
        unknown = [pair for pair in self.guards if pair[1] not in self.transitions.get(pair[0], ())]
        if unknown:
            raise ValueError(f"{self.name}: guards for moves not in the table: {unknown}")
        if self.initial not in states:
            raise ValueError(f"{self.name}: initial state {self.initial!r} is not in the table")

    def targets(self, source: str) -> tuple[str, ...]:
        """The states the table allows from `source`, guards not considered."""
        return self.transitions.get(source, ())

    def allowed(self, source: str, target: str) -> bool:
        """Does the table allow `source` → `target` (guards not considered)?"""
        return target in self.targets(source)

    def available(self, obj: Any, source: str, context: Mapping[str, Any]) -> tuple[str, ...]:
        """Targets from `source` whose record guards pass for `obj` (input guards skipped)."""
        return tuple(
            target
            for target in self.targets(source)
            if self._first_refusal(obj, source, target, context, include_input=False) is None
        )

    def check(self, obj: Any, source: str, target: str, context: Mapping[str, Any]) -> None:
        """Raise TransitionRefused unless `source` → `target` is in the table and its guards pass.

        The message of a move missing from the table lists the allowed targets,
        so the caller can correct the request without reading the source.
        """
        if not self.allowed(source, target):
            allowed = self.targets(source)
            listed = ", ".join(allowed) if allowed else "none"
            raise TransitionRefused(
                f"A {self.name} cannot move from '{source}' to '{target}'. "
                f"Allowed from '{source}': {listed}.",
                code="illegal_transition",
                field=self.input_field,
                allowed=allowed,
            )
        refusal = self._first_refusal(obj, source, target, context, include_input=True)
        if refusal is not None:
            raise TransitionRefused(
                refusal.message,
                code=refusal.code,
                field=refusal.field or self.input_field,
                allowed=self.available(obj, source, context),
            )

    def _first_refusal(
        self,
        obj: Any,
        source: str,
        target: str,
        context: Mapping[str, Any],
        *,
        include_input: bool,
    ) -> Refusal | None:
        for guard in self.guards.get((source, target), ()):
            if guard.on_input and not include_input:
                continue
            refusal = guard.check(obj, context)
            if refusal is not None:
                return refusal
        return None


# ---- the case lifecycle ---------------------------------------------------------------------

REFERRED, INTAKE, ACTIVE, ON_HOLD, CLOSED = (
    CaseStatus.REFERRED.value,
    CaseStatus.INTAKE.value,
    CaseStatus.ACTIVE.value,
    CaseStatus.ON_HOLD.value,
    CaseStatus.CLOSED.value,
)

CASE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    REFERRED: (INTAKE, CLOSED),
    INTAKE: (ACTIVE, CLOSED),
    ACTIVE: (ON_HOLD, CLOSED),
    ON_HOLD: (ACTIVE, CLOSED),
    CLOSED: (ACTIVE,),
}


def reopen_deadline(closed_at: datetime) -> datetime:
    """The last moment a case closed at `closed_at` may be reopened."""
    return closed_at + timedelta(days=settings.CASE_REOPEN_WINDOW_DAYS)


def closure_reason_given(case: Any, context: Mapping[str, Any]) -> Refusal | None:
    """Closing needs one of the closure reasons (the model's constraint says the same)."""
    closure_reason = context.get("closure_reason") or ""
    if not closure_reason:
        return Refusal(
            "Say why the case is closing.", code="closure_reason_required", field="closure_reason"
        )
    if closure_reason not in ClosureReason.values:
        return Refusal(
            f"Unknown closure reason '{closure_reason}'. "
            f"Choose one of: {', '.join(ClosureReason.values)}.",
            code="invalid",
            field="closure_reason",
        )
    return None


def within_reopen_window(case: Any, context: Mapping[str, Any]) -> Refusal | None:
    """A closed case comes back only within settings.CASE_REOPEN_WINDOW_DAYS of closing."""
    closed_at = case.closed_at
    if closed_at is None:
        return None
    if context["now"] > reopen_deadline(closed_at):
        return Refusal(
            f"A closed case can be reopened only within {settings.CASE_REOPEN_WINDOW_DAYS} days "
            f"of closing; this one closed on {closed_at:%Y-%m-%d}. Open a new case instead.",
            code="reopen_window_passed",
        )
    return None


def reopen_reason_given(case: Any, context: Mapping[str, Any]) -> Refusal | None:
    """Reopening is the exception path, so the history must say why."""
    if not (context.get("reason") or "").strip():
        return Refusal("Say why the case is reopening.", code="reason_required", field="reason")
    return None


_CLOSING = (Guard(closure_reason_given, on_input=True),)

CASE_WORKFLOW = Workflow(
    name="case",
    initial=REFERRED,
    transitions=CASE_TRANSITIONS,
    guards={
        **{(source, CLOSED): _CLOSING for source in (REFERRED, INTAKE, ACTIVE, ON_HOLD)},
        (CLOSED, ACTIVE): (Guard(within_reopen_window), Guard(reopen_reason_given, on_input=True)),
    },
)
