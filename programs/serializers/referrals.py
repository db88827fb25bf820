"""HTTP shapes of referrals: the sender's full view and the recipient's shared-fields-only view."""

from django.utils import timezone
from rest_framework import serializers

from casework.models import ContactFrequency, SupportKind, TieQuality
from casework.redaction import client_display_name
from core.fast_read import FastReadMixin
from core.serializers import AgencySerializer
from programs.models import (
    Referral,
    ReferralShareField,
    ReferralStatusChange,
    ReferralUrgency,
    Service,
)
from programs.selectors.referrals import shared_snapshot_visible
from programs.serializers.directory import ServiceSerializer
from programs.workflow import referral_allowed_transitions

# What the receiving side never reads: the sender's record of the client and case.
SENDER_ONLY_FIELDS = (
    "case",
    "client",
    "client_display_name",
    "reason",
    "consent",
    "network_tie",
)


class ReferralHistorySerializer(FastReadMixin, serializers.ModelSerializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    changed_at = serializers.DateTimeField()
    changed_by = serializers.SerializerMethodField()

    class Meta:
        model = ReferralStatusChange
        fields = ["from_status", "to_status", "reason", "changed_at", "changed_by"]

    def get_changed_by(self, change) -> str:
        user = change.changed_by
        return user.get_full_name() or user.get_username()


class ReferralSerializer(FastReadMixin, serializers.ModelSerializer):
    """A referral as the viewer's side may see it.

    The sending side sees everything. The receiving side sees the referral
    and, while it is open and the consent in force, `shared` — the snapshot
    of the chosen fields taken when it was sent; never the case, the client
    record or the sender's own notes (those fields are null for them).
    """

    direction = serializers.SerializerMethodField()
    from_agency = AgencySerializer(source="agency", read_only=True)
    to_agency = AgencySerializer(source="recipient_agency", read_only=True, allow_null=True)
    service = ServiceSerializer(read_only=True)
    client_display_name = serializers.SerializerMethodField()
    shared = serializers.SerializerMethodField()
    consent_withdrawn = serializers.SerializerMethodField()
    consent_current = serializers.SerializerMethodField()
    sent_by_name = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    history = ReferralHistorySerializer(source="status_changes", many=True, read_only=True)
    # Null for the receiving side (SENDER_ONLY_FIELDS), so the schema says so.
    case = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    client = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "direction",
            "status",
            "urgency",
            "from_agency",
            "to_agency",
            "service",
            "case",
            "client",
            "client_display_name",
            "reason",
            "shared_fields",
            "shared",
            "consent",
            "consent_withdrawn",
            "consent_current",
            "follow_up_on",
            "outcome_reason",
            "received_case",
            "network_tie",
            "sent_by_name",
            "created_at",
            "sent_at",
            "responded_at",
            "ended_at",
            "allowed_transitions",
            "history",
        ]
        read_only_fields = fields

    def _is_sender(self, referral) -> bool:
        return bool(getattr(referral, "viewer_is_sender", False))

    def get_direction(self, referral) -> str:
        return "outgoing" if self._is_sender(referral) else "incoming"

    def get_client_display_name(self, referral) -> str | None:
        if not self._is_sender(referral):
            return None
        return client_display_name(referral.client, getattr(referral, "identity_visible", False))

    def get_shared(self, referral) -> dict | None:
        share = getattr(referral, "share", None) if referral.consent_id else None
        if share is None:
            return None
        if self._is_sender(referral) or shared_snapshot_visible(referral):
            return share.snapshot
        return None

    def get_consent_withdrawn(self, referral) -> bool:
        return referral.consent is not None and referral.consent.withdrawn_at is not None

    def get_consent_current(self, referral) -> bool | None:
        if referral.consent is None:
            return None
        return referral.consent.is_current(timezone.now())

    def get_sent_by_name(self, referral) -> str | None:
        user = referral.sent_by
        return (user.get_full_name() or user.get_username()) if user else None

    def get_allowed_transitions(self, referral) -> list[str]:
        return list(referral_allowed_transitions(referral))

    def to_representation(self, referral):
        data = super().to_representation(referral)
        if not self._is_sender(referral):
            for name in SENDER_ONLY_FIELDS:
                data[name] = None
        else:
            data["received_case"] = None
        return data


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    client = serializers.UUIDField(required=False, help_text="The whānau member, for whānau cases.")
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all())
    reason = serializers.CharField()
    urgency = serializers.ChoiceField(choices=ReferralUrgency.choices, required=False)
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=ReferralShareField.choices),
        required=False,
        default=list,
    )
    follow_up_on = serializers.DateField(required=False)


class ReferralReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralAcceptSerializer(serializers.Serializer):
    open_case = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Register the client in your agency from the shared fields and open a case.",
    )
    confirm_not_duplicate = serializers.BooleanField(required=False, default=False)


class ReferralNetworkSerializer(serializers.Serializer):
    strength = serializers.IntegerField(min_value=1, max_value=5, required=False, default=3)
    contact_frequency = serializers.ChoiceField(
        choices=ContactFrequency.choices, required=False, default=ContactFrequency.WEEKLY
    )
    quality = serializers.ChoiceField(
        choices=TieQuality.choices, required=False, default=TieQuality.SUPPORTIVE
    )
    support_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SupportKind.choices), required=False, default=list
    )
