"""Aid decisions leave the requester a notification (the shared facility referrals use too)."""

import pytest

from core.models import Notification
from programs import services

pytestmark = pytest.mark.django_db


def test_approval_notifies_the_requester(approved_request, staff):
    aid_request = approved_request()

    note = Notification.objects.get(recipient=staff["north-caseworker"])

    assert note.kind == "aid_approved"
    assert note.object_id == str(aid_request.pk)
    assert not Notification.objects.filter(recipient=staff["north-officer"]).exists()


@pytest.mark.parametrize(
    ("decide", "kind"),
    [(services.aid_request_decline, "aid_declined"), (services.aid_request_return, "aid_returned")],
)
def test_decline_and_return_notify_with_the_reason(make_request, staff, budget, decide, kind):
    aid_request = make_request()

    decide(actor=staff["north-officer"], aid_request=aid_request, reason="Quote needed.")

    note = Notification.objects.get(recipient=staff["north-caseworker"])
    assert (note.kind, note.body) == (kind, "Quote needed.")


def test_refused_decision_notifies_nobody(make_request, staff, budget):
    aid_request = make_request()

    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal will do
        services.aid_request_decline(
            actor=staff["north-officer"], aid_request=aid_request, reason=""
        )

    assert not Notification.objects.exists()
