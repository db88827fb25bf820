"""Endpoints for casework consents (not built yet)."""

urlpatterns: list = []
