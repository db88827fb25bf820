"""Admin screens for case notes: who wrote what kind of note when, never the note itself."""

from django.contrib import admin

from casework.models import CaseNote
from core.admin import ReadOnlyAdminMixin


@admin.register(CaseNote)
class CaseNoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Case notes for operators to trace (authors, amendments, restriction), read-only.

    The body is not shown: operators get no blanket view of what staff wrote
    about people (IPP 5); the API shows notes to those who may read them.
    Notes are never edited or deleted; an amendment is a new note.
    """

    fields = ["id", "case", "author", "kind", "occurred_at", "restricted", "amends", "created_at"]
    readonly_fields = fields
    list_display = ["id", "case", "author", "kind", "occurred_at", "restricted", "amends"]
    list_filter = ["kind", "restricted"]
    list_select_related = ["author"]
    search_fields = ["=id", "=case__id"]
    date_hierarchy = "occurred_at"
