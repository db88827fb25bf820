"""Writes for agencies, teams and staff: every one checks the actor and is audited."""

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth import authenticate
from django.contrib.auth import logout as django_logout
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core import lockout
from core.audit import audit_changes, audit_record, snapshot
from core.auth import token_expired
from core.errors import ApplicationError
from core.models import Agency, AuditAction, Team, User
from core.roles import ROLE_GROUP_PREFIX, ROLE_MODEL_PERMISSIONS, Role, role_group_name

STAFF_PROFILE_FIELDS = ("first_name", "last_name", "email", "team", "delegated_limit", "is_active")


@transaction.atomic
def roles_sync() -> None:
    """Create one group per role and give it exactly the model permissions in core.roles.

    Idempotent; run by `load_reference_data` after every migrate. Raises
    LookupError if a role names a permission that does not exist, so a typo
    fails loudly instead of silently granting less.
    """
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role_group_name(role))
        wanted = []
        for label in ROLE_MODEL_PERMISSIONS[role]:
            app_label, codename = label.split(".", 1)
            try:
                wanted.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            except Permission.DoesNotExist as exc:
                raise LookupError(f"Role {role.value} names unknown permission {label}") from exc
        group.permissions.set(wanted)


@transaction.atomic
def agency_create(*, actor: User | None, name: str, slug: str, kind: str, region: str) -> Agency:
    """Register an agency. Only deployment operators (superusers) create agencies."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("Only operators of the deployment create agencies.")
    agency = Agency(name=name, slug=slug, kind=kind, region=region)
    agency.full_clean()
    agency.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=agency, changes={"name": name})
    return agency


@transaction.atomic
def team_create(*, actor: User | None, agency: Agency, name: str) -> Team:
    """Create a team in `agency` with the group its leads share; the actor must be its admin.

    Object permissions on the team's cases are granted to the lead group, so
    a new team lead sees the team's cases as soon as they join it.
    """
    _require_agency_admin(actor, agency)
    team = Team(agency=agency, name=name)
    team.full_clean()
    team.lead_group = Group.objects.create(name=f"team-leads:{team.pk}")
    team.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=team, changes={"name": name})
    return team


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    agency: Agency,
    username: str,
    password: str,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    team: Team | None = None,
    delegated_limit: Decimal | None = None,
    validate_password_strength: bool = True,
    password_hash: str = "",
) -> User:
    """Add a member of staff to `agency` with the given roles.

    Preconditions: the actor is an admin of `agency` (or an operator, or None
    for set-up commands); roles are known; a program officer has a delegated
    limit and nobody else does; the team belongs to the same agency.
    Raises PermissionDenied or ApplicationError; writes `create` and
    `permission_change` audit events. Set-up commands that create many users
    with one password may pass `password_hash` (from `make_password`) to hash
    it once.
    """
    _require_agency_admin(actor, agency)
    role_set = _clean_roles(roles)
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            "That username is taken.", fields={"username": ["That username is taken."]}
        )
    user = User(
        agency=agency,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        team=team,
        delegated_limit=delegated_limit,
    )
    _check_staff_rules(user, role_set)
    if validate_password_strength:
        _validate_password(password, user)
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    _set_roles(user, role_set)
    _sync_team_lead_group(user)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        changes={
            "username": {"old": None, "new": username},
            "password": "set",
            # audit_changes against an all-None "before" already gives {"old": None, "new": …}.
            **audit_changes(user, STAFF_PROFILE_FIELDS, dict.fromkeys(STAFF_PROFILE_FIELDS)),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.PERMISSION_CHANGE,
        obj=user,
        changes={"roles": {"old": [], "new": sorted(role_set)}},
    )
    return user


@transaction.atomic
def staff_update(
    *,
    actor: User,
    staff: User,
    roles: Iterable[str] | None = None,
    password: str | None = None,
    **fields,
) -> User:
    """Change a staff member's profile, roles, team, delegated limit or active flag.

    The actor must be an admin of the staff member's agency. An admin cannot
    deactivate themselves or take their own admin role away, so an agency is
    never left without its admin by accident. Writes `update` and, when roles
    change, `permission_change` audit events.
    """
    staff = User.objects.select_for_update().get(pk=staff.pk)
    _require_agency_admin(actor, staff.agency)
    unknown = set(fields) - set(STAFF_PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    before = snapshot(staff, STAFF_PROFILE_FIELDS)
    old_roles = set(staff.roles)
    role_set = _clean_roles(roles) if roles is not None else old_roles
    for name, value in fields.items():
        setattr(staff, name, value)
    if staff.pk == actor.pk:
        if not staff.is_active:
            raise ApplicationError(
                "You cannot deactivate yourself.",
                fields={"is_active": ["You cannot deactivate yourself."]},
            )
        if Role.AGENCY_ADMIN.value not in role_set and not actor.is_superuser:
            raise ApplicationError(
                "You cannot remove your own agency admin role.",
                fields={"roles": ["You cannot remove your own agency admin role."]},
            )
    _check_staff_rules(staff, role_set)
    changes = audit_changes(staff, STAFF_PROFILE_FIELDS, before)
    if password is not None:
        _validate_password(password, staff)
        staff.set_password(password)
        changes["password"] = "changed"  # noqa: S105 - the fact, never the value
    staff.full_clean(exclude=["password"])
    staff.save()
    if password is not None or not staff.is_active:
        # A new password or a deactivation ends every API session at once.
        Token.objects.filter(user=staff).delete()
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=staff, changes=changes)
    if role_set != old_roles:
        _set_roles(staff, role_set)
    _sync_team_lead_group(staff)
    if role_set != old_roles:
        audit_record(
            actor=actor,
            action=AuditAction.PERMISSION_CHANGE,
            obj=staff,
            changes={"roles": {"old": sorted(old_roles), "new": sorted(role_set)}},
        )
    return staff


def auth_token_issue(*, request, username: str, password: str) -> Token:
    """Check the credentials and return the user's API token, auditing the attempt.

    Refused first when sign-in is locked for the username or the client's
    address (`core.lockout`, raises LockedOut: 429 with Retry-After), without
    looking at the password. A failed attempt is counted towards the lockout
    and recorded as `login_failed` (with the username tried) by the
    `user_login_failed` signal; it raises ApplicationError with the same
    message whether the user exists or not, so the endpoint cannot be used to
    discover usernames. An expired token is replaced by a new one.
    """
    ip_address = lockout.client_ip(request)
    if lockout.lockout_remaining(username=username, ip_address=ip_address) > 0:
        lockout.login_failure_record(username=username, ip_address=ip_address)
        lockout.lockout_check(username=username, ip_address=ip_address)
    user = authenticate(request, username=username, password=password)
    if user is not None and not user.is_active:
        # Only reachable with a backend that lets inactive users authenticate.
        lockout.login_failure_record(username=username, ip_address=ip_address)
        user = None
    if user is None:
        raise ApplicationError(
            "Unable to sign in with those credentials.", code="invalid_credentials"
        )
    lockout.login_success_record(username=username)
    with transaction.atomic():
        token, _ = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        audit_record(actor=user, action=AuditAction.LOGIN, obj=user)
    return token


def auth_logout(*, request, actor: User) -> int:
    """Revoke the actor's API token and end their session; writes a `logout` audit event.

    Returns how many tokens were revoked (0 for a session-only sign-in). The
    token is shared by every API client of the user, so signing out anywhere
    signs out everywhere that uses a token.
    """
    with transaction.atomic():
        revoked, _ = Token.objects.filter(user=actor).delete()
        audit_record(actor=actor, action=AuditAction.LOGOUT, obj=actor, changes={"tokens": revoked})
    http_request = getattr(request, "_request", request)
    if hasattr(http_request, "session"):
        django_logout(http_request)
    return revoked


def _require_agency_admin(actor: User | None, agency: Agency | None) -> None:
    if actor is None or actor.is_superuser:
        return
    if agency is None or actor.agency_id != agency.pk or not actor.has_role(Role.AGENCY_ADMIN):
        raise PermissionDenied("Only the agency's admins manage its staff.")


def _clean_roles(roles: Iterable[str]) -> set[str]:
    role_set = set(roles)
    if not role_set:
        raise ApplicationError(
            "A member of staff needs at least one role.",
            fields={"roles": ["At least one role is required."]},
        )
    unknown = role_set - set(Role.values)
    if unknown:
        raise ApplicationError(
            "Unknown role.", fields={"roles": [f"Unknown role: {', '.join(sorted(unknown))}."]}
        )
    return role_set


def _check_staff_rules(user: User, role_set: set[str]) -> None:
    errors: dict[str, list[str]] = {}
    is_officer = Role.PROGRAM_OFFICER.value in role_set
    if is_officer and user.delegated_limit is None:
        errors["delegated_limit"] = ["A program officer needs a delegated limit."]
    if not is_officer and user.delegated_limit is not None:
        errors["delegated_limit"] = ["Only program officers have a delegated limit."]
    if user.team_id is not None and user.team.agency_id != user.agency_id:
        errors["team"] = ["The team belongs to another agency."]
    if errors:
        raise ApplicationError("The staff record breaks a rule.", fields=errors)


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            "The password is too weak.", fields={"password": list(exc.messages)}
        ) from exc


def _sync_team_lead_group(user: User) -> None:
    """Keep the user in exactly the lead group of their team if they are an active team lead."""
    user.groups.remove(*Group.objects.filter(led_team__isnull=False).exclude(led_team=user.team_id))
    team = user.team
    if team is None or team.lead_group_id is None:
        return
    if user.is_active and user.has_role(Role.TEAM_LEAD):
        user.groups.add(team.lead_group_id)
    else:
        user.groups.remove(team.lead_group_id)


def _set_roles(user: User, role_set: set[str]) -> None:
    user.groups.remove(*Group.objects.filter(name__startswith=ROLE_GROUP_PREFIX))
    user.groups.add(
        *(Group.objects.get_or_create(name=role_group_name(role))[0] for role in sorted(role_set))
    )
    # Drop the cached permissions so the next check sees the new roles.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
