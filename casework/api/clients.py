"""Endpoints for casework clients (not built yet)."""

urlpatterns: list = []
