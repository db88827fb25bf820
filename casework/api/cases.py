"""Endpoints for casework cases (not built yet)."""

urlpatterns: list = []
