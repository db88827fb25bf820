"""Admin screens for network ties and snapshots: read-only; ties are ended, never deleted."""

from django.contrib import admin

from casework.admin.consents import AuditedReadOnlyAdmin
from casework.models import NetworkSnapshot, NetworkTie


class _HidesNamesOfRestrictedClients:
    # A restricted client's ecomap names the people around them; operators
    # hold no identity grant, so those names stay out of the admin.
    hidden_when_restricted: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        fields = [field.name for field in self.model._meta.fields]
        if obj is not None and obj.client.is_restricted:
            fields = [name for name in fields if name not in self.hidden_when_restricted]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(NetworkTie)
class NetworkTieAdmin(_HidesNamesOfRestrictedClients, AuditedReadOnlyAdmin):
    hidden_when_restricted = ("name",)
    list_display = ["id", "client", "tie_type", "quality", "strength", "started_on", "ended_on"]
    list_filter = ["tie_type", "quality", "contact_frequency"]
    list_select_related = ["client"]


@admin.register(NetworkSnapshot)
class NetworkSnapshotAdmin(_HidesNamesOfRestrictedClients, AuditedReadOnlyAdmin):
    hidden_when_restricted = ("ties",)
    list_display = ["id", "client", "taken_on", "stage", "size", "supportive_count"]
    list_filter = ["stage"]
    list_select_related = ["client"]
    date_hierarchy = "taken_on"
