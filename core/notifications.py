"""In-app notifications: the one way a workflow tells a member of staff that something happened.

`notify` writes a row in the caller's transaction, so a change that rolls back
announces nothing. It does no delivery work (no email, no push): anything
heavier belongs in a task scheduled with `transaction.on_commit` by the
caller. Recipients read and mark their own notifications; everyone else gets
404, as for every record they may not see.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record, object_type_of
from core.models import AuditAction, Notification, User


def notify(
    *,
    recipient: User | None,
    kind: str,
    title: str,
    body: str = "",
    obj: models.Model | None = None,
) -> Notification | None:
    """Leave `recipient` a notification of `kind` about `obj` (if given); returns it.

    Inactive or missing recipients get nothing (None): nobody reads their
    inbox. Call inside the service's transaction; the row commits or rolls
    back with the change it announces. Titles longer than the column are cut.
    """
    if recipient is None or not recipient.is_active:
        return None
    notification = notification_unsaved(
        recipient_id=recipient.pk, kind=kind, title=title, body=body, obj=obj
    )
    notification.save(force_insert=True)
    return notification


def notification_unsaved(
    *, recipient_id, kind: str, title: str, body: str = "", obj: models.Model | None = None
) -> Notification:
    """The row `notify` writes, not yet saved: for writers of many rows at once (the demo).

    The caller checks the recipient is active, as `notify` does.
    """
    return Notification(
        recipient_id=recipient_id,
        kind=kind,
        title=title[:200],
        body=body,
        object_type=object_type_of(obj) if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first; nobody else's, whatever their role."""
    if not (user and user.is_authenticated and user.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "id")


def notification_get(*, user: User, notification_id) -> Notification:
    """One of the user's notifications; 404 for anyone else's or a malformed id."""
    try:
        return get_object_or_404(notifications_for(user), pk=notification_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (idempotent: the first read time is kept).

    Raises Http404 for a notification that is not the actor's. Audited as an
    `update` the first time only.
    """
    notification = notifications_for(actor).select_for_update().filter(pk=notification.pk).first()
    if notification is None:
        raise Http404("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=notification,
            changes={"read_at": {"old": None, "new": notification.read_at.isoformat()}},
        )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many changed (audited once)."""
    now = timezone.now()
    count = notifications_for(actor).filter(read_at__isnull=True).update(read_at=now)
    if count:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="core.notification",
            object_id="*",
            changes={"read_at": {"old": None, "new": now.isoformat()}, "count": count},
        )
    return count
