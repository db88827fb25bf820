"""Endpoint explaining access: GET /access/explain/?object=<type>:<id>&user=<username>."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.selectors import access_explain as selectors
from core.errors import ApplicationError


class CanExplainAccess(BasePermission):
    """Agency admins and compliance officers (403 for everyone else)."""

    message = "Only agency admins and compliance officers may explain access."

    def has_permission(self, request, view) -> bool:
        return selectors.may_explain_access(request.user)


_REASON = inline_serializer(
    "AccessReason",
    {
        "kind": serializers.CharField(
            help_text=(
                "user_grant, team_grant, group_grant, role, referral_share, restricted_client, "
                "restricted_note, account or no_grant."
            )
        ),
        "grants": serializers.BooleanField(help_text="Does this rule let the user in?"),
        "detail": serializers.CharField(),
        "source": serializers.CharField(
            required=False, help_text="For a user grant: assignment, registration, direct_grant."
        ),
        "permissions": serializers.ListField(child=serializers.CharField(), required=False),
        "group": serializers.CharField(required=False),
        "team": serializers.CharField(required=False, allow_null=True),
        "roles": serializers.ListField(child=serializers.CharField(), required=False),
    },
)

_EXPLANATION = inline_serializer(
    "AccessExplanation",
    {
        "object": inline_serializer(
            "AccessExplanationObject",
            {"type": serializers.CharField(), "id": serializers.UUIDField()},
        ),
        "user": inline_serializer(
            "AccessExplanationUser",
            {
                "username": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.CharField()),
                "is_active": serializers.BooleanField(),
            },
        ),
        "allowed": serializers.BooleanField(help_text="May the user see the record?"),
        "access": serializers.DictField(
            child=serializers.BooleanField(),
            help_text="What else they may do with it, e.g. change, identity, decide.",
        ),
        "reasons": serializers.ListField(child=_REASON),
    },
)


class AccessExplainView(APIView):
    """Why a member of staff can or cannot see a record: which grant, role, team or referral.

    Answered from the same filters the API applies, so `allowed` is what the
    user would get. For agency admins and compliance officers, about their own
    agency's staff and records (anything else is 404). Every answer is audited.
    """

    permission_classes = [IsAuthenticated, CanExplainAccess]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "object",
                str,
                required=True,
                description=(
                    "<type>:<id>, type one of: " + ", ".join(selectors.OBJECT_TYPES) + "."
                ),
            ),
            OpenApiParameter("user", str, required=True, description="The staff username."),
        ],
        responses=_EXPLANATION,
    )
    def get(self, request):
        object_ref = request.query_params.get("object", "")
        username = request.query_params.get("user", "")
        errors = {}
        try:
            selectors.parse_object_reference(object_ref)
        except selectors.ObjectReferenceInvalid as exc:
            errors["object"] = [str(exc)]
        if not username.strip() or len(username) > 150 or "\x00" in username:
            errors["user"] = ["Name the member of staff by username."]
        if errors:
            raise ApplicationError("Say which record and which member of staff.", fields=errors)
        explanation = selectors.access_explain(
            actor=request.user, object_ref=object_ref, username=username.strip()
        )
        return Response(explanation.as_dict())


urlpatterns = [
    path("access/explain/", AccessExplainView.as_view(), name="access-explain"),
]
