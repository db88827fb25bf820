"""Section providers: the seam through which other apps add rows to reports.

Employment plans, placements and referrals are not modelled yet. Their report
sections ask a provider registered here; with none registered they render
"No … recorded". When programs gains those models it registers a provider
(e.g. in its AppConfig.ready) and the reports fill in, with no change here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from casework.models import Client
from core.models import Agency, User

EMPLOYMENT = "employment"
REFERRALS = "referrals"
SECTIONS = (EMPLOYMENT, REFERRALS)


@dataclass(frozen=True)
class ClientSectionQuery:
    """What a provider is asked for one client: the actor's view, over a period."""

    actor: User
    client: Client
    period_start: date | None
    period_end: date | None


@dataclass(frozen=True)
class ProgrammeSectionQuery:
    """What a provider is asked for a programme's report: one agency, over a period."""

    actor: User
    programme_id: object
    agency: Agency
    period_start: date
    period_end: date


@dataclass(frozen=True)
class SectionRows:
    """A table for a client's report: a header and rows of plain values."""

    header: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)


@dataclass(frozen=True)
class SectionCounts:
    """Counts for a programme's report, by label (protected before a funder sees them)."""

    title: str
    counts: dict[str, int] = field(default_factory=dict)


ClientProvider = Callable[[ClientSectionQuery], SectionRows | None]
ProgrammeProvider = Callable[[ProgrammeSectionQuery], list[SectionCounts]]

_client_providers: dict[str, ClientProvider] = {}
_programme_providers: dict[str, ProgrammeProvider] = {}


def register_client_section(name: str, provider: ClientProvider) -> None:
    """Let an app fill the `name` section of client reports (one provider per section)."""
    if name not in SECTIONS:
        raise ValueError(f"Unknown report section {name!r}.")
    _client_providers[name] = provider


def register_programme_section(name: str, provider: ProgrammeProvider) -> None:
    """Let an app fill the `name` section of programme reports (one provider per section)."""
    if name not in SECTIONS:
        raise ValueError(f"Unknown report section {name!r}.")
    _programme_providers[name] = provider


def unregister_section(name: str) -> None:
    """Remove any providers of `name` (tests use it to restore the default)."""
    _client_providers.pop(name, None)
    _programme_providers.pop(name, None)


def client_section(name: str, query: ClientSectionQuery) -> SectionRows | None:
    """The rows of section `name` for one client, or None when nothing provides it."""
    provider = _client_providers.get(name)
    return provider(query) if provider is not None else None


def programme_section(name: str, query: ProgrammeSectionQuery) -> list[SectionCounts]:
    """The count tables of section `name` for a programme report (empty when unprovided)."""
    provider = _programme_providers.get(name)
    return provider(query) if provider is not None else []
