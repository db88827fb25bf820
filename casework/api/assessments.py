"""Endpoints for casework assessments (not built yet)."""

urlpatterns: list = []
