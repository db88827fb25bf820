"""Admin for report jobs: read-only; jobs change only through reporting.services."""

from django.contrib import admin

from reporting.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "progress", "requested_by", "agency", "created_at"]
    list_filter = ["kind", "status", "agency"]
    search_fields = ["id", "requested_by__username", "celery_task_id"]
    exclude = ["confidentiality_seed"]
    readonly_fields = [f.name for f in ReportJob._meta.fields if f.name != "confidentiality_seed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
