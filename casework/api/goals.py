"""Endpoints for casework goals (not built yet)."""

urlpatterns: list = []
