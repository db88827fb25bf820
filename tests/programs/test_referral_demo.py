"""The demo directory and referrals: 30+ organisations and every referral state, both ways."""

from random import Random

import pytest

from casework import demo as casework_demo
from core import demo
from programs import demo_referrals
from programs.models import Organisation, Referral, ReferralStatus

pytestmark = pytest.mark.django_db


def test_demo_directory_and_referrals(roles):
    world = demo.DemoWorld(rng=Random(1), password="tautoko-demo", clients=40)
    demo.seed(world)
    casework_demo.seed(world)

    demo_referrals.seed(world)

    assert Organisation.objects.count() >= 30
    assert Organisation.objects.filter(agency__isnull=False).count() == 2
    assert Organisation.objects.values("region").distinct().count() >= 8
    assert Organisation.objects.values("kind").distinct().count() >= 10
    for sender, receiver in (("north", "south"), ("south", "north")):
        states = set(
            Referral.objects.filter(
                agency__slug=sender, recipient_agency__slug=receiver
            ).values_list("status", flat=True)
        )
        assert states == set(ReferralStatus.values), (sender, receiver)
    assert Referral.objects.filter(recipient_agency__isnull=True).exists()
    assert Referral.objects.filter(network_tie__isnull=False).exists()
