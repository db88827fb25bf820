"""Programmes, budgets, enrolments, financial aid, payments, the directory and referrals."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from casework.models import Case, Client
from core.models import Agency
from core.nz.fiscal import fiscal_year_label
from core.nz.regions import REGION_CHOICES

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money_field(verbose_name: str | None = None, **kwargs) -> models.DecimalField:
    """An NZD amount: exact decimal, up to 9,999,999,999.99."""
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def whole_cents(expression):
    """`expression` (an amount in dollars) as a whole number of cents.

    SQLite keeps DECIMAL columns as binary floating point, where 0.1 + 0.2 is
    not 0.3; comparing rounded cents makes every money check in SQL exact on
    SQLite as it already is on PostgreSQL's NUMERIC (docs/adr/0005).
    """
    return Round(expression * 100)


def rounded_money(expression):
    """`expression` rounded to cents, so a stored amount never carries float residue."""
    return Round(expression, 2)


class ProgrammeKind(models.TextChoices):
    FINANCIAL_AID = "financial_aid", "Financial aid"
    EMPLOYMENT = "employment", "Employment support"
    NETWORK_SUPPORT = "network_support", "Whānau and community network support"


class Programme(models.Model):
    """A government-funded support programme, delivered by one or more agencies."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=ProgrammeKind.choices)
    funder = models.CharField(max_length=200, help_text="Who funds it, e.g. a ministry.")
    delivering_agencies = models.ManyToManyField(
        Agency, related_name="delivered_programmes", blank=True
    )
    eligibility_notes = models.TextField(blank=True)
    active_from = models.DateField()
    active_to = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "active_from"], name="programme_kind_active")]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="programme_active_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


class Budget(models.Model):
    """A programme's money for one NZ fiscal year (1 July – 30 June), for one agency or for all.

    `committed` is approved aid not yet paid; `paid` is aid paid out. Money
    moves only through conditional UPDATEs in programs.services.budgets, and
    the database refuses any row where committed + paid exceeds the allocation
    (docs/adr/0005-budget-commitment.md).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="budgets")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the programme-wide budget shared by every delivering agency.",
    )
    fiscal_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the fiscal year starts in: 2025 is 2025/26."
    )
    allocated = money_field("allocated (NZD)")
    committed = money_field("committed (NZD)", default=ZERO)
    paid = money_field("paid (NZD)", default=ZERO)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "-fiscal_year", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "fiscal_year", "agency"],
                condition=Q(agency__isnull=False),
                name="budget_one_per_agency_year",
            ),
            models.UniqueConstraint(
                fields=["programme", "fiscal_year"],
                condition=Q(agency__isnull=True),
                name="budget_one_programme_wide_per_year",
            ),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="budget_allocated_gte_0"),
            models.CheckConstraint(condition=Q(committed__gte=0), name="budget_committed_gte_0"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="budget_paid_gte_0"),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(
                    whole_cents(F("allocated") - F("committed") - F("paid")), 0
                ),
                name="budget_committed_plus_paid_within_allocated",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2999),
                name="budget_fiscal_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        scope = self.agency.slug if self.agency_id else "all agencies"
        return f"{self.programme} {self.fiscal_year_label} ({scope})"

    @property
    def available(self) -> Decimal:
        return self.allocated - self.committed - self.paid

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Enrolment(models.Model):
    """A case taking part in a programme, from `started_on` until it completes or withdraws."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="enrolments")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_on", "id"]
        indexes = [
            models.Index(fields=["agency", "programme", "status"], name="enrolment_agency_prog"),
            # The list's default order, read along rather than sorted.
            models.Index(fields=["-started_on", "id"], name="enrolment_started_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "programme"],
                condition=Q(status=EnrolmentStatus.ACTIVE),
                name="enrolment_one_active_per_case_programme",
            ),
            models.CheckConstraint(
                condition=(Q(status=EnrolmentStatus.ACTIVE) & Q(ended_on__isnull=True))
                | (~Q(status=EnrolmentStatus.ACTIVE) & Q(ended_on__isnull=False)),
                name="enrolment_ended_iff_not_active",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="enrolment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Enrolment {self.pk}"


class AidCategory(models.TextChoices):
    FOOD = "food", "Food"
    ACCOMMODATION = "accommodation", "Accommodation costs / bond"
    RENT_ARREARS = "rent_arrears", "Rent arrears"
    POWER = "power", "Power / utilities"
    MEDICAL = "medical", "Medical / dental"
    TRANSPORT = "transport", "Transport"
    EDUCATION = "education", "Education & training"
    FURNITURE = "furniture", "Furniture / whiteware"
    TANGIHANGA = "tangihanga", "Tangihanga / funeral"
    CLOTHING = "clothing", "Clothing"
    OTHER = "other", "Other"


class AidRequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    RETURNED = "returned", "Returned for more information"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


class RepaymentFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


class AidRequest(models.Model):
    """A request for financial aid for a client of a case, under a financial-aid programme.

    A recoverable request is an advance repaid from future payments on the
    plan it carries (instalment and frequency); a non-recoverable one is a
    grant. Status changes only through programs.services.aid (programs.workflow).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="aid_requests")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="aid_requests")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="aid_requests")
    category = models.CharField(max_length=20, choices=AidCategory.choices)
    amount = money_field("amount (NZD)", validators=[MinValueValidator(CENT)])
    is_recoverable = models.BooleanField(
        default=False, help_text="An advance repaid from future payments, not a grant."
    )
    repayment_instalment = money_field("repayment instalment (NZD)", null=True, blank=True)
    repayment_frequency = models.CharField(
        max_length=16, choices=RepaymentFrequency.choices, blank=True
    )
    repayment_start_on = models.DateField(null=True, blank=True)
    justification = models.TextField(blank=True)
    supplier_name = models.CharField(max_length=200, blank=True)
    supplier_bank_account = models.CharField(
        max_length=20, blank=True, help_text="NZ bank account number, e.g. 12-3456-0123456-00."
    )
    supplier_reference = models.CharField(
        max_length=100, blank=True, help_text="Invoice or customer number the supplier expects."
    )
    status = models.CharField(
        max_length=16, choices=AidRequestStatus.choices, default=AidRequestStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    budget = models.ForeignKey(
        Budget,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aid_requests",
        help_text="The budget the approved amount is committed against.",
    )

    class Meta:
        ordering = ["-created_at", "id"]
        permissions = [
            ("decide_aidrequest", "Can approve, decline or return aid requests"),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "submitted_at"], name="aid_agency_status"),
            models.Index(fields=["client", "submitted_at"], name="aid_client_submitted"),
            models.Index(fields=["case", "status"], name="aid_case_status"),
            # The list's default order: read in index order, a page stops after 50 rows.
            models.Index(fields=["-created_at", "id"], name="aid_created_order"),
            # An officer's requests by amount: their agency's, read along the amount order
            # in either direction, instead of sorting every request of the agency.
            models.Index(fields=["agency", "amount", "id"], name="aid_agency_amount"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="aid_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(is_recoverable=True)
                    & Q(repayment_instalment__gt=0)
                    & Q(repayment_instalment__lte=F("amount"))
                    & ~Q(repayment_frequency="")
                )
                | (
                    Q(is_recoverable=False)
                    & Q(repayment_instalment__isnull=True)
                    & Q(repayment_frequency="")
                    & Q(repayment_start_on__isnull=True)
                ),
                name="aid_recoverable_has_plan",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[AidRequestStatus.APPROVED, AidRequestStatus.PAID])
                | Q(budget__isnull=False),
                name="aid_approved_has_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"Aid request {self.pk}"


class AidRequestStatusChange(models.Model):
    """One transition of an aid request: who, when, from, to and why. Append-only."""

    aid_request = models.ForeignKey(
        AidRequest, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=AidRequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=AidRequestStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["aid_request", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    RETURNED = "returned", "Returned for more information"


class AidDecisionImmutable(Exception):
    """Raised on any attempt to change or delete a recorded aid decision."""


class AidDecisionQuerySet(models.QuerySet):
    """Decisions are a record of what was decided on which facts: never rewritten."""

    def update(self, **kwargs):
        raise AidDecisionImmutable("Aid decisions cannot be changed.")

    def delete(self):
        raise AidDecisionImmutable("Aid decisions cannot be deleted.")


class AidDecision(models.Model):
    """A program officer's decision on an aid request, with the facts it relied on, frozen.

    `facts` holds the request as it stood, the client's circumstances (region,
    age band, household, prior aid) and, for approvals, the budget position
    before and after, so a later edit of the client or the budget cannot change
    what the decision was based on. The database refuses updates to the row.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    aid_request = models.ForeignKey(AidRequest, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=16, choices=DecisionOutcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    facts = models.JSONField()
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AidDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["aid_request", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.aid_request_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AidDecisionImmutable("Aid decisions cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AidDecisionImmutable("Aid decisions cannot be deleted.")


class PaymentMethod(models.TextChoices):
    DIRECT_CREDIT = "direct_credit", "Direct credit"
    PAYMENT_CARD = "payment_card", "Payment card"
    SUPPLIER_INVOICE = "supplier_invoice", "Supplier invoice"


class Payment(models.Model):
    """The payment of an approved aid request; one per request, at most the approved amount."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    aid_request = models.OneToOneField(AidRequest, on_delete=models.PROTECT, related_name="payment")
    amount = money_field("amount (NZD)", validators=[MinValueValidator(CENT)])
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=100, blank=True)
    paid_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-created_at", "id"]
        indexes = [
            models.Index(fields=["agency", "-paid_on"], name="payment_agency_paid_on"),
            # The list's default order: a page is read along it, not sorted out of every
            # payment the viewer may see (docs/PERFORMANCE.md).
            models.Index(fields=["-paid_on", "-created_at", "id"], name="payment_paid_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk}"


class RecoveryStatus(models.TextChoices):
    ACTIVE = "active", "Being repaid"
    REPAID = "repaid", "Repaid"


class Recovery(models.Model):
    """The debt from a paid recoverable advance and the plan it is repaid on.

    Created when the advance is paid; `repaid` grows with each repayment and
    can never pass `principal` (the database refuses it too).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    aid_request = models.OneToOneField(
        AidRequest, on_delete=models.PROTECT, related_name="recovery"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="aid_recoveries")
    principal = money_field("principal (NZD)")
    repaid = money_field("repaid (NZD)", default=ZERO)
    instalment = money_field("instalment (NZD)")
    frequency = models.CharField(max_length=16, choices=RepaymentFrequency.choices)
    first_due_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=RecoveryStatus.choices, default=RecoveryStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "recoveries"
        indexes = [
            models.Index(fields=["client", "status"], name="recovery_client_status"),
            # The list's default order, read along rather than sorted.
            models.Index(fields=["-created_at", "id"], name="recovery_created_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="recovery_principal_gt_0"),
            models.CheckConstraint(condition=Q(instalment__gt=0), name="recovery_instalment_gt_0"),
            models.CheckConstraint(condition=Q(repaid__gte=0), name="recovery_repaid_gte_0"),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(whole_cents(F("principal") - F("repaid")), 0),
                name="recovery_repaid_within_principal",
            ),
            models.CheckConstraint(
                condition=~Q(status=RecoveryStatus.REPAID)
                | Q(LessThanOrEqual(whole_cents(F("principal") - F("repaid")), 0)),
                name="recovery_repaid_has_no_balance",
            ),
        ]

    def __str__(self) -> str:
        return f"Recovery {self.pk}"

    @property
    def balance(self) -> Decimal:
        return self.principal - self.repaid


class RepaymentMethod(models.TextChoices):
    DEDUCTION = "deduction", "Deduction from future payments"
    DIRECT_CREDIT = "direct_credit", "Direct credit"
    CASH = "cash", "Cash or EFTPOS"
    OTHER = "other", "Other"


class Repayment(models.Model):
    """Money received against a recovery."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="repayments")
    amount = money_field("amount (NZD)", validators=[MinValueValidator(CENT)])
    received_on = models.DateField()
    method = models.CharField(max_length=16, choices=RepaymentMethod.choices)
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-created_at", "id"]
        indexes = [
            models.Index(fields=["recovery", "received_on"], name="repayment_recovery_date"),
            # The list's default order, read along rather than sorted.
            models.Index(
                fields=["-received_on", "-created_at", "id"], name="repayment_received_order"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Repayment {self.pk}"


class IdempotencyState(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class IdempotencyKey(models.Model):
    """One client-chosen Idempotency-Key and the response its first request produced.

    See programs.idempotency; the key is scoped to the user who sent it.
    """

    id = models.BigAutoField(primary_key=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    state = models.CharField(
        max_length=16, choices=IdempotencyState.choices, default=IdempotencyState.IN_PROGRESS
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    locked_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["expires_at"], name="idempotency_expiry")]
        constraints = [
            models.UniqueConstraint(fields=["actor", "key"], name="idempotency_key_per_actor"),
            models.CheckConstraint(
                condition=Q(state=IdempotencyState.IN_PROGRESS) | Q(response_status__isnull=False),
                name="idempotency_done_has_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.state}]"


# ---- the community directory (after the Open Referral HSDS) and referrals ------------------


class OrganisationKind(models.TextChoices):
    IWI_PROVIDER = "iwi_provider", "Iwi provider"
    KAUPAPA_MAORI_SERVICE = "kaupapa_maori_service", "Kaupapa Māori service"
    MARAE = "marae", "Marae"
    PACIFIC_PROVIDER = "pacific_provider", "Pacific provider"
    PEER_SUPPORT = "peer_support", "Peer support"
    CLUBHOUSE = "clubhouse", "Clubhouse"
    COMMUNITY_GROUP = "community_group", "Community group"
    BUDGETING_SERVICE = "budgeting_service", "Budgeting service"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    GOVERNMENT_SERVICE = "government_service", "Government service"
    OTHER = "other", "Other"


class ServiceCategory(models.TextChoices):
    WHANAU_SUPPORT = "whanau_support", "Whānau support"
    CULTURAL = "cultural", "Cultural connection"
    PEER_SUPPORT = "peer_support", "Peer support"
    MENTAL_HEALTH = "mental_health", "Mental health"
    ADDICTION = "addiction", "Alcohol and other drugs"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    FOOD = "food", "Food"
    BUDGETING = "budgeting", "Budgeting and financial mentoring"
    EMPLOYMENT = "employment", "Employment"
    EDUCATION = "education", "Education and training"
    LEGAL = "legal", "Legal"
    FAMILY_VIOLENCE = "family_violence", "Family violence"
    INCOME_SUPPORT = "income_support", "Income support"
    OTHER = "other", "Other"


class Organisation(models.Model):
    """An organisation in the community directory: an agency on Tautoko or an outside one.

    Shaped after the Open Referral Human Services Data Specification
    (organisation with contact details and languages; its services below).
    The directory is shared by every agency on the deployment.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    agency = models.OneToOneField(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directory_entry",
        help_text="Set when the organisation is an agency on Tautoko: referrals reach its staff.",
    )
    description = models.TextField(blank=True)
    region = models.CharField(max_length=2, choices=REGION_CHOICES)
    address = models.TextField(blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    languages = models.CharField(
        max_length=300, blank=True, help_text="Languages spoken, separated by semicolons."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "kind"], name="organisation_region_kind")]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service an organisation offers, with where, for whom, in which languages, at what cost.

    Location and contact are fields here (HSDS keeps them in their own
    tables); a service delivered in several places is listed once per place.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=32, choices=ServiceCategory.choices)
    description = models.TextField(blank=True)
    eligibility = models.TextField(blank=True)
    languages = models.CharField(
        max_length=300, blank=True, help_text="Languages spoken, separated by semicolons."
    )
    cost = models.CharField(max_length=200, blank=True, help_text="e.g. 'Free' or 'Koha'.")
    hours = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=2, choices=REGION_CHOICES)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "region"], name="service_unique_in_organisation"
            ),
        ]
        indexes = [models.Index(fields=["region", "category"], name="service_region_category")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    ENGAGED = "engaged", "Engaged"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReferralUrgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Within a week"
    URGENT = "urgent", "Urgent"


class ReferralShareField(models.TextChoices):
    """The client details a referral may carry; anything else never leaves the agency."""

    PREFERRED_NAME = "preferred_name", "Preferred name"
    LEGAL_NAME = "legal_name", "Legal name"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    GENDER = "gender", "Gender"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    ADDRESS = "address", "Address"
    REGION = "region", "Region"
    LANGUAGES = "languages", "Language and interpreter"
    IWI = "iwi", "Iwi"
    ETHNICITY = "ethnicity", "Ethnicity"
    NHI = "nhi", "NHI number (health services only)"
    REASON = "reason", "Reason for the referral"


class Referral(models.Model):
    """A referral of a client of a case to a service, made with the client's consent.

    Status changes only through programs.services.referrals (programs.workflow).
    What the recipient sees of the client is the ReferralShare taken when it
    was sent, never the client record itself.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        max_length=12,
        unique=True,
        editable=False,
        help_text="A short reference both agencies can quote, e.g. on the phone.",
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", help_text="The referring agency."
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    recipient_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The service's organisation's agency on Tautoko, if it is one.",
    )
    reason = models.TextField()
    urgency = models.CharField(
        max_length=16, choices=ReferralUrgency.choices, default=ReferralUrgency.ROUTINE
    )
    shared_fields = models.JSONField(
        default=list, blank=True, help_text="The client's fields chosen to share."
    )
    follow_up_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    consent = models.ForeignKey(
        "casework.Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        help_text="The consent in force when the referral was sent.",
    )
    outcome_reason = models.TextField(blank=True, help_text="Why it was declined or closed.")
    received_case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received_referrals",
        help_text="The case the recipient opened on accepting.",
    )
    network_tie = models.OneToOneField(
        "casework.NetworkTie",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral",
        help_text="The tie this referral added to the client's support network.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["recipient_agency", "status"], name="referral_recipient_status"),
            models.Index(fields=["case", "status"], name="referral_case_status"),
            models.Index(fields=["status", "follow_up_on"], name="referral_status_follow_up"),
            # The list's default order: a page is read along it instead of joining every
            # visible referral to the eleven rows it shows and sorting them all.
            models.Index(fields=["-created_at", "id"], name="referral_created_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.DRAFT) | Q(consent__isnull=False),
                name="referral_sent_has_consent",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ReferralStatus.DECLINED, ReferralStatus.CLOSED])
                | ~Q(outcome_reason=""),
                name="referral_declined_or_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.reference}"


class ReferralStatusChange(models.Model):
    """One transition of a referral: who, when, from, to and why. Append-only."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["referral", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class ReferralShare(models.Model):
    """What was disclosed with a referral: the chosen fields' values as they were when sent.

    The recipient reads this snapshot, never the client record, so no
    permission on the client ever reaches the other agency (Privacy Act 2020,
    IPP 11: disclose only what the purpose needs).
    """

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="share")
    fields = models.JSONField(default=list)
    snapshot = models.JSONField(default=dict)
    consent = models.ForeignKey("casework.Consent", on_delete=models.PROTECT, related_name="+")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Share of {self.referral_id}"


# ---- employment support: plans, activities, employers, placements, sustained-work check-ins --


class EmploymentBarrier(models.TextChoices):
    HEALTH = "health", "Health or disability"
    MENTAL_HEALTH = "mental_health", "Mental health or addiction"
    TRANSPORT = "transport", "Transport"
    CHILDCARE = "childcare", "Childcare or caring for whānau"
    LICENCE = "licence", "No driver licence"
    SKILLS = "skills", "Skills or qualifications"
    LITERACY = "literacy", "Literacy, numeracy or language"
    CRIMINAL_RECORD = "criminal_record", "Criminal record"
    HOUSING = "housing", "Housing"
    CONFIDENCE = "confidence", "Confidence or motivation"
    WORK_HISTORY = "work_history", "Little recent work history"
    OTHER = "other", "Other"


class EmploymentPlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class EmploymentPlan(models.Model):
    """A client's plan back into work on a case: goals, barriers, the support agreed, reviews.

    One active plan per client of a case; a closed plan stays as the record of what was tried.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="employment_plans")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="employment_plans")
    work_goals = models.TextField()
    barriers = models.JSONField(
        default=list, blank=True, help_text="EmploymentBarrier codes, in the order given."
    )
    barrier_notes = models.TextField(blank=True)
    support_agreed = models.TextField(blank=True)
    next_review_on = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=EmploymentPlanStatus.choices, default=EmploymentPlanStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["case", "status"], name="emp_plan_case_status"),
            models.Index(fields=["status", "next_review_on"], name="emp_plan_review"),
            # The list's order: a team's plans are read along it (docs/PERFORMANCE.md).
            models.Index(fields=["-created_at", "id"], name="emp_plan_created_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "client"],
                condition=Q(status=EmploymentPlanStatus.ACTIVE),
                name="emp_plan_one_active_per_case_client",
            ),
        ]

    def __str__(self) -> str:
        return f"Employment plan {self.pk}"


class EmploymentActivityKind(models.TextChoices):
    COACHING = "coaching", "Coaching session"
    CV = "cv", "CV preparation"
    INTERVIEW_PREP = "interview_prep", "Interview preparation"
    TRAINING = "training", "Training course"
    WORK_EXPERIENCE = "work_experience", "Work experience"
    JOB_SEARCH = "job_search", "Job search"


class EmploymentActivity(models.Model):
    """Something done towards work on a case: dated, with hours and an outcome.

    Training courses carry their provider, qualification, NZQA level (1–10,
    where known) and whether the course was completed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="employment_activities")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="employment_activities"
    )
    plan = models.ForeignKey(
        EmploymentPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    kind = models.CharField(max_length=20, choices=EmploymentActivityKind.choices)
    occurred_on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    outcome = models.TextField(blank=True)
    provider = models.CharField(max_length=200, blank=True)
    qualification = models.CharField(max_length=200, blank=True)
    nzqa_level = models.PositiveSmallIntegerField(null=True, blank=True)
    completed = models.BooleanField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-created_at", "id"]
        verbose_name_plural = "employment activities"
        indexes = [
            models.Index(fields=["case", "occurred_on"], name="emp_activity_case_date"),
            models.Index(fields=["client", "occurred_on"], name="emp_activity_client_date"),
            # The list's order: a team's activities are read along it.
            models.Index(fields=["-occurred_on", "-created_at", "id"], name="emp_activity_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=168), name="emp_activity_hours_in_week"
            ),
            models.CheckConstraint(
                condition=Q(nzqa_level__isnull=True) | Q(nzqa_level__gte=1, nzqa_level__lte=10),
                name="emp_activity_nzqa_level_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"


class Employer(models.Model):
    """An employer an agency places clients with; the agency's own directory of employers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    nzbn = models.CharField(
        "NZBN", max_length=13, blank=True, help_text="New Zealand Business Number (13 digits)."
    )
    region = models.CharField(max_length=2, choices=REGION_CHOICES)
    industry = models.CharField(max_length=120, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["agency", "region"], name="employer_agency_region")]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="employer_unique_in_agency"),
        ]

    def __str__(self) -> str:
        return self.name


class PlacementStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    STARTED = "started", "Started"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PlacementEndReason(models.TextChoices):
    FIXED_TERM_FINISHED = "fixed_term_finished", "Fixed term finished"
    RESIGNED = "resigned", "Resigned"
    BETTER_JOB = "better_job", "Moved to another job"
    DISMISSED = "dismissed", "Dismissed"
    REDUNDANCY = "redundancy", "Redundancy"
    HEALTH = "health", "Health"
    OTHER = "other", "Other"


class Placement(models.Model):
    """A client placed in a job with an employer: offered → started → ended (or withdrawn).

    The hourly wage is at least the adult minimum wage in force on the start
    date (recorded in `minimum_wage`). A wage-subsidised placement commits
    `subsidy_weekly_amount × subsidy_weeks` against an employment programme's
    budget when it starts. Status changes only through programs.services.employment.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="placements")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="placements")
    plan = models.ForeignKey(
        EmploymentPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="placements")
    role = models.CharField(max_length=200)
    start_on = models.DateField()
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2)
    hourly_wage = money_field("hourly wage (NZD)")
    minimum_wage = money_field(
        "minimum wage (NZD)", help_text="The adult minimum wage in force on the start date."
    )
    is_subsidised = models.BooleanField(default=False)
    subsidy_weekly_amount = money_field("weekly subsidy (NZD)", null=True, blank=True)
    subsidy_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        help_text="The employment programme that pays the subsidy.",
    )
    budget = models.ForeignKey(
        Budget,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        help_text="The budget the subsidy is committed against, once started.",
    )
    subsidy_committed = money_field("subsidy committed (NZD)", default=ZERO)
    status = models.CharField(
        max_length=16, choices=PlacementStatus.choices, default=PlacementStatus.OFFERED
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, choices=PlacementEndReason.choices, blank=True)
    end_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_on", "-created_at", "id"]
        indexes = [
            models.Index(fields=["case", "status"], name="placement_case_status"),
            models.Index(fields=["agency", "status", "started_on"], name="placement_agency_status"),
            # The list's order: a team's placements are read along it.
            models.Index(fields=["-start_on", "-created_at", "id"], name="placement_start_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=168),
                name="placement_hours_in_week",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(
                    whole_cents(F("hourly_wage")), whole_cents(F("minimum_wage"))
                ),
                name="placement_wage_at_least_minimum",
            ),
            models.CheckConstraint(
                condition=(
                    Q(is_subsidised=True)
                    & Q(subsidy_weekly_amount__gt=0)
                    & Q(subsidy_weeks__gt=0)
                    & Q(programme__isnull=False)
                )
                | (
                    Q(is_subsidised=False)
                    & Q(subsidy_weekly_amount__isnull=True)
                    & Q(subsidy_weeks__isnull=True)
                    & Q(programme__isnull=True)
                ),
                name="placement_subsidy_complete",
            ),
            models.CheckConstraint(
                condition=Q(subsidy_committed__gte=0), name="placement_subsidy_committed_gte_0"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PlacementStatus.STARTED, PlacementStatus.ENDED])
                | Q(started_on__isnull=False),
                name="placement_started_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=PlacementStatus.ENDED)
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="placement_ended_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="placement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} at {self.employer}"

    @property
    def subsidy_total(self) -> Decimal | None:
        if not self.is_subsidised:
            return None
        return (self.subsidy_weekly_amount * self.subsidy_weeks).quantize(CENT)


class PlacementStatusChange(models.Model):
    """One transition of a placement: who, when, from, to and why. Append-only."""

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=PlacementStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=PlacementStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["placement", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class PlacementCheckIn(models.Model):
    """A sustained-work check-in 4, 13 or 26 weeks after a placement started.

    Created, with its due date, when the placement starts; recorded when the
    caseworker has asked whether the client is still employed and for how many hours.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="check_ins")
    weeks = models.PositiveSmallIntegerField(help_text="Weeks after the start: 4, 13 or 26.")
    due_on = models.DateField()
    recorded_on = models.DateField(null=True, blank=True)
    still_employed = models.BooleanField(null=True, blank=True)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["placement", "weeks"]
        indexes = [models.Index(fields=["recorded_on", "due_on"], name="checkin_pending_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "weeks"], name="checkin_one_per_milestone"
            ),
            models.CheckConstraint(
                condition=Q(recorded_on__isnull=True) | Q(still_employed__isnull=False),
                name="checkin_recorded_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weeks}-week check-in of {self.placement_id}"
