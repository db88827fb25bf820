"""Admin screens for cases: read-only; status, leads and grants change only through the services."""

import uuid

from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from casework.models import Case, CaseStatusChange
from core.admin import ReadOnlyAdminMixin
from core.audit import audit_record
from core.models import AuditAction


class CaseStatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = fields
    ordering = ["changed_at", "id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, GuardedModelAdmin):
    """Cases for operators to inspect, with their status history. Nothing is editable here.

    The admin never writes a status (casework.services.cases.case_transition
    does) and never grants access (case_open and case_assign do), so the
    change form and guardian's object-permission screens stay shut. The
    summary of a restricted client's case is left out, as the client's
    identifying fields are on the client screen. Opening a case is audited.
    """

    list_display = ["id", "agency", "status", "team", "lead_caseworker", "opened_at", "closed_at"]
    list_filter = ["agency", "status", "closure_reason"]
    list_select_related = ["agency", "team__agency", "lead_caseworker"]
    search_fields = ["=id"]
    date_hierarchy = "opened_at"
    inlines = [CaseStatusChangeInline]

    def get_fields(self, request, obj=None):
        fields = [f.name for f in Case._meta.concrete_fields]
        if obj is not None and obj.client_id is not None and obj.client.is_restricted:
            fields.remove("summary")
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        case = Case.objects.filter(pk=object_id).first() if _is_uuid(object_id) else None
        if case is not None and response.status_code == 200:
            audit_record(
                actor=request.user, action=AuditAction.VIEW, obj=case, changes={"via": "admin"}
            )
        return response


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
