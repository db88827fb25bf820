"""App configuration for casework."""

from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework.selectors.work import casework_work_for
        from core.work import register_work_source

        register_work_source("casework", casework_work_for)
