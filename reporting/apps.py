"""App configuration for reporting."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The referral sections of the reports (the employment ones are registered by programs).
        from reporting import section_referrals

        section_referrals.register()
