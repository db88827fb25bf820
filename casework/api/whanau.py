"""Endpoints for casework whanau (not built yet)."""

urlpatterns: list = []
