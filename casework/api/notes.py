"""Endpoints for casework notes (not built yet)."""

urlpatterns: list = []
