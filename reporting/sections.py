"""Section providers: the seam through which other apps add rows to reports.

The employment and referral sections of the reports ask a provider
registered here (from an AppConfig.ready); with none registered they render
"No … recorded". A client provider returns a table of plain values (str,
int, Decimal, date, None — the PDF formats them, the IPP 6 JSON keeps them);
a programme provider returns raw counts, which the report protects before a
funder sees them.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from casework.models import Client
from core.models import Agency, User

EMPLOYMENT = "employment"
REFERRALS = "referrals"
SECTIONS = (EMPLOYMENT, REFERRALS)

# Why a client section is asked for: an outcome report over a period, or the
# client's own request for everything held (Privacy Act 2020, IPP 6), which
# may show more (what was disclosed, and to whom).
OUTCOME = "outcome"
PRIVACY_ACCESS = "privacy-access"


@dataclass(frozen=True)
class ClientSectionQuery:
    """What a provider is asked for one client: the actor's view, over a period.

    A period bound of None means "no bound" (the IPP 6 report has none).
    """

    actor: User
    client: Client
    period_start: date | None
    period_end: date | None
    purpose: str = OUTCOME


@dataclass(frozen=True)
class ProgrammeSectionQuery:
    """What a provider is asked for a programme's report: one agency, over a period."""

    actor: User
    programme_id: object
    agency: Agency
    period_start: date
    period_end: date
    # The clients the programme served in the period (enrolled or asked it for aid).
    client_ids: frozenset = frozenset()


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


@contextmanager
def providers_replaced(
    name: str,
    *,
    client: ClientProvider | None = None,
    programme: ProgrammeProvider | None = None,
) -> Iterator[None]:
    """Use these providers of `name` (None: none) for a while, then restore the previous ones."""
    if name not in SECTIONS:
        raise ValueError(f"Unknown report section {name!r}.")
    saved = (_client_providers.get(name), _programme_providers.get(name))
    try:
        for registry, provider in ((_client_providers, client), (_programme_providers, programme)):
            if provider is None:
                registry.pop(name, None)
            else:
                registry[name] = provider
        yield
    finally:
        registries = (_client_providers, _programme_providers)
        for registry, provider in zip(registries, saved, strict=True):
            if provider is None:
                registry.pop(name, None)
            else:
                registry[name] = provider


def client_section(name: str, query: ClientSectionQuery) -> SectionRows | None:
    """The rows of section `name` for one client, or None when nothing provides it."""
    provider = _client_providers.get(name)
    return provider(query) if provider is not None else None


def programme_section(name: str, query: ProgrammeSectionQuery) -> list[SectionCounts]:
    """The count tables of section `name` for a programme report (empty when unprovided)."""
    provider = _programme_providers.get(name)
    return provider(query) if provider is not None else []
