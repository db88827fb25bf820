"""Pieces shared by the programme endpoints' list pages."""

from core.pagination import CaseloadPagesMixin
from programs import selectors


class ProgrammeCaseloadPagesMixin(CaseloadPagesMixin):
    """A caseworker's payments, recoveries, repayments or enrolments are sorted apart.

    See `selectors.reads_caseload_aid_only`.
    """

    def reads_own_caseload(self, user) -> bool:
        return selectors.reads_caseload_aid_only(user)
