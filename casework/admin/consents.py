"""Admin screen for consent records, and the read-only, audited base the casework records share."""

import uuid

from django.contrib import admin

from casework.models import Consent
from core.admin import ReadOnlyAdminMixin
from core.audit import audit_record
from core.models import Agency, AuditAction


class AuditedReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A record for operators to inspect: nothing added, changed or deleted; opening it is audited.

    Consent, plans, networks and assessments change only through their
    services, which check the rules and audit the change; a read here is a
    read of a client's record like any other (IPP 5). `agency_path` is the
    lookup from the record to the agency that owns it, for the audit event.
    """

    agency_path = "client__agency_id"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        record = self._record(object_id)
        if record is not None and response.status_code == 200:
            agency_id = (
                self.model.objects.filter(pk=record.pk)
                .values_list(self.agency_path, flat=True)
                .get()
            )
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                obj=record,
                agency=Agency(pk=agency_id),
                changes={"via": "admin"},
            )
        return response

    def _record(self, object_id):
        try:
            uuid.UUID(str(object_id))
        except ValueError:
            return None
        return self.model.objects.filter(pk=object_id).first()


@admin.register(Consent)
class ConsentAdmin(AuditedReadOnlyAdmin):
    list_display = ["id", "client", "purpose", "recipient_agency", "recipient_name", "given_at"]
    list_filter = ["purpose", "method"]
    list_select_related = ["client", "recipient_agency"]
    date_hierarchy = "given_at"
    readonly_fields = [field.name for field in Consent._meta.fields]
