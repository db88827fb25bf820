"""Make a compliance export from the shell, in this process, with a progress bar on stderr.

    python manage.py export_compliance --definition funder-summary --period 2025Q3 \
        --format xlsx --funder "Te Manatū Whakahiato Ora (MSD)" --agency north \
        --as north-compliance --output var/exports/summary.xlsx
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from core.errors import ApplicationError
from core.models import User
from reporting.exports import services as export_services
from reporting.exports.definitions import DEFINITIONS
from reporting.management import shell_jobs
from reporting.models import ExportRun, ReportStatus


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
        job = run.job
        shell_jobs.run_with_bar(job, task_id="export_compliance")
        if job.status != ReportStatus.DONE:
            raise CommandError(f"Export failed: {job.error}")
        run.refresh_from_db()
        self.stdout.write(
            f"{run.pk} done: {job.size} bytes, sha256 {job.sha256}, rows {run.row_counts}"
        )
        for note in run.summary.get("notes", []):
            self.stdout.write(note)
        if options["output"]:
            shell_jobs.copy_file(job, options["output"], self.stdout)

    def _request(self, user, request) -> ExportRun:
        try:
            return shell_jobs.create_without_scheduling(
                lambda: export_services.export_request(actor=user, request=request)
            )
        except ApplicationError as exc:
            detail = f" {exc.fields}" if exc.fields else ""
            raise CommandError(f"{exc}{detail}") from exc
        except (Http404, PermissionDenied) as exc:
            raise CommandError(str(exc) or "Not found or not allowed.") from exc
