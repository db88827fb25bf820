"""Load reference data: role groups, then each app's own reference data (idempotent)."""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand

from core.services import roles_sync


def load_all_reference_data() -> list[str]:
    """Sync role groups, then call `<app>.reference_data.load()` for each app that has one.

    Apps run in INSTALLED_APPS order (their dependency order). Returns the
    names of the apps whose reference data was loaded.
    """
    roles_sync()
    loaded = ["core"]
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.reference_data")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.reference_data":
                raise
            continue
        module.load()
        loaded.append(config.label)
    return loaded


class Command(BaseCommand):
    help = "Create or refresh reference data (role groups, instruments, code sets). Safe to re-run."

    def handle(self, *args, **options):
        loaded = load_all_reference_data()
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {', '.join(loaded)}."))
