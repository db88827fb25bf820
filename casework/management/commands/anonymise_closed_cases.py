"""Anonymise clients whose every case closed before the retention cut-off (IPP 9)."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.services.retention import anonymise_closed_clients, retention_cutoff


class Command(BaseCommand):
    help = (
        "Remove the identity of clients whose every case closed more than "
        "RETENTION_CLOSED_CASE_YEARS ago and who have no open work, keeping the figures "
        "statistics need and the audit trail. Idempotent; --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help=(
                "years since the last case closed "
                f"(default RETENTION_CLOSED_CASE_YEARS = {settings.RETENTION_CLOSED_CASE_YEARS})"
            ),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count who would be anonymised; change nothing"
        )

    def handle(self, *args, years=None, dry_run=False, **options):
        if years is not None and years < 1:
            raise CommandError("--years must be at least 1.")
        cutoff = retention_cutoff(years=years)
        result = anonymise_closed_clients(cutoff=cutoff, dry_run=dry_run)
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(
            f"Cut-off {cutoff.date().isoformat()}: {len(result.clients)} client(s) {verb}."
        )
        if result.totals:
            self.stdout.write("Records changed: " + json.dumps(result.totals, sort_keys=True))
