"""API conventions: one error shape, pagination, schema, probes and production settings."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from core.audit import audit_record
from core.models import AuditAction

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_validation_errors_share_one_shape(client_for, north, make_staff):
    client = client_for(make_staff(north, "agency_admin"))

    body = client.post("/api/v1/staff/", {"username": "x"}).json()

    assert set(body) == {"error"}
    assert body["error"]["status"] == 400
    assert body["error"]["code"] == "invalid"
    assert body["error"]["message"] == "Invalid input."
    assert body["error"]["request_id"]
    assert {"password", "roles"} <= set(body["error"]["fields"])


def test_malformed_json_is_a_400_in_the_same_shape(client_for, north, make_staff):
    client = client_for(make_staff(north, "agency_admin"))

    response = client.generic(
        "POST", "/api/v1/staff/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_unknown_api_path_is_a_json_404(client_for, north, make_staff, settings):
    settings.DEBUG = False
    client = client_for(make_staff(north, "caseworker"))

    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_malformed_uuid_in_path_is_404_not_500(client_for, north, make_staff):
    client = client_for(make_staff(north, "agency_admin"))

    assert client.get("/api/v1/staff/not-a-uuid/").status_code == 404


def test_pagination_honours_page_size_caps_it_at_200_and_links_pages(client_for, north, make_staff):
    reader = make_staff(north, "compliance_officer")
    for n in range(205):
        audit_record(actor=reader, action=AuditAction.VIEW, object_type="x", object_id=str(n))
    client = client_for(reader)

    small = client.get("/api/v1/audit-events/", {"page_size": 5}).json()
    huge = client.get("/api/v1/audit-events/", {"page_size": 100000}).json()
    default = client.get("/api/v1/audit-events/").json()

    assert len(small["results"]) == 5
    assert "page=2" in small["next"]
    assert small["previous"] is None
    assert len(huge["results"]) == 200
    assert len(default["results"]) == 50


def test_page_past_the_end_is_404(client_for, north, make_staff):
    client = client_for(make_staff(north, "compliance_officer"))

    assert client.get("/api/v1/audit-events/", {"page": 999}).status_code == 404


def test_agencies_are_listed_to_staff_with_filters(client_for, north, south, make_staff):
    client = client_for(make_staff(north, "caseworker"))

    everyone = client.get("/api/v1/agencies/").json()
    northland = client.get("/api/v1/agencies/", {"region": "01"}).json()

    assert {a["slug"] for a in everyone["results"]} == {"north", "south"}
    assert [a["slug"] for a in northland["results"]] == ["north"]


def test_teams_are_scoped_to_own_agency_and_created_by_admins(client_for, north, south, make_staff):
    from tests.factories import TeamFactory

    TeamFactory(agency=north, name="Kaiārahi")
    south_team = TeamFactory(agency=south, name="Navigators")
    worker = client_for(make_staff(north, "caseworker"))
    admin = client_for(make_staff(north, "agency_admin"))

    assert [t["name"] for t in worker.get("/api/v1/teams/").json()["results"]] == ["Kaiārahi"]
    assert worker.get(f"/api/v1/teams/{south_team.pk}/").status_code == 404
    assert worker.post("/api/v1/teams/", {"name": "Rogue"}).status_code == 403
    assert admin.post("/api/v1/teams/", {"name": "Kaiārahi"}).status_code == 400
    assert admin.post("/api/v1/teams/", {"name": "Rangatahi"}).status_code == 201


def test_healthz_and_readyz(api_client):
    assert api_client.get("/healthz").json() == {"status": "ok"}
    ready = api_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


def test_readyz_reports_unreachable_database(api_client, monkeypatch):
    from django.db import connections

    def broken_cursor(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", broken_cursor)

    response = api_client.get("/readyz")

    assert response.status_code == 503


def test_openapi_schema_generates_without_warnings(tmp_path):
    out = StringIO()
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
        stdout=out,
        stderr=out,
    )
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/staff/" in schema
    assert "/api/v1/auth/token/" in schema
    # A shape without a docstring of its own is not described by a mixin's note to developers.
    from core.fast_read import FastReadMixin

    assert " ".join(FastReadMixin.__doc__.split()[:3]) not in schema.split("components:")[1]


def test_schema_and_docs_are_served(client_for, north, make_staff):
    client = client_for(make_staff(north, "caseworker"))

    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_migrations_are_up_to_date():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "TAUTOKO_ENV": "production",
        "SECRET_KEY": "x7#Qp2!vL9@zR4$wK8^mN3&bT6*cY1(dF5)gH0_jU-sE+aW=" * 2,
        "ALLOWED_HOSTS": "tautoko.example.govt.nz",
        "DATABASE_URL": "sqlite:///:memory:",
        "EXPORT_PSEUDONYM_SECRET": "k3#Wn8!pQ2@vX7$rL5^tB9&mZ4*cF6(hJ1)dS0_yG-aE+uR=",
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    del env["EXPORT_PSEUDONYM_SECRET"]
    missing = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode != 0
    assert "reporting.W001" in missing.stdout + missing.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    env["TAUTOKO_ENV"] = "production"
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
