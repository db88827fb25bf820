"""Casework admin screens: read-mostly; writes go through services."""

from casework.admin import (
    assessments,
    cases,
    clients,
    consents,
    corrections,
    goals,
    network,
    notes,
    whanau,
)

__all__ = [
    "assessments",
    "cases",
    "clients",
    "consents",
    "corrections",
    "goals",
    "network",
    "notes",
    "whanau",
]
