"""Reads of payments, recoveries, repayments and what each client still owes."""

from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404

from casework.access import client_identity_exists
from casework.redaction import CLIENT_NAME_COLUMNS
from core.models import User
from core.querysets import with_joined_columns
from programs.models import Payment, Recovery, RecoveryStatus, Repayment
from programs.selectors.aid import aid_request_visibility


def payments_visible_to(actor: User) -> QuerySet[Payment]:
    """Payments of aid requests the actor may see."""
    return Payment.objects.select_related(
        "aid_request", "aid_request__programme", "recorded_by"
    ).filter(aid_request_visibility(actor, prefix="aid_request__"))


def payments_listed(queryset: QuerySet[Payment]) -> QuerySet[Payment]:
    """`queryset` (from `payments_visible_to`) joining only what the list shows.

    The approved amount of the request and the recorder's username; the
    programme, and the rest of those rows, are never read on a list page.
    """
    return with_joined_columns(
        queryset.select_related(None).select_related("aid_request", "recorded_by"),
        aid_request=("amount",),
        recorded_by=("username",),
    )


def payment_get(*, actor: User, payment_id) -> Payment:
    """One payment the actor may see; otherwise 404."""
    return get_object_or_404(payments_visible_to(actor), pk=payment_id)


def recoveries_visible_to(actor: User) -> QuerySet[Recovery]:
    """Recoveries (repayable advances) of aid requests the actor may see."""
    return (
        Recovery.objects.select_related("aid_request", "client")
        .filter(aid_request_visibility(actor, prefix="aid_request__"))
        .annotate(identity_visible=client_identity_exists(actor, client_ref="client_id"))
    )


def recoveries_listed(queryset: QuerySet[Recovery]) -> QuerySet[Recovery]:
    """`queryset` (from `recoveries_visible_to`) joining only the client's name columns.

    A list shows the request by its key: its row stays joined for the
    visibility filter but is not read (28 columns, three timestamps).
    """
    return with_joined_columns(
        queryset.select_related(None).select_related("client"), client=CLIENT_NAME_COLUMNS
    )


def recovery_get(*, actor: User, recovery_id) -> Recovery:
    """One recovery the actor may see; otherwise 404."""
    return get_object_or_404(recoveries_visible_to(actor), pk=recovery_id)


def repayments_visible_to(actor: User) -> QuerySet[Repayment]:
    """Repayments against recoveries the actor may see."""
    return Repayment.objects.select_related("recovery", "recorded_by").filter(
        aid_request_visibility(actor, prefix="recovery__aid_request__")
    )


def repayments_listed(queryset: QuerySet[Repayment]) -> QuerySet[Repayment]:
    """`queryset` (from `repayments_visible_to`) joining only the recorder's username.

    A list shows the recovery by its key: its row stays joined for the
    visibility filter but is not read.
    """
    return with_joined_columns(
        queryset.select_related(None).select_related("recorded_by"), recorded_by=("username",)
    )


def repayment_get(*, actor: User, repayment_id) -> Repayment:
    """One repayment the actor may see; otherwise 404."""
    return get_object_or_404(repayments_visible_to(actor), pk=repayment_id)


def client_balances_visible_to(actor: User) -> QuerySet:
    """What each client still owes on advances the actor may see: one row per client.

    Rows are dicts with `client_id`, `principal_total`, `repaid_total` and
    `recoveries`; the balance is `principal_total - repaid_total` (subtract in
    Decimal: SQLite sums are floats until quantized).
    """
    return (
        recoveries_visible_to(actor)
        .filter(status=RecoveryStatus.ACTIVE)
        .order_by()
        .values("client_id")
        .annotate(
            principal_total=Sum("principal"),
            repaid_total=Sum("repaid"),
            recoveries=Count("pk"),
        )
        .order_by("client_id")
    )
