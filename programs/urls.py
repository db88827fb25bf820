"""Programmes API routes, mounted under /api/v1/."""

from programs.api import aid, directory, employment, enrolments, payments, programmes, referrals

urlpatterns = [
    *programmes.urlpatterns,
    *enrolments.urlpatterns,
    *aid.urlpatterns,
    *payments.urlpatterns,
    *directory.urlpatterns,
    *referrals.urlpatterns,
    *employment.urlpatterns,
]
