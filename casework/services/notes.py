"""Writes for case notes: recording a note and amending one. Notes are never edited or deleted."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Case, CaseNote, NoteKind
from casework.selectors.notes import notes_visible_to
from casework.services.cases import CLOCK_SKEW
from core.audit import audit_record
from core.errors import ApplicationError
from core.models import Agency, AuditAction, User


@transaction.atomic
def note_create(
    *,
    actor: User,
    case: Case,
    kind: NoteKind | str,
    body: str,
    occurred_at: datetime,
    restricted: bool = False,
) -> CaseNote:
    """Record a note on a case.

    Preconditions: the actor may see the case (Http404 otherwise), change it
    and their role writes notes (`casework.add_casenote`; PermissionDenied
    otherwise). The body is not blank, the kind is known and `occurred_at` is
    not in the future beyond a few minutes of clock skew (ApplicationError).
    A restricted note is readable only by its author, the case's lead
    caseworker and the case team's leads. Writes a `create` audit event that
    records the kind, the restriction and the body's length, never the body.
    """
    _require_note_writer(actor, case)
    note = CaseNote(
        case_id=case.pk,
        author=actor,
        kind=kind,
        body=(body or "").strip(),
        occurred_at=occurred_at,
        restricted=bool(restricted),
    )
    _validate(note)
    note.save()
    _audit_create(actor, note, case)
    return note


@transaction.atomic
def note_amend(
    *,
    actor: User,
    note: CaseNote,
    body: str,
    kind: NoteKind | str | None = None,
    occurred_at: datetime | None = None,
    restricted: bool | None = None,
) -> CaseNote:
    """Correct a note by recording a new note that amends it; the original stays as it was.

    Preconditions: the actor may read the note (Http404 otherwise, as for a
    note that does not exist) and is its author or the case's lead caseworker
    (PermissionDenied), and still may change the case and write notes. Kind
    and time default to the original's. An amendment of a restricted note is
    restricted too: a correction must not reveal what the original hid.
    Amending an amendment points the new note at the same original, so a
    note's corrections are one flat list in order. Writes a `create` audit
    event (as `note_create`, plus the id of the note amended).
    """
    readable = notes_visible_to(actor).select_related("case").filter(pk=note.pk).first()
    if readable is None:
        raise Http404("No such note.")
    case = readable.case
    if actor.pk not in (readable.author_id, case.lead_caseworker_id):
        raise PermissionDenied("Only the note's author or the case's lead caseworker amends it.")
    _require_note_writer(actor, case)
    if readable.restricted and restricted is False:
        raise ApplicationError(
            "An amendment of a restricted note stays restricted.",
            fields={"restricted": ["An amendment of a restricted note stays restricted."]},
        )
    amendment = CaseNote(
        case_id=case.pk,
        author=actor,
        kind=kind or readable.kind,
        body=(body or "").strip(),
        occurred_at=occurred_at or readable.occurred_at,
        restricted=readable.restricted or bool(restricted),
        amends_id=readable.amends_id or readable.pk,
    )
    _validate(amendment)
    amendment.save()
    _audit_create(actor, amendment, case)
    return amendment


def _require_note_writer(actor: User, case: Case) -> None:
    # Visibility first: whoever cannot see the case learns nothing, not even their role's limits.
    if not access.user_can(actor, "view_case", case):
        raise Http404("No such case.")
    if not access.user_can(actor, "change_case", case):
        raise PermissionDenied("You may see this case but not write on it.")
    if not actor.has_perm("casework.add_casenote"):
        raise PermissionDenied("Your role does not write case notes.")


def _validate(note: CaseNote) -> None:
    errors: dict[str, list[str]] = {}
    if not note.body:
        errors["body"] = ["A note needs some text."]
    if note.kind not in NoteKind.values:
        errors["kind"] = [f"Unknown kind. Choose one of: {', '.join(NoteKind.values)}."]
    if note.occurred_at is None:
        errors["occurred_at"] = ["Say when it happened."]
    elif note.occurred_at > timezone.now() + CLOCK_SKEW:
        errors["occurred_at"] = ["A note cannot record something that has not happened yet."]
    if errors:
        raise ApplicationError("The note cannot be recorded.", fields=errors)


def _audit_create(actor: User, note: CaseNote, case: Case) -> None:
    changes = {
        "case": str(case.pk),
        "kind": note.kind,
        "restricted": note.restricted,
        "occurred_at": note.occurred_at.isoformat(),
        # The body is the record itself; the log says how much was written, not what.
        "body_length": len(note.body),
    }
    if note.amends_id is not None:
        changes["amends"] = str(note.amends_id)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=note,
        agency=Agency(pk=case.agency_id),
        changes=changes,
    )
