"""Programmes HTTP endpoints; each module exports its own `urlpatterns`."""
