"""Report jobs: asking for a report, running it once, failing it cleanly, reaping stale ones.

A job is created by `report_job_request` and run by `report_job_run`, called
from the Celery task with nothing but the job's id. Claiming is one
conditional UPDATE (queued → running), so a redelivered message never runs a
job twice; the file is written under a temporary name and renamed into place,
so a reader never sees half a report (docs/adr/0006-report-jobs-and-font.md).
"""

import contextvars
import hashlib
import io
import logging
import os
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from core.audit import audit_record
from core.errors import ApplicationError
from core.models import Agency, AuditAction, User
from reporting import selectors
from reporting.models import ReportFormat, ReportJob, ReportKind, ReportStatus
from reporting.pdf.client_outcome import render_client_outcome
from reporting.pdf.document import PageFrame
from reporting.pdf.my_information import render_my_information_json, render_my_information_pdf
from reporting.pdf.programme_outcome import render_programme_outcome

logger = logging.getLogger(__name__)
NZ = ZoneInfo("Pacific/Auckland")
# Errors worth another attempt: the database or broker blinked, not the report's fault.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# A job still running this long after its hard time limit has lost its worker.
STALE_GRACE = timedelta(seconds=60)


# Lets a caller in the same process (the run_report command) watch progress as it is saved.
_progress_listener: contextvars.ContextVar[Callable[[int], None] | None] = contextvars.ContextVar(
    "report_progress_listener", default=None
)


class TransientReportError(Exception):
    """The job hit a transient error and was put back in the queue; the task retries it."""


@dataclass(frozen=True)
class ReportRequest:
    """Validated input of a report request (the serializer builds it)."""

    kind: str
    client_id: object = None
    programme_id: object = None
    agency_id: object = None
    period_start: date | None = None
    period_end: date | None = None
    output_format: str = ReportFormat.PDF
    audience: str = "internal"


def _schedule(job_id) -> None:
    # Imported here: tasks imports this module.
    from reporting.tasks import run_report_job

    run_report_job.delay(str(job_id))


@transaction.atomic
def report_job_request(*, actor: User, request: ReportRequest) -> ReportJob:
    """Create a queued report job for `actor` and schedule it once the transaction commits.

    Checks that the actor may see the report's subject: a client (Http404
    unless `clients_visible_to`), or a programme their agency delivers
    (Http404) for program officers, compliance officers and agency admins
    (PermissionDenied, 403, for other roles). A my-information report needs
    the actor to see who the client is (403 `identity_required`) and writes a
    `privacy_access` audit event (Privacy Act 2020, IPP 6); every job writes a
    `create` event.
    """
    if actor.agency_id is None:
        raise PermissionDenied("Reports are made for an agency; operators have none.")
    kind = ReportKind(request.kind)
    if kind == ReportKind.COMPLIANCE_EXPORT:
        # An export needs its register entry: reporting.exports.services.export_request.
        raise ApplicationError(
            "Compliance exports are asked for through the exports service.",
            fields={"kind": ["Compliance exports are asked for at /api/v1/exports/."]},
        )
    parameters: dict = {}
    client = programme = None
    if kind in (ReportKind.CLIENT_OUTCOME, ReportKind.MY_INFORMATION):
        client = selectors.report_client_get(actor=actor, client_id=request.client_id)
        parameters["client"] = str(client.pk)
        if kind == ReportKind.MY_INFORMATION and not (
            not client.is_restricted or client.identity_visible
        ):
            raise ApplicationError(
                "Only staff assigned to this client may prepare a copy of their information.",
                code="identity_required",
                status_code=403,
            )
    else:
        if kind == ReportKind.PROGRAMME_OUTCOME and not selectors.may_report_on_programme(actor):
            raise PermissionDenied(
                "Programme reports are for program officers, compliance officers and agency admins."
            )
        programme = selectors.report_programme_get(actor=actor, programme_id=request.programme_id)
        parameters["program"] = str(programme.pk)
        if request.agency_id is not None and str(request.agency_id) != str(actor.agency_id):
            raise Http404("No such agency.")
        parameters["agency"] = str(actor.agency_id)
    if request.period_start is not None:
        parameters["period_start"] = request.period_start.isoformat()
        parameters["period_end"] = request.period_end.isoformat()
    if kind == ReportKind.PROGRAMME_OUTCOME:
        parameters["audience"] = request.audience
    output_format = (
        ReportFormat.ZIP if kind == ReportKind.CLIENT_OUTCOME_BATCH else request.output_format
    )
    job = ReportJob.objects.create(
        kind=kind,
        output_format=output_format,
        parameters=parameters,
        requested_by=actor,
        agency_id=actor.agency_id,
        subject_client_id=client.pk if client else None,
        subject_programme_id=programme.pk if programme else None,
        confidentiality_seed=secrets.token_hex(16)
        if parameters.get("audience") == "funder"
        else "",
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=job,
        changes={"kind": kind.value, "parameters": parameters, "format": output_format},
    )
    if kind == ReportKind.MY_INFORMATION:
        audit_record(
            actor=actor,
            action=AuditAction.PRIVACY_ACCESS,
            obj=client,
            changes={"report_job": str(job.pk), "format": output_format},
        )
    # robust: a broker outage must not turn a committed request into a 500;
    # the job stays queued and the reaper sends it again.
    transaction.on_commit(lambda: _schedule(job.pk), robust=True)
    return job


def report_job_run(
    *, job_id, task_id: str = "", on_progress: Callable[[int], None] | None = None
) -> ReportJob | None:
    """Run a queued job to done or failed; do nothing for a job that is not queued.

    Idempotent: the claim is a conditional UPDATE, so a redelivered or
    duplicated message finds the job no longer queued and returns None.
    Raises TransientReportError (after putting the job back in the queue)
    for errors worth retrying; any other error fails the job with its message.
    `on_progress(percent)` is called as progress is recorded.
    """
    token = _progress_listener.set(on_progress)
    try:
        return _run(job_id=job_id, task_id=task_id)
    finally:
        _progress_listener.reset(token)


def _run(*, job_id, task_id: str) -> ReportJob | None:
    now = timezone.now()
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING,
        started_at=now,
        finished_at=None,
        progress=1,
        attempts=F("attempts") + 1,
        celery_task_id=task_id[:64],
        error="",
    )
    if not claimed:
        logger.info("Report job %s is not queued; nothing to do.", job_id)
        return None
    job = ReportJob.objects.select_related("requested_by", "agency").get(pk=job_id)
    try:
        content, extension = _render(job)
    except TRANSIENT_ERRORS as exc:
        ReportJob.objects.filter(pk=job.pk, status=ReportStatus.RUNNING).update(
            status=ReportStatus.QUEUED, progress=0, error=f"Retrying after: {exc}"
        )
        raise TransientReportError(str(exc)) from exc
    except SoftTimeLimitExceeded:
        return report_job_fail(
            job_id=job.pk,
            error=f"The report took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} seconds.",
        )
    except Http404:
        return report_job_fail(
            job_id=job.pk, error="The report's subject is no longer visible to the requester."
        )
    except (PermissionDenied, ApplicationError) as exc:
        return report_job_fail(job_id=job.pk, error=str(exc) or "Not allowed.")
    except Exception as exc:
        logger.exception("Report job %s failed", job.pk)
        return report_job_fail(job_id=job.pk, error=f"{type(exc).__name__}: {exc}")
    if content is None:
        # A batch: its members finish it.
        return job
    return _finish(job, content, extension)


def report_job_fail(*, job_id, error: str) -> ReportJob | None:
    """End a running (or queued) job as failed with `error`; no file is kept.

    Returns the job, or None when it had already finished.
    """
    updated = ReportJob.objects.filter(
        pk=job_id, status__in=[ReportStatus.RUNNING, ReportStatus.QUEUED]
    ).update(
        status=ReportStatus.FAILED,
        error=error[:4000],
        finished_at=timezone.now(),
        file="",
        size=None,
        sha256="",
    )
    if not updated:
        return None
    job = ReportJob.objects.get(pk=job_id)
    if job.parent_id:
        _batch_member_finished(job.parent_id)
    return job


def report_job_progress(*, job_id, percent: int) -> None:
    """Record how far a running job has got (0–100); ignored once it has finished."""
    percent = max(0, min(99, int(percent)))
    ReportJob.objects.filter(pk=job_id, status=ReportStatus.RUNNING).update(progress=percent)
    listener = _progress_listener.get()
    if listener is not None:
        listener(percent)


def report_jobs_reap_stale(*, now=None) -> dict[str, int]:
    """Fail jobs stuck in running past the hard time limit, and resend long-queued ones.

    A worker killed mid-job (out of memory, hard time limit, machine lost)
    leaves its job running; nothing else would end it. A batch is not stale
    while any of its members is still queued or running. Queued jobs older
    than the broker's visibility timeout lost their message (e.g. the broker
    was down at commit): they are sent again, which is safe because a job is
    claimed only once. Returns the counts.
    """
    now = now or timezone.now()
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + STALE_GRACE
    stale = ReportJob.objects.filter(status=ReportStatus.RUNNING, started_at__lt=now - limit)
    reaped = 0
    for job in stale:
        if (
            job.kind == ReportKind.CLIENT_OUTCOME_BATCH
            and job.children.filter(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]).exists()
        ):
            continue
        if report_job_fail(
            job_id=job.pk,
            error="The worker stopped before finishing the report (reaped as stale). "
            "Ask for it again.",
        ):
            reaped += 1
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(
        "visibility_timeout", settings.CELERY_TASK_TIME_LIMIT
    )
    resent = 0
    for job_id in ReportJob.objects.filter(
        status=ReportStatus.QUEUED, created_at__lt=now - timedelta(seconds=visibility)
    ).values_list("pk", flat=True):
        _schedule(job_id)
        resent += 1
    return {"reaped": reaped, "resent": resent}


def report_job_download(*, actor: User, job_id) -> ReportJob:
    """A done job's file for its requester, with a `download` audit event.

    Http404 unless the job is the actor's, is done, and its subject is still
    visible to them (access can be taken away after the report was made).
    """
    job = selectors.report_job_get(actor=actor, job_id=job_id)
    if job.status != ReportStatus.DONE or not job.file:
        raise Http404("The report has no file yet.")
    if not job.file.storage.exists(job.file.name):
        # A file removed from storage (cleanup, lost volume) is gone, not a server error.
        raise Http404("The report's file is no longer stored.")
    if job.subject_client_id is not None:
        selectors.report_client_get(actor=actor, client_id=job.subject_client_id)
    if job.subject_programme_id is not None:
        selectors.report_programme_get(actor=actor, programme_id=job.subject_programme_id)
    audit_record(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        obj=job,
        changes={
            "kind": job.kind,
            "sha256": job.sha256,
            "subject_client": str(job.subject_client_id or ""),
            "subject_programme": str(job.subject_programme_id or ""),
        },
    )
    return job


# Rendering --------------------------------------------------------------------------------


def _frame(job: ReportJob, title: str) -> PageFrame:
    user = job.requested_by
    return PageFrame(
        title=title,
        agency_name=job.agency.name,
        generated_by=user.get_full_name() or user.get_username(),
        generated_at=timezone.now().astimezone(NZ),
    )


def _period(job: ReportJob) -> tuple[date, date]:
    return (
        date.fromisoformat(job.parameters["period_start"]),
        date.fromisoformat(job.parameters["period_end"]),
    )


def _progress(job: ReportJob) -> Callable[[int], None]:
    return lambda percent: report_job_progress(job_id=job.pk, percent=percent)


def render_client_outcome_job(job: ReportJob) -> tuple[bytes, str]:
    """Gather and draw a client outcome report for the job's requester."""
    start, end = _period(job)
    data = selectors.client_outcome_data(
        actor=job.requested_by,
        client_id=job.parameters["client"],
        period_start=start,
        period_end=end,
    )
    report_job_progress(job_id=job.pk, percent=20)
    frame = _frame(job, "Client outcome report")
    return render_client_outcome(data, frame, _progress(job)), "pdf"


def render_programme_outcome_job(job: ReportJob) -> tuple[bytes, str]:
    """Gather and draw a programme outcome report (protected counts for a funder)."""
    actor = job.requested_by
    if not selectors.may_report_on_programme(actor):
        raise PermissionDenied("The requester may no longer report on programmes.")
    start, end = _period(job)
    data = selectors.programme_outcome_data(
        actor=actor,
        programme_id=job.parameters["program"],
        agency=Agency.objects.get(pk=job.parameters["agency"]),
        period_start=start,
        period_end=end,
    )
    report_job_progress(job_id=job.pk, percent=25)
    return (
        render_programme_outcome(
            data,
            _frame(job, "Programme outcome report"),
            funder=job.parameters.get("audience") == "funder",
            seed=job.confidentiality_seed,
            progress=_progress(job),
        ),
        "pdf",
    )


def render_my_information_job(job: ReportJob) -> tuple[bytes, str]:
    """Gather everything held about the client and write it as PDF or JSON."""
    data = selectors.my_information_data(actor=job.requested_by, client_id=job.parameters["client"])
    report_job_progress(job_id=job.pk, percent=30)
    if job.output_format == ReportFormat.JSON:
        return render_my_information_json(data), "json"
    return render_my_information_pdf(data, _frame(job, "My information"), _progress(job)), "pdf"


def render_compliance_export_job(job: ReportJob) -> tuple[Path, str]:
    """Build a compliance export (reporting.exports) into a file, streamed chunk by chunk."""
    # Imported here: the exports package imports this module to schedule its jobs.
    from reporting.exports.services import export_render

    return export_render(job, _progress(job))


def _render(job: ReportJob) -> tuple[bytes | Path | None, str]:
    if job.kind == ReportKind.CLIENT_OUTCOME_BATCH:
        _batch_fan_out(job)
        return None, "zip"
    return RENDERERS[ReportKind(job.kind)](job)


# A renderer returns the file's bytes, or, for files too large to hold in memory, the
# path of a file it wrote inside a private working directory, which _finish moves into
# place and then removes.
RENDERERS: dict[ReportKind, Callable[[ReportJob], tuple[bytes | Path, str]]] = {
    ReportKind.CLIENT_OUTCOME: render_client_outcome_job,
    ReportKind.PROGRAMME_OUTCOME: render_programme_outcome_job,
    ReportKind.MY_INFORMATION: render_my_information_job,
    ReportKind.COMPLIANCE_EXPORT: render_compliance_export_job,
}

# Called with the job once its file is in place (e.g. the `export` audit event).
FINISHED_HOOKS: dict[ReportKind, str] = {
    ReportKind.COMPLIANCE_EXPORT: "reporting.exports.services.export_run_finished",
}


def _write_atomically(job: ReportJob, content: bytes | Path, extension: str) -> str:
    """Store `content` (bytes or a file's path) as the job's file: a temporary name, then a rename.

    A path is moved (renamed when on the same disk), so a large export is never
    read into memory; object stores get the whole object or nothing.
    """
    name = job.file.field.generate_filename(job, f"{job.pk}.{extension}")
    try:
        final = default_storage.path(name)
    except NotImplementedError:
        if isinstance(content, Path):
            with content.open("rb") as handle:
                return default_storage.save(name, File(handle))
        return default_storage.save(name, ContentFile(content))
    os.makedirs(os.path.dirname(final), exist_ok=True)
    if isinstance(content, Path):
        try:
            os.replace(content, final)
            return name
        except OSError:
            pass  # Another disk: copy to a temporary name beside the target, then rename.
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(final), suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if isinstance(content, Path):
                with content.open("rb") as source:
                    shutil.copyfileobj(source, handle, 1024 * 1024)
            else:
                handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return name


def _digest_and_size(content: bytes | Path) -> tuple[str, int]:
    if not isinstance(content, Path):
        return hashlib.sha256(content).hexdigest(), len(content)
    digest = hashlib.sha256()
    with content.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest(), content.stat().st_size


def _finish(job: ReportJob, content: bytes | Path, extension: str) -> ReportJob | None:
    try:
        digest, size = _digest_and_size(content)
        name = _write_atomically(job, content, extension)
    finally:
        if isinstance(content, Path):
            shutil.rmtree(content.parent, ignore_errors=True)
    done = ReportJob.objects.filter(pk=job.pk, status=ReportStatus.RUNNING).update(
        status=ReportStatus.DONE,
        progress=100,
        file=name,
        size=size,
        sha256=digest,
        finished_at=timezone.now(),
        error="",
    )
    if not done:
        # Reaped or failed while rendering: the file belongs to no job.
        default_storage.delete(name)
        return None
    job.refresh_from_db()
    hook = FINISHED_HOOKS.get(ReportKind(job.kind))
    if hook is not None:
        import_string(hook)(job)
    if job.parent_id:
        _batch_member_finished(job.parent_id)
    return job


# Batches: one job per client, fanned out over the workers --------------------------------


def _batch_fan_out(batch: ReportJob) -> None:
    """Create one client outcome job per client of the programme the requester may see."""
    actor = batch.requested_by
    start, end = _period(batch)
    programme = selectors.report_programme_get(
        actor=actor, programme_id=batch.parameters["program"]
    )
    client_ids = selectors.programme_client_ids_visible_to(
        actor=actor, programme=programme, period_start=start, period_end=end
    )
    with transaction.atomic():
        children = [
            ReportJob(
                kind=ReportKind.CLIENT_OUTCOME,
                output_format=ReportFormat.PDF,
                parameters={
                    "client": str(client_id),
                    "period_start": start.isoformat(),
                    "period_end": end.isoformat(),
                },
                requested_by=actor,
                agency_id=batch.agency_id,
                subject_client_id=client_id,
                parent=batch,
            )
            for client_id in client_ids
        ]
        ReportJob.objects.bulk_create(children)
        ReportJob.objects.filter(pk=batch.pk).update(
            parameters={**batch.parameters, "clients": len(children)}
        )
        for child in children:
            transaction.on_commit(lambda pk=child.pk: _schedule(pk), robust=True)
    if not children:
        _batch_member_finished(batch.pk)


def _batch_member_finished(batch_id) -> None:
    """Update a batch's progress; the member that finishes it last writes its ZIP."""
    with transaction.atomic():
        batch = ReportJob.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status != ReportStatus.RUNNING:
            return
        members = list(batch.children.values_list("status", flat=True))
        finished = sum(s in (ReportStatus.DONE, ReportStatus.FAILED) for s in members)
        if finished < len(members):
            report_job_progress(job_id=batch.pk, percent=5 + 90 * finished // max(len(members), 1))
            return
    _batch_assemble(batch)


def _batch_assemble(batch: ReportJob) -> None:
    buffer = io.BytesIO()
    failures = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for child in batch.children.order_by("created_at", "id"):
            if child.status == ReportStatus.DONE and child.file:
                with default_storage.open(child.file.name, "rb") as handle:
                    archive.writestr(f"client-outcome-{child.subject_client_id}.pdf", handle.read())
            else:
                failures.append(f"{child.subject_client_id}: {child.error}")
        summary = f"Client outcome reports: {batch.children.count()} clients.\n"
        if failures:
            summary += "Failed:\n" + "\n".join(failures) + "\n"
        archive.writestr("README.txt", summary)
    batch.refresh_from_db()
    _finish(batch, buffer.getvalue(), "zip")


def batch_children_unfinished(batch: ReportJob) -> int:
    """How many members of a batch are still queued or running."""
    return batch.children.filter(
        Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RUNNING)
    ).count()
