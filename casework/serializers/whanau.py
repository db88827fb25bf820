"""HTTP shapes of whānau and their members, with member clients redacted for the viewer."""

from rest_framework import serializers

from casework.access import clients_visible_to
from casework.models import Client, Relationship, Whanau, WhanauMember
from casework.redaction import REDACTED, client_display_name
from core.fast_read import FastReadMixin


class WhanauMemberSerializer(FastReadMixin, serializers.ModelSerializer):
    """A member as the viewer may see them.

    A client the viewer may not see at all shows neither id nor name; a
    restricted client they may see but not identify shows the id only.
    Expects members from `casework.selectors.whanau` (annotated).
    """

    client = serializers.SerializerMethodField(help_text="The member's client id, when visible.")
    is_client = serializers.SerializerMethodField()
    client_visible = serializers.SerializerMethodField(
        help_text="False for a client member whose record you may not see."
    )
    name = serializers.SerializerMethodField(help_text="The member's name as you may see it.")

    class Meta:
        model = WhanauMember
        fields = [
            "id",
            "client",
            "is_client",
            "client_visible",
            "name",
            "relationship",
            "is_primary_contact",
        ]
        read_only_fields = fields

    def get_client(self, member: WhanauMember) -> str | None:
        if member.client_id is None or not member.client_visible:
            return None
        return str(member.client_id)

    def get_is_client(self, member: WhanauMember) -> bool:
        return member.client_id is not None

    def get_client_visible(self, member: WhanauMember) -> bool:
        return member.client_id is None or bool(member.client_visible)

    def get_name(self, member: WhanauMember) -> str:
        if member.client_id is None:
            return member.name
        if not member.client_visible:
            return REDACTED
        return client_display_name(member.client, member.identity_visible)


class WhanauSerializer(FastReadMixin, serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    members = WhanauMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Whanau
        fields = ["id", "name", "agency", "members", "created_by", "created_at"]
        read_only_fields = fields


class VisibleClientField(serializers.PrimaryKeyRelatedField):
    """A client id, resolved only among the clients the requesting user may see."""

    def get_queryset(self):
        return clients_visible_to(self.context["request"].user)


class WhanauMemberCreateSerializer(serializers.Serializer):
    client = VisibleClientField(
        queryset=Client.objects.none(),
        required=False,
        allow_null=True,
        help_text="A client of your agency; leave out for someone who is not a client.",
    )
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Only for members who are not clients.",
    )
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    is_primary_contact = serializers.BooleanField(required=False, default=False)


class WhanauMemberUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relationship = serializers.ChoiceField(choices=Relationship.choices, required=False)
    is_primary_contact = serializers.BooleanField(required=False)


class WhanauCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    members = WhanauMemberCreateSerializer(many=True, required=False)


class WhanauUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
