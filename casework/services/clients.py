"""Writes for clients: registration with a duplicate check, profile changes, archiving."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Client, ClientEthnicity, ClientIwi, Gender
from casework.redaction import REDACTED, client_display_name, identity_is_visible
from core.audit import audit_changes, audit_record, snapshot
from core.errors import ApplicationError, ConflictError
from core.models import AuditAction, User
from core.nz.ethnicity import validate_ethnicity_codes
from core.nz.iwi import IWI_CLASSIFICATION_VERSION, is_selectable_iwi
from core.nz.nhi import nhi_check_failure, normalise_nhi
from core.nz.regions import REGIONS

# Fields a caseworker edits on a client's profile; agency, created_by and archived_at
# are set by the services only.
CLIENT_PROFILE_FIELDS = (
    "legal_given_names",
    "legal_family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "nhi",
    "region",
    "phone",
    "email",
    "address",
    "preferred_language",
    "interpreter_required",
    "interpreter_language",
    "is_restricted",
)
_TEXT_FIELDS = (
    "legal_given_names",
    "legal_family_name",
    "preferred_name",
    "phone",
    "email",
    "address",
    "preferred_language",
    "interpreter_language",
)
_REQUIRED_TEXT_FIELDS = ("legal_given_names", "legal_family_name")
# Nobody alive was born before this; an earlier date is a typing slip.
_EARLIEST_DATE_OF_BIRTH = datetime.date(1900, 1, 1)

_ASSIGNED_ONLY = "Only the assigned caseworker may change this."

DUPLICATE_MATCH_NHI = "nhi"
DUPLICATE_MATCH_NAME_DOB = "name_and_date_of_birth"


class PossibleDuplicateClient(ConflictError):
    """Registration found clients who may be the same person (409 `possible_duplicate`).

    `candidates` is a list of ``{"id", "display_name", "match", "archived"}``
    dicts, already redacted for the actor: only clients they may see and
    identify are named; a client of another agency, or one of their own
    agency they may not see or identify, is a neutral entry with neither id
    nor name (only the kind of match). `hidden_in_agency` says the neutral
    match is in the actor's own agency, where a team lead can look into it.
    """

    def __init__(self, candidates: list[dict[str, Any]], *, hidden_in_agency: bool = False):
        if hidden_in_agency:
            message = (
                "This person may already be registered with this agency; ask your team lead "
                "before registering them again."
            )
        else:
            message = (
                "This person may already be registered. Check the candidates; if none is the "
                "same person, send the request again with confirm_not_duplicate set to true "
                "(a registered NHI number can never be recorded twice)."
            )
        super().__init__(message, code="possible_duplicate")
        self.candidates = candidates


@transaction.atomic
def client_create(
    *,
    actor: User,
    legal_given_names: str,
    legal_family_name: str,
    date_of_birth: datetime.date,
    region: str,
    preferred_name: str = "",
    gender: str = Gender.NOT_STATED,
    nhi: str | None = None,
    phone: str = "",
    email: str = "",
    address: str = "",
    preferred_language: str = "",
    interpreter_required: bool = False,
    interpreter_language: str = "",
    is_restricted: bool = False,
    ethnicities: Iterable[str] = (),
    iwi: Iterable[str] = (),
    confirm_not_duplicate: bool = False,
) -> Client:
    """Register a client of the actor's agency and give the actor full access to them.

    Preconditions: the actor holds `casework.add_client` (a caseworker or team
    lead) and belongs to an agency. The NHI is validated with its check
    character in either format (HISO 10046) and stored upper-case; test NHIs
    are refused unless settings.NHI_ALLOW_TEST_NUMBERS. Ethnicities are up to
    six Stats NZ codes (HISO 10001:2017), iwi are selectable codes of the Stats
    NZ iwi classification, region is a Stats NZ REGC code.

    Raises PermissionDenied (403) for an actor who may not register clients;
    ApplicationError (400) with field errors for bad input;
    PossibleDuplicateClient (409) when the NHI is already registered anywhere
    or a client of the agency has the same legal name and date of birth,
    unless `confirm_not_duplicate`; ConflictError `nhi_in_use` (409) when the
    NHI is taken even though the caller confirmed. Writes a `create` audit
    event and a `permission_change` event for the grant; nothing is written
    when it raises.
    """
    if not (actor.is_active and actor.has_perm("casework.add_client")):
        raise PermissionDenied("Your role does not register clients.")
    if actor.agency_id is None:
        raise PermissionDenied("Only staff of an agency register clients.")

    client = Client(agency_id=actor.agency_id, created_by=actor)
    values = {
        "legal_given_names": legal_given_names,
        "legal_family_name": legal_family_name,
        "preferred_name": preferred_name,
        "date_of_birth": date_of_birth,
        "gender": gender,
        "nhi": nhi,
        "region": region,
        "phone": phone,
        "email": email,
        "address": address,
        "preferred_language": preferred_language,
        "interpreter_required": interpreter_required,
        "interpreter_language": interpreter_language,
        "is_restricted": is_restricted,
    }
    errors: dict[str, list[str]] = {}
    _apply_profile(client, values, errors)
    ethnicity_codes = _clean_ethnicities(ethnicities, errors)
    iwi_codes = _clean_iwi(iwi, errors)
    _full_clean(client, errors)

    _check_duplicates(actor=actor, client=client, confirm_not_duplicate=confirm_not_duplicate)

    client.save()
    _replace_ethnicities(client, ethnicity_codes)
    _replace_iwi(client, iwi_codes)
    access.grant_client_to_user(client, actor)

    changes = {
        name: change
        for name, change in audit_changes(
            client, CLIENT_PROFILE_FIELDS, dict.fromkeys(CLIENT_PROFILE_FIELDS)
        ).items()
        if change["new"] not in ("", None)
    }
    changes["ethnicities"] = {"old": None, "new": ethnicity_codes}
    changes["iwi"] = {"old": None, "new": iwi_codes}
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=client,
        changes=_redact_identity_changes(client, changes),
    )
    audit_record(
        actor=actor,
        action=AuditAction.PERMISSION_CHANGE,
        obj=client,
        changes={"granted": {"user": str(actor.pk), "perms": list(access.CLIENT_ASSIGNED_PERMS)}},
    )
    return client


@transaction.atomic
def client_update(
    *,
    actor: User,
    client: Client,
    ethnicities: Iterable[str] | None = None,
    iwi: Iterable[str] | None = None,
    **fields: Any,
) -> Client:
    """Change a client's profile, ethnicities or iwi; lists given replace the recorded ones.

    Preconditions: the actor may see the client (else Http404, exactly as if it
    did not exist) and holds `change_client` on it (else PermissionDenied);
    the client is not archived (ConflictError `archived`). Fields are validated
    as in `client_create`. A restricted client's identifying details, and the
    restriction itself, may be lifted or changed only by staff who may see who
    the client is (their assigned caseworker): anyone else would be able to
    reveal what the restriction hides. For anyone else a request that names
    any of those fields at all is refused with the same 403, whether or not
    the value sent matches the recorded one, so the answer never confirms a
    guessed name, NHI or address. Anyone with change access may restrict an
    unrestricted client. Raises ApplicationError (400) with field errors for bad input and
    ConflictError `nhi_in_use` for an NHI recorded on another client. Writes
    an `update` audit event with old and new values (identifying values of a
    restricted client are not copied into the log); nothing when nothing
    changed.
    """
    client = _lock_changeable(actor=actor, client=client)
    if client.archived_at is not None:
        raise ConflictError(
            "An archived client cannot be changed; unarchive them first.", code="archived"
        )
    unknown = set(fields) - set(CLIENT_PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(
            "Some fields cannot be changed.",
            fields={name: ["This field cannot be changed."] for name in sorted(unknown)},
        )

    may_identify = _may_identify(actor, client)
    if client.is_restricted and not may_identify:
        # Refused even when the value sent equals the recorded one: answering
        # differently for equal and unequal values would confirm a guess.
        touched = sorted(
            name for name in (*Client.IDENTIFYING_FIELDS, "is_restricted") if name in fields
        )
        if touched:
            raise ApplicationError(
                "Only staff assigned to this restricted client may change who they are "
                "or lift the restriction.",
                code="permission_denied",
                status_code=403,
                fields={name: [_ASSIGNED_ONLY] for name in touched},
            )

    before = snapshot(client, CLIENT_PROFILE_FIELDS)
    old_ethnicities = list(client.ethnicities.order_by("position").values_list("code", flat=True))
    old_iwi = list(client.iwi_affiliations.order_by("code").values_list("code", flat=True))
    was_restricted = client.is_restricted

    errors: dict[str, list[str]] = {}
    _apply_profile(client, fields, errors)
    ethnicity_codes = _clean_ethnicities(ethnicities, errors) if ethnicities is not None else None
    iwi_codes = _clean_iwi(iwi, errors) if iwi is not None else None
    _full_clean(client, errors)

    nhi_changed = client.nhi and client.nhi != before["nhi"]
    if nhi_changed and Client.objects.filter(nhi=client.nhi).exclude(pk=client.pk).exists():
        raise ConflictError(
            "That NHI number is already recorded for another client.",
            code="nhi_in_use",
            fields={"nhi": ["This NHI number is already registered."]},
        )

    changes = audit_changes(client, CLIENT_PROFILE_FIELDS, before)
    if changes:
        client.save()
    if client.is_restricted != was_restricted:
        # Whether the people assigned identify a restricted client has just changed.
        access.forget_grant_facts()
    if ethnicity_codes is not None and ethnicity_codes != old_ethnicities:
        _replace_ethnicities(client, ethnicity_codes)
        changes["ethnicities"] = {"old": old_ethnicities, "new": ethnicity_codes}
    if iwi_codes is not None and sorted(iwi_codes) != old_iwi:
        _replace_iwi(client, iwi_codes)
        changes["iwi"] = {"old": old_iwi, "new": sorted(iwi_codes)}
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=client,
            changes=_redact_identity_changes(
                client, changes, restricted=was_restricted or client.is_restricted
            ),
        )
    return client


@transaction.atomic
def client_archive(*, actor: User, client: Client) -> Client:
    """Archive a client: they leave the default lists but nothing about them is deleted.

    Clients are never deleted (Privacy Act 2020, IPP 9 retention is a records
    decision, not an API one). Preconditions as `client_update`; raises
    ConflictError `already_archived` when the client is archived. Writes an
    `update` audit event.
    """
    client = _lock_changeable(actor=actor, client=client)
    if client.archived_at is not None:
        raise ConflictError("The client is already archived.", code="already_archived")
    client.archived_at = timezone.now()
    client.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=client,
        changes={"archived_at": {"old": None, "new": client.archived_at.isoformat()}},
    )
    return client


@transaction.atomic
def client_unarchive(*, actor: User, client: Client) -> Client:
    """Bring an archived client back to the lists.

    Preconditions as `client_update` (archived clients stay visible to their
    staff); raises ConflictError `not_archived` when the client is not
    archived. Writes an `update` audit event.
    """
    client = _lock_changeable(actor=actor, client=client)
    if client.archived_at is None:
        raise ConflictError("The client is not archived.", code="not_archived")
    archived_at = client.archived_at
    client.archived_at = None
    client.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=client,
        changes={"archived_at": {"old": archived_at.isoformat(), "new": None}},
    )
    return client


def _lock_changeable(*, actor: User, client: Client) -> Client:
    """Lock the client's row; 404 unless the actor sees it, 403 unless they may change it."""
    locked = Client.objects.select_for_update().filter(pk=client.pk).first()
    if locked is None or not access.user_can(actor, "view_client", locked):
        raise Http404("No such client.")
    if not access.user_can(actor, "change_client", locked):
        raise PermissionDenied("You may see this client but not change them.")
    return locked


def _may_identify(actor: User, client: Client) -> bool:
    if not client.is_restricted:
        return True
    return Client.objects.filter(pk=client.pk).filter(access.client_identity_exists(actor)).exists()


def _apply_profile(client: Client, values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Set the given profile fields on `client`, normalised, collecting field errors."""
    for name, value in values.items():
        if name in _TEXT_FIELDS:
            value = (value or "").strip()
        setattr(client, name, value)

    for name in _REQUIRED_TEXT_FIELDS:
        if name in values and not getattr(client, name):
            errors.setdefault(name, []).append("This field may not be blank.")

    if "nhi" in values:
        raw = values["nhi"]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            client.nhi = None
        else:
            reason = nhi_check_failure(raw, allow_test_numbers=settings.NHI_ALLOW_TEST_NUMBERS)
            if reason is not None:
                errors.setdefault("nhi", []).append(reason)
            else:
                client.nhi = normalise_nhi(raw)

    if "region" in values and client.region not in REGIONS:
        errors.setdefault("region", []).append("Use a Stats NZ region code, e.g. 01 Northland.")

    if "gender" in values and client.gender not in Gender.values:
        errors.setdefault("gender", []).append(f"Choose one of: {', '.join(Gender.values)}.")

    if "date_of_birth" in values:
        dob = client.date_of_birth
        if not isinstance(dob, datetime.date) or isinstance(dob, datetime.datetime):
            errors.setdefault("date_of_birth", []).append("Enter a date.")
        elif dob > timezone.localdate():
            errors.setdefault("date_of_birth", []).append(
                "The date of birth cannot be in the future."
            )
        elif dob < _EARLIEST_DATE_OF_BIRTH:
            errors.setdefault("date_of_birth", []).append("The date of birth is implausibly early.")

    if client.interpreter_required and not client.interpreter_language:
        errors.setdefault("interpreter_language", []).append(
            "Say which language the interpreter is needed for."
        )


def _clean_ethnicities(codes: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    try:
        return validate_ethnicity_codes(list(codes))
    except ValueError as exc:
        errors.setdefault("ethnicities", []).append(str(exc))
        return []


def _clean_iwi(codes: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    cleaned = [str(code).strip() for code in codes]
    unknown = [code for code in cleaned if not is_selectable_iwi(code)]
    if unknown:
        errors.setdefault("iwi", []).append(
            f"Unknown or non-selectable iwi code(s): {', '.join(repr(c) for c in unknown)}. "
            "Use a four-digit code of the Stats NZ iwi classification."
        )
    if len(set(cleaned)) != len(cleaned):
        errors.setdefault("iwi", []).append("An iwi may be recorded only once.")
    return cleaned


def _full_clean(client: Client, errors: dict[str, list[str]]) -> None:
    """Run the model's own checks, merge them with `errors` and raise if there are any."""
    try:
        # Uniqueness of the NHI is the duplicate check's business (409, not 400).
        client.full_clean(exclude=["agency", "created_by"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            # A field already refused above keeps its clearer message.
            if name not in errors:
                errors[name] = list(messages)
    if errors:
        raise ApplicationError("The client record is not valid.", fields=errors)


def _check_duplicates(*, actor: User, client: Client, confirm_not_duplicate: bool) -> None:
    """Refuse a likely twin: the same NHI anywhere, or the same legal name and birth date.

    Only candidates the actor may see and identify are named (id and name).
    Any other match, in the agency or outside it, is one neutral entry per
    kind of match, with neither id nor name: a duplicate check must not
    confirm that a restricted or unassigned person is registered, nor hand
    out an id to probe with.
    """
    nhi_taken = client.nhi is not None and Client.objects.filter(nhi=client.nhi).exists()
    if confirm_not_duplicate:
        if nhi_taken:
            raise ConflictError(
                "That NHI number is already registered; it cannot be recorded twice.",
                code="nhi_in_use",
                fields={"nhi": ["This NHI number is already registered."]},
            )
        return

    in_agency = Client.objects.filter(agency_id=actor.agency_id).annotate(
        visible=access.client_permission_exists(actor, "view_client"),
        identity_visible=access.client_identity_exists(actor),
    )
    candidates: list[dict[str, Any]] = []
    hidden_in_agency = False
    if nhi_taken:
        same_nhi = list(in_agency.filter(nhi=client.nhi))
        named = [c for c in same_nhi if _may_name(c)]
        candidates += [_candidate(c, DUPLICATE_MATCH_NHI) for c in named]
        if len(named) < len(same_nhi) or not same_nhi:
            # Another agency's client, or one of this agency the actor may not identify.
            hidden_in_agency = hidden_in_agency or bool(same_nhi)
            candidates.append(_neutral_candidate(DUPLICATE_MATCH_NHI))
    seen = {c["id"] for c in candidates if c["id"] is not None}
    same_person = [
        c
        for c in in_agency.filter(
            legal_given_names__iexact=client.legal_given_names,
            legal_family_name__iexact=client.legal_family_name,
            date_of_birth=client.date_of_birth,
        ).order_by("created_at", "id")
        if str(c.pk) not in seen
    ]
    named = [c for c in same_person if _may_name(c)]
    candidates += [_candidate(c, DUPLICATE_MATCH_NAME_DOB) for c in named]
    if len(named) < len(same_person):
        hidden_in_agency = True
        candidates.append(_neutral_candidate(DUPLICATE_MATCH_NAME_DOB))
    if candidates:
        raise PossibleDuplicateClient(candidates, hidden_in_agency=hidden_in_agency)


def _may_name(client: Client) -> bool:
    return bool(client.visible) and identity_is_visible(client, client.identity_visible)


def _candidate(client: Client, match: str) -> dict[str, Any]:
    return {
        "id": str(client.pk),
        "display_name": client_display_name(client, client.identity_visible),
        "match": match,
        "archived": client.archived_at is not None,
    }


def _neutral_candidate(match: str) -> dict[str, Any]:
    return {"id": None, "display_name": None, "match": match, "archived": None}


def _replace_ethnicities(client: Client, codes: list[str]) -> None:
    client.ethnicities.all().delete()
    ClientEthnicity.objects.bulk_create(
        ClientEthnicity(client=client, code=code, position=position)
        for position, code in enumerate(codes, start=1)
    )


def _replace_iwi(client: Client, codes: list[str]) -> None:
    client.iwi_affiliations.all().delete()
    ClientIwi.objects.bulk_create(
        ClientIwi(client=client, code=code, classification_version=IWI_CLASSIFICATION_VERSION)
        for code in codes
    )


def _redact_identity_changes(
    client: Client, changes: dict[str, Any], *, restricted: bool | None = None
) -> dict[str, Any]:
    """Keep a restricted client's identifying values out of the audit log (only the fact)."""
    if not (client.is_restricted if restricted is None else restricted):
        return changes
    redacted = dict(changes)
    for name in Client.IDENTIFYING_FIELDS:
        if name in redacted:
            redacted[name] = {"old": REDACTED, "new": REDACTED}
    return redacted
