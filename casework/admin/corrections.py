"""Admin screens for correction requests (IPP 7) and anonymisation records (IPP 9): read-only."""

from django.contrib import admin

from casework.admin.consents import AuditedReadOnlyAdmin
from casework.models import ClientAnonymisation, CorrectionRequest


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(AuditedReadOnlyAdmin):
    """What is due and what was decided; the values sought and the client's words stay out.

    Requests are answered through the API by the client's own staff, who are
    checked there. Operators follow up deadlines here, so the screen shows
    which fields a request is about but never the values or statements,
    which may name a restricted client.
    """

    list_display = ["id", "agency", "client", "status", "requested_at", "due_on", "decided_at"]
    list_filter = ["status", "agency"]
    list_select_related = ["agency", "client"]
    date_hierarchy = "due_on"
    fields = readonly_fields = [
        "id",
        "agency",
        "client",
        "status",
        "requested_at",
        "due_on",
        "fields_to_correct",
        "requested_by",
        "decided_by",
        "decided_at",
        "recipients_notified",
    ]

    @admin.display(description="fields to correct")
    def fields_to_correct(self, correction: CorrectionRequest) -> str:
        return ", ".join(sorted(correction.requested_changes or {}))


@admin.register(ClientAnonymisation)
class ClientAnonymisationAdmin(AuditedReadOnlyAdmin):
    """Which clients the retention rule anonymised, when, and what changed."""

    list_display = ["client", "anonymised_at", "cutoff"]
    list_select_related = ["client"]
    date_hierarchy = "anonymised_at"
    readonly_fields = [field.name for field in ClientAnonymisation._meta.fields]

    def _record(self, object_id):
        # Integer ids here, not UUIDs.
        return self.model.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
