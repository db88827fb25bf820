"""Admin screens for programmes and aid: money and status are read-only, nothing is deleted.

Budgets move only through the services' conditional UPDATEs and aid requests
change status only through the workflow, so the admin shows those figures
but never edits them.
"""

from django.contrib import admin

from core.admin import AuditedModelAdmin
from programs.models import (
    AidDecision,
    AidRequest,
    AidRequestStatusChange,
    Budget,
    Enrolment,
    IdempotencyKey,
    Payment,
    Programme,
    Recovery,
    Repayment,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, don't touch: records of money and decisions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "funder", "active_from", "active_to"]
    list_filter = ["kind", "delivering_agencies"]
    search_fields = ["name", "funder"]
    filter_horizontal = ["delivering_agencies"]
    readonly_fields = ["created_by", "created_at", "updated_at"]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = [
        "programme",
        "fiscal_year_label",
        "agency",
        "allocated",
        "committed",
        "paid",
        "available",
    ]
    list_filter = ["fiscal_year", "agency"]
    list_select_related = ["programme", "agency"]
    search_fields = ["programme__name"]
    readonly_fields = [f.name for f in Budget._meta.fields]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "programme", "status", "started_on", "ended_on"]
    list_filter = ["status", "programme", "agency"]
    list_select_related = ["programme"]
    readonly_fields = [f.name for f in Enrolment._meta.fields]


class StatusChangeInline(ReadOnlyInline):
    model = AidRequestStatusChange
    fields = ["from_status", "to_status", "reason", "changed_by", "changed_at"]
    readonly_fields = fields


class DecisionInline(ReadOnlyInline):
    model = AidDecision
    fields = ["outcome", "reason", "decided_by", "decided_at", "facts"]
    readonly_fields = fields


@admin.register(AidRequest)
class AidRequestAdmin(AuditedModelAdmin):
    list_display = ["id", "agency", "programme", "category", "amount", "status", "submitted_at"]
    list_filter = ["status", "category", "agency", "programme", "is_recoverable"]
    list_select_related = ["agency", "programme"]
    date_hierarchy = "created_at"
    inlines = [StatusChangeInline, DecisionInline]
    # Only descriptive text may be corrected here; money, parties and status are the services'.
    readonly_fields = [
        "agency",
        "case",
        "client",
        "programme",
        "category",
        "amount",
        "is_recoverable",
        "repayment_instalment",
        "repayment_frequency",
        "repayment_start_on",
        "status",
        "created_by",
        "created_at",
        "updated_at",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "decision_reason",
        "budget",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "agency", "amount", "method", "paid_on", "reference"]
    list_filter = ["method", "agency"]
    list_select_related = ["agency"]
    readonly_fields = [f.name for f in Payment._meta.fields]


class RepaymentInline(ReadOnlyInline):
    model = Repayment
    fields = ["amount", "received_on", "method", "reference", "recorded_by"]
    readonly_fields = fields


@admin.register(Recovery)
class RecoveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "agency", "principal", "repaid", "balance", "frequency", "status"]
    list_filter = ["status", "frequency", "agency"]
    list_select_related = ["agency"]
    readonly_fields = [f.name for f in Recovery._meta.fields]
    inlines = [RepaymentInline]


@admin.register(Repayment)
class RepaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "recovery", "amount", "method", "received_on"]
    list_filter = ["method", "agency"]
    readonly_fields = [f.name for f in Repayment._meta.fields]


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ["key", "actor", "method", "path", "state", "response_status", "expires_at"]
    list_filter = ["state", "method"]
    readonly_fields = [f.name for f in IdempotencyKey._meta.fields]


# ---- the directory and referrals ------------------------------------------------------------

from programs.models import (  # noqa: E402 - registrations for the directory follow the aid ones
    Organisation,
    Referral,
    ReferralShare,
    ReferralStatusChange,
    Service,
)


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    can_delete = False
    fields = ["name", "category", "region", "languages", "cost", "hours", "is_active"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "region", "agency", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    list_select_related = ["agency"]
    search_fields = ["name", "description"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ServiceInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(AuditedModelAdmin):
    list_display = ["name", "organisation", "category", "region", "is_active"]
    list_filter = ["category", "region", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["name", "description", "organisation__name"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


class ReferralStatusChangeInline(ReadOnlyInline):
    model = ReferralStatusChange
    fields = ["from_status", "to_status", "reason", "changed_by", "changed_at"]
    readonly_fields = fields


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    """Referrals carry what a client consented to share: read-only, status by workflow only."""

    list_display = ["reference", "agency", "recipient_agency", "status", "urgency", "follow_up_on"]
    list_filter = ["status", "urgency", "agency"]
    list_select_related = ["agency", "recipient_agency"]
    search_fields = ["reference"]
    readonly_fields = [f.name for f in Referral._meta.fields]
    inlines = [ReferralStatusChangeInline]


@admin.register(ReferralShare)
class ReferralShareAdmin(ReadOnlyAdmin):
    list_display = ["referral", "shared_by", "shared_at"]
    readonly_fields = [f.name for f in ReferralShare._meta.fields]


# ---- employment support ---------------------------------------------------------------------

from programs.models import (  # noqa: E402 - registrations for employment follow the referral ones
    Employer,
    EmploymentActivity,
    EmploymentPlan,
    Placement,
    PlacementCheckIn,
    PlacementStatusChange,
)


@admin.register(Employer)
class EmployerAdmin(AuditedModelAdmin):
    """An agency's employers: contact details may be corrected here.

    The agency never changes; the name and NZBN change through the API, which
    checks the NZBN's check digit and that the name is unique in the agency.
    """

    list_display = ["name", "agency", "region", "industry", "nzbn", "is_active"]
    list_filter = ["agency", "region", "is_active"]
    list_select_related = ["agency"]
    search_fields = ["name", "nzbn"]
    readonly_fields = ["agency", "name", "nzbn", "created_by", "created_at", "updated_at"]

    def has_add_permission(self, request):
        # New employers come through the API, which checks the NZBN and the agency's names.
        return False


@admin.register(EmploymentPlan)
class EmploymentPlanAdmin(ReadOnlyAdmin):
    list_display = ["id", "agency", "status", "next_review_on", "last_reviewed_on", "created_at"]
    list_filter = ["status", "agency"]
    list_select_related = ["agency"]
    readonly_fields = [f.name for f in EmploymentPlan._meta.fields]


@admin.register(EmploymentActivity)
class EmploymentActivityAdmin(ReadOnlyAdmin):
    list_display = ["id", "agency", "kind", "occurred_on", "hours", "nzqa_level", "completed"]
    list_filter = ["kind", "agency"]
    list_select_related = ["agency"]
    readonly_fields = [f.name for f in EmploymentActivity._meta.fields]


class PlacementStatusChangeInline(ReadOnlyInline):
    model = PlacementStatusChange
    fields = ["from_status", "to_status", "reason", "changed_by", "changed_at"]
    readonly_fields = fields


class PlacementCheckInInline(ReadOnlyInline):
    model = PlacementCheckIn
    fields = ["weeks", "due_on", "recorded_on", "still_employed", "hours_per_week", "recorded_by"]
    readonly_fields = fields


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    """Placements: wages, subsidies and status move only through the services."""

    list_display = [
        "role",
        "employer",
        "agency",
        "status",
        "start_on",
        "hourly_wage",
        "is_subsidised",
        "subsidy_committed",
    ]
    list_filter = ["status", "is_subsidised", "agency", "end_reason"]
    list_select_related = ["employer", "agency"]
    search_fields = ["role", "employer__name"]
    readonly_fields = [f.name for f in Placement._meta.fields]
    inlines = [PlacementStatusChangeInline, PlacementCheckInInline]
