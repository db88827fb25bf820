"""NZD amounts: checking what callers pass in, and writing amounts for people to read."""

from decimal import Decimal, InvalidOperation

from django.conf import settings

from core.errors import ApplicationError

CENT = Decimal("0.01")
# The largest amount a DECIMAL(12, 2) column holds.
MONEY_MAX = Decimal("9999999999.99")


def aid_amount_max() -> Decimal:
    """The largest single aid request or payment accepted (setting AID_REQUEST_MAX_AMOUNT).

    Anything above it is treated as a typing mistake rather than a request.
    """
    return Decimal(str(getattr(settings, "AID_REQUEST_MAX_AMOUNT", "100000.00")))


def clean_money(
    value,
    *,
    field: str = "amount",
    allow_zero: bool = False,
    maximum: Decimal | None = None,
) -> Decimal:
    """Return `value` as an exact Decimal of whole cents, or raise ApplicationError on `field`.

    Floats are refused outright: by the time a float arrives, its cents may
    already be wrong (0.1 + 0.2). Negative amounts, zero (unless allowed),
    amounts with fractions of a cent and amounts above `maximum` are refused.
    """
    if isinstance(value, (float, bool)) or value is None:
        _refuse(field, "Enter an amount in dollars and cents, e.g. 125.50.")
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        _refuse(field, "Enter an amount in dollars and cents, e.g. 125.50.")
    if not amount.is_finite():
        _refuse(field, "Enter an amount in dollars and cents, e.g. 125.50.")
    if amount != amount.quantize(CENT):
        _refuse(field, "Use at most 2 decimal places.")
    if amount < 0 or (amount == 0 and not allow_zero):
        _refuse(field, "The amount must be more than zero." if not allow_zero else "Not negative.")
    limit = min(maximum, MONEY_MAX) if maximum is not None else MONEY_MAX
    if amount > limit:
        _refuse(field, f"The amount cannot be more than {format_nzd(limit)}.")
    return amount.quantize(CENT)


def to_money(value) -> Decimal:
    """A database sum or difference as exact cents (SQLite hands back binary floats)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)


def format_nzd(amount: Decimal) -> str:
    """`Decimal("1234.5")` → ``"NZD 1,234.50"``."""
    return f"NZD {amount.quantize(CENT):,}"


def _refuse(field: str, message: str):
    raise ApplicationError(message, fields={field: [message]})
