"""Programmes' part of "my work": aid decisions waiting for officers, requests sent back."""

from collections.abc import Iterator
from datetime import date

from django.db.models import Q
from django.utils import timezone

from casework.access import case_permission_exists
from core.models import User
from core.work import WorkItem
from programs.models import AidRequest, AidRequestStatus
from programs.money import format_nzd
from programs.selectors.aid import aid_requests_visible_to


def aid_work_for(user: User, today: date) -> Iterator[WorkItem]:
    """Aid work for `user`: two queries whatever the queue's length.

    - `aid_decision` (program officers): submitted requests of their agency
      they may decide — within their delegated limit, not raised by them, not
      on a case they lead — due from the day they were submitted;
    - `aid_returned` (caseworkers): requests on cases they work that an
      officer returned for more information.
    """
    if not (user and user.is_authenticated and user.is_active):
        return
    if user.has_perm("programs.decide_aidrequest") and user.delegated_limit is not None:
        waiting = (
            aid_requests_visible_to(user)
            .filter(status=AidRequestStatus.SUBMITTED, agency_id=user.agency_id)
            .filter(amount__lte=user.delegated_limit)
            .exclude(Q(created_by=user) | Q(submitted_by=user) | Q(case__lead_caseworker=user))
            .order_by("submitted_at", "id")
        )
        for aid_request in waiting:
            yield WorkItem(
                kind="aid_decision",
                title=(
                    f"Decide aid: {aid_request.get_category_display()} "
                    f"{format_nzd(aid_request.amount)}"
                ),
                due_on=timezone.localdate(aid_request.submitted_at),
                object_type="programs.aidrequest",
                object_id=str(aid_request.pk),
                case_id=str(aid_request.case_id),
                detail={
                    "amount": str(aid_request.amount),
                    "category": aid_request.category,
                    "budgeting_support_flag": aid_request.budgeting_support_flag,
                },
            )
    if user.has_perm("programs.add_aidrequest"):
        returned = (
            AidRequest.objects.filter(status=AidRequestStatus.RETURNED)
            .filter(case_permission_exists(user, "view_case", case_ref="case_id"))
            .order_by("decided_at", "id")
        )
        for aid_request in returned:
            returned_on = aid_request.decided_at
            yield WorkItem(
                kind="aid_returned",
                title=f"Aid request returned: {aid_request.decision_reason[:80]}",
                due_on=timezone.localdate(returned_on) if returned_on else None,
                object_type="programs.aidrequest",
                object_id=str(aid_request.pk),
                case_id=str(aid_request.case_id),
                detail={"amount": str(aid_request.amount), "category": aid_request.category},
            )
