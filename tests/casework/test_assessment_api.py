"""/api/v1/instruments/ and /api/v1/assessments/: scored on the server, read audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Assessment, Instrument
from casework.services.assessments import assessment_record
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"
INSTRUMENTS_URL = "/api/v1/instruments/"
ANSWERS = {"q1": 3, "q2": 2, "q3": 1, "q4": 4, "q5": 2, "q6": 1}
RATINGS = {f"pou_{n}": 6 for n in range(1, 8)}


def payload(client, **overrides):
    return {
        "client": str(client.pk),
        "instrument": "lsns-6",
        "stage": "intake",
        "administered_on": timezone.localdate().isoformat(),
        "answers": ANSWERS,
        **overrides,
    }


def record(actor, client, code="lsns-6", answers=None, **overrides):
    fields = {
        "instrument": Instrument.objects.get(code=code),
        "answers": answers or (ANSWERS if code == "lsns-6" else RATINGS),
        "administered_on": timezone.localdate(),
        "stage": "intake",
        **overrides,
    }
    return assessment_record(actor=actor, client=client, **fields)


def test_instruments_are_listed_and_read_by_code(staff, client_for):
    api = client_for(staff["north-officer"])

    listed = api.get(INSTRUMENTS_URL).json()
    lsns6 = api.get(f"{INSTRUMENTS_URL}lsns-6/").json()

    assert [row["code"] for row in listed["results"]] == ["lsns-6", "whanau-ora-self-rating"]
    assert len(lsns6["definition"]["items"]) == 6
    assert api.post(INSTRUMENTS_URL, {"code": "x"}).status_code == 405
    assert api.get(f"{INSTRUMENTS_URL}nope/").status_code == 404


def test_caseworker_records_lsns6_and_gets_scores(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    response = client_for(cw).post(URL, payload(client))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["scores"]["family"] == 6
    assert body["scores"]["friends"] == 7
    assert body["scores"]["total"] == 13
    assert body["scores"]["flags"] == {"isolation_risk": False}
    assert body["instrument_name"] == "Lubben Social Network Scale, 6 items (LSNS-6)"
    assert body["next_due_on"] == (timezone.localdate() + timedelta(days=90)).isoformat()


def test_isolation_flag_follows_the_cutoff_setting(staff, assigned_client, client_for, settings):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    twelve = {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 2, "q6": 2}
    api = client_for(cw)

    default = api.post(URL, payload(client, answers=twelve)).json()
    settings.LSNS6_ISOLATION_CUTOFF = 13
    raised = api.post(URL, payload(client, answers=twelve)).json()

    assert default["scores"]["flags"]["isolation_risk"] is False
    assert raised["scores"]["flags"]["isolation_risk"] is True


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({k: v for k, v in ANSWERS.items() if k != "q4"}, {"q4": ["This item is required."]}),
        ({**ANSWERS, "q2": 6}, {"q2": ["Must be between 0 and 5."]}),
        ({**ANSWERS, "q2": -1}, {"q2": ["Must be between 0 and 5."]}),
        ({**ANSWERS, "q3": True}, {"q3": ["A whole number is required."]}),
        ({**ANSWERS, "q3": "3"}, {"q3": ["A whole number is required."]}),
        ({**ANSWERS, "q3": 2.5}, {"q3": ["A whole number is required."]}),
        ({**ANSWERS, "extra": 1}, {"extra": ["Unknown item."]}),
    ],
)
def test_incomplete_or_out_of_range_answers_are_400_per_item(
    staff, assigned_client, client_for, answers, errors
):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(URL, payload(assigned_client(cw), answers=answers))

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"answers": errors}
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("rating", [0, 11])
def test_whanau_ora_rating_outside_1_to_10_is_400(staff, assigned_client, client_for, rating):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(
        URL,
        payload(
            assigned_client(cw),
            instrument="whanau-ora-self-rating",
            answers={**RATINGS, "pou_6": rating},
        ),
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["answers"] == {"pou_6": ["Must be between 1 and 10."]}


def test_whanau_ora_rating_scores_per_pou_and_mean(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    ratings = {**RATINGS, "pou_4": 9, "pou_5": 3}

    response = client_for(cw).post(
        URL, payload(assigned_client(cw), instrument="whanau-ora-self-rating", answers=ratings)
    )

    assert response.status_code == 201, response.json()
    scores = response.json()["scores"]
    assert scores["pou_4"] == 9
    assert scores["pou_5"] == 3
    assert scores["mean"] == "6.00"


def test_client_supplied_scores_are_refused(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(URL, payload(assigned_client(cw), scores={"total": 30}))

    assert response.status_code == 400
    assert "scores" in response.json()["error"]["fields"]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"instrument": "phq-9"}, "instrument"),
        ({"stage": "halfway"}, "stage"),
        ({"answers": [1, 2, 3]}, "answers"),
        ({"administered_on": "2999-01-01"}, "administered_on"),
        ({"case": "7b0c6a2e-0000-4000-8000-000000000000"}, "case"),
    ],
)
def test_other_bad_input_is_400(staff, assigned_client, client_for, overrides, field):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(URL, payload(assigned_client(cw), **overrides))

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_assessment_for_a_client_not_visible_is_404(staff, assigned_client, client_for):
    client = assigned_client(staff["north-caseworker"])

    for username in ["north-caseworker2", "south-caseworker", "south-lead"]:
        assert client_for(staff[username]).post(URL, payload(client)).status_code == 404
    assert not Assessment.objects.exists()


def test_roles_without_add_assessment_get_403_on_create(staff, assigned_client, client_for):
    client = assigned_client(staff["north-caseworker"])

    for username in ["north-officer", "north-compliance", "north-admin"]:
        assert client_for(staff[username]).post(URL, payload(client)).status_code == 403


def test_other_agency_and_other_caseworker_get_404_everywhere(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    assessment = record(cw, assigned_client(cw))

    for username in ["north-caseworker2", "south-caseworker", "south-lead", "south-admin"]:
        api = client_for(staff[username])
        assert api.get(URL).json()["count"] == 0, username
        assert api.get(f"{URL}{assessment.pk}/").status_code == 404, username


def test_reading_an_assessment_is_audited(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    assessment = record(cw, assigned_client(cw))

    response = client_for(cw).get(f"{URL}{assessment.pk}/")

    assert response.status_code == 200
    assert response.json()["answers"] == ANSWERS
    event = AuditEvent.objects.filter(object_id=str(assessment.pk)).latest("id")
    assert event.action == AuditAction.VIEW
    assert event.agency_id == cw.agency_id


def test_assessments_cannot_be_changed_or_deleted(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    assessment = record(cw, assigned_client(cw))
    api = client_for(cw)
    url = f"{URL}{assessment.pk}/"

    assert api.put(url, payload(assessment.client)).status_code == 405
    assert api.patch(url, {"stage": "exit"}).status_code == 405
    assert api.delete(url).status_code == 405


def test_list_filters_by_client_instrument_stage_and_dates(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    case = led_case(cw)
    client = case.client
    other = led_case(cw).client
    today = timezone.localdate()
    intake = record(cw, client, administered_on=today - timedelta(days=100), case=case)
    review = record(cw, client, stage="review", administered_on=today - timedelta(days=5))
    rating = record(cw, other, code="whanau-ora-self-rating")
    api = client_for(cw)

    def ids(**params):
        return {row["id"] for row in api.get(URL, params).json()["results"]}

    assert ids(client=str(client.pk)) == {str(intake.pk), str(review.pk)}
    assert ids(case=str(case.pk)) == {str(intake.pk)}
    assert ids(instrument="whanau-ora-self-rating") == {str(rating.pk)}
    assert ids(stage="review") == {str(review.pk)}
    assert ids(administered_before=(today - timedelta(days=30)).isoformat()) == {str(intake.pk)}
    assert ids(administered_after=(today - timedelta(days=30)).isoformat()) == {
        str(review.pk),
        str(rating.pk),
    }
    assert api.get(URL, {"administered_after": "soon"}).status_code == 400


def test_team_lead_sees_assessments_of_team_cases(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    case = led_case(cw)
    assessment = record(cw, case.client, case=case)

    body = client_for(staff["north-lead"]).get(URL).json()

    assert [row["id"] for row in body["results"]] == [str(assessment.pk)]


def test_list_query_count_does_not_grow_with_page_size(
    staff, assigned_client, client_for, list_queries
):
    cw = staff["north-caseworker"]
    for _ in range(5):
        client = assigned_client(cw)
        record(cw, client)
        record(cw, client, code="whanau-ora-self-rating")
    api = client_for(cw)

    assert list_queries(api, URL, 2) == list_queries(api, URL, 10)


@pytest.mark.parametrize("administered_on", ["0001-01-01", "1899-12-31", "2200-01-01"])
def test_an_absurd_administered_on_is_400(staff, assigned_client, client_for, administered_on):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(
        URL, payload(assigned_client(cw), administered_on=administered_on), format="json"
    )

    assert response.status_code == 400
    assert "administered_on" in response.json()["error"]["fields"]
    assert not Assessment.objects.exists()
