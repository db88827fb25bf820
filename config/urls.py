"""Top-level URL configuration: the versioned API, its schema and docs, admin and probes."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api import healthz, readyz

api_v1 = [
    path("", include("core.urls")),
    path("", include("casework.urls")),
    path("", include("programs.urls")),
    path("", include("reporting.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api-auth/", include("rest_framework.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]

handler400 = "core.errors.json_bad_request"
handler403 = "core.errors.json_permission_denied"
handler404 = "core.errors.json_not_found"
handler500 = "core.errors.json_server_error"
