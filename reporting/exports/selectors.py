"""Reads for exports: the register a compliance officer may see, and data-governance flags."""

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from casework import access
from casework.selectors.whanau import whanau_visible_to
from core.models import User
from core.roles import Role
from reporting.models import DataGovernanceFlag, ExportRun, GovernanceScope

# Exports carry an agency's client-level data out of Tautoko: compliance officers only.
# Agency admins manage staff and programmes; they do not need the data itself.
EXPORT_ROLES = (Role.COMPLIANCE_OFFICER,)
# Iwi-level flags record an agreement between the agency and an iwi.
IWI_FLAG_ROLES = (Role.COMPLIANCE_OFFICER, Role.AGENCY_ADMIN)


def _active(actor: User) -> bool:
    return bool(actor and actor.is_authenticated and actor.is_active and actor.agency_id)


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("Not found.") from None


def may_export(actor: User) -> bool:
    """May `actor` create, see and download compliance exports of their agency?"""
    return _active(actor) and any(actor.has_role(role) for role in EXPORT_ROLES)


def may_flag_iwi(actor: User) -> bool:
    """May `actor` record or withdraw an iwi-level data-governance flag?"""
    return _active(actor) and any(actor.has_role(role) for role in IWI_FLAG_ROLES)


def export_runs_visible_to(actor: User) -> QuerySet[ExportRun]:
    """The register of `actor`'s agency, for its compliance officers; nothing for anyone else."""
    if not may_export(actor):
        return ExportRun.objects.none()
    return ExportRun.objects.filter(agency_id=actor.agency_id).select_related(
        "job", "requested_by", "rerun_of"
    )


def export_run_get(*, actor: User, run_id) -> ExportRun:
    """One export of the register `actor` may see; anything else, malformed ids included, is 404."""
    run = export_runs_visible_to(actor).filter(pk=_uuid_or_404(run_id)).first()
    if run is None:
        raise Http404("No such export.")
    return run


def governance_flags_visible_to(actor: User) -> QuerySet[DataGovernanceFlag]:
    """Flags of `actor`'s agency about clients and whānau they may see, and every iwi flag."""
    if not _active(actor):
        return DataGovernanceFlag.objects.none()
    sees_client = access.client_permission_exists(actor, "view_client", client_ref="client_id")
    sees_whanau = Exists(whanau_visible_to(actor).filter(pk=OuterRef("whanau_id")))
    return (
        DataGovernanceFlag.objects.filter(agency_id=actor.agency_id)
        .filter(
            Q(scope=GovernanceScope.IWI)
            | (Q(scope=GovernanceScope.CLIENT) & sees_client)
            | (Q(scope=GovernanceScope.WHANAU) & sees_whanau)
        )
        .select_related("recorded_by", "withdrawn_by")
    )


def governance_flag_get(*, actor: User, flag_id) -> DataGovernanceFlag:
    """One flag `actor` may see (404 otherwise)."""
    flag = governance_flags_visible_to(actor).filter(pk=_uuid_or_404(flag_id)).first()
    if flag is None:
        raise Http404("No such flag.")
    return flag
