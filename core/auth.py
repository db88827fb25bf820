"""API token authentication with expiry: tokens older than AUTH_TOKEN_TTL_HOURS are refused."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token) -> bool:
    """True when `token` was issued longer ago than AUTH_TOKEN_TTL_HOURS."""
    return token.created < timezone.now() - timedelta(hours=settings.AUTH_TOKEN_TTL_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF token authentication that refuses (and deletes) expired tokens and deactivated staff."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            # Deleted so a stolen old token is useless even if the TTL is raised later.
            token.delete()
            raise AuthenticationFailed("Token has expired; sign in again.", code="token_expired")
        return user, token
