"""Pieces shared by the list pages of records seen through case and client grants."""

from casework import access
from core.pagination import CaseloadPagesMixin


class GrantedCaseloadPagesMixin(CaseloadPagesMixin):
    """A caseworker's rows (seen through grants in their own name) are sorted apart.

    See `casework.access.sees_own_caseload_only`; a team lead's are read along
    the list's order index. Set `sorted_apart_over` on the viewset.
    """

    def reads_own_caseload(self, user) -> bool:
        return access.sees_own_caseload_only(user)
