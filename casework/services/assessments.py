"""Recording outcome measures: answers in, scores computed here, never taken from the caller."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.instruments import AnswerError, score
from casework.models import Assessment, Case, Client, Instrument, SnapshotStage
from core.audit import audit_record
from core.errors import ApplicationError
from core.models import Agency, AuditAction, User


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    client: Client,
    instrument: Instrument,
    answers: Any,
    administered_on: date,
    stage: SnapshotStage | str,
    case: Case | None = None,
) -> Assessment:
    """Record one administration of `instrument` to `client` and score it on the server.

    The answers are checked item by item (every item answered, whole numbers
    inside the scale, no unknown items) and scored by `casework.instruments`
    with thresholds read from settings now (e.g. LSNS6_ISOLATION_CUTOFF); a
    caller cannot supply scores. The next one falls due the instrument's
    `review_interval_days` (90 for the shipped ones) after an intake or review
    administration; an exit administration has no next one. `administered_on`
    is not in the future; `case`, if given, is a case about this client that
    the actor may see. Preconditions: the actor's role assesses
    (`casework.add_assessment`, else PermissionDenied) and they may change the
    client (else Http404). Raises ApplicationError with field errors (answers
    nested under `answers`). Writes a `create` audit event.
    """
    if not actor.has_perm("casework.add_assessment"):
        raise PermissionDenied("Your role does not record assessments.")
    if not access.user_can(actor, "change_client", client):
        raise Http404
    errors: dict[str, Any] = {}
    if stage not in SnapshotStage.values:
        errors["stage"] = ["Unknown stage."]
    if administered_on > timezone.localdate():
        errors["administered_on"] = ["An assessment cannot be dated in the future."]
    if case is not None and not _case_is_about(actor, case, client):
        errors["case"] = ["Not a case of this client that you can see."]
    try:
        # Thresholds named by the definition are read from settings now, not stored in it.
        scores = score(instrument.definition, answers)
    except AnswerError as exc:
        errors["answers"] = exc.fields or [exc.message]
        scores = None
    if errors:
        raise ApplicationError("The assessment cannot be recorded.", fields=errors)

    interval = instrument.definition.get("review_interval_days")
    next_due_on = (
        administered_on + timedelta(days=interval)
        if interval and stage != SnapshotStage.EXIT
        else None
    )
    assessment = Assessment(
        client=client,
        case=case,
        instrument=instrument,
        stage=stage,
        administered_on=administered_on,
        answers={item["code"]: answers[item["code"]] for item in instrument.definition["items"]},
        scores=scores,
        next_due_on=next_due_on,
        administered_by=actor,
    )
    assessment.full_clean()
    assessment.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assessment,
        agency=Agency(pk=client.agency_id),
        changes={
            "client": str(client.pk),
            "case": str(case.pk) if case else None,
            "instrument": instrument.pk,
            "stage": stage,
            "administered_on": administered_on.isoformat(),
            "next_due_on": next_due_on.isoformat() if next_due_on else None,
        },
    )
    return assessment


def _case_is_about(actor: User, case: Case, client: Client) -> bool:
    if not access.user_can(actor, "view_case", case):
        return False
    return (
        Case.objects.filter(pk=case.pk)
        .filter(Q(client=client) | Q(whanau__members__client=client))
        .exists()
    )
