"""Admin screens for clients: a read-only view; every write goes through the services."""

import uuid

from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from casework.models import Client, ClientEthnicity, ClientIwi
from core.admin import ReadOnlyAdminMixin
from core.audit import audit_record
from core.models import AuditAction


class ClientEthnicityInline(admin.TabularInline):
    model = ClientEthnicity
    fields = ["position", "code"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClientIwiInline(admin.TabularInline):
    model = ClientIwi
    fields = ["code", "classification_version"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(ReadOnlyAdminMixin, GuardedModelAdmin):
    """Clients for operators to inspect. Nothing is editable here and nothing is deleted.

    The list shows no names, and a restricted client's identifying fields are
    left out of the detail page: operators get no blanket view of who people
    are (IPP 5). Opening a client is audited like any other read. Grants are
    made by the services, so guardian's object-permission screens stay shut.
    """

    list_display = ["id", "agency", "region", "is_restricted", "archived_at", "created_at"]
    list_filter = ["agency", "region", "is_restricted", "archived_at"]
    list_select_related = ["agency"]
    search_fields = ["=id"]
    date_hierarchy = "created_at"
    inlines = [ClientEthnicityInline, ClientIwiInline]

    def get_fields(self, request, obj=None):
        fields = [f.name for f in Client._meta.concrete_fields]
        if obj is not None and obj.is_restricted:
            fields = [name for name in fields if name not in Client.IDENTIFYING_FIELDS]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        client = Client.objects.filter(pk=object_id).first() if _is_uuid(object_id) else None
        if client is not None and response.status_code == 200:
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                obj=client,
                changes={"via": "admin", "identity_shown": not client.is_restricted},
            )
        return response


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
