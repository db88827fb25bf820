"""Bad input of every kind gets a clear 4xx in the one error shape, and nothing is written."""

import json

import pytest

from casework.models import CaseNote, Client
from core.models import AuditEvent
from programs.models import AidRequest, Payment

pytestmark = pytest.mark.django_db

WRITTEN = (Client, CaseNote, AidRequest, Payment, AuditEvent)


def _counts():
    return {model.__name__: model.objects.count() for model in WRITTEN}


def _assert_refused(response, status, code=None):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["request_id"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture
def cw(api_as):
    return api_as("north-caseworker")


@pytest.fixture
def note_url(world):
    return f"/api/v1/cases/{world.ids['case']}/notes/"


def _note(**fields):
    return {
        "kind": "contact",
        "body": "Rang about kai",
        "occurred_at": "2026-01-05T10:00:00Z",
        **fields,
    }


def test_a_good_note_is_accepted_so_the_refusals_below_are_about_the_input(cw, note_url):
    assert cw.post(note_url, _note(), format="json").status_code == 201


def test_oversized_body_is_413_and_writes_nothing(cw, note_url, settings):
    before = _counts()
    body = json.dumps(_note(body="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)))

    response = cw.generic("POST", note_url, body, content_type="application/json")

    _assert_refused(response, 413, "request_too_large")
    assert _counts() == before


def test_oversized_multipart_upload_is_413(api_as, settings):
    settings.API_MAX_UPLOAD_SIZE = 1000
    admin = api_as("north-admin")

    response = admin.generic(
        "POST",
        "/api/v1/organisations/import/",
        b"x" * 2000,
        content_type="multipart/form-data; boundary=zz",
    )

    _assert_refused(response, 413, "request_too_large")


def test_deeply_nested_json_is_400(cw, note_url):
    before = _counts()

    response = cw.generic(
        "POST", note_url, "[" * 100_000 + "]" * 100_000, content_type="application/json"
    )

    _assert_refused(response, 400, "parse_error")
    assert _counts() == before


@pytest.mark.parametrize(
    "raw",
    [b'{"kind": "contact", "body": "\xff\xfe"}', b"\xef\xbb\xbf\xc3\x28", b'{"body": "a', b""],
    ids=["invalid-utf8-string", "invalid-utf8-bom", "truncated", "empty"],
)
def test_undecodable_or_broken_json_is_400(cw, note_url, raw):
    before = _counts()

    response = cw.generic("POST", note_url, raw, content_type="application/json")

    _assert_refused(response, 400)
    assert _counts() == before


@pytest.mark.parametrize("raw", ["5", "[1, 2]", "null", '"text"'])
def test_json_that_is_not_an_object_is_400(cw, note_url, raw):
    before = _counts()

    response = cw.generic("POST", note_url, raw, content_type="application/json")

    _assert_refused(response, 400)
    assert _counts() == before


def test_unsupported_content_type_is_415(cw, note_url):
    response = cw.generic("POST", note_url, "<note/>", content_type="application/xml")

    _assert_refused(response, 415, "unsupported_media_type")


def test_nul_byte_in_a_string_field_is_400(cw, note_url):
    before = _counts()

    response = cw.post(note_url, _note(body="safe\x00house"), format="json")

    error = _assert_refused(response, 400, "null_characters_not_allowed")
    assert "body" in error["fields"]
    assert _counts() == before


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/clients/", {"search": "Aro\x00ha"}),
        ("/api/v1/cases/", {"status": "open\x00"}),
        ("/api/v1/me/work/", {"kind": "review\x00"}),
        ("/api/v1/clients/", {"bad\x00name": "x"}),
    ],
)
def test_nul_byte_in_the_query_string_is_400(cw, url, params):
    _assert_refused(cw.get(url, params), 400, "null_characters_not_allowed")


def test_nul_byte_in_the_path_is_400(cw):
    _assert_refused(cw.get("/api/v1/clients/abc%00def/"), 400, "null_characters_not_allowed")


def test_invalid_content_length_is_400(cw, note_url):
    response = cw.generic(
        "POST", note_url, "{}", content_type="application/json", CONTENT_LENGTH="lots"
    )

    _assert_refused(response, 400)


@pytest.mark.parametrize("page_size", [10**30, 100_000, "-5", "abc"])
def test_huge_or_silly_page_sizes_are_capped_not_errors(cw, page_size):
    response = cw.get("/api/v1/clients/", {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) <= 200


@pytest.mark.parametrize("page", ["abc", "0", str(10**30), "-1"])
def test_pages_that_do_not_exist_are_404(cw, page):
    _assert_refused(cw.get("/api/v1/clients/", {"page": page}), 404)


def test_unknown_filters_are_400_and_never_widen_what_is_visible(api_as, world):
    cw2 = api_as("north-caseworker2")

    widened = cw2.get(
        "/api/v1/clients/", {"agency": "south", "all": "true", "id": world.ids["client"]}
    )

    error = _assert_refused(widened, 400)
    assert set(error["fields"]) == {"agency", "all", "id"}
    assert str(world.ids["client"]) not in widened.content.decode()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/clients/", {"page": "1", "page_size": "5", "ordering": "name"}),
        ("/api/v1/clients/", {"search": "Ngātai", "format": "json"}),
        ("/api/v1/cases/", {"status": "active", "opened_after": "2026-01-01T00:00:00Z"}),
    ],
)
def test_offered_filters_paging_and_ordering_are_accepted(cw, url, params):
    assert cw.get(url, params).status_code == 200


def test_a_misspelt_filter_is_named_in_the_400(cw):
    error = _assert_refused(cw.get("/api/v1/cases/", {"stauts": "open"}), 400)

    assert list(error["fields"]) == ["stauts"]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/clients/", {"ordering": "password"}, "ordering"),
        ("/api/v1/cases/", {"status": "no-such-status"}, "status"),
        ("/api/v1/cases/", {"client": "not-a-uuid"}, "client"),
        ("/api/v1/cases/", {"opened_after": "2026-13-45"}, "opened_after"),
    ],
)
def test_invalid_values_of_known_filters_are_400_with_the_field(cw, url, params, field):
    error = _assert_refused(cw.get(url, params), 400)

    assert field in error["fields"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/clients/not-a-uuid/",
        "/api/v1/cases/12345/",
        "/api/v1/cases/00000000-0000-0000-0000-00000000000g/notes/",
        "/api/v1/aid-requests/' OR 1=1 --/",
        "/api/v1/referrals/%E2%80%AE/",
    ],
)
def test_malformed_ids_in_paths_are_404(cw, path):
    _assert_refused(cw.get(path), 404)


def test_malformed_ids_in_bodies_are_400_and_write_nothing(cw, world):
    before = _counts()

    response = cw.post(
        "/api/v1/aid-requests/",
        {
            "case": "nope",
            "programme": str(world.ids["programme"]),
            "amount": "10",
            "category": "food",
        },
        format="json",
    )

    error = _assert_refused(response, 400)
    assert "case" in error["fields"]
    assert _counts() == before


@pytest.mark.parametrize("when", ["yesterday", "2026-02-30T10:00:00Z", "2026-01-05T25:00", "0"])
def test_malformed_dates_are_400_and_write_nothing(cw, note_url, when):
    before = _counts()

    error = _assert_refused(cw.post(note_url, _note(occurred_at=when), format="json"), 400)

    assert "occurred_at" in error["fields"]
    assert _counts() == before


@pytest.mark.parametrize(
    "amount",
    [
        "-5",
        "0",
        "-0.01",
        "1e30",
        "99999999999999",
        "1.234",
        "NaN",
        "Infinity",
        "-Infinity",
        "abc",
        "",
    ],
)
def test_negative_absurd_or_non_numeric_aid_amounts_are_400(cw, world, amount):
    before = _counts()

    response = cw.post(
        "/api/v1/aid-requests/",
        {
            "case": str(world.ids["case"]),
            "programme": str(world.ids["programme"]),
            "amount": amount,
            "category": "food",
            "justification": "Kai",
        },
        format="json",
    )

    error = _assert_refused(response, 400)
    assert "amount" in error["fields"]
    assert _counts() == before


def test_an_amount_above_the_configured_maximum_is_400(cw, world, settings):
    settings.AID_REQUEST_MAX_AMOUNT = "1000.00"
    before = _counts()

    response = cw.post(
        "/api/v1/aid-requests/",
        {
            "case": str(world.ids["case"]),
            "programme": str(world.ids["programme"]),
            "amount": "1000.01",
            "category": "food",
            "justification": "Kai",
        },
        format="json",
    )

    _assert_refused(response, 400)
    assert _counts() == before


@pytest.mark.parametrize("amount", ["-5", "1e30", "NaN", "0"])
def test_negative_or_absurd_payment_amounts_are_400(api_as, world, amount):
    before = _counts()

    response = api_as("north-officer").post(
        "/api/v1/payments/",
        {"aid_request": str(world.ids["aid_request"]), "amount": amount, "method": "direct_credit"},
        format="json",
    )

    error = _assert_refused(response, 400)
    assert "amount" in error["fields"]
    assert _counts() == before


def test_very_long_strings_are_400_not_truncated(cw):
    before = _counts()

    response = cw.post(
        "/api/v1/clients/",
        {
            "legal_given_names": "A" * 5000,
            "legal_family_name": "Ngātai",
            "date_of_birth": "1990-01-01",
        },
        format="json",
    )

    error = _assert_refused(response, 400)
    assert "legal_given_names" in error["fields"]
    assert _counts() == before
