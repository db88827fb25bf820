"""Admin for report jobs, the export register and data-governance flags: read-only.

Jobs, exports and flags change only through reporting.services and
reporting.exports.services.
"""

from django.contrib import admin

from reporting.models import DataGovernanceFlag, ExportRun, ReportJob


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "status", "progress", "requested_by", "agency", "created_at"]
    list_filter = ["kind", "status", "agency"]
    search_fields = ["id", "requested_by__username", "celery_task_id"]
    exclude = ["confidentiality_seed"]
    readonly_fields = [f.name for f in ReportJob._meta.fields if f.name != "confidentiality_seed"]


@admin.register(ExportRun)
class ExportRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "definition", "definition_version", "funder", "agency", "created_at"]
    list_filter = ["definition", "agency"]
    search_fields = ["id", "funder", "requested_by__username"]
    readonly_fields = [f.name for f in ExportRun._meta.fields]


@admin.register(DataGovernanceFlag)
class DataGovernanceFlagAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "scope", "agency", "effective_from", "withdrawn_at"]
    list_filter = ["kind", "scope", "agency"]
    readonly_fields = [f.name for f in DataGovernanceFlag._meta.fields]
