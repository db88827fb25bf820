"""Correction requests (Privacy Act 2020, IPP 7): recording, correcting, declining.

A client may ask for information held about them to be corrected. The agency
answers within 20 working days (section 44): it either corrects the
information — through `client_update`, so the audit trail keeps the old value
beside the new one — or declines, giving its reason and attaching the
client's statement of correction to the record (IPP 7(3)). Either way the
agencies that earlier received the client's details through a referral are
told where practicable (IPP 7(4)).
"""

import datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Client, CorrectionRequest, CorrectionStatus
from casework.services.clients import CLIENT_PROFILE_FIELDS, client_update
from core.audit import audit_record
from core.errors import ApplicationError, ConflictError
from core.models import AuditAction, User
from core.notifications import notify
from core.roles import Role, role_group_name

# What a client may ask to correct: their profile, ethnicities and iwi. The
# restriction flag is a safety decision, not information about the person.
CORRECTABLE_FIELDS = (
    *(name for name in CLIENT_PROFILE_FIELDS if name != "is_restricted"),
    "ethnicities",
    "iwi",
)
_LIST_FIELDS = ("ethnicities", "iwi")
_BOOLEAN_FIELDS = ("interpreter_required",)

# Matariki public holiday dates fixed by the Te Kāhui o Matariki Public Holiday Act 2022
# (Schedule 1). Later years are not yet in this table: see docs/PRIVACY.md.
MATARIKI = frozenset(
    datetime.date.fromisoformat(day)
    for day in (
        "2022-06-24",
        "2023-07-14",
        "2024-06-28",
        "2025-06-20",
        "2026-07-10",
        "2027-06-25",
        "2028-07-14",
        "2029-07-06",
        "2030-06-21",
        "2031-07-11",
        "2032-07-02",
        "2033-06-24",
        "2034-07-07",
        "2035-06-29",
    )
)


def _easter_sunday(year: int) -> datetime.date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _nth_monday(year: int, month: int, n: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    offset = (7 - first.weekday()) % 7
    return first + datetime.timedelta(days=offset + 7 * (n - 1))


def _mondayised(day: datetime.date) -> datetime.date:
    """A holiday falling on a weekend is observed on the following Monday."""
    if day.weekday() == 5:
        return day + datetime.timedelta(days=2)
    if day.weekday() == 6:
        return day + datetime.timedelta(days=1)
    return day


@cache
def _holidays(year: int) -> frozenset[datetime.date]:
    """The days of `year` that the Privacy Act 2020 (section 7) does not count as working days.

    Weekends are handled by the caller; the summer break (25 December to 15
    January) is handled by `is_working_day`.
    """
    easter = _easter_sunday(year)
    days = {
        _mondayised(datetime.date(year, 2, 6)),  # Waitangi Day
        easter - datetime.timedelta(days=2),  # Good Friday
        easter + datetime.timedelta(days=1),  # Easter Monday
        _mondayised(datetime.date(year, 4, 25)),  # Anzac Day
        _nth_monday(year, 6, 1),  # Sovereign's Birthday
        _nth_monday(year, 10, 4),  # Labour Day
    }
    days.update(day for day in MATARIKI if day.year == year)
    return frozenset(days)


def is_working_day(day: datetime.date) -> bool:
    """Is `day` a working day as the Privacy Act 2020 (section 7) defines it?

    Not Saturday or Sunday, not a national public holiday (Waitangi and Anzac
    Days Mondayised), not Matariki, and not in the 25 December – 15 January
    break. Regional anniversary days are not excluded by the Act and are counted.
    """
    if day.weekday() >= 5:
        return False
    if (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day <= 15):
        return False
    return day not in _holidays(day.year)


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The date `count` working days after `start` (the day of receipt is not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def correction_due_on(requested_at: datetime.datetime) -> datetime.date:
    """When the answer to a request received at `requested_at` is due (NZ local date)."""
    received = timezone.localtime(requested_at).date()
    return add_working_days(received, settings.CORRECTION_RESPONSE_WORKING_DAYS)


@transaction.atomic
def correction_request_record(
    *,
    actor: User,
    client: Client,
    requested_changes: dict[str, Any],
    client_statement: str,
    requested_at: datetime.datetime | None = None,
) -> CorrectionRequest:
    """Record a client's request to correct their information (IPP 7), due in 20 working days.

    Preconditions: the actor may see the client (else Http404) and change them
    (else PermissionDenied: only the staff working with the client take the
    request). `requested_changes` maps correctable fields (CORRECTABLE_FIELDS)
    to the values the client asks for; `client_statement` is the request in the
    client's words; `requested_at` (default now) is not in the future. Values
    are checked against the client rules when the request is actioned, since
    the client may ask for something the agency cannot record. Raises
    ApplicationError (400) with field errors for bad input. Writes a `create`
    audit event naming the fields (the values stay in the request record).
    """
    client = _lock_client(actor=actor, client=client)
    now = timezone.now()
    requested_at = requested_at or now
    client_statement = (client_statement or "").strip()
    errors: dict[str, list[str]] = {}
    changes = _clean_requested_changes(requested_changes, errors)
    if not client_statement:
        errors["client_statement"] = ["Record what the client asked for, in their words."]
    if requested_at > now:
        errors["requested_at"] = ["A request cannot be received in the future."]
    if errors:
        raise ApplicationError("The correction request cannot be recorded.", fields=errors)

    correction = CorrectionRequest.objects.create(
        agency_id=client.agency_id,
        client=client,
        requested_by=actor,
        requested_at=requested_at,
        due_on=correction_due_on(requested_at),
        requested_changes=changes,
        client_statement=client_statement,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=correction,
        changes={
            "client": str(client.pk),
            "fields": sorted(changes),
            "due_on": correction.due_on.isoformat(),
        },
    )
    return correction


@transaction.atomic
def correction_request_correct(
    *, actor: User, correction: CorrectionRequest, note: str = ""
) -> CorrectionRequest:
    """Make the requested correction and close the request as `corrected`.

    The change goes through `client_update`, with all its checks (a restricted
    client's identity is changed only by their assigned caseworker; values are
    validated), and its `update` audit event keeps the old value beside the new
    one. Preconditions: as `correction_request_record`; the request is still
    `received` (ConflictError `already_decided`). Raises ApplicationError (400)
    when a value cannot be recorded: nothing is changed then, and the request
    can be declined instead. Writes a `transition` audit event and notifies the
    agencies that received the client's details through a referral (IPP 7(4)).
    """
    correction = _lock_open(actor=actor, correction=correction)
    values = dict(correction.requested_changes)
    if "date_of_birth" in values:
        try:
            values["date_of_birth"] = datetime.date.fromisoformat(values["date_of_birth"])
        except (TypeError, ValueError) as exc:
            # Recorded before values were normalised: refuse, and let it be declined instead.
            raise ApplicationError(
                "The requested date of birth is not a date.",
                fields={"requested_changes": ["date_of_birth: not a date as YYYY-MM-DD."]},
            ) from exc
    client = client_update(actor=actor, client=correction.client, **values)
    correction.client = client
    return _decide(
        actor=actor,
        correction=correction,
        status=CorrectionStatus.CORRECTED,
        reason=(note or "").strip(),
    )


@transaction.atomic
def correction_request_decline(
    *,
    actor: User,
    correction: CorrectionRequest,
    reason: str,
    statement_of_correction: str = "",
) -> CorrectionRequest:
    """Decline to correct, with the reason, attaching the client's statement of correction.

    IPP 7(3): when the agency does not correct, it attaches the person's
    statement of the correction sought so it is read with the information; by
    default that is the request in the client's own words. Preconditions as
    `correction_request_correct`; a reason is required (ApplicationError).
    Writes a `transition` audit event and notifies earlier recipients (IPP 7(4)).
    """
    correction = _lock_open(actor=actor, correction=correction)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Say why the information is not corrected.",
            fields={"reason": ["This field may not be blank."]},
        )
    correction.statement_of_correction = (
        statement_of_correction or ""
    ).strip() or correction.client_statement
    return _decide(
        actor=actor, correction=correction, status=CorrectionStatus.DECLINED, reason=reason
    )


def _decide(
    *, actor: User, correction: CorrectionRequest, status: CorrectionStatus, reason: str
) -> CorrectionRequest:
    correction.status = status
    correction.decided_by = actor
    correction.decided_at = timezone.now()
    correction.decision_reason = reason
    correction.recipients_notified = _notify_earlier_recipients(correction)
    correction.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=correction,
        changes={
            "status": {"old": CorrectionStatus.RECEIVED, "new": status},
            "client": str(correction.client_id),
            "fields": sorted(correction.requested_changes),
            "reason": reason,
            "overdue": correction.decided_at.date() > correction.due_on,
            "recipients_notified": len(correction.recipients_notified),
        },
    )
    return correction


def _notify_earlier_recipients(correction: CorrectionRequest) -> list[dict[str, str]]:
    """Tell agencies that received the client's details by referral what became of the request.

    Each receiving agency hears once, through whoever answered the referral or
    else its team leads. The notification names the referral and the fields,
    never the values: the recipient reads its own snapshot for the rest.
    Returns ``[{"agency", "referral"}]`` for the request's record.
    """
    # Referrals belong to programs, which depends on casework, not the reverse:
    # reach them through the app registry instead of an import.
    referral_model = apps.get_model("programs", "Referral")
    referrals = (
        referral_model.objects.filter(
            client_id=correction.client_id,
            recipient_agency__isnull=False,
            share__isnull=False,
        )
        .exclude(recipient_agency_id=correction.agency_id)
        .select_related("recipient_agency", "responded_by")
        .order_by("recipient_agency_id", "-sent_at", "id")
    )
    outcome = (
        "corrected"
        if correction.status == CorrectionStatus.CORRECTED
        else "not corrected (statement attached)"
    )
    fields = ", ".join(sorted(correction.requested_changes))
    notified: list[dict[str, str]] = []
    seen: set = set()
    for referral in referrals:
        if referral.recipient_agency_id in seen:
            continue
        seen.add(referral.recipient_agency_id)
        responder = referral.responded_by
        # Whoever answered the referral may have left; then the team leads are told.
        recipients = [responder] if responder is not None and responder.is_active else []
        if not recipients:
            recipients = list(
                User.objects.filter(
                    agency_id=referral.recipient_agency_id,
                    is_active=True,
                    groups__name=role_group_name(Role.TEAM_LEAD),
                ).order_by("username")
            )
        delivered = 0
        for recipient in recipients:
            delivered += (
                notify(
                    recipient=recipient,
                    kind=f"correction_{correction.status}",
                    title=f"Referral {referral.reference}: client details {outcome} by the sender",
                    body=(
                        f"The client asked for a correction of: {fields}. "
                        + (
                            "The corrected details replace those shared with the referral."
                            if correction.status == CorrectionStatus.CORRECTED
                            else "Their statement of correction is attached to the record."
                        )
                    ),
                    obj=referral,
                )
                is not None
            )
        if delivered:
            # Recorded only when someone was told: IPP 7(4) asks what was done.
            notified.append(
                {"agency": str(referral.recipient_agency_id), "referral": referral.reference}
            )
    return notified


def _lock_client(*, actor: User, client: Client) -> Client:
    """Lock the client; 404 unless the actor sees it, 403 unless they may change it."""
    locked = Client.objects.select_for_update().filter(pk=client.pk).first()
    if locked is None or not access.user_can(actor, "view_client", locked):
        raise Http404("No such client.")
    if not access.user_can(actor, "change_client", locked):
        raise PermissionDenied("You may see this client but not act on their requests.")
    return locked


def _lock_open(*, actor: User, correction: CorrectionRequest) -> CorrectionRequest:
    """Lock a request that is still open, after checking the actor may act for its client."""
    locked = (
        CorrectionRequest.objects.select_for_update()
        .select_related("client")
        .filter(pk=correction.pk)
        .first()
    )
    if locked is None:
        raise Http404("No such correction request.")
    _lock_client(actor=actor, client=locked.client)
    if locked.status != CorrectionStatus.RECEIVED:
        raise ConflictError(
            f"This request was already {locked.get_status_display().lower()}.",
            code="already_decided",
        )
    return locked


def _clean_requested_changes(value: Any, errors: dict[str, list[str]]) -> dict[str, Any]:
    """Check the shape of the requested changes; their values are checked when actioned."""
    if not isinstance(value, dict) or not value:
        errors["requested_changes"] = ["Name at least one field to correct and the value sought."]
        return {}
    unknown = sorted(set(value) - set(CORRECTABLE_FIELDS))
    if unknown:
        errors["requested_changes"] = [
            f"These cannot be corrected this way: {', '.join(unknown)}. "
            f"Correctable: {', '.join(CORRECTABLE_FIELDS)}."
        ]
        return {}
    cleaned: dict[str, Any] = {}
    for name, raw in value.items():
        if name in _LIST_FIELDS:
            if (
                not isinstance(raw, list)
                or len(raw) > 20
                or not all(isinstance(v, str) and len(v) <= 10 and "\x00" not in v for v in raw)
            ):
                errors.setdefault("requested_changes", []).append(f"{name}: give a list of codes.")
                continue
        elif name in _BOOLEAN_FIELDS:
            if not isinstance(raw, bool):
                errors.setdefault("requested_changes", []).append(f"{name}: give true or false.")
                continue
        elif name == "date_of_birth":
            # Only a string: 19840302 as a number would pass str() and fail later.
            try:
                raw = datetime.date.fromisoformat(raw).isoformat()
            except (TypeError, ValueError):
                errors.setdefault("requested_changes", []).append(
                    "date_of_birth: give a date as YYYY-MM-DD."
                )
                continue
        elif not (raw is None and name == "nhi") and not isinstance(raw, str):
            errors.setdefault("requested_changes", []).append(f"{name}: give text.")
            continue
        elif isinstance(raw, str) and ("\x00" in raw or len(raw) > 2000):
            errors.setdefault("requested_changes", []).append(f"{name}: the value is not valid.")
            continue
        cleaned[name] = raw
    return cleaned
