"""Admin screens for whānau and their members: read-only; writes go through the services."""

from django.contrib import admin

from casework.models import Whanau, WhanauMember
from core.admin import ReadOnlyAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shows every field and allows no add, change or delete."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]


@admin.register(Whanau)
class WhanauAdmin(ReadOnlyAdmin):
    list_display = ["name", "agency", "created_at"]
    list_filter = ["agency"]
    list_select_related = ["agency"]
    search_fields = ["name"]


@admin.register(WhanauMember)
class WhanauMemberAdmin(ReadOnlyAdmin):
    # Client members are shown by id only: their names live, redacted or not, on the client.
    list_display = ["id", "whanau", "client_id", "name", "relationship", "is_primary_contact"]
    list_filter = ["relationship", "is_primary_contact"]
    list_select_related = ["whanau"]
    raw_id_fields = ["whanau", "client"]
