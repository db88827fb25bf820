"""Checks every programmes service shares: who is acting, and may they do this at all."""

from django.core.exceptions import PermissionDenied

from core.models import User


def is_system(actor: User | None) -> bool:
    """True for set-up commands (no actor) and the deployment's operators."""
    return actor is None or actor.is_superuser


def require_perm(actor: User | None, perm: str, message: str) -> None:
    """Raise PermissionDenied (403) unless the actor's roles carry the model permission `perm`."""
    if is_system(actor):
        return
    if not (actor.is_active and actor.has_perm(perm)):
        raise PermissionDenied(message)
