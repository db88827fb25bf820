"""App configuration for core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Tautoko core"
    default_auto_field = "django.db.models.BigAutoField"
