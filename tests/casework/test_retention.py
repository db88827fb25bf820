"""Retention (IPP 9): `anonymise_closed_cases` removes identity and keeps the figures."""

import datetime
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from casework.models import (
    Case,
    CaseNote,
    Client,
    ClientAnonymisation,
    ClientEthnicity,
    NetworkTie,
    Whanau,
    WhanauMember,
)
from casework.services.cases import case_transition
from casework.services.clients import client_update
from casework.services.network import tie_add
from casework.services.notes import note_create
from casework.services.retention import (
    ANONYMISED,
    anonymise_closed_clients,
    clients_due_for_anonymisation,
    retention_cutoff,
)
from core.audit import audit_events_for_display
from core.models import AuditAction, AuditEvent
from programs.models import AidRequest
from programs.services.aid import aid_request_create
from tests.factories import ClientFactory
from tests.programs.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

ELEVEN_YEARS = timedelta(days=11 * 366)


@pytest.fixture
def cw(staff):
    return staff["north-caseworker"]


def closed_long_ago(case, actor, *, ago=ELEVEN_YEARS):
    """Close `case` through the workflow, then move its history back `ago` (time travel)."""
    case_transition(actor=actor, case=case, to_status="closed", closure_reason="goals_met")
    then = timezone.now() - ago
    Case.objects.filter(pk=case.pk).update(closed_at=then, opened_at=then - timedelta(days=90))
    Client.objects.filter(pk=case.client_id).update(created_at=then - timedelta(days=90))
    case.refresh_from_db()
    return case


@pytest.fixture
def old_client(cw, led_case):
    """Mere, whose only case closed eleven years ago, with notes, a tie and ethnicity."""
    client = ClientFactory(
        agency=cw.agency,
        created_by=cw,
        legal_given_names="Mere",
        legal_family_name="Pōmare",
        preferred_name="Mere",
        nhi="ZZZ0016",
        phone="021 555 0101",
        email="mere@example.nz",
        address="12 Kauri Street, Kaitāia",
        date_of_birth=datetime.date(1970, 3, 14),
        gender="female",
        region="01",
    )
    ClientEthnicity.objects.create(client=client, code="21111", position=1)
    case = led_case(cw, client=client, summary="Mere and her tamariki moved to Kaitāia.")
    note_create(
        actor=cw,
        case=case,
        kind="home_visit",
        body="Visited Mere at 12 Kauri Street.",
        occurred_at=timezone.now(),
    )
    tie_add(
        actor=cw,
        client=client,
        name="Aunty Huia",
        tie_type="whanau",
        strength=4,
        contact_frequency="weekly",
        quality="supportive",
    )
    closed_long_ago(case, cw)
    return client


def test_an_old_closed_clients_identity_is_removed_and_the_figures_kept(cw, old_client):
    result = anonymise_closed_clients(cutoff=retention_cutoff())

    assert result.clients == [str(old_client.pk)]
    old_client.refresh_from_db()
    assert old_client.legal_given_names == "Anonymised"
    assert old_client.legal_family_name == "client"
    assert old_client.preferred_name == ""
    assert old_client.nhi is None
    assert (old_client.phone, old_client.email, old_client.address) == ("", "", "")
    assert old_client.date_of_birth == datetime.date(1970, 7, 1)
    assert old_client.is_restricted is True
    assert old_client.archived_at is not None
    # What statistics need stays.
    assert (old_client.gender, old_client.region) == ("female", "01")
    assert list(old_client.ethnicities.values_list("code", flat=True)) == ["21111"]
    assert old_client.cases.count() == 1
    assert old_client.cases.get().closure_reason == "goals_met"
    assert old_client.cases.get().summary == ""
    assert CaseNote.objects.get(case__client=old_client).body == ANONYMISED
    assert NetworkTie.objects.get(client=old_client).name == "Network contact"
    record = ClientAnonymisation.objects.get(client=old_client)
    assert record.summary["notes"] == 1


def test_the_audit_trail_stays_and_no_longer_names_the_client(cw, old_client):
    client_update(actor=cw, client=old_client, legal_family_name="Pōmare-Tūhoe")
    before = AuditEvent.objects.filter(object_id=str(old_client.pk)).count()

    anonymise_closed_clients(cutoff=retention_cutoff())

    events = list(AuditEvent.objects.filter(object_id=str(old_client.pk)))
    assert len(events) == before + 1
    assert events[0].action == AuditAction.UPDATE
    assert events[0].changes["anonymised"] is True
    updated = events[1]
    # The stored row is untouched (append-only); whoever reads it sees no identity.
    assert updated.changes["legal_family_name"] == {"old": "Pōmare", "new": "Pōmare-Tūhoe"}
    shown = audit_events_for_display(cw, [updated])[0]
    assert "Pōmare" not in str(shown.changes)


def test_the_run_is_idempotent(old_client):
    first = anonymise_closed_clients(cutoff=retention_cutoff())
    second = anonymise_closed_clients(cutoff=retention_cutoff())

    assert len(first.clients) == 1
    assert second.clients == []
    assert ClientAnonymisation.objects.count() == 1
    assert AuditEvent.objects.filter(changes__anonymised=True).count() == 1


def test_dry_run_counts_and_changes_nothing(old_client):
    out = StringIO()

    call_command("anonymise_closed_cases", "--dry-run", stdout=out)

    assert "1 client(s) would be anonymised" in out.getvalue()
    old_client.refresh_from_db()
    assert old_client.legal_family_name == "Pōmare"
    assert not ClientAnonymisation.objects.exists()


def test_the_command_anonymises_and_reports(old_client):
    out = StringIO()

    call_command("anonymise_closed_cases", stdout=out)

    assert "1 client(s) anonymised" in out.getvalue()
    assert '"notes": 1' in out.getvalue()


def test_a_recently_closed_case_keeps_the_client(cw, led_case):
    case = led_case(cw)
    closed_long_ago(case, cw, ago=timedelta(days=9 * 365))

    assert not clients_due_for_anonymisation(retention_cutoff()).exists()
    # A shorter retention period (the setting or --years) reaches them.
    assert clients_due_for_anonymisation(retention_cutoff(years=5)).exists()


def test_the_setting_sets_the_period(settings, cw, led_case):
    case = led_case(cw)
    closed_long_ago(case, cw, ago=timedelta(days=3 * 365))
    settings.RETENTION_CLOSED_CASE_YEARS = 2

    assert anonymise_closed_clients(cutoff=retention_cutoff()).clients == [str(case.client_id)]


def test_an_open_case_keeps_the_client(cw, led_case, old_client):
    led_case(cw, client=old_client)

    assert anonymise_closed_clients(cutoff=retention_cutoff()).clients == []
    old_client.refresh_from_db()
    assert old_client.legal_family_name == "Pōmare"


def test_an_open_aid_request_keeps_the_client(cw, led_case):
    case = led_case(cw)
    aid_request_create(
        actor=cw,
        case=case,
        programme=ProgrammeFactory(delivering_agencies=[cw.agency]),
        category="food",
        amount=Decimal("150.00"),
        justification="Food for Mere's whānau.",
    )
    closed_long_ago(case, cw)

    assert anonymise_closed_clients(cutoff=retention_cutoff()).clients == []

    AidRequest.objects.filter(case=case).update(status="cancelled")
    anonymise_closed_clients(cutoff=retention_cutoff())
    aid = AidRequest.objects.get(case=case)
    assert aid.justification == ANONYMISED
    assert aid.amount == Decimal("150.00")


def test_a_whanau_with_another_identified_client_keeps_its_name(cw, old_client):
    whanau = Whanau.objects.create(agency=cw.agency, name="Pōmare whānau", created_by=cw)
    WhanauMember.objects.create(whanau=whanau, client=old_client, relationship="parent")
    WhanauMember.objects.create(whanau=whanau, name="Huia Pōmare", relationship="aunt_uncle")
    sibling = ClientFactory(agency=cw.agency)
    member = WhanauMember.objects.create(whanau=whanau, client=sibling, relationship="sibling")

    anonymise_closed_clients(cutoff=retention_cutoff())
    whanau.refresh_from_db()
    assert whanau.name == "Pōmare whānau"

    member.delete()
    Client.objects.filter(pk=old_client.pk).update(legal_family_name="Pōmare")
    ClientAnonymisation.objects.all().delete()
    anonymise_closed_clients(cutoff=retention_cutoff())
    whanau.refresh_from_db()
    assert whanau.name == "Anonymised whānau"
    assert set(whanau.members.values_list("name", flat=True)) == {"", "Whānau member"}


def test_years_below_one_are_refused():
    with pytest.raises(CommandError):
        call_command("anonymise_closed_cases", "--years", "0")


def test_an_unanswered_correction_request_keeps_the_client(cw, old_client):
    from casework.models import CorrectionRequest

    CorrectionRequest.objects.create(
        agency=cw.agency,
        client=old_client,
        requested_by=cw,
        requested_at=timezone.now(),
        due_on=timezone.localdate() + timedelta(days=28),
        requested_changes={"legal_family_name": "Pomare"},
        client_statement="Spell my name without the macron.",
    )

    assert not clients_due_for_anonymisation(retention_cutoff()).exists()


def test_employment_free_text_is_blanked_and_the_figures_kept(cw, led_case):
    from programs.models import EmploymentActivity, EmploymentPlan
    from programs.services.employment import employment_activity_create, employment_plan_create

    client = ClientFactory(agency=cw.agency, created_by=cw, legal_given_names="Hemi")
    case = led_case(cw, client=client)
    plan = employment_plan_create(
        actor=cw,
        case=case,
        work_goals="Hemi wants work near 12 Rata Street",
        next_review_on=timezone.localdate() + timedelta(days=30),
        barrier_notes="Hemi's licence was suspended",
        support_agreed="Driving lessons",
    )
    activity = employment_activity_create(
        actor=cw,
        case=case,
        plan=plan,
        kind="training",
        occurred_on=timezone.localdate(),
        hours=Decimal("2.0"),
        outcome="Hemi passed",
        provider="Kaitāia Training Trust",
        qualification="Forklift operator",
        completed=True,
    )
    closed_long_ago(case, cw)

    anonymise_closed_clients(cutoff=retention_cutoff())

    plan = EmploymentPlan.objects.get(pk=plan.pk)
    activity = EmploymentActivity.objects.get(pk=activity.pk)
    assert (plan.work_goals, plan.barrier_notes, plan.support_agreed) == (ANONYMISED, "", "")
    assert (activity.outcome, activity.provider, activity.qualification) == ("", "", "")
    assert (activity.kind, activity.hours, activity.completed) == ("training", Decimal("2.0"), True)
