"""Reporting API routes, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from reporting.api import ReportJobViewSet
from reporting.exports.api import urlpatterns as export_urlpatterns

router = SimpleRouter()
router.register("reports", ReportJobViewSet, basename="report-job")

urlpatterns = router.urls + export_urlpatterns
