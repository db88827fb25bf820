"""Django form and model field validators for NHI and IRD numbers."""

from django.core.exceptions import ValidationError

from core.nz.ird import IRD_UPPER_BOUND_2016, is_valid_ird
from core.nz.nhi import is_test_nhi, nhi_check_failure


def validate_nhi(value: str, *, allow_test_numbers: bool = True) -> None:
    """Raise ValidationError unless value is a valid NHI number (HISO 10046).

    Error codes: "invalid_nhi" for a malformed number or wrong check character,
    "test_nhi" for a valid test number (starting with Z) when allow_test_numbers
    is False. Field validators are called with the value only, so code that must
    reject test numbers in production passes the setting explicitly.
    """
    reason = nhi_check_failure(value)
    if reason is not None:
        raise ValidationError(reason, code="invalid_nhi")
    if not allow_test_numbers and is_test_nhi(value):
        raise ValidationError(nhi_check_failure(value, allow_test_numbers=False), code="test_nhi")


def validate_ird(value: str, *, upper_bound: int = IRD_UPPER_BOUND_2016) -> None:
    """Raise ValidationError with code "invalid_ird" unless value is a valid IRD number.

    upper_bound is the highest issued number allowed; pass the configured value
    where it differs from the 2016 specification's 150,000,000.
    """
    if not is_valid_ird(value, upper_bound=upper_bound):
        raise ValidationError(
            "Enter a valid IRD number: 8 or 9 digits with a correct check digit.",
            code="invalid_ird",
        )
