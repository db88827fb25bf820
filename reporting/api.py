"""Endpoints for report jobs: /reports/ (ask, list), /reports/{id}/ (status), .../download/."""

import django_filters
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reporting import selectors, services
from reporting.models import ReportJob, ReportStatus
from reporting.serializers import ReportJobCreateSerializer, ReportJobSerializer


class ReportJobFilter(django_filters.FilterSet):
    # A plain string: the report kinds are listed on the request body's `kind`.
    kind = django_filters.CharFilter(help_text="A report kind, e.g. client-outcome.")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = ReportJob
        fields = []


@extend_schema_view(
    create=extend_schema(
        request=ReportJobCreateSerializer,
        responses={201: ReportJobSerializer, 202: ReportJobSerializer},
    ),
    download=extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
        }
    ),
)
class ReportJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Your report jobs: ask for a report, watch its progress, download the file.

    A job answers 201 when it finished while you waited (the embedded setup
    runs jobs in-process) and 202 while it is queued or running on a worker.
    Jobs are visible only to the person who asked for them; anything else is 404.
    """

    queryset = ReportJob.objects.none()
    serializer_class = ReportJobSerializer
    filterset_class = ReportJobFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "id"]
    search_fields = []

    def get_queryset(self):
        return selectors.report_jobs_visible_to(self.request.user)

    def get_object(self):
        return selectors.report_job_get(actor=self.request.user, job_id=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = ReportJobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.report_job_request(actor=request.user, request=serializer.to_request())
        job.refresh_from_db()
        code = (
            status.HTTP_201_CREATED if job.status == ReportStatus.DONE else status.HTTP_202_ACCEPTED
        )
        return Response(ReportJobSerializer(job).data, status=code)

    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request, pk=None):
        """Stream the report's file (404 until it is done); the download is audited."""
        job = services.report_job_download(actor=request.user, job_id=pk)
        extension = job.file.name.rsplit(".", 1)[-1]
        response = FileResponse(
            job.file.open("rb"),
            content_type=job.content_type,
            as_attachment=True,
            filename=f"{job.kind}-{job.pk}.{extension}",
        )
        response["X-Content-SHA256"] = job.sha256
        response["Cache-Control"] = "no-store"
        return response
