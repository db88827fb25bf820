"""The signed-in user's "my work" list, gathered from every app that has work to offer.

Each app registers a source in its AppConfig.ready(): a function that takes
the user and today's date and yields `WorkItem`s it is allowed to show them.
Apps stay independent of each other (reporting → programs → casework → core)
and `/api/v1/me/work/` stays one endpoint.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from core.models import User


@dataclass(frozen=True)
class WorkItem:
    """One thing due for the user: what, when, and which record to open."""

    kind: str
    title: str
    due_on: date | None
    object_type: str
    object_id: str
    case_id: str | None = None
    detail: dict = field(default_factory=dict)


WorkSource = Callable[[User, date], Iterable[WorkItem]]
_sources: dict[str, WorkSource] = {}


def register_work_source(name: str, source: WorkSource) -> None:
    """Add (or replace) the work source called `name`."""
    _sources[name] = source


def work_items_for(user: User, today: date) -> list[WorkItem]:
    """Everything due for `user`, most overdue first; items without a date come last."""
    items = [item for source in _sources.values() for item in source(user, today)]
    return sorted(
        items, key=lambda i: (i.due_on is None, i.due_on or date.max, i.kind, i.object_id)
    )


def work_kinds() -> list[str]:
    """Names of the registered sources (for documentation and filters)."""
    return sorted(_sources)
