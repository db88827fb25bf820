"""Admin screens for instruments and assessments: read-only; scores are computed by services."""

from django.contrib import admin

from casework.admin.consents import AuditedReadOnlyAdmin
from casework.models import Assessment, Instrument
from core.admin import ReadOnlyAdminMixin


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Instruments come from fixtures/instruments/ through `load_reference_data`."""

    list_display = ["code", "name", "version"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "version", "source", "definition"]


@admin.register(Assessment)
class AssessmentAdmin(AuditedReadOnlyAdmin):
    list_display = ["id", "client", "instrument", "stage", "administered_on", "next_due_on"]
    list_filter = ["instrument", "stage"]
    list_select_related = ["client", "instrument"]
    date_hierarchy = "administered_on"
    readonly_fields = [field.name for field in Assessment._meta.fields]
