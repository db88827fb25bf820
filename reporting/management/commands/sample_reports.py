"""Write sample reports from the demo data into var/reports/ (make sample-reports)."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import User
from reporting.selectors import client_list_for_samples, programme_for_samples


class Command(BaseCommand):
    help = "Render a sample of each report kind from the demo data into var/reports/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir", default=str(Path(settings.BASE_DIR) / "var" / "reports")
        )

    def handle(self, *args, **options):
        out = Path(options["output_dir"])
        out.mkdir(parents=True, exist_ok=True)
        today = timezone.localdate()
        start = (today - timedelta(days=365)).isoformat()
        try:
            caseworker = User.objects.get(username="north-caseworker")
        except User.DoesNotExist:
            raise CommandError("No demo data: run `make seed` first.") from None
        client = client_list_for_samples(caseworker)
        if client is None:
            raise CommandError("north-caseworker has no clients in the demo data.")
        period = ["--from", start, "--to", today.isoformat()]
        call_command(
            "run_report",
            "client-outcome",
            "--user",
            caseworker.username,
            "--client",
            str(client.pk),
            *period,
            "--output",
            str(out / "client-outcome.pdf"),
        )
        for fmt in ("pdf", "json"):
            call_command(
                "run_report",
                "my-information",
                "--user",
                caseworker.username,
                "--client",
                str(client.pk),
                "--format",
                fmt,
                "--output",
                str(out / f"my-information.{fmt}"),
            )
        programme = programme_for_samples(caseworker.agency_id)
        if programme is None:
            self.stdout.write("No programme in the demo data: programme report skipped.")
            return
        for audience in ("internal", "funder"):
            call_command(
                "run_report",
                "programme-outcome",
                "--user",
                "north-compliance",
                "--program",
                str(programme.pk),
                "--audience",
                audience,
                *period,
                "--output",
                str(out / f"programme-outcome-{audience}.pdf"),
            )
