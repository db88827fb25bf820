"""Writes for cases: opening, the status workflow, (re)assigning the lead, and the summary.

`case_transition` is the only code that writes `Case.status`; `case_open`
and `case_assign` are the only code that grants or moves access to a case.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Case, CaseStatus, CaseStatusChange, Client, Whanau
from casework.selectors.cases import whanau_to_open_cases_for
from casework.workflow import CASE_WORKFLOW
from core.audit import audit_record
from core.errors import ApplicationError, ConflictError
from core.models import AuditAction, Team, User
from core.roles import Role

# Clocks of phones and laptops drift; a time this far ahead still counts as now.
CLOCK_SKEW = timedelta(minutes=5)

_UNCHANGED = object()


@transaction.atomic
def case_open(
    *,
    actor: User,
    client: Client | None = None,
    whanau: Whanau | None = None,
    lead_caseworker: User | None = None,
    team: Team | None = None,
    summary: str = "",
    opened_at: datetime | None = None,
) -> Case:
    """Open a case in `referred` for one client or one whānau of the actor's agency.

    Preconditions: the actor's role opens cases (`casework.add_case`, else
    PermissionDenied); exactly one of `client` and `whanau` (ApplicationError);
    the client or whānau belongs to the actor's agency and the actor may see it
    (Http404 otherwise, exactly as if it did not exist: a whānau is visible to
    whoever registered it and to staff who can see one of its client members);
    an archived client gets no new case (ConflictError `archived`).

    A whānau case gives its lead every client member, so the actor must
    already see every client member (Http404 otherwise, the same answer as an
    unknown whānau, naming no member) and so must a lead other than the actor
    (ApplicationError on `lead_caseworker`, again naming no member).

    The lead defaults to the actor; naming somebody else hands them work, so
    it needs `casework.assign_case` (team leads; PermissionDenied otherwise).
    Leading a case grants `view_client_identity`, so nobody opens a case
    with themselves as lead for a restricted client (or whānau member) whose
    identity they may not see — a team lead who also holds the caseworker
    role sees team clients redacted, and must not unredact them this way
    (PermissionDenied). Handing such work to a caseworker is an assignment by
    a team lead: name the lead here, or use `case_assign`; both are audited.
    The lead is an active caseworker of the agency and the team, which
    defaults to the lead's, belongs to the agency (ApplicationError).
    `opened_at` defaults to now and is never in the future.

    Side effects: the first history row ("" → referred); the lead gets the
    case and its clients, the team's lead group the case and its clients
    without identity (casework.access); a `create` audit event and a
    `permission_change` one listing the clients each grant covers.
    """
    if not (actor.is_active and actor.has_perm("casework.add_case")):
        raise PermissionDenied("Your role does not open cases.")
    if actor.agency_id is None:
        raise PermissionDenied("Only staff of an agency open cases.")
    if (client is None) == (whanau is None):
        message = "Open a case for exactly one client or one whānau."
        raise ApplicationError(message, fields={"client": [message], "whanau": [message]})
    if client is not None:
        if client.agency_id != actor.agency_id or not access.user_can(actor, "view_client", client):
            raise Http404("No such client.")
        if client.archived_at is not None:
            raise ConflictError(
                "An archived client cannot have a new case; unarchive them first.",
                code="archived",
            )
        subjects = Client.objects.filter(pk=client.pk)
    else:
        if (
            not whanau_to_open_cases_for(actor)
            .filter(pk=whanau.pk, agency_id=actor.agency_id)
            .exists()
        ):
            raise Http404("No such whānau.")
        subjects = Client.objects.filter(whanau_memberships__whanau=whanau)
        if subjects.exclude(access.client_permission_exists(actor, "view_client")).exists():
            raise Http404("No such whānau.")

    lead = lead_caseworker or actor
    if lead.pk != actor.pk and not actor.has_perm("casework.assign_case"):
        raise PermissionDenied("Only team leads open a case for another caseworker.")
    if lead.pk == actor.pk and (
        subjects.filter(is_restricted=True).exclude(access.client_identity_exists(actor)).exists()
    ):
        raise PermissionDenied(
            "You may not lead a case for a restricted client you are not assigned to; "
            "ask a team lead to assign it."
        )
    errors: dict[str, list[str]] = {}
    lead_error = _lead_error(lead, actor.agency_id)
    if lead_error:
        errors["lead_caseworker"] = [lead_error]
    elif (
        whanau is not None
        and lead.pk != actor.pk
        and subjects.exclude(access.client_permission_exists(lead, "view_client")).exists()
    ):
        errors["lead_caseworker"] = [
            "The lead caseworker must already be able to see every client in the whānau."
        ]
    if team is None:
        team = lead.team
    elif team.agency_id != actor.agency_id:
        errors["team"] = ["The team belongs to another agency."]
    now = timezone.now()
    opened_at = opened_at or now
    if opened_at > now + CLOCK_SKEW:
        errors["opened_at"] = ["A case cannot be opened in the future."]
    if errors:
        raise ApplicationError("The case cannot be opened.", fields=errors)

    case = Case(
        agency_id=actor.agency_id,
        client=client,
        whanau=whanau,
        lead_caseworker=lead,
        team=team,
        status=CASE_WORKFLOW.initial,
        summary=(summary or "").strip(),
        opened_at=opened_at,
        created_by=actor,
    )
    case.full_clean()
    case.save()
    CaseStatusChange.objects.create(
        case=case, from_status="", to_status=case.status, reason="Case opened.", changed_by=actor
    )
    lead_clients = access.grant_case_to_user(case, lead)
    team_clients = []
    if team is not None and team.lead_group_id is not None:
        team_clients = access.grant_case_to_group(case, team.lead_group)

    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        changes={
            "client": _new(client),
            "whanau": _new(whanau),
            "lead_caseworker": _new(lead),
            "team": _new(team),
            "status": _new(case.status),
            "opened_at": _new(opened_at.isoformat()),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.PERMISSION_CHANGE,
        obj=case,
        changes={
            "granted": {
                "user": str(lead.pk),
                "group": str(team.lead_group_id) if team and team.lead_group_id else None,
                "perms": list(access.CASE_PERMS),
                "user_clients": lead_clients,
                "user_client_perms": list(access.CLIENT_ASSIGNED_PERMS),
                "group_clients": team_clients,
                "group_client_perms": list(access.CLIENT_TEAM_PERMS) if team_clients else [],
            }
        },
    )
    return case


@transaction.atomic
def case_transition(
    *,
    actor: User,
    case: Case,
    to_status: CaseStatus | str,
    reason: str = "",
    closure_reason: str = "",
) -> Case:
    """Move a case to `to_status` along casework.workflow.CASE_WORKFLOW.

    Preconditions: the actor may see the case (Http404 otherwise) and change
    it (PermissionDenied). The move is in the table and its guards pass:
    closing needs a `closure_reason`, reopening (closed → active) needs a
    `reason` and happens within settings.CASE_REOPEN_WINDOW_DAYS of closing
    (TransitionRefused, a 400 whose message lists the allowed targets). A
    closure reason is accepted only when closing.

    The row is locked for the change. Closing sets `closed_at`; reopening
    clears `closed_at` and `closure_reason` (both stay in the history and the
    audit log). Writes one CaseStatusChange row and a `transition` audit event.

    Closing changes no grants: the lead caseworker and the team's lead group
    keep their access to the closed case and its clients (identity included
    for the lead), because reopening within the window and outcome reports
    need it; nobody else gains any. Access moves only with `case_assign`.
    """
    case = _lock_changeable(actor=actor, case=case)
    to_status = str(to_status)
    reason = (reason or "").strip()
    closure_reason = (closure_reason or "").strip()
    now = timezone.now()
    source = case.status
    CASE_WORKFLOW.check(
        case, source, to_status, {"now": now, "reason": reason, "closure_reason": closure_reason}
    )
    closing = to_status == CaseStatus.CLOSED
    if closure_reason and not closing:
        raise ApplicationError(
            "A closure reason is given only when closing a case.",
            fields={"closure_reason": ["Give a closure reason only when closing."]},
        )

    old_closed_at, old_closure_reason = case.closed_at, case.closure_reason
    case.status = to_status
    if closing:
        case.closed_at = now
        case.closure_reason = closure_reason
    elif source == CaseStatus.CLOSED:
        case.closed_at = None
        case.closure_reason = ""
    case.save(update_fields=["status", "closed_at", "closure_reason", "updated_at"])
    history_reason = reason
    if closing:
        # The history has no closure-reason column; keep the coded reason readable in it.
        label = CaseStatus.CLOSED.label
        coded = case.get_closure_reason_display()
        history_reason = f"{label}: {coded}." + (f" {reason}" if reason else "")
    CaseStatusChange.objects.create(
        case=case,
        from_status=source,
        to_status=to_status,
        reason=history_reason,
        changed_by=actor,
    )
    changes: dict = {"status": {"old": source, "new": to_status}, "reason": reason}
    if closing or source == CaseStatus.CLOSED:
        changes["closed_at"] = {
            "old": old_closed_at.isoformat() if old_closed_at else None,
            "new": case.closed_at.isoformat() if case.closed_at else None,
        }
        changes["closure_reason"] = {"old": old_closure_reason, "new": case.closure_reason}
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=case, changes=changes)
    return case


@transaction.atomic
def case_assign(
    *,
    actor: User,
    case: Case,
    lead_caseworker: User,
    team: Team | None | object = _UNCHANGED,
) -> Case:
    """Hand a case to another lead caseworker, and optionally to another team.

    Preconditions, in this order: the actor may see the case (Http404
    otherwise, so nobody learns that it exists); their role assigns work
    (`casework.assign_case`, team leads) and they lead the case's team, or,
    for a case with no team, belong to its agency (PermissionDenied). The new
    lead is an active caseworker of the case's agency, the team (unchanged
    unless given; None removes it) belongs to the agency, and something
    actually changes (ApplicationError).

    In the same transaction as the change, with the case row locked: the old
    lead's grants on the case, and on clients they lead no other case for,
    are revoked and the new lead's granted; when the team changes, the old
    team's lead group loses the case and the new one gains it. Writes a
    `permission_change` audit event with the old and new lead (and team) and
    the ids of the clients granted to the new lead (and its team) and revoked
    from the old. This is the sanctioned way to give a caseworker a restricted
    client's identity (see `case_open`).
    """
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None or not access.user_can(actor, "view_case", locked):
        raise Http404("No such case.")
    _require_assigner(actor, locked)

    new_team = locked.team if team is _UNCHANGED else team
    errors: dict[str, list[str]] = {}
    lead_error = _lead_error(lead_caseworker, locked.agency_id)
    if lead_error:
        errors["lead_caseworker"] = [lead_error]
    if new_team is not None and new_team.agency_id != locked.agency_id:
        errors["team"] = ["The team belongs to another agency."]
    if errors:
        raise ApplicationError("The case cannot be assigned.", fields=errors)
    new_team_id = new_team.pk if new_team is not None else None
    if lead_caseworker.pk == locked.lead_caseworker_id and new_team_id == locked.team_id:
        raise ApplicationError(
            "The case already has that lead caseworker and team.",
            code="no_change",
            fields={"lead_caseworker": ["Already the lead caseworker of this case."]},
        )

    old_lead, old_team = locked.lead_caseworker, locked.team
    locked.lead_caseworker = lead_caseworker
    locked.team = new_team
    locked.save(update_fields=["lead_caseworker", "team", "updated_at"])

    revoked_clients: list[str] = []
    if old_lead is not None and old_lead.pk != lead_caseworker.pk:
        revoked_clients = access.revoke_case_from_user(locked, old_lead)
    granted_clients = access.grant_case_to_user(locked, lead_caseworker)
    team_granted: list[str] = []
    if new_team_id != (old_team.pk if old_team else None):
        if old_team is not None and old_team.lead_group_id is not None:
            access.revoke_case_from_group(locked, old_team.lead_group)
        if new_team is not None and new_team.lead_group_id is not None:
            team_granted = access.grant_case_to_group(locked, new_team.lead_group)

    changes = {
        "lead_caseworker": {"old": _id(old_lead), "new": _id(lead_caseworker)},
        "granted_clients": granted_clients,
        "revoked_clients": revoked_clients,
    }
    if new_team_id != (old_team.pk if old_team else None):
        changes["team"] = {"old": _id(old_team), "new": _id(new_team)}
        changes["team_granted_clients"] = team_granted
    audit_record(actor=actor, action=AuditAction.PERMISSION_CHANGE, obj=locked, changes=changes)
    return locked


@transaction.atomic
def case_update(*, actor: User, case: Case, summary: str) -> Case:
    """Change a case's summary, the only field edited in place.

    Status, dates and closure go through `case_transition`; lead and team
    through `case_assign`; client, whānau and agency never change. The actor
    may see the case (Http404) and change it (PermissionDenied). Writes an
    `update` audit event that records that the summary changed, not its text
    (the case record holds it); nothing when it did not change.
    """
    case = _lock_changeable(actor=actor, case=case)
    summary = (summary or "").strip()
    if summary == case.summary:
        return case
    old_length = len(case.summary)
    case.summary = summary
    case.save(update_fields=["summary", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        changes={"summary": {"old_length": old_length, "new_length": len(summary)}},
    )
    return case


def _lock_changeable(*, actor: User, case: Case) -> Case:
    """Lock the case row; 404 unless the actor sees it, 403 unless they may change it."""
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None or not access.user_can(actor, "view_case", locked):
        raise Http404("No such case.")
    if not access.user_can(actor, "change_case", locked):
        raise PermissionDenied("You may see this case but not change it.")
    return locked


def _require_assigner(actor: User, case: Case) -> None:
    if not actor.has_perm("casework.assign_case"):
        raise PermissionDenied("Only team leads assign cases.")
    if case.team_id is not None:
        lead_group_id = case.team.lead_group_id
        if lead_group_id is None or not actor.groups.filter(pk=lead_group_id).exists():
            raise PermissionDenied("Only a lead of the case's team assigns it.")
    elif actor.agency_id != case.agency_id:
        raise PermissionDenied("Only team leads of the case's agency assign it.")


def _lead_error(user: User, agency_id) -> str | None:
    """Why `user` cannot lead a case of the agency, or None if they can."""
    if user.agency_id != agency_id:
        return "The lead caseworker must be staff of the case's agency."
    if not user.is_active:
        return "The lead caseworker is no longer active."
    if not user.has_role(Role.CASEWORKER):
        return "The lead caseworker must hold the caseworker role."
    return None


def _id(obj) -> str | None:
    return str(obj.pk) if obj is not None else None


def _new(value) -> dict:
    if value is not None and hasattr(value, "pk"):
        value = str(value.pk)
    return {"old": None, "new": value}
