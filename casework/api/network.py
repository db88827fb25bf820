"""Endpoints for casework network (not built yet)."""

urlpatterns: list = []
