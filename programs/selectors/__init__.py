"""Every programmes read: permission-filtered querysets, one module per area."""

from programs.selectors.aid import (
    aid_decisions_of,
    aid_request_get,
    aid_request_visibility,
    aid_requests_in_pages,
    aid_requests_listed,
    aid_requests_visible_to,
    budgeting_support_threshold,
    reads_caseload_aid_only,
    with_history,
)
from programs.selectors.enrolments import (
    enrolment_get,
    enrolments_listed,
    enrolments_visible_to,
)
from programs.selectors.payments import (
    client_balances_visible_to,
    payment_get,
    payments_listed,
    payments_visible_to,
    recoveries_listed,
    recoveries_visible_to,
    recovery_get,
    repayment_get,
    repayments_listed,
    repayments_visible_to,
)
from programs.selectors.programmes import budgets_visible_to, programme_get, programmes_visible_to

__all__ = [
    "aid_decisions_of",
    "aid_request_get",
    "aid_request_visibility",
    "aid_requests_in_pages",
    "aid_requests_listed",
    "aid_requests_visible_to",
    "budgeting_support_threshold",
    "budgets_visible_to",
    "client_balances_visible_to",
    "enrolment_get",
    "enrolments_listed",
    "enrolments_visible_to",
    "payment_get",
    "payments_listed",
    "payments_visible_to",
    "programme_get",
    "programmes_visible_to",
    "reads_caseload_aid_only",
    "recoveries_listed",
    "recoveries_visible_to",
    "recovery_get",
    "repayment_get",
    "repayments_listed",
    "repayments_visible_to",
    "with_history",
]
