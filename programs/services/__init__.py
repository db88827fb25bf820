"""Every programmes write: one keyword-only, transactional, audited function per use case."""

from programs.services.aid import (
    aid_request_approve,
    aid_request_cancel,
    aid_request_create,
    aid_request_decline,
    aid_request_return,
    aid_request_submit,
    aid_request_update,
)
from programs.services.enrolments import enrolment_create, enrolment_end
from programs.services.payments import payment_record, repayment_record
from programs.services.programmes import budget_set, programme_create, programme_update

__all__ = [
    "aid_request_approve",
    "aid_request_cancel",
    "aid_request_create",
    "aid_request_decline",
    "aid_request_return",
    "aid_request_submit",
    "aid_request_update",
    "budget_set",
    "enrolment_create",
    "enrolment_end",
    "payment_record",
    "programme_create",
    "programme_update",
    "repayment_record",
]
