"""Agencies, teams, staff users and the append-only audit log."""

import uuid
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, Group
from django.core.validators import MinValueValidator
from django.db import models

from core.nz.regions import REGION_CHOICES
from core.roles import ROLE_GROUP_PREFIX, Role


class AgencyKind(models.TextChoices):
    MINISTRY_OFFICE = "ministry_office", "Ministry office"
    IWI_PROVIDER = "iwi_provider", "Iwi provider"
    KAUPAPA_MAORI_PROVIDER = "kaupapa_maori_provider", "Kaupapa Māori provider"
    PACIFIC_PROVIDER = "pacific_provider", "Pacific provider"
    NGO = "ngo", "NGO"
    CLUBHOUSE = "clubhouse", "Clubhouse"
    OTHER = "other", "Other"


class Agency(models.Model):
    """An organisation that delivers programmes on Tautoko; its clients are its own."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    region = models.CharField(max_length=2, choices=REGION_CHOICES)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A group of caseworkers inside one agency; its team leads see all of its cases."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    lead_group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_team",
        help_text="The team's leads; object permissions on the team's cases are granted to it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.slug})"


class User(AbstractUser):
    """A member of staff: belongs to exactly one agency and holds one or more roles.

    Roles are Django groups (see core.roles); superusers are operators of the
    deployment and may have no agency.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, related_name="members", null=True, blank=True
    )
    delegated_limit = models.DecimalField(
        "delegated financial limit (NZD)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The largest aid amount this program officer may approve.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delegated_limit__isnull=True) | models.Q(delegated_limit__gte=0),
                name="user_delegated_limit_not_negative",
            ),
        ]

    @property
    def roles(self) -> list[str]:
        """The role values this user holds, from their groups (prefetch `groups` for lists)."""
        return sorted(
            group.name.removeprefix(ROLE_GROUP_PREFIX)
            for group in self.groups.all()
            if group.name.startswith(ROLE_GROUP_PREFIX)
        )

    def has_role(self, role: Role | str) -> bool:
        return Role(role).value in self.roles


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    VIEW = "view", "View"
    EXPORT = "export", "Export"
    DOWNLOAD = "download", "Download"
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Login failed"
    LOGOUT = "logout", "Logout"
    PERMISSION_CHANGE = "permission_change", "Permission change"
    TRANSITION = "transition", "Status transition"
    PRIVACY_ACCESS = "privacy_access", "Privacy Act access request"


class AuditEventQuerySet(models.QuerySet):
    """Audit events are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise AuditEventImmutable("Audit events cannot be changed.")

    def delete(self):
        raise AuditEventImmutable("Audit events cannot be deleted.")


class AuditEventImmutable(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEvent(models.Model):
    """One append-only record of who did what to which record, and when.

    Written by services in the same transaction as the change it records. The
    database refuses updates (and, on PostgreSQL, deletes) with a trigger, so
    not even raw SQL from the application can rewrite history; see
    docs/adr/0002-own-audit-log.md.
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No index of its own: `audit_actor_time` starts with the actor (an index fewer to
    # write on the busiest table).
    actor = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    # Likewise covered by `audit_agency_time` and `audit_agency_action_time`.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # One for each filter of the agency audit log (`core.api.AuditEventFilter`); the
        # table outgrows every other, so a filter without one reads the agency's whole
        # history: at two million events a request id or a rare action took 130-150 ms
        # to find, an object id 35 ms (docs/PERFORMANCE.md, "The audit log").
        indexes = [
            models.Index(fields=["agency", "-occurred_at"], name="audit_agency_time"),
            models.Index(
                fields=["agency", "action", "-occurred_at"], name="audit_agency_action_time"
            ),
            models.Index(fields=["object_id", "object_type"], name="audit_object_id"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            models.Index(
                fields=["actor_username", "-occurred_at"],
                name="audit_username_time",
                condition=~models.Q(actor_username=""),
            ),
            models.Index(
                fields=["request_id"], name="audit_request", condition=~models.Q(request_id="")
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} "
            f"{self.object_type}:{self.object_id}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventImmutable("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("Audit events cannot be deleted.")


class Notification(models.Model):
    """An in-app message to one member of staff: something happened that they should know.

    Written by services (core.notifications.notify) in the transaction of the
    change it announces; read and marked read only by its recipient.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=50, help_text="What happened, e.g. 'referral_accepted'.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
            # The inbox's order: notifications are kept, so without it every page sorted
            # all of the person's notifications.
            models.Index(
                fields=["recipient", "-created_at", "id"], name="notification_recipient_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
