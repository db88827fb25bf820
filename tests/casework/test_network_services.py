"""Network services: ties are added, changed and ended (never deleted); snapshots freeze figures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from casework.models import NetworkSnapshot, NetworkTie
from casework.selectors.network import network_map
from casework.services.network import network_snapshot_take, tie_add, tie_end, tie_update
from core.errors import ApplicationError
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def add(actor, client, **overrides):
    fields = {
        "name": "Aunty Mere",
        "tie_type": "whanau",
        "support_kinds": ["emotional", "cultural"],
        "strength": 4,
        "contact_frequency": "weekly",
        "quality": "supportive",
        **overrides,
    }
    return tie_add(actor=actor, client=client, **fields)


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def test_adding_a_tie_stores_it_as_current_and_audits_without_the_name(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    tie = add(cw, client, support_kinds=["cultural", "emotional", "cultural"])

    assert tie.ended_on is None
    assert tie.started_on == timezone.localdate()
    assert tie.support_kinds == ["emotional", "cultural"]
    event = AuditEvent.objects.get(object_id=str(tie.pk))
    assert event.action == AuditAction.CREATE
    assert event.changes["name"] == "set"
    assert "Aunty Mere" not in str(event.changes)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"support_kinds": ["spiritual"]}, "support_kinds"),
        ({"support_kinds": "emotional"}, "support_kinds"),
        ({"strength": 0}, "strength"),
        ({"strength": 6}, "strength"),
        ({"strength": True}, "strength"),
        ({"tie_type": "enemy"}, "tie_type"),
        ({"quality": "fine"}, "quality"),
        ({"contact_frequency": "hourly"}, "contact_frequency"),
        ({"name": " "}, "name"),
        ({"started_on": timezone.localdate() + timedelta(days=1)}, "started_on"),
    ],
)
def test_bad_ties_are_refused(staff, assigned_client, overrides, field):
    cw = staff["north-caseworker"]

    with pytest.raises(ApplicationError) as caught:
        add(cw, assigned_client(cw), **overrides)

    assert field in caught.value.fields
    assert not NetworkTie.objects.exists()


def test_services_may_set_the_source(staff, assigned_client):
    cw = staff["north-caseworker"]

    tie = add(cw, assigned_client(cw), source="referral:42", tie_type="clubhouse")

    assert tie.source == "referral:42"


def test_ties_of_a_client_the_actor_cannot_change_are_404(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    tie = add(cw, client)

    for username in ["north-caseworker2", "south-caseworker"]:
        with pytest.raises(Http404):
            add(staff[username], client)
        with pytest.raises(Http404):
            tie_update(actor=staff[username], tie=tie, strength=1)
        with pytest.raises(Http404):
            tie_end(actor=staff[username], tie=tie)
        with pytest.raises(Http404):
            network_snapshot_take(actor=staff[username], client=client, stage="intake")


def test_roles_that_do_not_map_networks_are_refused(staff, assigned_client):
    client = assigned_client(staff["north-caseworker"])

    with pytest.raises(PermissionDenied):
        add(staff["north-officer"], client)
    with pytest.raises(PermissionDenied):
        network_snapshot_take(actor=staff["north-compliance"], client=client, stage="intake")


def test_update_changes_a_current_tie(staff, assigned_client):
    cw = staff["north-caseworker"]
    tie = add(cw, assigned_client(cw))

    tie_update(actor=cw, tie=tie, quality="mixed", strength=2, name="Aunty Mere Pōmare")

    tie.refresh_from_db()
    assert (tie.quality, tie.strength, tie.name) == ("mixed", 2, "Aunty Mere Pōmare")
    event = AuditEvent.objects.filter(object_id=str(tie.pk), action=AuditAction.UPDATE).get()
    assert event.changes["quality"] == {"old": "supportive", "new": "mixed"}
    assert event.changes["name"] == "changed"


def test_update_cannot_touch_source_or_end_date(staff, assigned_client):
    cw = staff["north-caseworker"]
    tie = add(cw, assigned_client(cw))

    with pytest.raises(ApplicationError):
        tie_update(actor=cw, tie=tie, source="referral:forged")
    with pytest.raises(ApplicationError):
        tie_update(actor=cw, tie=tie, ended_on=timezone.localdate())


def test_ending_a_tie_removes_it_from_the_current_network_but_keeps_it(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    kept = add(cw, client, name="Koro", started_on=days_ago(20))
    gone = add(cw, client, name="Old flatmate", tie_type="friend", started_on=days_ago(20))

    tie_end(actor=cw, tie=gone, ended_on=days_ago(1))

    network = network_map(actor=cw, client_id=client.pk)
    assert [tie.pk for tie in network["ties"]] == [kept.pk]
    assert NetworkTie.objects.get(pk=gone.pk).ended_on == days_ago(1)


@pytest.mark.parametrize("ended", [1, -1])
def test_a_tie_ends_once_after_it_started_and_not_in_the_future(staff, assigned_client, ended):
    cw = staff["north-caseworker"]
    tie = add(cw, assigned_client(cw), started_on=days_ago(0))

    with pytest.raises(ApplicationError) as caught:
        tie_end(actor=cw, tie=tie, ended_on=timezone.localdate() + timedelta(days=ended))

    assert "ended_on" in caught.value.fields


def test_ending_twice_or_changing_an_ended_tie_is_refused(staff, assigned_client):
    cw = staff["north-caseworker"]
    tie = add(cw, assigned_client(cw))
    tie_end(actor=cw, tie=tie)

    with pytest.raises(ApplicationError) as again:
        tie_end(actor=cw, tie=tie)
    with pytest.raises(ApplicationError) as change:
        tie_update(actor=cw, tie=tie, strength=5)

    assert again.value.code == change.value.code == "tie_ended"


def test_snapshot_freezes_current_ties_and_their_figures(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    add(cw, client, name="Aunty Mere", strength=5, quality="supportive")
    add(cw, client, name="Clubhouse", tie_type="clubhouse", strength=4, quality="supportive")
    add(cw, client, name="Ex-partner", tie_type="other", strength=2, quality="stressful")
    ended = add(cw, client, name="Old mate", tie_type="friend", started_on=days_ago(9))
    tie_end(actor=cw, tie=ended, ended_on=days_ago(2))

    frozen = network_snapshot_take(actor=cw, client=client, stage="intake")

    assert frozen.taken_on == timezone.localdate()
    assert frozen.size == 3
    assert frozen.supportive_count == 2
    assert frozen.mean_strength == Decimal("3.67")
    assert [tie["name"] for tie in frozen.ties] == ["Aunty Mere", "Clubhouse", "Ex-partner"]
    assert AuditEvent.objects.get(object_id=str(frozen.pk)).changes["size"] == 3


def test_snapshot_of_an_empty_network_has_no_mean(staff, assigned_client):
    cw = staff["north-caseworker"]

    frozen = network_snapshot_take(actor=cw, client=assigned_client(cw), stage="intake")

    assert (frozen.size, frozen.supportive_count, frozen.mean_strength) == (0, 0, None)


def test_a_backdated_snapshot_counts_the_ties_of_that_day(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    add(cw, client, name="Then and now", started_on=days_ago(30))
    add(cw, client, name="Since last week", started_on=days_ago(7))
    ended = add(cw, client, name="Ended since", started_on=days_ago(30))
    tie_end(actor=cw, tie=ended, ended_on=days_ago(3))

    frozen = network_snapshot_take(actor=cw, client=client, stage="intake", taken_on=days_ago(10))

    assert sorted(tie["name"] for tie in frozen.ties) == ["Ended since", "Then and now"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"stage": "midway"}, "stage"),
        ({"taken_on": timezone.localdate() + timedelta(days=1)}, "taken_on"),
    ],
)
def test_bad_snapshots_are_refused(staff, assigned_client, overrides, field):
    cw = staff["north-caseworker"]
    fields = {"stage": "review", **overrides}

    with pytest.raises(ApplicationError) as caught:
        network_snapshot_take(actor=cw, client=assigned_client(cw), **fields)

    assert field in caught.value.fields
    assert not NetworkSnapshot.objects.exists()
