"""Run a report from the shell, in this process, with a progress bar on stderr.

    python manage.py run_report client-outcome --user north-caseworker \
        --client <id> --from 2026-07-01 --to 2026-12-31 --output var/reports/client.pdf
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from core.errors import ApplicationError
from core.models import User
from reporting import services
from reporting.management import shell_jobs
from reporting.models import ReportJob, ReportKind, ReportStatus
from reporting.serializers import ReportJobCreateSerializer


class Command(BaseCommand):
    help = "Create a report job as a user, run it here, and copy its file to --output."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k.value for k in ReportKind])
        parser.add_argument("--user", required=True, help="Username of the requester.")
        parser.add_argument("--client")
        parser.add_argument("--program")
        parser.add_argument("--from", dest="period_start", type=date.fromisoformat)
        parser.add_argument("--to", dest="period_end", type=date.fromisoformat)
        parser.add_argument("--format", default="pdf", choices=["pdf", "json"])
        parser.add_argument("--audience", default="internal", choices=["internal", "funder"])
        parser.add_argument("--output", help="Where to copy the finished file.")

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {options['user']!r}.") from None
        body = {
            key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in {
                "kind": options["kind"],
                "client": options["client"],
                "program": options["program"],
                "period_start": options["period_start"],
                "period_end": options["period_end"],
                "format": options["format"],
                "audience": options["audience"],
            }.items()
            if value is not None
        }
        serializer = ReportJobCreateSerializer(data=body)
        if not serializer.is_valid():
            raise CommandError(f"Invalid report request: {dict(serializer.errors)}")
        job = self._request(user, serializer)
        shell_jobs.run_with_bar(job, task_id="run_report")
        if job.status != ReportStatus.DONE:
            raise CommandError(f"Report failed: {job.error}")
        self.stdout.write(f"{job.pk} done: {job.size} bytes, sha256 {job.sha256}")
        if options["output"]:
            shell_jobs.copy_file(job, options["output"], self.stdout)

    def _request(self, user, serializer) -> ReportJob:
        try:
            return shell_jobs.create_without_scheduling(
                lambda: services.report_job_request(actor=user, request=serializer.to_request())
            )
        except (Http404, ApplicationError) as exc:
            raise CommandError(str(exc) or "Not found or not allowed.") from exc
