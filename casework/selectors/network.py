"""Reads of a client's support network (ecomap): ties, summary figures and snapshots over time."""

from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from casework import access
from casework.models import (
    Client,
    NetworkSnapshot,
    NetworkTie,
    SupportKind,
    TieQuality,
    TieType,
)
from core.models import User


def ties_visible_to(actor: User) -> QuerySet[NetworkTie]:
    """Ties of clients `actor` may see, annotated with `identity_visible` for redaction.

    A restricted client's ecomap names the people around them, which can
    reveal who and where they are; `identity_visible` says whether this
    actor may see those names (see `casework.redaction`). `sort_name` is the
    name where it may be shown and NULL where it is redacted: order by it, never
    by `name`, or the order of redacted ties would hint at the names.
    """
    if not (actor and actor.is_authenticated and actor.is_active):
        return NetworkTie.objects.none()
    return (
        NetworkTie.objects.filter(
            access.client_permission_exists(actor, "view_client", client_ref="client_id")
        )
        .annotate(
            identity_visible=ExpressionWrapper(
                Q(client__is_restricted=False)
                | Q(access.client_identity_exists(actor, client_ref="client_id")),
                output_field=BooleanField(),
            )
        )
        .annotate(sort_name=Case(When(identity_visible=True, then=F("name")), default=Value(None)))
    )


def tie_get(*, actor: User, tie_id) -> NetworkTie:
    """One tie `actor` may see; 404 otherwise."""
    return get_object_or_404(ties_visible_to(actor), pk=tie_id)


def current_ties(queryset: QuerySet[NetworkTie], on: date | None = None) -> QuerySet[NetworkTie]:
    """Ties in the client's life on `on` (default today): started by then and not yet ended."""
    on = on or timezone.localdate()
    return queryset.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def network_client_get(*, actor: User, client_id) -> Client:
    """The client whose network is asked for, with `identity_visible`; 404 unless visible."""
    return get_object_or_404(access.clients_visible_to(actor), pk=client_id)


def network_summary(ties: Iterable) -> dict:
    """Summary figures of a set of ties (NetworkTie rows or their snapshot dicts).

    size: how many; supportive_count: how many are of supportive quality;
    by_type and by_support_kind: counts over every choice (zeros included, so
    the shape never changes); mean_strength: a Decimal to two places, or None
    for an empty network.
    """
    rows = [_as_dict(tie) for tie in ties]
    by_type = Counter(row["tie_type"] for row in rows)
    by_kind = Counter(kind for row in rows for kind in row["support_kinds"])
    strengths = [row["strength"] for row in rows]
    mean = (
        (Decimal(sum(strengths)) / Decimal(len(strengths))).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if strengths
        else None
    )
    return {
        "size": len(rows),
        "supportive_count": sum(1 for row in rows if row["quality"] == TieQuality.SUPPORTIVE),
        "by_type": {value: by_type.get(value, 0) for value in TieType.values},
        "by_support_kind": {value: by_kind.get(value, 0) for value in SupportKind.values},
        "mean_strength": mean,
    }


def network_map(*, actor: User, client_id) -> dict:
    """A client's current network, its summary and the time series of its snapshots.

    The client comes annotated with `identity_visible`, which decides whether
    the ties' names may be shown (`casework.redaction`). Three queries
    whatever the size of the network: the client (visibility), the current
    ties, the snapshots' summary columns. 404 unless `actor` may see the
    client.
    """
    client = network_client_get(actor=actor, client_id=client_id)
    ties = list(
        current_ties(NetworkTie.objects.filter(client_id=client.pk)).order_by(
            "-strength", "name", "id"
        )
    )
    series = list(
        NetworkSnapshot.objects.filter(client_id=client.pk)
        .order_by("taken_on", "created_at", "id")
        .values("id", "taken_on", "stage", "size", "supportive_count", "mean_strength")
    )
    return {
        "client": client,
        "ties": ties,
        "summary": network_summary(ties),
        "series": series,
    }


def snapshots_visible_to(actor: User) -> QuerySet[NetworkSnapshot]:
    """Snapshots of clients `actor` may see, annotated with `identity_visible` for redaction."""
    if not (actor and actor.is_authenticated and actor.is_active):
        return NetworkSnapshot.objects.none()
    return NetworkSnapshot.objects.filter(
        access.client_permission_exists(actor, "view_client", client_ref="client_id")
    ).annotate(
        identity_visible=ExpressionWrapper(
            Q(client__is_restricted=False)
            | Q(access.client_identity_exists(actor, client_ref="client_id")),
            output_field=BooleanField(),
        )
    )


def _as_dict(tie) -> dict:
    if isinstance(tie, dict):
        return tie
    return {
        "tie_type": tie.tie_type,
        "support_kinds": tie.support_kinds or [],
        "strength": tie.strength,
        "quality": tie.quality,
    }
