"""Why can (or can't) a member of staff see a record? Answered from the rules the API enforces.

`allowed` is never recomputed here: it is the answer of the very selector the
API reads the record through (`clients_visible_to`, `cases_visible_to`,
`notes_visible_to`, the aid and referral visibility filters). The reasons are
the grant rows those filters read — the user's direct grants (from an
assignment or a registration), their team-lead group's grants — and the
role and agency rules the programmes' filters add, so an answer can be
checked row by row in the permission tables.

Agency admins and compliance officers ask about their own agency's staff and
records only; anything else is 404, as if it did not exist.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.db.models import Q
from django.http import Http404

from casework import access
from casework.models import (
    Case,
    CaseGroupObjectPermission,
    CaseNote,
    CaseUserObjectPermission,
    Client,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
)
from casework.selectors.notes import notes_visible_to
from core.audit import audit_record
from core.models import Agency, AuditAction, User
from core.roles import Role

OBJECT_TYPES = ("client", "case", "note", "aid_request", "referral")
# Spellings accepted in the query string for the same types.
_ALIASES = {"aid-request": "aid_request", "aidrequest": "aid_request", "casenote": "note"}
EXPLAINER_ROLES = (Role.AGENCY_ADMIN, Role.COMPLIANCE_OFFICER)


class ObjectReferenceInvalid(ValueError):
    """The `object` parameter is not `<type>:<id>` with a known type."""


@dataclass
class Explanation:
    """The answer: may `user` see the object, which rules say so, and what more they may do."""

    object_type: str
    object_id: str
    user: User
    allowed: bool
    access: dict[str, bool] = field(default_factory=dict)
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "object": {"type": self.object_type, "id": self.object_id},
            "user": {
                "username": self.user.get_username(),
                "roles": self.user.roles,
                "is_active": self.user.is_active,
            },
            "allowed": self.allowed,
            "access": self.access,
            "reasons": self.reasons,
        }


def parse_object_reference(value: str) -> tuple[str, str]:
    """Split ``"<type>:<id>"``; raise ObjectReferenceInvalid for anything else."""
    kind, sep, object_id = (value or "").partition(":")
    kind = _ALIASES.get(kind.strip().lower(), kind.strip().lower())
    if not sep or kind not in OBJECT_TYPES or not object_id.strip():
        raise ObjectReferenceInvalid(
            f"Use <type>:<id>, where type is one of: {', '.join(OBJECT_TYPES)}."
        )
    return kind, object_id.strip()


def may_explain_access(actor: User) -> bool:
    """Agency admins and compliance officers of an agency may ask; nobody else."""
    return bool(
        actor
        and actor.is_authenticated
        and actor.is_active
        and actor.agency_id is not None
        and any(actor.has_role(role) for role in EXPLAINER_ROLES)
    )


def access_explain(*, actor: User, object_ref: str, username: str) -> Explanation:
    """Explain whether `username` may see the object at `object_ref`, and why.

    Preconditions: the actor may explain access (`may_explain_access`; the API
    answers 403 otherwise). The user and the object must belong to the
    actor's agency (a referral: sent by it or to it); anything else, malformed
    ids included, raises Http404. Raises ObjectReferenceInvalid (the API's
    400) for a malformed reference. Writes a `view` audit event about the
    object naming the user asked about and the answer: explaining access
    reveals who works with a client.
    """
    kind, object_id = parse_object_reference(object_ref)
    user = (
        User.objects.filter(username=username, agency_id=actor.agency_id)
        .prefetch_related("groups")
        .first()
        if username
        else None
    )
    if user is None:
        raise Http404("No such member of staff.")
    try:
        pk = uuid.UUID(object_id)
    except ValueError:
        raise Http404("No such record.") from None
    explainer = _EXPLAINERS[kind]
    obj, _owner_agency_id, explanation = explainer(actor, user, pk)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=obj,
        # The explaining agency's own log: a referral belongs to its sender, but an
        # explanation asked by the recipient is the recipient's business.
        agency=Agency(pk=actor.agency_id),
        changes={
            "access_explained_for": user.get_username(),
            "allowed": explanation.allowed,
        },
    )
    return explanation


# Each explainer: (actor, user, pk) -> (object, its agency id, Explanation), Http404 if the
# object is not the actor's agency's.


def _explain_client(actor: User, user: User, pk) -> tuple[Client, Any, Explanation]:
    client = Client.objects.filter(pk=pk, agency_id=actor.agency_id).first()
    if client is None:
        raise Http404("No such client.")
    visible = (
        access.clients_visible_to(user, Client.objects.filter(pk=client.pk))
        .values_list("identity_visible", flat=True)
        .first()
    )
    allowed = visible is not None
    explanation = Explanation("client", str(client.pk), user, allowed)
    explanation.access = {
        "view": allowed,
        "change": access.user_can(user, "change_client", client),
        "identity": allowed and (not client.is_restricted or bool(visible)),
    }
    explanation.reasons = _account_reasons(user) + _client_grant_reasons(user, client)
    if client.is_restricted:
        explanation.reasons.append(
            {
                "kind": "restricted_client",
                "grants": explanation.access["identity"],
                "detail": (
                    "The client is restricted: their identifying details are shown only with a "
                    "direct view_client_identity grant (the assigned caseworker), never via a team."
                ),
            }
        )
    if not allowed:
        explanation.reasons.append(_no_grant("view_client", "client"))
    return client, client.agency_id, explanation


def _explain_case(actor: User, user: User, pk) -> tuple[Case, Any, Explanation]:
    case = Case.objects.filter(pk=pk, agency_id=actor.agency_id).first()
    if case is None:
        raise Http404("No such case.")
    allowed = access.cases_visible_to(user, Case.objects.filter(pk=case.pk)).exists()
    explanation = Explanation("case", str(case.pk), user, allowed)
    explanation.access = {"view": allowed, "change": access.user_can(user, "change_case", case)}
    explanation.reasons = _account_reasons(user) + _case_grant_reasons(user, case)
    if not allowed:
        explanation.reasons.append(_no_grant("view_case", "case"))
    return case, case.agency_id, explanation


def _explain_note(actor: User, user: User, pk) -> tuple[CaseNote, Any, Explanation]:
    note = (
        CaseNote.objects.filter(pk=pk, case__agency_id=actor.agency_id)
        .select_related("case", "case__team")
        .first()
    )
    if note is None:
        raise Http404("No such note.")
    case = note.case
    allowed = notes_visible_to(user).filter(pk=note.pk).exists()
    case_visible = access.cases_visible_to(user, Case.objects.filter(pk=case.pk)).exists()
    explanation = Explanation("note", str(note.pk), user, allowed)
    explanation.access = {"view": allowed, "case_view": case_visible}
    explanation.reasons = _account_reasons(user) + _case_grant_reasons(user, case)
    if not case_visible:
        explanation.reasons.append(_no_grant("view_case", "note's case"))
    if note.restricted:
        explanation.reasons.append(_restricted_note_reason(user, note))
    return note, case.agency_id, explanation


def _explain_aid_request(actor: User, user: User, pk) -> tuple[Any, Any, Explanation]:
    # Aid requests live in programs (which depends on casework): import at call time.
    from programs.selectors.aid import AGENCY_AID_READER_ROLES, aid_request_visibility

    aid_model = apps.get_model("programs", "AidRequest")
    aid = (
        aid_model.objects.filter(pk=pk, agency_id=actor.agency_id)
        .select_related("case", "programme")
        .first()
    )
    if aid is None:
        raise Http404("No such aid request.")
    allowed = aid_model.objects.filter(pk=aid.pk).filter(aid_request_visibility(user)).exists()
    explanation = Explanation("aid_request", str(aid.pk), user, allowed)
    explanation.access = {
        "view": allowed,
        "decide": allowed and user.has_perm("programs.decide_aidrequest"),
    }
    explanation.reasons = _account_reasons(user) + _case_grant_reasons(user, aid.case)
    reader_roles = [role.value for role in AGENCY_AID_READER_ROLES if user.has_role(role)]
    if reader_roles:
        delivered = aid.programme.delivering_agencies.filter(pk=user.agency_id).exists()
        same_agency = aid.agency_id == user.agency_id
        explanation.reasons.append(
            {
                "kind": "role",
                "roles": reader_roles,
                "grants": same_agency and delivered,
                "detail": (
                    "Program officers and compliance officers read their own agency's aid "
                    "requests for programmes their agency delivers"
                    + ("." if same_agency and delivered else "; this request is not one of them.")
                ),
            }
        )
    if not allowed:
        explanation.reasons.append(_no_grant("view_case", "aid request's case"))
    return aid, aid.agency_id, explanation


def _explain_referral(actor: User, user: User, pk) -> tuple[Any, Any, Explanation]:
    from programs.selectors.referrals import (
        RECIPIENT_ROLES,
        recipient_side,
        referral_visibility,
        sender_side,
        shared_snapshot_visible,
    )

    referral_model = apps.get_model("programs", "Referral")
    referral = (
        referral_model.objects.filter(pk=pk)
        # The recipient agency never learns of a draft: the referral API hides it too.
        .filter(
            Q(agency_id=actor.agency_id)
            | (Q(recipient_agency_id=actor.agency_id) & ~Q(status="draft"))
        )
        .select_related("case", "consent")
        .first()
    )
    if referral is None:
        raise Http404("No such referral.")
    one = referral_model.objects.filter(pk=referral.pk)
    allowed = one.filter(referral_visibility(user)).exists()
    as_sender = allowed and one.filter(sender_side(user)).exists()
    as_recipient = allowed and one.filter(recipient_side(user)).exists()
    explanation = Explanation("referral", str(referral.pk), user, allowed)
    explanation.access = {
        "view": allowed,
        "sender_side": as_sender,
        "recipient_side": as_recipient,
        "shared_details": as_recipient and shared_snapshot_visible(referral),
    }
    explanation.reasons = _account_reasons(user)
    if referral.agency_id == user.agency_id:
        explanation.reasons += _case_grant_reasons(user, referral.case)
    if referral.recipient_agency_id == user.agency_id:
        roles = [role.value for role in RECIPIENT_ROLES if user.has_role(role)]
        explanation.reasons.append(
            {
                "kind": "referral_share",
                "grants": as_recipient,
                "roles": roles,
                "detail": (
                    "Caseworkers and team leads of the recipient agency read a sent referral and "
                    "the snapshot shared with it (while it is open and the consent is current), "
                    "never the client record."
                    + ("" if roles else " This user holds neither role.")
                    + (" The referral is still a draft." if referral.status == "draft" else "")
                ),
            }
        )
    if not allowed:
        explanation.reasons.append(_no_grant("view_case", "referral's case"))
    return referral, referral.agency_id, explanation


_EXPLAINERS = {
    "client": _explain_client,
    "case": _explain_case,
    "note": _explain_note,
    "aid_request": _explain_aid_request,
    "referral": _explain_referral,
}


def _account_reasons(user: User) -> list[dict[str, Any]]:
    reasons = []
    if not user.is_active:
        reasons.append(
            {
                "kind": "account",
                "grants": False,
                "detail": "The account is inactive: it sees nothing, whatever its grants.",
            }
        )
    if user.is_superuser:
        reasons.append(
            {
                "kind": "account",
                "grants": False,
                "detail": "Operators get no blanket access to people's records (IPP 5).",
            }
        )
    return reasons


def _client_grant_reasons(user: User, client: Client) -> list[dict[str, Any]]:
    """The grant rows on `client` that reach `user`, each with where it came from."""
    reasons = []
    direct = sorted(
        ClientUserObjectPermission.objects.filter(content_object=client, user=user).values_list(
            "permission__codename", flat=True
        )
    )
    if direct:
        led = list(
            Case.objects.filter(lead_caseworker=user)
            .filter(Q(client=client) | Q(whanau__members__client=client))
            .values_list("pk", flat=True)
            .distinct()
        )
        if led:
            source = "assignment"
            detail = "Lead caseworker of case(s) " + ", ".join(str(pk) for pk in led) + "."
        elif client.created_by_id == user.pk:
            source = "registration"
            detail = "Registered this client and has not handed the work on."
        else:
            source = "direct_grant"
            detail = "A direct grant to this user."
        reasons.append(
            {
                "kind": "user_grant",
                "source": source,
                "permissions": direct,
                "grants": "view_client" in direct,
                "detail": detail,
            }
        )
    reasons += _group_grant_reasons(
        user, ClientGroupObjectPermission.objects.filter(content_object=client)
    )
    return reasons


def _case_grant_reasons(user: User, case: Case) -> list[dict[str, Any]]:
    """The grant rows on `case` that reach `user`, each with where it came from."""
    reasons = []
    direct = sorted(
        CaseUserObjectPermission.objects.filter(content_object=case, user=user).values_list(
            "permission__codename", flat=True
        )
    )
    if direct:
        is_lead = case.lead_caseworker_id == user.pk
        reasons.append(
            {
                "kind": "user_grant",
                "source": "assignment" if is_lead else "direct_grant",
                "permissions": direct,
                "grants": "view_case" in direct,
                "detail": (
                    f"Lead caseworker of case {case.pk}."
                    if is_lead
                    else "A direct grant to this user."
                ),
            }
        )
    reasons += _group_grant_reasons(
        user, CaseGroupObjectPermission.objects.filter(content_object=case)
    )
    return reasons


def _group_grant_reasons(user: User, rows) -> list[dict[str, Any]]:
    """Group grant rows (of one object) held through groups `user` belongs to."""
    group_ids = list(user.groups.values_list("pk", flat=True))
    by_group: dict[int, list[str]] = {}
    for group_id, codename in rows.filter(group_id__in=group_ids).values_list(
        "group_id", "permission__codename"
    ):
        by_group.setdefault(group_id, []).append(codename)
    reasons = []
    for group in Group.objects.filter(pk__in=by_group).select_related("led_team"):
        team = getattr(group, "led_team", None)
        perms = sorted(by_group[group.pk])
        reasons.append(
            {
                "kind": "team_grant" if team is not None else "group_grant",
                "group": group.name,
                "team": team.name if team is not None else None,
                "permissions": perms,
                "grants": any(p.startswith("view_") for p in perms),
                "detail": (
                    f"Team lead of {team.name}: the team's lead group holds this grant."
                    if team is not None
                    else f"Member of group {group.name}, which holds this grant."
                ),
            }
        )
    return reasons


def _restricted_note_reason(user: User, note: CaseNote) -> dict[str, Any]:
    case = note.case
    if note.author_id == user.pk:
        why, grants = "They wrote it.", True
    elif case.lead_caseworker_id == user.pk:
        why, grants = "They are the case's lead caseworker.", True
    elif (
        case.team is not None
        and case.team.lead_group_id is not None
        and user.groups.filter(pk=case.team.lead_group_id).exists()
    ):
        why, grants = "They lead the case's team.", True
    else:
        why, grants = "They are not its author, the lead caseworker or a lead of the team.", False
    return {
        "kind": "restricted_note",
        "grants": grants,
        "detail": (
            "A restricted note is read only by its author, the case's lead caseworker and the "
            "team's leads (with access to the case). " + why
        ),
    }


def _no_grant(codename: str, what: str) -> dict[str, Any]:
    return {
        "kind": "no_grant",
        "grants": False,
        "detail": f"No {codename} grant on the {what} reaches this user, directly or by team.",
    }
