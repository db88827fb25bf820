"""Admin screen for goals with their reviews: read-only; plans change through services."""

from django.contrib import admin

from casework.admin.consents import AuditedReadOnlyAdmin
from casework.models import Goal, GoalReview


class GoalReviewInline(admin.TabularInline):
    model = GoalReview
    extra = 0
    can_delete = False
    fields = ["reviewed_on", "progress", "status_after", "comment", "reviewed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Goal)
class GoalAdmin(AuditedReadOnlyAdmin):
    agency_path = "case__agency_id"  # a whānau-level goal has no one client
    list_display = ["id", "case", "pou", "status", "target_date", "next_review_on"]
    list_filter = ["pou", "status"]
    list_select_related = ["case"]
    readonly_fields = [field.name for field in Goal._meta.fields]
    inlines = [GoalReviewInline]
