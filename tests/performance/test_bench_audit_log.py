"""The benchmark's audit log figure: a year of events written, every filter timed, nothing kept."""

import math
from io import StringIO

import pytest
from django.core.management import call_command

from bench.audit_log import AUDIT_MIX, AUDIT_SWEEP, audit_log
from core.models import AuditEvent


def test_the_mix_of_audited_actions_adds_up_to_every_event():
    assert math.isclose(sum(share for *_, share in AUDIT_MIX), 1.0)
    assert all(share > 0 for *_, share in AUDIT_MIX)


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.slow
def test_the_audit_log_figure_finds_what_each_filter_names_and_keeps_nothing():
    call_command("seed_demo", "--clients", "40", "--bulk-above", "10", stdout=StringIO())
    before = AuditEvent.objects.count()

    result = audit_log(events=4000, repeat=1)

    assert result["events"] == before + 4000
    assert AuditEvent.objects.count() == before
    figures = {row["filter"]: row for row in result["figures"]}
    assert len(figures) == len(AUDIT_SWEEP)
    assert figures["action=view"]["count"] > 0
    # The caseworker's latest client event: its request wrote one or two events, its
    # client has this one at least, under either filter.
    assert 1 <= figures["request_id=<a request in the log>"]["count"] <= 2
    assert figures["object_id=<a client in the log>"]["count"] >= 1
    assert (
        figures["object_type=casework.client, object_id=<a client in the log>"]["count"]
        <= figures["object_id=<a client in the log>"]["count"]
    )
    assert (
        figures["actor=<a caseworker's id>"]["count"]
        == (figures["actor_username=<a caseworker's username>"]["count"])
    )
    # An empty list asks for no page, and a page whose events name no record by its key
    # (the events a filter finds are drawn at random: permission changes, say) skips the
    # lookup of which named clients are restricted (redaction): never more queries.
    full = figures[""]["api_queries"]
    assert {row["api_queries"] for row in figures.values() if row["count"]} <= {full - 1, full}
    assert result["record"]["median_ms"] > 0
