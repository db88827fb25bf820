"""Endpoints for the signed-in user's notifications: list (filter unread), mark one or all read."""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import notifications
from core.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "object_type",
            "object_id",
            "created_at",
            "read_at",
            "unread",
        ]
        read_only_fields = fields

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(method="filter_unread", label="Only unread (true).")
    kind = django_filters.CharFilter()

    class Meta:
        model = Notification
        fields = []

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your notifications, newest first: `?unread=true` for the ones not yet read.

    Only ever your own; another person's notification answers 404.
    """

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "id"]
    search_fields = []

    def get_queryset(self):
        return notifications.notifications_for(self.request.user)

    @extend_schema(
        request=None,
        responses={
            200: NotificationSerializer,
            404: OpenApiResponse(description="No such notification of yours."),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        """Mark one notification read."""
        notification = notifications.notification_get(user=request.user, notification_id=pk)
        notification = notifications.notification_mark_read(
            actor=request.user, notification=notification
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: MarkedReadSerializer})
    @action(
        detail=False,
        methods=["post"],
        url_path="read-all",
        url_name="read-all",
        filter_backends=[],
        pagination_class=None,
    )
    def read_all(self, request):
        """Mark all your unread notifications read; answers how many were."""
        count = notifications.notifications_mark_all_read(actor=request.user)
        return Response({"marked_read": count})
