"""Fail report jobs whose worker died and resend queued jobs whose message was lost."""

from django.core.management.base import BaseCommand

from reporting import services


class Command(BaseCommand):
    help = "Fail report jobs stuck in running past the hard time limit; resend lost queued jobs."

    def handle(self, *args, **options):
        counts = services.report_jobs_reap_stale()
        self.stdout.write(f"Reaped {counts['reaped']} stale job(s); resent {counts['resent']}.")
