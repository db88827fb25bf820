"""Programmes API routes, mounted under /api/v1/."""

from programs.api import aid, enrolments, payments, programmes

urlpatterns = [
    *programmes.urlpatterns,
    *enrolments.urlpatterns,
    *aid.urlpatterns,
    *payments.urlpatterns,
]
