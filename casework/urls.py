"""Casework API routes, mounted under /api/v1/."""

from casework.api import assessments, cases, clients, consents, goals, network, notes, whanau

urlpatterns = [
    *clients.urlpatterns,
    *whanau.urlpatterns,
    *cases.urlpatterns,
    *notes.urlpatterns,
    *consents.urlpatterns,
    *goals.urlpatterns,
    *network.urlpatterns,
    *assessments.urlpatterns,
]
