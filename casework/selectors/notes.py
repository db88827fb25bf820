"""Reads of case notes: restricted notes filtered in the query, audited retrieve."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from casework import access
from casework.models import Case, CaseNote
from casework.selectors.cases import uuid_or_404
from core.audit import audit_record
from core.models import Agency, AuditAction, User


def notes_visible_to(actor: User, *, case: Case | None = None) -> QuerySet[CaseNote]:
    """Notes the actor may read, of one case or of every case they can see.

    A note is readable with the case. A restricted note is readable only by
    its author, the case's lead caseworker and the leads of the case's team
    (members of its lead group): decided in SQL, so a caseworker who can see
    the case some other way still never receives the note, and a list stays
    one query.
    """
    queryset = CaseNote.objects.all()
    if not (actor and actor.is_authenticated and actor.is_active):
        return queryset.none()
    if case is not None:
        queryset = queryset.filter(case_id=case.pk)
    actor_groups = User.groups.through.objects.filter(user_id=actor.pk).values("group_id")
    may_read_restricted = (
        Q(author_id=actor.pk)
        | Q(case__lead_caseworker_id=actor.pk)
        | Q(case__team__lead_group_id__in=actor_groups)
    )
    return queryset.filter(
        access.case_permission_exists(actor, "view_case", case_ref="case_id")
    ).filter(Q(restricted=False) | may_read_restricted)


def note_list(*, actor: User, case: Case) -> QuerySet[CaseNote]:
    """The notes of `case` the actor may read, with their authors and readable amendments.

    Two queries a page whatever its size: the notes with their authors, and
    the amendments (filtered by the same rule, so a restricted amendment's id
    never reaches someone who may not read it).
    """
    amendments = notes_visible_to(actor, case=case).order_by("created_at", "id")
    return (
        notes_visible_to(actor, case=case)
        .select_related("author")
        .prefetch_related(
            Prefetch("amendments", queryset=amendments, to_attr="readable_amendments")
        )
    )


def note_find(*, actor: User, case: Case, note_id) -> CaseNote:
    """One note of `case` the actor may read, for an amendment (Http404 otherwise)."""
    pk = uuid_or_404(note_id)
    note = note_list(actor=actor, case=case).filter(pk=pk).first()
    if note is None:
        raise Http404("No such note.")
    return note


def note_get(*, actor: User, case: Case, note_id) -> CaseNote:
    """One note of `case` the actor may read, and a `view` audit event saying so (IPP 5).

    Anything else, malformed ids and restricted notes the actor may not read
    included, raises Http404 and writes no event.
    """
    note = note_find(actor=actor, case=case, note_id=note_id)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=note,
        agency=Agency(pk=case.agency_id),
        changes={"case": str(case.pk), "restricted": note.restricted},
    )
    return note
