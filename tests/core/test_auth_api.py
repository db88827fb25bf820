"""Sign-in, the signed-in user and throttling of the token endpoint."""

import pytest

from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_token_is_issued_for_valid_credentials_and_login_audited(api_client, north, make_staff):
    user = make_staff(north, "caseworker", username="north-caseworker")

    response = api_client.post(
        TOKEN_URL, {"username": "north-caseworker", "password": "kia-kaha-2026"}
    )

    assert response.status_code == 200
    assert len(response.json()["token"]) == 40
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor_id == user.pk
    assert event.agency_id == north.pk


def test_token_refused_for_wrong_password_without_revealing_whether_user_exists(
    api_client, north, make_staff
):
    make_staff(north, "caseworker", username="north-caseworker")

    wrong_password = api_client.post(
        TOKEN_URL, {"username": "north-caseworker", "password": "nope"}
    )
    no_such_user = api_client.post(TOKEN_URL, {"username": "nobody", "password": "nope"})

    assert wrong_password.status_code == no_such_user.status_code == 400
    assert wrong_password.json()["error"]["message"] == no_such_user.json()["error"]["message"]
    assert wrong_password.json()["error"]["code"] == "invalid_credentials"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 2


def test_token_refused_for_deactivated_staff(api_client, north, make_staff):
    user = make_staff(north, "caseworker", username="gone")
    user.is_active = False
    user.save()

    response = api_client.post(TOKEN_URL, {"username": "gone", "password": "kia-kaha-2026"})

    assert response.status_code == 400


def test_token_request_missing_fields_gets_field_errors(api_client, db):
    response = api_client.post(TOKEN_URL, {"username": "someone"})

    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_token_endpoint_is_throttled_more_strictly_than_the_api(api_client, db, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    limit = int(rates["token"].split("/")[0])
    assert limit < int(rates["anon"].split("/")[0])

    # A different username each time, so the per-username lockout stays out of the way.
    codes = [
        api_client.post(TOKEN_URL, {"username": f"x{n}", "password": "y"}).status_code
        for n in range(limit + 1)
    ]

    assert codes[:limit] == [400] * limit
    assert codes[limit] == 429
    assert api_client.post(TOKEN_URL, {}).json()["error"]["code"] == "throttled"


def test_token_authenticates_api_requests(api_client, north, make_staff):
    make_staff(north, "caseworker", username="north-caseworker")
    token = api_client.post(
        TOKEN_URL, {"username": "north-caseworker", "password": "kia-kaha-2026"}
    ).json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "north-caseworker"


def test_me_shows_agency_team_and_roles(client_for, north, north_team, make_staff):
    user = make_staff(north, "team_lead", "caseworker", team=north_team)

    body = client_for(user).get("/api/v1/me/").json()

    assert body["agency"]["slug"] == "north"
    assert body["agency"]["name"] == "Te Raki Whānau Ora Collective"
    assert body["team"]["id"] == str(north_team.pk)
    assert body["roles"] == ["caseworker", "team_lead"]


def test_me_requires_authentication(api_client, db):
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_bad_token_is_refused(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api_client.get("/api/v1/me/").status_code == 401
