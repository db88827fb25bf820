"""Writes for programmes and their fiscal-year budgets."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404

from core.audit import audit_changes, audit_record, snapshot
from core.errors import ApplicationError
from core.models import Agency, AuditAction, User
from core.nz.fiscal import fiscal_year_label
from programs.models import Budget, Programme, whole_cents
from programs.money import clean_money, format_nzd
from programs.selectors.programmes import programmes_visible_to
from programs.services.common import is_system, require_perm

PROGRAMME_FIELDS = ("name", "kind", "funder", "eligibility_notes", "active_from", "active_to")


@transaction.atomic
def programme_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    funder: str,
    delivering_agencies: Iterable[Agency] | None = None,
    eligibility_notes: str = "",
    active_from: date,
    active_to: date | None = None,
) -> Programme:
    """Register a programme and the agencies that deliver it.

    An agency admin registers programmes their own agency delivers (alone;
    the default). A programme several agencies deliver is set up by the
    deployment's operators or a set-up command (actor None). Raises
    PermissionDenied or ApplicationError (field errors); audited.
    """
    require_perm(actor, "programs.add_programme", "Only agency admins register programmes.")
    agencies = _clean_agencies(actor, delivering_agencies)
    if Programme.objects.filter(name__iexact=name.strip()).exists():
        raise ApplicationError(
            "A programme with that name exists.",
            fields={"name": ["A programme with that name exists."]},
        )
    programme = Programme(
        name=name.strip(),
        kind=kind,
        funder=funder,
        eligibility_notes=eligibility_notes,
        active_from=active_from,
        active_to=active_to,
        created_by=actor if actor is not None and actor.pk else None,
    )
    _full_clean(programme)
    programme.save()
    programme.delivering_agencies.set(agencies)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=programme,
        agency=agencies[0] if len(agencies) == 1 else None,
        changes={
            **{
                name: {"old": None, "new": change["new"]}
                for name, change in audit_changes(
                    programme, PROGRAMME_FIELDS, dict.fromkeys(PROGRAMME_FIELDS)
                ).items()
            },
            "delivering_agencies": {"old": [], "new": sorted(a.slug for a in agencies)},
        },
    )
    return programme


@transaction.atomic
def programme_update(
    *,
    actor: User | None,
    programme: Programme,
    delivering_agencies: Iterable[Agency] | None = None,
    **fields,
) -> Programme:
    """Change a programme's details, active dates or delivering agencies.

    An agency admin changes only programmes their agency alone delivers, and
    cannot hand one to other agencies; shared programmes are the operators'.
    Raises Http404 (not delivered by the actor's agency), PermissionDenied or
    ApplicationError; audited.
    """
    require_perm(actor, "programs.change_programme", "Only agency admins change programmes.")
    programme = _lock_programme(actor, programme)
    _require_sole_deliverer(actor, programme)
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    before = snapshot(programme, PROGRAMME_FIELDS)
    old_agencies = sorted(a.slug for a in programme.delivering_agencies.all())
    for name, value in fields.items():
        setattr(programme, name, value.strip() if name == "name" else value)
    if (
        "name" in fields
        and Programme.objects.filter(name__iexact=programme.name).exclude(pk=programme.pk).exists()
    ):
        raise ApplicationError(
            "A programme with that name exists.",
            fields={"name": ["A programme with that name exists."]},
        )
    _full_clean(programme)
    programme.save()
    changes = audit_changes(programme, PROGRAMME_FIELDS, before)
    if delivering_agencies is not None:
        agencies = _clean_agencies(actor, delivering_agencies)
        programme.delivering_agencies.set(agencies)
        new_agencies = sorted(a.slug for a in agencies)
        if new_agencies != old_agencies:
            changes["delivering_agencies"] = {"old": old_agencies, "new": new_agencies}
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=programme, changes=changes)
    return programme


@transaction.atomic
def budget_set(
    *,
    actor: User | None,
    programme: Programme,
    fiscal_year: int,
    allocated: Decimal,
    agency: Agency | None = None,
) -> Budget:
    """Create or change the allocation of a programme's budget for one fiscal year.

    `fiscal_year` is the year it starts in (2025 for 2025/26); `agency` None is
    the programme-wide budget. An agency admin sets their own agency's budget,
    and the programme-wide one only of a programme their agency alone
    delivers. Lowering an allocation below what is already committed and paid
    is refused (`allocation_below_spend`), atomically, with a conditional
    UPDATE. Raises Http404, PermissionDenied or ApplicationError; audited.
    """
    require_perm(actor, "programs.change_budget", "Only agency admins set budgets.")
    programme = _lock_programme(actor, programme)
    if not is_system(actor):
        if agency is None:
            _require_sole_deliverer(actor, programme)
        elif agency.pk != actor.agency_id:
            raise PermissionDenied("You set only your own agency's budgets.")
    if agency is not None and not programme.delivering_agencies.filter(pk=agency.pk).exists():
        raise ApplicationError(
            "That agency does not deliver the programme.",
            fields={"agency": ["That agency does not deliver the programme."]},
        )
    try:
        label = fiscal_year_label(int(fiscal_year))
        if not 2000 <= int(fiscal_year) <= 2999:
            raise ValueError(fiscal_year)
    except (TypeError, ValueError):
        raise ApplicationError(
            "Not a fiscal year.", fields={"fiscal_year": ["Give a year like 2025/26."]}
        ) from None
    allocated = clean_money(allocated, field="allocated", allow_zero=True)

    budget = (
        Budget.objects.select_for_update(of=("self",))
        .filter(programme=programme, fiscal_year=fiscal_year, agency=agency)
        .order_by("pk")
        .first()
    )
    if budget is None:
        budget = Budget.objects.create(
            programme=programme, fiscal_year=fiscal_year, agency=agency, allocated=allocated
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=budget,
            agency=agency,
            changes={
                "programme": str(programme.pk),
                "fiscal_year": label,
                "allocated": {"old": None, "new": str(allocated)},
            },
        )
        return budget

    old = budget.allocated
    updated = (
        Budget.objects.filter(pk=budget.pk)
        .filter(GreaterThanOrEqual(whole_cents(allocated - F("committed") - F("paid")), 0))
        .update(allocated=allocated)
    )
    budget.refresh_from_db()
    if not updated:
        spent = budget.committed + budget.paid
        raise ApplicationError(
            f"{format_nzd(spent)} of the {label} budget is already committed or paid; "
            f"the allocation cannot go below it.",
            code="allocation_below_spend",
            fields={"allocated": [f"At least {format_nzd(spent)}."]},
        )
    if old != allocated:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=budget,
            agency=agency,
            changes={"allocated": {"old": str(old), "new": str(allocated)}},
        )
    return budget


def _lock_programme(actor: User | None, programme: Programme) -> Programme:
    queryset = Programme.objects.all() if is_system(actor) else programmes_visible_to(actor)
    locked = queryset.select_for_update(of=("self",)).filter(pk=programme.pk).first()
    if locked is None:
        raise Http404("No such programme.")
    return locked


def _require_sole_deliverer(actor: User | None, programme: Programme) -> None:
    if is_system(actor):
        return
    delivering = {a.pk for a in programme.delivering_agencies.all()}
    if delivering != {actor.agency_id}:
        raise PermissionDenied(
            "A programme delivered by several agencies is managed by the deployment's operators."
        )


def _clean_agencies(actor: User | None, agencies: Iterable[Agency] | None) -> list[Agency]:
    chosen = list(agencies or [])
    if not is_system(actor):
        if not chosen:
            chosen = [actor.agency]
        if {a.pk for a in chosen} != {actor.agency_id}:
            raise ApplicationError(
                "You register programmes only your own agency delivers.",
                fields={"delivering_agencies": ["Only your own agency."]},
            )
    if not chosen:
        raise ApplicationError(
            "A programme needs at least one delivering agency.",
            fields={"delivering_agencies": ["At least one agency."]},
        )
    return chosen


def _full_clean(programme: Programme) -> None:
    try:
        programme.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        raise ApplicationError(
            "The programme breaks a rule.",
            fields={
                ("non_field_errors" if name == "__all__" else name): list(msgs)
                for name, msgs in exc.message_dict.items()
            },
        ) from exc
