"""Compliance exports: asking for one, building its file, the register, re-runs and diffs;
recording and withdrawing data-governance flags.

An export is a report job of kind `compliance-export` (so status, progress,
retries, reaping and the atomic file write are the report jobs' own) plus an
ExportRun in the register. The `export` audit event is written when the file
is in place, with its SHA-256.
"""

import secrets
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Consent
from casework.selectors.whanau import whanau_visible_to
from core.audit import audit_record
from core.errors import ApplicationError, ConflictError
from core.models import AuditAction, User
from core.nz.fiscal import parse_period
from core.nz.iwi import is_selectable_iwi
from programs.selectors.programmes import programmes_visible_to
from reporting.confidentiality import ConfidentialityRules
from reporting.exports import selectors
from reporting.exports.definitions import definition_get
from reporting.exports.engine import build_export
from reporting.exports.pseudonym import Pseudonymiser
from reporting.exports.sources import ExportContext
from reporting.models import (
    DataGovernanceFlag,
    ExportRun,
    GovernanceFlagKind,
    GovernanceScope,
    ReportJob,
    ReportKind,
    ReportStatus,
)

EXPORT_FORMATS = ("csv", "xlsx", "parquet")


@dataclass(frozen=True)
class ExportRequest:
    """Validated input of an export request (the serializer or the shell command builds it)."""

    definition: str
    period: str
    output_format: str
    funder: str = ""
    programme_id: object = None


def _refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _funder_scope(actor: User, request: ExportRequest) -> tuple[str, list, object]:
    """The funder, its programmes the actor's agency delivers, and the one programme asked for."""
    delivered = programmes_visible_to(actor).filter(delivering_agencies=actor.agency_id)
    if request.programme_id:
        try:
            programme_id = uuid.UUID(str(request.programme_id))
        except ValueError:
            raise Http404("No such programme.") from None
        programme = delivered.filter(pk=programme_id).first()
        if programme is None:
            raise Http404("No such programme.")
        if request.funder and request.funder.strip().casefold() != programme.funder.casefold():
            raise _refuse("funder", f"The programme is funded by {programme.funder}.")
        return programme.funder, [str(programme.pk)], programme
    if not request.funder.strip():
        raise _refuse("funder", "Name the funder, or a programme it funds.")
    programmes = list(delivered.filter(funder__iexact=request.funder.strip()).order_by("name"))
    if not programmes:
        raise _refuse("funder", "Your agency delivers no programme funded by this funder.")
    return programmes[0].funder, [str(p.pk) for p in programmes], None


@transaction.atomic
def export_request(
    *, actor: User, request: ExportRequest, rerun_of: ExportRun | None = None
) -> ExportRun:
    """Queue a compliance export for `actor`'s agency and enter it in the register.

    Only compliance officers may export (PermissionDenied, 403). The
    definition, period ("2025/26" or "2025Q3") and funder are checked (400
    with field errors); a programme the agency does not deliver is 404. A
    re-run keeps its original's confidentiality seed, so unchanged cells round
    the same way. Writes a `create` audit event; the job runs after commit.
    """
    if not selectors.may_export(actor):
        raise PermissionDenied("Compliance exports are made by compliance officers.")
    if not settings.EXPORT_PSEUDONYM_SECRET:
        raise ApplicationError(
            "Exports are not configured on this server: EXPORT_PSEUDONYM_SECRET is not set.",
            code="exports_not_configured",
            status_code=503,
        )
    definition = definition_get(request.definition)
    if definition is None:
        raise _refuse("definition", f"No export definition called {request.definition!r}.")
    if request.output_format not in EXPORT_FORMATS:
        raise _refuse("format", "Choose csv, xlsx or parquet.")
    try:
        start, end, label = parse_period(request.period)
    except ValueError as exc:
        raise _refuse("period", str(exc)) from None
    funder, programme_ids, programme = _funder_scope(actor, request)
    parameters = {
        "definition": definition.name,
        "version": definition.version,
        "period": label,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "funder": funder,
        "programme": str(programme.pk) if programme else None,
        "programmes": programme_ids,
        "agency": str(actor.agency_id),
        "format": request.output_format,
    }
    job = ReportJob.objects.create(
        kind=ReportKind.COMPLIANCE_EXPORT,
        output_format=request.output_format,
        parameters=parameters,
        requested_by=actor,
        agency_id=actor.agency_id,
        confidentiality_seed=rerun_of.job.confidentiality_seed
        if rerun_of
        else secrets.token_hex(16),
    )
    run = ExportRun.objects.create(
        job=job,
        agency_id=actor.agency_id,
        definition=definition.name,
        definition_version=definition.version,
        funder=funder,
        parameters=parameters,
        requested_by=actor,
        rerun_of=rerun_of,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=run,
        changes={
            "parameters": parameters,
            "report_job": str(job.pk),
            "rerun_of": str(rerun_of.pk) if rerun_of else "",
        },
    )
    from reporting import services as report_services

    transaction.on_commit(lambda: report_services._schedule(job.pk), robust=True)
    return run


def _workdir() -> Path:
    """A private working directory, next to the media files when they are on a local disk."""
    try:
        base = Path(default_storage.path("reports/.work"))
    except NotImplementedError:
        base = Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="export-", dir=base))


def export_render(job: ReportJob, progress) -> tuple[Path, str]:
    """Build the export file of a running job and record its figures in the register.

    Runs with the requester's standing at run time: a requester who is no
    longer a compliance officer of the agency gets a failed job. Returns the
    file (in a private working directory the caller removes) and its extension.
    """
    actor = job.requested_by
    if not selectors.may_export(actor) or actor.agency_id != job.agency_id:
        raise PermissionDenied("The requester may no longer make compliance exports.")
    params = job.parameters
    definition = definition_get(params["definition"])
    if definition is None or definition.version != params["version"]:
        raise ApplicationError("The export definition has changed since this export was asked for.")
    ctx = ExportContext(
        agency_id=job.agency_id,
        funder=params["funder"],
        programme_ids=[uuid.UUID(p) for p in params["programmes"]],
        period_start=date.fromisoformat(params["period_start"]),
        period_end=date.fromisoformat(params["period_end"]),
        at=timezone.now(),
        chunk_rows=settings.EXPORT_CHUNK_ROWS,
        pseudonyms=Pseudonymiser(params["funder"]),
    )
    rules = ConfidentialityRules(
        count_threshold=settings.EXPORT_COUNT_THRESHOLD,
        sum_count_threshold=settings.EXPORT_SUM_COUNT_THRESHOLD,
    )
    workdir = _workdir()
    try:
        result = build_export(
            definition=definition,
            ctx=ctx,
            output_format=job.output_format,
            seed=job.confidentiality_seed,
            rules=rules,
            workdir=workdir,
            header={
                "agency": job.agency.name,
                "funder": params["funder"],
                "period": params["period"],
                "period_start": params["period_start"],
                "period_end": params["period_end"],
                "exported_at": ctx.at.isoformat(),
                "exported_by": actor.get_username(),
            },
            progress=progress,
        )
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    ExportRun.objects.filter(job=job).update(
        row_counts=result.row_counts, figures=result.figures, summary=result.summary
    )
    return result.path, result.extension


def export_run_finished(job: ReportJob) -> None:
    """Write the `export` audit event once the job's file is in place."""
    run = ExportRun.objects.filter(job=job).first()
    if run is None:
        return
    audit_record(
        actor=job.requested_by,
        action=AuditAction.EXPORT,
        obj=run,
        changes={
            "definition": run.definition,
            "version": run.definition_version,
            "funder": run.funder,
            "parameters": run.parameters,
            "row_counts": run.row_counts,
            "sha256": job.sha256,
            "size": job.size,
            "rerun_of": str(run.rerun_of_id or ""),
        },
    )


def export_download(*, actor: User, run_id) -> ReportJob:
    """The finished file of an export in `actor`'s register, with a `download` audit event.

    Http404 unless the actor is a compliance officer of the export's agency
    and the export is done.
    """
    run = selectors.export_run_get(actor=actor, run_id=run_id)
    job = run.job
    if job.status != ReportStatus.DONE or not job.file:
        raise Http404("The export has no file yet.")
    audit_record(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        obj=run,
        changes={"sha256": job.sha256, "definition": run.definition, "funder": run.funder},
    )
    return job


def export_rerun(*, actor: User, run_id) -> ExportRun:
    """Ask again for a past export with exactly its parameters and confidentiality seed.

    The re-run uses today's data and the current definition; `export_diff`
    shows what changed. Http404 for exports outside the actor's register.
    """
    run = selectors.export_run_get(actor=actor, run_id=run_id)
    params = run.parameters
    return export_request(
        actor=actor,
        request=ExportRequest(
            definition=run.definition,
            period=params["period"],
            output_format=params["format"],
            funder=run.funder,
            programme_id=params.get("programme"),
        ),
        rerun_of=run,
    )


def export_diff(*, actor: User, run_id, against_id=None) -> dict:
    """Compare the published figures of two finished exports, cell by cell.

    `against_id` defaults to the export that `run_id` re-ran. Both must be in
    the actor's register (404) and done (409), and of the same definition (400).
    """
    run = selectors.export_run_get(actor=actor, run_id=run_id)
    if against_id is None:
        if run.rerun_of_id is None:
            raise _refuse("against", "This export is not a re-run; name an export to compare.")
        base = run.rerun_of
    else:
        base = selectors.export_run_get(actor=actor, run_id=against_id)
    if base.definition != run.definition:
        raise _refuse("against", "Only exports of the same definition can be compared.")
    for each in (base, run):
        if each.job.status != ReportStatus.DONE:
            raise ConflictError("Both exports must have finished.", code="not_finished")
    changes = []
    unchanged = 0
    tables = list(dict.fromkeys([*base.figures, *run.figures]))
    for table in tables:
        before_cells, after_cells = base.figures.get(table, {}), run.figures.get(table, {})
        for cell in dict.fromkeys([*before_cells, *after_cells]):
            before, after = before_cells.get(cell, {}), after_cells.get(cell, {})
            for column in dict.fromkeys([*before, *after]):
                old, new = before.get(column), after.get(column)
                if old == new:
                    unchanged += 1
                else:
                    changes.append(
                        {
                            "table": table,
                            "cell": cell,
                            "column": column,
                            "before": old,
                            "after": new,
                        }
                    )
    return {
        "definition": run.definition,
        "from_export": str(base.pk),
        "to_export": str(run.pk),
        "from_version": base.definition_version,
        "to_version": run.definition_version,
        "changes": changes,
        "unchanged_cells": unchanged,
    }


# Data-governance flags -------------------------------------------------------------------


@dataclass(frozen=True)
class GovernanceFlagInput:
    """Validated input of a new flag (the serializer builds it)."""

    scope: str
    kind: str
    effective_from: date
    client_id: object = None
    whanau_id: object = None
    iwi_code: str = ""
    consent_id: object = None
    consent_reference: str = ""
    notes: str = ""


@transaction.atomic
def governance_flag_record(*, actor: User, data: GovernanceFlagInput) -> DataGovernanceFlag:
    """Record a Māori data-sovereignty flag on a client, a whānau or an iwi, with its consent.

    Client flags need the client to be visible to the actor, whānau flags the
    whānau (Http404 otherwise); iwi flags are for compliance officers and
    agency admins (PermissionDenied). A consent, if named, must be the
    client's own (400). Writes a `create` audit event.
    """
    if actor.agency_id is None:
        raise PermissionDenied("Flags are recorded for an agency.")
    scope = GovernanceScope(data.scope)
    GovernanceFlagKind(data.kind)
    client = whanau = None
    if scope == GovernanceScope.CLIENT:
        client = access.clients_visible_to(actor).filter(pk=data.client_id).first()
        if client is None:
            raise Http404("No such client.")
    elif scope == GovernanceScope.WHANAU:
        whanau = whanau_visible_to(actor).filter(pk=data.whanau_id).first()
        if whanau is None:
            raise Http404("No such whānau.")
    else:
        if not selectors.may_flag_iwi(actor):
            raise PermissionDenied(
                "Iwi flags are recorded by compliance officers and agency admins."
            )
        if not is_selectable_iwi(data.iwi_code):
            raise _refuse("iwi_code", "Not an iwi code of the Stats NZ iwi classification.")
    consent = None
    if data.consent_id is not None:
        consent = Consent.objects.filter(pk=data.consent_id).first()
        if consent is None or client is None or consent.client_id != client.pk:
            raise _refuse("consent", "Name a consent recorded for this client.")
    if consent is None and not data.consent_reference.strip():
        # The table refuses a flag without its consent; callers other than the API
        # (the shell, imports) get the same field error instead of an IntegrityError.
        raise _refuse("consent_reference", "Name the consent, or give a consent reference.")
    flag = DataGovernanceFlag.objects.create(
        agency_id=actor.agency_id,
        scope=scope,
        client=client,
        whanau=whanau,
        iwi_code=data.iwi_code if scope == GovernanceScope.IWI else "",
        kind=data.kind,
        consent=consent,
        consent_reference=data.consent_reference,
        effective_from=data.effective_from,
        notes=data.notes,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=flag,
        changes={
            "scope": scope.value,
            "kind": data.kind,
            "subject": str(flag.client_id or flag.whanau_id or flag.iwi_code),
            "consent": str(flag.consent_id or ""),
            "consent_reference": data.consent_reference,
        },
    )
    return flag


@transaction.atomic
def governance_flag_withdraw(*, actor: User, flag_id, reason: str) -> DataGovernanceFlag:
    """Withdraw a flag (it stays on record); exports made from now on no longer apply it.

    Http404 for a flag the actor may not see; PermissionDenied for an iwi
    flag unless compliance officer or agency admin; ConflictError (409) if
    already withdrawn. Writes an `update` audit event.
    """
    flag = selectors.governance_flag_get(actor=actor, flag_id=flag_id)
    flag = DataGovernanceFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.scope == GovernanceScope.IWI and not selectors.may_flag_iwi(actor):
        raise PermissionDenied("Iwi flags are withdrawn by compliance officers and agency admins.")
    if flag.withdrawn_at is not None:
        raise ConflictError("The flag has already been withdrawn.", code="already_withdrawn")
    flag.withdrawn_at = timezone.now()
    flag.withdrawn_by = actor
    flag.withdrawal_reason = reason
    flag.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=flag,
        changes={"withdrawn_at": flag.withdrawn_at.isoformat(), "reason": reason},
    )
    return flag
