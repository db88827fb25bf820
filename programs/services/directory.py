"""Writes for the community directory: organisations, their services, and CSV import/export.

The directory is shared by every agency on the deployment. Agency admins keep
it: an organisation that is an agency on Tautoko is changed only by that
agency's admins; outside organisations by any agency admin. Import is
all-or-nothing: every row is checked first and one bad row rejects the file.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.audit import audit_changes, audit_record, snapshot
from core.errors import ApplicationError
from core.models import Agency, AuditAction, User
from core.roles import Role
from programs.models import Organisation, Service

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "description",
    "region",
    "address",
    "website",
    "email",
    "phone",
    "languages",
    "is_active",
)
SERVICE_FIELDS = (
    "name",
    "category",
    "description",
    "eligibility",
    "languages",
    "cost",
    "hours",
    "region",
    "address",
    "phone",
    "email",
    "is_active",
)

# One row per service (an organisation without services has one row with the service
# columns empty), so the file opens in a spreadsheet and round-trips through import.
CSV_COLUMNS = (
    "organisation_name",
    "organisation_kind",
    "agency_slug",
    "organisation_description",
    "organisation_region",
    "organisation_address",
    "organisation_website",
    "organisation_email",
    "organisation_phone",
    "organisation_languages",
    "service_name",
    "service_category",
    "service_description",
    "service_eligibility",
    "service_languages",
    "service_cost",
    "service_hours",
    "service_region",
    "service_address",
    "service_phone",
    "service_email",
)
_ORG_COLUMNS = {
    "organisation_name": "name",
    "organisation_kind": "kind",
    "organisation_description": "description",
    "organisation_region": "region",
    "organisation_address": "address",
    "organisation_website": "website",
    "organisation_email": "email",
    "organisation_phone": "phone",
    "organisation_languages": "languages",
}
_SERVICE_COLUMNS = {
    "service_name": "name",
    "service_category": "category",
    "service_description": "description",
    "service_eligibility": "eligibility",
    "service_languages": "languages",
    "service_cost": "cost",
    "service_hours": "hours",
    "service_region": "region",
    "service_address": "address",
    "service_phone": "phone",
    "service_email": "email",
}


def normalise_languages(value: str | Iterable[str]) -> str:
    """Languages as one semicolon-separated string, trimmed, duplicates dropped, order kept."""
    items = value.split(";") if isinstance(value, str) else list(value)
    seen: list[str] = []
    for item in items:
        item = (item or "").strip()
        if item and item.casefold() not in {s.casefold() for s in seen}:
            seen.append(item)
    return "; ".join(seen)


def require_directory_editor(actor: User | None, organisation: Organisation | None = None) -> None:
    """Raise PermissionDenied unless `actor` may change the directory (and `organisation`).

    Agency admins keep the directory; an organisation that is an agency on
    Tautoko belongs to that agency's admins. `actor=None` is a set-up command.
    """
    if actor is None:
        return
    if not (actor.is_active and actor.agency_id and actor.has_role(Role.AGENCY_ADMIN)):
        raise PermissionDenied("Agency admins keep the directory.")
    if organisation is not None and organisation.agency_id not in (None, actor.agency_id):
        raise PermissionDenied("Only that agency's admins change its directory entry.")


@transaction.atomic
def organisation_create(
    *, actor: User | None, agency: Agency | None = None, **fields: Any
) -> Organisation:
    """Add an organisation to the directory (agency admins; `agency` only their own).

    Raises PermissionDenied for other roles, ApplicationError with field
    errors for bad input (unknown kind or region, a name already listed).
    Writes a `create` audit event.
    """
    require_directory_editor(actor)
    if actor is not None and agency is not None and agency.pk != actor.agency_id:
        raise PermissionDenied("Link an organisation to your own agency only.")
    organisation = Organisation(agency=agency)
    _apply(organisation, fields, ORGANISATION_FIELDS)
    _clean(organisation)
    organisation.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=organisation,
        agency=actor.agency if actor else agency,
        changes=_created(organisation, ORGANISATION_FIELDS),
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: User | None, organisation: Organisation, **fields: Any
) -> Organisation:
    """Change an organisation's directory entry; same rules as `organisation_create`."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    require_directory_editor(actor, organisation)
    before = snapshot(organisation, ORGANISATION_FIELDS)
    _apply(organisation, fields, ORGANISATION_FIELDS)
    changes = audit_changes(organisation, ORGANISATION_FIELDS, before)
    if changes:
        _clean(organisation)
        organisation.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=organisation, changes=changes)
    return organisation


@transaction.atomic
def service_create(*, actor: User | None, organisation: Organisation, **fields: Any) -> Service:
    """Add a service to an organisation; the region defaults to the organisation's.

    Same permission rules as changing the organisation. Raises ApplicationError
    with field errors for bad input. Writes a `create` audit event.
    """
    require_directory_editor(actor, organisation)
    service = Service(organisation=organisation)
    fields.setdefault("region", organisation.region)
    _apply(service, fields, SERVICE_FIELDS)
    _clean(service)
    service.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=service,
        agency=actor.agency if actor else None,
        changes={"organisation": str(organisation.pk), **_created(service, SERVICE_FIELDS)},
    )
    return service


@transaction.atomic
def service_update(*, actor: User | None, service: Service, **fields: Any) -> Service:
    """Change a service; same rules as `service_create`."""
    service = Service.objects.select_for_update().select_related("organisation").get(pk=service.pk)
    require_directory_editor(actor, service.organisation)
    before = snapshot(service, SERVICE_FIELDS)
    _apply(service, fields, SERVICE_FIELDS)
    changes = audit_changes(service, SERVICE_FIELDS, before)
    if changes:
        _clean(service)
        service.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=service, changes=changes)
    return service


def directory_csv_export(organisations: Iterable[Organisation]) -> str:
    """The directory as CSV text (CSV_COLUMNS), one row per service; macrons kept (UTF-8).

    Pass organisations with `services` and `agency` prefetched.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for organisation in organisations:
        base = {column: getattr(organisation, name) for column, name in _ORG_COLUMNS.items()}
        base["agency_slug"] = organisation.agency.slug if organisation.agency_id else ""
        services = sorted(organisation.services.all(), key=lambda s: (s.name, s.region))
        if not services:
            writer.writerow(base)
        for service in services:
            row = dict(base)
            row.update(
                {column: getattr(service, name) for column, name in _SERVICE_COLUMNS.items()}
            )
            writer.writerow(row)
    return out.getvalue()


@transaction.atomic
def directory_csv_import(*, actor: User | None, text: str) -> dict[str, int]:
    """Create or update organisations and services from CSV text with the CSV_COLUMNS header.

    Organisations are matched by name and services by organisation, name and
    region, so importing an export changes nothing. Every row is validated
    before anything is written; any error rejects the whole file with
    ApplicationError `invalid_rows`, whose `fields.rows` maps each bad row's
    line number to its field errors. Agency admins only (PermissionDenied);
    an organisation linked to another agency cannot be changed by the file.
    Writes one `create`/`update` audit event per record changed.
    """
    require_directory_editor(actor)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("organisation_name", "organisation_kind", "organisation_region")
               if c not in (reader.fieldnames or [])]  # fmt: skip
    if missing:
        raise ApplicationError(
            f"The file lacks the columns: {', '.join(missing)}.",
            code="invalid_file",
            fields={"file": [f"Expected the header: {','.join(CSV_COLUMNS)}"]},
        )
    agencies = {a.slug: a for a in Agency.objects.all()}
    existing = {o.name.casefold(): o for o in Organisation.objects.select_related("agency")}
    plans: dict[str, dict] = {}
    errors: dict[str, dict[str, list[str]]] = {}
    for line, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k is not None}
        row_errors = _check_row(row, agencies, existing, plans, actor)
        if row_errors:
            errors[str(line)] = row_errors
    if errors:
        raise ApplicationError(
            f"{len(errors)} row(s) of the file are invalid; nothing was imported.",
            code="invalid_rows",
            fields={"rows": errors},
        )
    return _write_plans(actor, plans, existing)


def _check_row(row, agencies, existing, plans, actor) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    org_values = {name: row.get(column, "") for column, name in _ORG_COLUMNS.items()}
    org_values["languages"] = normalise_languages(org_values["languages"])
    key = org_values["name"].casefold()
    slug = row.get("agency_slug", "")
    agency = agencies.get(slug) if slug else None
    if slug and agency is None:
        errors["agency_slug"] = [f"No agency '{slug}' on this deployment."]
    current = existing.get(key)
    others = current is not None and actor is not None
    if others and current.agency_id not in (None, actor.agency_id):
        errors["organisation_name"] = ["This organisation is another agency's entry."]
    foreign = agency is not None and actor is not None and agency.pk != actor.agency_id
    if foreign and (current is None or current.agency_id != agency.pk):
        errors["agency_slug"] = ["Link an organisation to your own agency only."]
    probe = Organisation(agency=agency, **org_values)
    errors.update(_field_errors(probe, "organisation_", exclude=["agency"]))
    plan = plans.get(key)
    if plan is None and not errors:
        plans[key] = plan = {"values": org_values, "agency": agency, "services": {}}
    elif plan is not None and (plan["values"] != org_values or plan["agency"] != agency):
        errors.setdefault("organisation_name", []).append(
            "The organisation's details differ from an earlier row of the same organisation."
        )
    if row.get("service_name") or row.get("service_category"):
        service_values = {name: row.get(column, "") for column, name in _SERVICE_COLUMNS.items()}
        service_values["languages"] = normalise_languages(service_values["languages"])
        service_values["region"] = service_values["region"] or org_values["region"]
        probe_service = Service(**service_values)
        errors.update(_field_errors(probe_service, "service_", exclude=["organisation"]))
        service_key = (service_values["name"].casefold(), service_values["region"])
        if plan is not None and not errors:
            if service_key in plan["services"]:
                errors["service_name"] = ["The same service appears twice in the file."]
            else:
                plan["services"][service_key] = service_values
    return errors


def _field_errors(obj, prefix: str, *, exclude: list[str]) -> dict[str, list[str]]:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return {
            f"{prefix}{name}": [str(m) for m in msgs] for name, msgs in exc.message_dict.items()
        }
    return {}


def _write_plans(actor, plans, existing) -> dict[str, int]:
    counts = dict.fromkeys(
        ("organisations_created", "organisations_updated", "services_created", "services_updated"),
        0,
    )
    for key, plan in plans.items():
        organisation = existing.get(key)
        values = dict(plan["values"])
        if organisation is None:
            organisation = organisation_create(actor=actor, agency=plan["agency"], **values)
            counts["organisations_created"] += 1
        else:
            before = organisation.updated_at
            organisation = organisation_update(actor=actor, organisation=organisation, **values)
            counts["organisations_updated"] += organisation.updated_at != before
            if plan["agency"] is not None and organisation.agency_id != plan["agency"].pk:
                _link_agency(actor, organisation, plan["agency"])
        services = {
            (s.name.casefold(), s.region): s
            for s in Service.objects.filter(organisation=organisation)
        }
        for service_key, service_values in plan["services"].items():
            service = services.get(service_key)
            if service is None:
                service_create(actor=actor, organisation=organisation, **service_values)
                counts["services_created"] += 1
            else:
                before = service.updated_at
                service = service_update(actor=actor, service=service, **service_values)
                counts["services_updated"] += service.updated_at != before
    return counts


def _link_agency(actor, organisation: Organisation, agency: Agency) -> None:
    organisation.agency = agency
    _clean(organisation)
    organisation.save(update_fields=["agency", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=organisation,
        changes={"agency": {"old": None, "new": str(agency.pk)}},
    )


def _apply(obj, fields: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ApplicationError(
            f"Cannot set {', '.join(sorted(unknown))}.",
            fields={name: ["This field cannot be set here."] for name in sorted(unknown)},
        )
    for name, value in fields.items():
        if name == "languages":
            value = normalise_languages(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(obj, name, value)


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            "The directory entry breaks a rule.",
            fields={name: [str(m) for m in msgs] for name, msgs in exc.message_dict.items()},
        ) from exc


def _created(obj, fields: tuple[str, ...]) -> dict:
    return {name: {"old": None, "new": getattr(obj, name)} for name in fields}
