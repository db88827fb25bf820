"""Deployment checks for reporting (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def export_pseudonym_secret_is_set(app_configs, **kwargs):
    """Warn when compliance exports have no pseudonym secret in production.

    Exports refuse to run without it (503), so a deployment that forgot it
    would only find out when a funder's quarter is due.
    """
    if settings.EXPORT_PSEUDONYM_SECRET:
        return []
    return [
        Warning(
            "EXPORT_PSEUDONYM_SECRET is not set: compliance exports are refused until it is.",
            hint="Set it to a long random secret kept apart from SECRET_KEY; see "
            "docs/CONFIGURATION.md. Changing it changes every funder's pseudonymous keys.",
            id="reporting.W001",
        )
    ]
