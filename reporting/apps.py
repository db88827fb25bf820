"""App configuration for reporting."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the deploy checks; the referral sections of the
        # reports are registered here (the employment ones by programs).
        from reporting import checks, section_referrals  # noqa: F401

        section_referrals.register()
