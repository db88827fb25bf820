"""Casework API routes, mounted under /api/v1/."""

from casework.api import (
    access_explain,
    assessments,
    cases,
    clients,
    consents,
    corrections,
    goals,
    network,
    notes,
    whanau,
)

urlpatterns = [
    *clients.urlpatterns,
    *whanau.urlpatterns,
    *cases.urlpatterns,
    *notes.urlpatterns,
    *consents.urlpatterns,
    *goals.urlpatterns,
    *network.urlpatterns,
    *assessments.urlpatterns,
    *corrections.urlpatterns,
    *access_explain.urlpatterns,
]
