"""Make a compliance export from the shell, in this process, with a progress bar on stderr.

    python manage.py export_compliance --definition funder-summary --period 2025Q3 \
        --format xlsx --funder "Te Manatū Whakahiato Ora (MSD)" --agency north \
        --as north-compliance --output var/exports/summary.xlsx
"""

import shutil
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import Http404

from core.errors import ApplicationError
from core.models import User
from reporting import services
from reporting.exports import services as export_services
from reporting.exports.definitions import DEFINITIONS
from reporting.models import ExportRun, ReportStatus

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Create a compliance export as a compliance officer, run it here, copy it to --output."

    def add_arguments(self, parser):
        parser.add_argument("--definition", required=True, choices=sorted(DEFINITIONS))
        parser.add_argument("--period", required=True, help='"2025/26" or "2025Q3".')
        parser.add_argument("--format", required=True, choices=export_services.EXPORT_FORMATS)
        parser.add_argument("--funder", default="", help="The funder, by name.")
        parser.add_argument("--programme", help="Or a programme the funder funds (its id).")
        parser.add_argument("--agency", required=True, help="Slug of the exporting agency.")
        parser.add_argument("--as", dest="username", required=True, help="The compliance officer.")
        parser.add_argument("--output", help="Where to copy the finished file.")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['username']!r}.")
        if user.agency is None or user.agency.slug != options["agency"]:
            raise CommandError(f"{user.username} is not staff of agency {options['agency']!r}.")
        request = export_services.ExportRequest(
            definition=options["definition"],
            period=options["period"],
            output_format=options["format"],
            funder=options["funder"],
            programme_id=options["programme"],
        )
        run = self._request(user, request)
        self._run_with_bar(run)
        job = run.job
        job.refresh_from_db()
        if job.status != ReportStatus.DONE:
            raise CommandError(f"Export failed: {job.error}")
        run.refresh_from_db()
        self.stdout.write(
            f"{run.pk} done: {job.size} bytes, sha256 {job.sha256}, rows {run.row_counts}"
        )
        for note in run.summary.get("notes", []):
            self.stdout.write(note)
        if options["output"]:
            target = Path(options["output"])
            target.parent.mkdir(parents=True, exist_ok=True)
            with job.file.open("rb") as source, target.open("wb") as handle:
                shutil.copyfileobj(source, handle)
            self.stdout.write(f"Written to {target}")

    def _request(self, user, request) -> ExportRun:
        # Run the job here and now, whatever broker is configured: hold back the
        # on-commit scheduling by creating the job inside our own transaction.
        original = services._schedule
        services._schedule = lambda job_id: None
        try:
            with transaction.atomic():
                return export_services.export_request(actor=user, request=request)
        except ApplicationError as exc:
            detail = f" {exc.fields}" if exc.fields else ""
            raise CommandError(f"{exc}{detail}") from exc
        except (Http404, PermissionDenied) as exc:
            raise CommandError(str(exc) or "Not found or not allowed.") from exc
        finally:
            services._schedule = original

    def _run_with_bar(self, run: ExportRun) -> None:
        self._bar(0)
        try:
            services.report_job_run(
                job_id=run.job_id, task_id="export_compliance", on_progress=self._bar
            )
        finally:
            run.job.refresh_from_db()
            self._bar(run.job.progress)
            sys.stderr.write("\n")

    def _bar(self, percent: int) -> None:
        filled = BAR_WIDTH * percent // 100
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}%")
        sys.stderr.flush()
