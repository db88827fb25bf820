"""The referral sections of the reports: who sees which referral, outcomes, counts, fallbacks."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from programs.models import Payment, ReferralStatus
from programs.services import referrals
from reporting import section_referrals, sections, selectors
from tests.factories import ClientFactory
from tests.programs.referral_helpers import consent_for, outside_service, sent, south_service
from tests.reporting.fixtures_world import build_world
from tests.reporting.test_report_jobs import URL, download
from tests.reporting.test_report_jobs import pdf_text as pdf_lines

pytestmark = pytest.mark.django_db

DECLINE_REASON = "No kaimahi free in Kaitāia until March"
PEER_OUTCOME = "Finished the eight-week rōpū"
HIDDEN_SERVICE = "Budget mentoring for Hōhepa"


def pdf_text(content: bytes) -> str:
    """The PDF's text on one line: table cells wrap, and a test reads words, not layout."""
    return " ".join(pdf_lines(content).split())


@pytest.fixture
def period():
    today = timezone.localdate()
    return {"period_start": str(today - timedelta(days=365)), "period_end": str(today)}


@pytest.fixture
def post_job(client_for, django_capture_on_commit_callbacks):
    def post(user, body):
        api = client_for(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(URL, body, format="json")
        assert response.status_code in (201, 202), response.content
        return api, response.json()["id"]

    return post


def referred_world(staff, led_case, *, restricted=False):
    """The reporting world plus two referrals of its client: one declined, one completed.

    South (an agency on Tautoko) declines; an outside peer-support group,
    whose answers the referring caseworker records, completes, and the tie
    is added to the client's network.
    """
    world = build_world(staff, led_case, restricted=restricted)
    cw = staff["north-caseworker"]
    south = staff["south-caseworker"].agency
    consent_for(cw, world.client, agency=south)
    to_south = sent(cw, world.case, south_service(south))
    referrals.referral_decline(
        actor=staff["south-caseworker"], referral=to_south, reason=DECLINE_REASON
    )
    peer_service = outside_service(name="Te Whare Tiaki")
    consent_for(cw, world.client, name="Te Whare Tiaki")
    peer = sent(cw, world.case, peer_service)
    referrals.referral_accept(actor=cw, referral=peer)
    referrals.referral_engage(actor=cw, referral=peer)
    referrals.referral_complete(actor=cw, referral=peer, reason=PEER_OUTCOME)
    referrals.referral_network_tie_add(actor=cw, referral=peer)
    world.to_south = to_south
    world.peer = peer
    return world


def test_client_report_lists_the_clients_referrals_with_outcomes(staff, led_case, post_job, period):
    world = referred_world(staff, led_case)
    api, job_id = post_job(
        staff["north-caseworker"],
        {"kind": "client-outcome", "client": str(world.client.pk), **period},
    )
    text = pdf_text(download(api, job_id))
    assert "Ngā tukunga / Referrals and their outcomes" in text
    assert "Whānau navigation" in text
    assert "Ōtautahi Recovery Trust" in text
    assert "Te Whare Tiaki" in text
    assert "Declined" in text
    assert DECLINE_REASON in text
    assert PEER_OUTCOME in text
    assert "added to the support network" in text
    assert "No referrals recorded" not in text


def test_client_report_leaves_out_referrals_of_cases_the_actor_may_not_see(
    staff, led_case, post_job, period
):
    world = referred_world(staff, led_case)
    # A second case of the same client, led by another caseworker, with its own referral.
    other_cw = staff["north-caseworker2"]
    other_case = led_case(other_cw, client=world.client)
    hidden = referrals.referral_create(
        actor=other_cw,
        case=other_case,
        service=outside_service(
            name="Kāinga Budgeting", kind="budgeting_service", category="budgeting"
        ),
        reason="Budgeting help",
    )
    hidden.service.name = HIDDEN_SERVICE
    hidden.service.save(update_fields=["name"])
    consent_for(other_cw, world.client, name="Kāinga Budgeting")
    referrals.referral_send(actor=other_cw, referral=hidden)

    query = sections.ClientSectionQuery(
        actor=staff["north-caseworker"],
        client=selectors.report_client_get(
            actor=staff["north-caseworker"], client_id=world.client.pk
        ),
        period_start=None,
        period_end=None,
    )
    services_shown = {row[0] for row in section_referrals.client_referrals(query).rows}
    assert services_shown == {"Whānau navigation", "Peer support group"}

    api, job_id = post_job(
        staff["north-caseworker"],
        {"kind": "client-outcome", "client": str(world.client.pk), **period},
    )
    assert HIDDEN_SERVICE not in pdf_text(download(api, job_id))


def test_restricted_client_report_for_a_team_lead_omits_free_text_outcomes(
    staff, led_case, post_job, period
):
    world = referred_world(staff, led_case, restricted=True)
    api, job_id = post_job(
        staff["north-lead"], {"kind": "client-outcome", "client": str(world.client.pk), **period}
    )
    text = pdf_text(download(api, job_id))
    assert "Whānau navigation" in text
    assert "Declined" in text
    assert DECLINE_REASON not in text
    assert PEER_OUTCOME not in text
    assert "Ngātai" not in text


def test_drafts_and_referrals_ended_before_the_period_are_left_out(staff, led_case):
    world = referred_world(staff, led_case)
    cw = staff["north-caseworker"]
    referrals.referral_create(
        actor=cw, case=world.case, service=outside_service(name="Draft Trust"), reason="Later"
    )
    client = selectors.report_client_get(actor=cw, client_id=world.client.pk)
    today = timezone.localdate()

    def services_between(start, end):
        query = sections.ClientSectionQuery(
            actor=cw, client=client, period_start=start, period_end=end
        )
        return {row[0] for row in section_referrals.client_referrals(query).rows}

    assert services_between(today - timedelta(days=30), today) == {
        "Whānau navigation",
        "Peer support group",
    }
    # A period that ended before anything was sent.
    assert services_between(today - timedelta(days=400), today - timedelta(days=200)) == set()


def test_received_referral_shows_in_the_recipients_report_on_their_client(
    staff, led_case, post_job, period
):
    world = build_world(staff, led_case)
    cw = staff["north-caseworker"]
    south_cw = staff["south-caseworker"]
    consent_for(cw, world.client, agency=south_cw.agency)
    referral = sent(cw, world.case, south_service(south_cw.agency))
    referral = referrals.referral_accept(actor=south_cw, referral=referral, open_case=True)
    south_client = referral.received_case.client

    api, job_id = post_job(
        south_cw, {"kind": "client-outcome", "client": str(south_client.pk), **period}
    )
    text = pdf_text(download(api, job_id))
    assert "Referred in by Te Raki Whānau Ora Collective" in text
    assert "Accepted" in text

    # North's report on its own client shows the same referral from the referring side.
    api, job_id = post_job(cw, {"kind": "client-outcome", "client": str(world.client.pk), **period})
    text = pdf_text(download(api, job_id))
    assert "Ōtautahi Recovery Trust" in text
    assert "Referred in by" not in text


def test_my_information_holds_every_referral_with_reason_and_what_was_shared(
    staff, led_case, post_job
):
    world = referred_world(staff, led_case)
    api, job_id = post_job(
        staff["north-caseworker"],
        {"kind": "my-information", "client": str(world.client.pk), "format": "json"},
    )
    data = json.loads(download(api, job_id).decode("utf-8"))
    by_service = {r["Service"]: r for r in data["referrals"]}
    assert set(by_service) == {"Whānau navigation", "Peer support group"}
    south = by_service["Whānau navigation"]
    assert south["Status"] == "Declined"
    assert "Legal name" in south["Shared with the recipient"]
    assert south["Reason"].startswith("Needs whānau support")

    api, job_id = post_job(
        staff["north-caseworker"], {"kind": "my-information", "client": str(world.client.pk)}
    )
    text = pdf_text(download(api, job_id))
    assert "Whānau navigation" in text
    assert "Date of birth" in text


@pytest.mark.parametrize("audience", ["internal", "funder"])
def test_programme_report_counts_referrals_by_kind_and_outcome(
    staff, led_case, post_job, period, audience
):
    world = referred_world(staff, led_case)
    # A referral for a client the programme did not serve is not counted.
    cw = staff["north-caseworker"]
    other = led_case(cw, client=ClientFactory(agency=cw.agency, created_by=cw))
    consent_for(cw, other.client, name="Te Whare Tiaki")
    sent(cw, other, world.peer.service)

    programme_data = selectors.programme_outcome_data(
        actor=staff["north-compliance"],
        programme_id=world.programme.pk,
        agency=cw.agency,
        period_start=timezone.localdate() - timedelta(days=365),
        period_end=timezone.localdate(),
    )
    counts = {t.title: t.counts for t in programme_data["referrals"]}
    assert counts["Referrals by kind of service"] == {"Whānau support": 1, "Peer support": 1}
    assert counts["Referrals by outcome"]["Completed"] == 1
    assert counts["Referrals by outcome"]["Declined"] == 1
    assert counts["Referrals that strengthened a support network"] == {
        "Referrals sent": 2,
        "Added a tie to the client's support network": 1,
    }

    api, job_id = post_job(
        staff["north-compliance"],
        {
            "kind": "programme-outcome",
            "program": str(world.programme.pk),
            "audience": audience,
            **period,
        },
    )
    text = pdf_text(download(api, job_id))
    assert "Referrals by kind of service" in text
    assert "Whānau support" in text
    assert "Kaupapa Māori service" in text
    if audience == "internal":
        assert "Referrals sent 2" in text
    else:
        # Below the publication threshold: suppressed, never the raw 2.
        assert "Referrals sent S" in text
    assert "Aroha" not in text


def test_programme_report_monthly_figures_match_the_database(staff, world_plain, post_job, period):
    world = world_plain
    officer = staff["north-compliance"]
    today = timezone.localdate()
    data = selectors.programme_outcome_data(
        actor=officer,
        programme_id=world.programme.pk,
        agency=officer.agency,
        period_start=today - timedelta(days=365),
        period_end=today,
    )
    months = data["aid_by_month"]
    assert len(months) in (12, 13)
    paid_in_db = Payment.objects.filter(aid_request__programme=world.programme).aggregate(
        total=Sum("amount")
    )["total"]
    assert sum(m["paid"] for m in months) == paid_in_db == world.paid_total
    assert sum(m["approved"] for m in months) == world.approved_total
    this_month = months[-1]
    assert this_month["month"] == today.replace(day=1)
    assert this_month["paid"] == Decimal("640.50")
    assert this_month["budget"] == Decimal("833.33")

    api, job_id = post_job(
        officer, {"kind": "programme-outcome", "program": str(world.programme.pk), **period}
    )
    text = pdf_text(download(api, job_id))
    assert "Ia marama / By month against budget" in text
    assert f"{today.strftime('%b %Y')} $770.75 $640.50 $833.33" in text


@pytest.fixture
def world_plain(staff, led_case):
    return build_world(staff, led_case)


def test_reports_fall_back_when_no_referral_provider_is_registered(
    staff, world_plain, post_job, period
):
    with sections.providers_replaced(sections.REFERRALS):
        api, job_id = post_job(
            staff["north-caseworker"],
            {"kind": "client-outcome", "client": str(world_plain.client.pk), **period},
        )
        assert "No referrals recorded" in pdf_text(download(api, job_id))
        api, job_id = post_job(
            staff["north-compliance"],
            {"kind": "programme-outcome", "program": str(world_plain.programme.pk), **period},
        )
        assert "No referrals recorded" in pdf_text(download(api, job_id))


def test_any_provider_rows_render_as_a_readable_table(staff, world_plain, post_job, period):
    """Dates, None, Decimals and short rows from a provider render; counts come out as counts."""
    from datetime import date

    def rows(query):
        return sections.SectionRows(
            header=("Plan", "Employer", "Started", "Hours", "Sustained at 13 weeks"),
            rows=[
                ("Mahi plan", None, date(2026, 3, 3), Decimal("20.5"), True),
                ("Placement at Kai Ora Café",),
            ],
        )

    def counts(query):
        return [sections.SectionCounts(title="Placements", counts={"Started": 7, "Sustained": 0})]

    with sections.providers_replaced(sections.EMPLOYMENT, client=rows, programme=counts):
        api, job_id = post_job(
            staff["north-caseworker"],
            {"kind": "client-outcome", "client": str(world_plain.client.pk), **period},
        )
        text = pdf_text(download(api, job_id))
        assert "Placement at Kai Ora Café" in text
        assert "03 Mar 2026" in text
        assert "20.5" in text
        api, job_id = post_job(
            staff["north-compliance"],
            {"kind": "programme-outcome", "program": str(world_plain.programme.pk), **period},
        )
        text = pdf_text(download(api, job_id))
        assert "Placements" in text
        assert "Started" in text


def test_referral_statuses_all_have_a_programme_outcome():
    grouped = {s for _, statuses in section_referrals.PROGRAMME_OUTCOMES for s in statuses}
    assert grouped == set(ReferralStatus) - {ReferralStatus.DRAFT}
