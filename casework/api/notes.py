"""Endpoints for case notes: /cases/{case_id}/notes/ (list, write, read) and .../amend/."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api.filters import strict_boolean_filter
from casework.models import Case, CaseNote, NoteKind
from casework.selectors import cases as case_selectors
from casework.selectors import notes as selectors
from casework.serializers.notes import (
    CaseNoteAmendSerializer,
    CaseNoteCreateSerializer,
    CaseNoteSerializer,
)
from casework.services import notes as services
from core.fields import SafeIsoDateTimeFilter

CASE_ID = OpenApiParameter(
    "case_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The case's id."
)
NOTE_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Note id.")


class CaseNoteFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=NoteKind.choices, distinct=False)
    author = django_filters.UUIDFilter(field_name="author_id")
    restricted = strict_boolean_filter()
    occurred_after = SafeIsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = SafeIsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = CaseNote
        fields = []


@extend_schema_view(
    list=extend_schema(parameters=[CASE_ID]),
    create=extend_schema(
        parameters=[CASE_ID], request=CaseNoteCreateSerializer, responses={201: CaseNoteSerializer}
    ),
    retrieve=extend_schema(parameters=[CASE_ID, NOTE_ID]),
    amend=extend_schema(
        parameters=[CASE_ID, NOTE_ID],
        request=CaseNoteAmendSerializer,
        responses={201: CaseNoteSerializer},
    ),
)
class CaseNoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Notes of a case you can see. Notes are never edited or deleted: amend one instead.

    Restricted notes are listed only for their author, the case's lead
    caseworker and the team's leads. Reading a note is audited.
    """

    queryset = CaseNote.objects.none()
    serializer_class = CaseNoteSerializer
    filterset_class = CaseNoteFilter
    ordering_fields = ["occurred_at", "created_at"]
    ordering = ["-occurred_at", "-created_at", "id"]
    search_fields = []

    def get_case(self) -> Case:
        """The case in the URL, if the user may see it (404 otherwise, before anything else)."""
        if not hasattr(self, "_case"):
            self._case = case_selectors.case_find(
                actor=self.request.user, case_id=self.kwargs["case_id"]
            )
        return self._case

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CaseNote.objects.none()
        return selectors.note_list(actor=self.request.user, case=self.get_case())

    def retrieve(self, request, *args, **kwargs):
        note = selectors.note_get(actor=request.user, case=self.get_case(), note_id=kwargs["pk"])
        return Response(CaseNoteSerializer(note).data)

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        serializer = CaseNoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.note_create(actor=request.user, case=case, **serializer.validated_data)
        return Response(self._read(note), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def amend(self, request, case_id=None, pk=None):
        """Correct a note: records a new note pointing at the original, which stays unchanged."""
        original = selectors.note_find(actor=request.user, case=self.get_case(), note_id=pk)
        serializer = CaseNoteAmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        amendment = services.note_amend(
            actor=request.user, note=original, **serializer.validated_data
        )
        return Response(self._read(amendment), status=status.HTTP_201_CREATED)

    def _read(self, note: CaseNote) -> dict:
        return CaseNoteSerializer(
            selectors.note_list(actor=self.request.user, case=self.get_case()).get(pk=note.pk)
        ).data


router = SimpleRouter()
router.register(r"cases/(?P<case_id>[^/.]+)/notes", CaseNoteViewSet, basename="case-note")

urlpatterns = router.urls
