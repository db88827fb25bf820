"""Notifications: only the recipient's own, listed, filtered and marked read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent, Notification
from core.notifications import notify
from tests.factories import AgencyFactory, StaffFactory
from tests.plans import page_plan, paged_ids, read_along

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


@pytest.fixture
def people(roles):
    agency = AgencyFactory(slug="north", region="01")
    return StaffFactory(agency=agency), StaffFactory(agency=agency, roles=["team_lead"])


def test_only_the_recipient_sees_a_notification(client_for, people):
    mine, theirs = people
    note = notify(recipient=mine, kind="referral_accepted", title="Referral accepted")

    assert client_for(mine).get(URL).json()["count"] == 1
    assert client_for(theirs).get(URL).json()["count"] == 0
    assert client_for(theirs).post(f"{URL}{note.pk}/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_one_read_and_filter_unread(client_for, people):
    mine, _ = people
    first = notify(recipient=mine, kind="aid_approved", title="Aid request approved: Food $500.00")
    notify(recipient=mine, kind="aid_declined", title="Aid request declined")
    api = client_for(mine)

    response = api.post(f"{URL}{first.pk}/read/")

    assert response.status_code == 200
    assert response.json()["unread"] is False
    unread = api.get(URL, {"unread": "true"}).json()
    assert [n["kind"] for n in unread["results"]] == ["aid_declined"]
    assert api.get(URL, {"unread": "false"}).json()["count"] == 1
    assert AuditEvent.objects.filter(object_type="core.notification", action="update").count() == 1


def test_mark_all_read(client_for, people):
    mine, theirs = people
    for n in range(3):
        notify(recipient=mine, kind="test", title=f"Pānui {n}")
    notify(recipient=theirs, kind="test", title="Not yours")

    response = client_for(mine).post(f"{URL}read-all/")

    assert response.json() == {"marked_read": 3}
    assert not Notification.objects.filter(recipient=mine, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=theirs, read_at__isnull=True).count() == 1


def test_malformed_id_is_404(client_for, people):
    assert client_for(people[0]).post(f"{URL}not-a-uuid/read/").status_code == 404


def test_inactive_recipients_get_nothing(people):
    mine, _ = people
    mine.is_active = False
    mine.save()

    assert notify(recipient=mine, kind="test", title="Kia ora") is None


def test_list_queries_do_not_grow_with_the_page(client_for, people, list_queries):
    mine, _ = people
    for n in range(10):
        notify(recipient=mine, kind="test", title=f"Pānui {n}")
    api = client_for(mine)
    assert list_queries(api, URL, 2) == list_queries(api, URL, 10)


def test_the_inbox_pages_newest_first(client_for, people):
    mine, theirs = people
    start = timezone.now() - timedelta(days=30)
    made = []
    for days in (3, 0, 4, 1, 2):
        note = notify(recipient=mine, kind="referral_accepted", title=f"{days}")
        Notification.objects.filter(pk=note.pk).update(created_at=start + timedelta(days=days))
        made.append((days, str(note.pk)))
    notify(recipient=theirs, kind="referral_accepted", title="theirs")

    listed = paged_ids(client_for(mine), URL)

    assert listed == [pk for _days, pk in sorted(made, reverse=True)]


@pytest.mark.postgres
def test_on_postgresql_the_inbox_is_read_along_its_order_index(client_for, people):
    mine, theirs = people
    for n in range(3):
        notify(recipient=mine, kind="referral_accepted", title=f"{n}")
        notify(recipient=theirs, kind="referral_accepted", title=f"{n}")

    body, plan = page_plan(client_for(mine), URL, {})

    assert body["count"] == 3
    assert read_along(plan, "notification_recipient_time"), plan
