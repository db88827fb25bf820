"""Run a report from the shell, in this process, with a progress bar on stderr.

    python manage.py run_report client-outcome --user north-caseworker \
        --client <id> --from 2026-07-01 --to 2026-12-31 --output var/reports/client.pdf
"""

import shutil
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import Http404

from core.errors import ApplicationError
from core.models import User
from reporting import services
from reporting.models import ReportJob, ReportKind, ReportStatus
from reporting.serializers import ReportJobCreateSerializer

BAR_WIDTH = 30


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
        self._run_with_bar(job)
        job.refresh_from_db()
        if job.status != ReportStatus.DONE:
            raise CommandError(f"Report failed: {job.error}")
        self.stdout.write(f"{job.pk} done: {job.size} bytes, sha256 {job.sha256}")
        if options["output"]:
            target = Path(options["output"])
            target.parent.mkdir(parents=True, exist_ok=True)
            with job.file.open("rb") as source, target.open("wb") as handle:
                shutil.copyfileobj(source, handle)
            self.stdout.write(f"Written to {target}")

    def _request(self, user, serializer) -> ReportJob:
        # Run the job here and now, whatever broker is configured: hold back the
        # on-commit scheduling by creating the job inside our own transaction.
        original = services._schedule
        services._schedule = lambda job_id: None
        try:
            with transaction.atomic():
                return services.report_job_request(actor=user, request=serializer.to_request())
        except (Http404, ApplicationError) as exc:
            raise CommandError(str(exc) or "Not found or not allowed.") from exc
        finally:
            services._schedule = original

    def _run_with_bar(self, job: ReportJob) -> None:
        self._bar(0)
        try:
            services.report_job_run(job_id=job.pk, task_id="run_report", on_progress=self._bar)
        finally:
            job.refresh_from_db()
            self._bar(job.progress)
            sys.stderr.write("\n")

    def _bar(self, percent: int) -> None:
        filled = BAR_WIDTH * percent // 100
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}%")
        sys.stderr.flush()
