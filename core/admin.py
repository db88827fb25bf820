"""Admin screens: read-mostly, every save audited, audit events read-only for everyone."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.audit import audit_record
from core.models import Agency, AuditAction, AuditEvent, Team, User


class ReadOnlyAdminMixin:
    """Screens for inspecting records only: every change goes through a service."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedModelAdmin(admin.ModelAdmin):
    """Record an audit event for every save made through the admin."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = {
            name: {"new": str(form.cleaned_data.get(name))}
            for name in form.changed_data
            if name != "password"
        }
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            changes=changed,
        )

    def has_delete_permission(self, request, obj=None):
        # Records are archived or deactivated, never deleted, so history stays whole.
        return False


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "kind", "region", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "agency"]
    list_filter = ["agency"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "team", "is_active"]
    list_filter = ["agency", "is_active", "groups"]
    list_select_related = ["agency", "team"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Agency", {"fields": ["agency", "team", "delegated_limit"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Agency", {"fields": ["agency", "team", "delegated_limit"]}),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "actor_username", "agency", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type", "agency"]
    search_fields = ["actor_username", "object_id", "request_id"]
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
