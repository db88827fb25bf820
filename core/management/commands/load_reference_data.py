"""Load reference data: the role groups and their permissions (idempotent)."""

from django.core.management.base import BaseCommand

from core.services import roles_sync


class Command(BaseCommand):
    help = "Create or refresh reference data (role groups and their permissions). Safe to re-run."

    def handle(self, *args, **options):
        roles_sync()
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
