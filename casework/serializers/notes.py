"""HTTP shapes of case notes: the read shape and the create and amend shapes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.models import CaseNote, NoteKind
from casework.serializers.cases import PlainChoiceField, staff_name
from core.fields import ChoiceLabelField, SafeDateTimeField

# The kinds are one enum in the schema, under the read shape's `kind`.
KIND_VALUES = ", ".join(NoteKind.values)


class CaseNoteSerializer(serializers.ModelSerializer):
    """A note as its reader sees it, with the ids of the amendments they may read.

    Expects instances from `casework.selectors.notes.note_list` (author
    joined, `readable_amendments` prefetched).
    """

    author_name = serializers.SerializerMethodField()
    kind_label = ChoiceLabelField("kind")
    amendments = serializers.SerializerMethodField(
        help_text="Notes that amend this one, oldest first (only those you may read)."
    )

    class Meta:
        model = CaseNote
        fields = [
            "id",
            "case",
            "author",
            "author_name",
            "kind",
            "kind_label",
            "body",
            "occurred_at",
            "restricted",
            "amends",
            "amendments",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author_name(self, note: CaseNote) -> str | None:
        return staff_name(note.author)

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_amendments(self, note: CaseNote) -> list[str]:
        return [str(row.pk) for row in getattr(note, "readable_amendments", [])]


class CaseNoteCreateSerializer(serializers.Serializer):
    """A new note on the case in the URL."""

    kind = PlainChoiceField(choices=NoteKind.choices, help_text=f"One of: {KIND_VALUES}.")
    body = serializers.CharField()
    occurred_at = SafeDateTimeField(help_text="When the contact or event happened.")
    restricted = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Readable only by you, the case's lead caseworker and the team's leads.",
    )


class CaseNoteAmendSerializer(serializers.Serializer):
    """A correction of a note: a new note that points at the original."""

    body = serializers.CharField()
    kind = PlainChoiceField(
        choices=NoteKind.choices,
        required=False,
        help_text=f"Defaults to the original's; one of: {KIND_VALUES}.",
    )
    occurred_at = SafeDateTimeField(required=False, help_text="Defaults to the original's.")
    restricted = serializers.BooleanField(
        required=False,
        help_text="Defaults to the original's; an amendment of a restricted note stays restricted.",
    )
