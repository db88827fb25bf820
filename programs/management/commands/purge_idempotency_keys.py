"""Delete expired Idempotency-Key records (what beat does; for cron without a broker)."""

from django.core.management.base import BaseCommand

from programs.idempotency import idempotency_keys_purge


class Command(BaseCommand):
    help = "Delete Idempotency-Key records past IDEMPOTENCY_KEY_TTL_HOURS."

    def handle(self, *args, **options):
        deleted = idempotency_keys_purge()
        self.stdout.write(f"Deleted {deleted} expired idempotency keys.")
