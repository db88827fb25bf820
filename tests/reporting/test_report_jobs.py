"""Report jobs end to end: the API contract, PDF contents, idempotency, failure, reaping."""

import io
import json
import uuid
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core.models import AuditAction, AuditEvent
from reporting import services
from reporting.models import ReportJob, ReportStatus
from reporting.tasks import run_report_job
from tests.reporting.fixtures_world import OPEN_NOTE, SECRET_NOTE, build_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def download(api, job_id) -> bytes:
    response = api.get(f"{URL}{job_id}/download/")
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


@pytest.fixture
def world(staff, led_case):
    return build_world(staff, led_case)


@pytest.fixture
def period():
    today = timezone.localdate()
    return {"period_start": str(today - timedelta(days=365)), "period_end": str(today)}


@pytest.fixture
def post_job(client_for, django_capture_on_commit_callbacks):
    """POST a report request and run what it schedules (the eager, embedded path)."""

    def post(user, body):
        api = client_for(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(URL, body, format="json")
        return api, response

    return post


def test_client_outcome_report_holds_macron_name_and_aid_totals_and_no_restricted_note(
    staff, world, post_job, period
):
    api, response = post_job(
        staff["north-caseworker"],
        {"kind": "client-outcome", "client": str(world.client.pk), **period},
    )
    assert response.status_code in (201, 202)
    job = api.get(f"{URL}{response.json()['id']}/").json()
    assert job["status"] == "done", job
    assert job["progress"] == 100
    content = download(api, job["id"])
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Aroha Ngātai" in text
    assert "Ō mātou whāinga / Goals" in text
    assert "$770.75" in text  # approved total
    assert "$640.50" in text  # paid total
    assert OPEN_NOTE in text
    assert SECRET_NOTE not in text
    assert "Kuia Mereana" in text
    assert "No employment plans or placements recorded" in text
    assert "No referrals recorded" in text
    assert "Page 1 of" in text
    stored = ReportJob.objects.get(pk=job["id"])
    assert stored.size == len(content)
    assert job["sha256"] == __import__("hashlib").sha256(content).hexdigest()
    assert AuditEvent.objects.filter(
        action=AuditAction.DOWNLOAD, object_id=job["id"], actor=staff["north-caseworker"]
    ).exists()


def test_restricted_client_name_is_absent_for_a_team_lead_without_identity(
    staff, led_case, post_job, period
):
    world = build_world(staff, led_case, restricted=True)
    lead = staff["north-lead"]
    api, response = post_job(
        lead, {"kind": "client-outcome", "client": str(world.client.pk), **period}
    )
    assert response.status_code in (201, 202), response.content
    text = pdf_text(download(api, response.json()["id"]))
    assert "Ngātai" not in text
    assert "Restricted client" in text
    assert "Kuia Mereana" not in text
    assert SECRET_NOTE not in text


def test_another_agencys_user_gets_404_on_job_status_and_download(staff, world, post_job, period):
    _, response = post_job(
        staff["north-caseworker"],
        {"kind": "client-outcome", "client": str(world.client.pk), **period},
    )
    job_id = response.json()["id"]
    for username in ("south-caseworker", "south-admin", "north-caseworker2"):
        other, _ = post_job(staff[username], {})
        assert other.get(f"{URL}{job_id}/").status_code == 404
        assert other.get(f"{URL}{job_id}/download/").status_code == 404
        assert job_id not in [j["id"] for j in other.get(URL).json()["results"]]


def test_south_user_cannot_report_on_a_north_client(staff, world, post_job, period):
    _, response = post_job(
        staff["south-caseworker"],
        {"kind": "client-outcome", "client": str(world.client.pk), **period},
    )
    assert response.status_code == 404
    assert not ReportJob.objects.exists()


def test_programme_report_is_403_for_a_caseworker_and_404_for_another_agency(
    staff, world, post_job, period
):
    body = {"kind": "programme-outcome", "program": str(world.programme.pk), **period}
    _, response = post_job(staff["north-caseworker"], body)
    assert response.status_code == 403
    _, response = post_job(staff["south-officer"], body)
    assert response.status_code == 404
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("audience", ["internal", "funder"])
def test_programme_outcome_report_renders_for_an_officer(staff, world, post_job, period, audience):
    api, response = post_job(
        staff["north-compliance"],
        {
            "kind": "programme-outcome",
            "program": str(world.programme.pk),
            "audience": audience,
            **period,
        },
    )
    assert response.status_code in (201, 202), response.content
    text = pdf_text(download(api, response.json()["id"]))
    assert world.programme.name in text
    assert "Te Raki Whānau Ora Collective" in text
    assert "Aroha" not in text
    if audience == "internal":
        assert "$770.75" in text
        assert "$640.50" in text
    else:
        # Three requests are below every publication threshold: suppressed, not shown.
        assert "$770.75" not in text
        assert "randomly rounded to base 3" in text


def test_my_information_json_holds_the_clients_records_and_is_audited(staff, world, post_job):
    caseworker = staff["north-caseworker"]
    api, response = post_job(
        caseworker, {"kind": "my-information", "client": str(world.client.pk), "format": "json"}
    )
    assert response.status_code in (201, 202), response.content
    data = json.loads(download(api, response.json()["id"]).decode("utf-8"))
    assert data["client"]["legal_family_name"] == "Ngātai"
    assert [n["body"] for n in data["notes"]] == [OPEN_NOTE]
    assert len(data["aid_requests"]) == 3
    assert {t["name"] for t in data["network_ties"]} == {"Kuia Mereana", "Ōtautahi Clubhouse"}
    assert len(data["assessments"]) == 2
    assert SECRET_NOTE not in json.dumps(data, ensure_ascii=False)
    assert AuditEvent.objects.filter(
        action=AuditAction.PRIVACY_ACCESS, object_id=str(world.client.pk), actor=caseworker
    ).exists()


def test_my_information_pdf_has_macrons_and_no_restricted_note(staff, world, post_job):
    api, response = post_job(
        staff["north-caseworker"], {"kind": "my-information", "client": str(world.client.pk)}
    )
    text = pdf_text(download(api, response.json()["id"]))
    assert "Ngātai" in text
    assert OPEN_NOTE in text
    assert SECRET_NOTE not in text
    assert "$250.50" in text


def test_my_information_needs_identity_for_a_restricted_client(staff, led_case, post_job):
    world = build_world(staff, led_case, restricted=True)
    _, response = post_job(
        staff["north-lead"], {"kind": "my-information", "client": str(world.client.pk)}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "identity_required"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "annual-report"}, "kind"),
        (
            {"kind": "client-outcome", "period_start": "2026-01-01", "period_end": "2026-02-01"},
            "client",
        ),
        (
            {
                "kind": "client-outcome",
                "client": "not-a-uuid",
                "period_start": "2026-01-01",
                "period_end": "2026-02-01",
            },
            "client",
        ),
        (
            {
                "kind": "client-outcome",
                "client": str(uuid.uuid4()),
                "period_start": "2026-03-01",
                "period_end": "2026-02-01",
            },
            "period_end",
        ),
        (
            {"kind": "programme-outcome", "period_start": "2026-01-01", "period_end": "2026-02-01"},
            "program",
        ),
        (
            {
                "kind": "client-outcome",
                "client": str(uuid.uuid4()),
                "format": "json",
                "period_start": "2026-01-01",
                "period_end": "2026-02-01",
            },
            "format",
        ),
    ],
)
def test_bad_input_is_400_and_creates_nothing(staff, post_job, body, field):
    _, response = post_job(staff["north-caseworker"], body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not ReportJob.objects.exists()


def test_malformed_job_id_is_404(staff, client_for):
    api = client_for(staff["north-caseworker"])
    assert api.get(f"{URL}not-a-uuid/").status_code == 404
    assert api.get(f"{URL}{uuid.uuid4()}/download/").status_code == 404


def _queued_job(staff, world, period):
    from datetime import date

    from reporting.services import ReportRequest

    job = services.report_job_request(
        actor=staff["north-caseworker"],
        request=ReportRequest(
            kind="client-outcome",
            client_id=world.client.pk,
            period_start=date.fromisoformat(period["period_start"]),
            period_end=date.fromisoformat(period["period_end"]),
        ),
    )
    return job


def test_failing_job_ends_failed_with_the_error_and_no_file(staff, world, period, monkeypatch):
    def boom(job):
        raise ValueError("chart data was malformed")

    monkeypatch.setitem(services.RENDERERS, "client-outcome", boom)
    job = _queued_job(staff, world, period)
    run_report_job.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert "chart data was malformed" in job.error
    assert not job.file
    assert job.size is None
    assert job.finished_at is not None


def test_running_the_task_again_for_a_done_job_does_nothing(staff, world, period):
    job = _queued_job(staff, world, period)
    run_report_job.delay(str(job.pk))
    job.refresh_from_db()
    assert job.status == ReportStatus.DONE
    before = (job.sha256, job.finished_at, job.attempts)
    assert run_report_job.delay(str(job.pk)).get() == "skipped"
    job.refresh_from_db()
    assert (job.sha256, job.finished_at, job.attempts) == before


def test_transient_error_puts_the_job_back_then_fails_it_after_retries(
    staff, world, period, monkeypatch
):
    from django.db import OperationalError

    from reporting.tasks import MAX_RETRIES

    def flaky(job):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setitem(services.RENDERERS, "client-outcome", flaky)
    job = _queued_job(staff, world, period)
    with pytest.raises(services.TransientReportError):
        services.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportStatus.QUEUED
    assert job.attempts == 1
    run_report_job.apply(args=[str(job.pk)], retries=MAX_RETRIES)
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert "Gave up after retries" in job.error
    assert job.attempts == 2


def test_stale_running_job_is_reaped_to_failed(staff, world, period, settings):
    job = _queued_job(staff, world, period)
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120),
    )
    fresh = _queued_job(staff, world, period)
    ReportJob.objects.filter(pk=fresh.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now()
    )
    counts = services.report_jobs_reap_stale()
    assert counts["reaped"] == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert "reaped" in job.error
    assert fresh.status == ReportStatus.RUNNING


def test_batch_of_client_reports_fans_out_and_zips(staff, world, post_job, period):
    api, response = post_job(
        staff["north-caseworker"],
        {"kind": "client-outcome-batch", "program": str(world.programme.pk), **period},
    )
    assert response.status_code in (201, 202), response.content
    job = api.get(f"{URL}{response.json()['id']}/").json()
    assert job["status"] == "done", job
    assert job["members"]["done"] == 1
    archive = zipfile.ZipFile(io.BytesIO(download(api, job["id"])))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 1
    assert "Aroha Ngātai" in pdf_text(archive.read(pdfs[0]))


def test_download_is_404_once_access_to_the_client_is_gone(staff, world, post_job, period):
    from casework import access

    caseworker = staff["north-caseworker"]
    api, response = post_job(
        caseworker, {"kind": "client-outcome", "client": str(world.client.pk), **period}
    )
    access.revoke_case_from_user(world.case, caseworker)
    assert api.get(f"{URL}{response.json()['id']}/download/").status_code == 404


def test_download_is_404_when_the_stored_file_is_gone(staff, world, post_job, period):
    from reporting.models import ReportJob

    api, response = post_job(
        staff["north-caseworker"],
        {"kind": "client-outcome", "client": str(world.client.pk), **period},
    )
    job = ReportJob.objects.get(pk=response.json()["id"])
    job.file.storage.delete(job.file.name)

    assert api.get(f"{URL}{job.pk}/download/").status_code == 404


def test_run_report_command_writes_the_file(staff, world, period, tmp_path, capsys):
    from django.core.management import call_command

    target = tmp_path / "report.pdf"
    call_command(
        "run_report",
        "client-outcome",
        "--user",
        "north-caseworker",
        "--client",
        str(world.client.pk),
        "--from",
        period["period_start"],
        "--to",
        period["period_end"],
        "--output",
        str(target),
    )
    assert "Aroha Ngātai" in pdf_text(target.read_bytes())
    assert "100%" in capsys.readouterr().err


def test_paid_totals_match_the_database(staff, world):
    from programs.models import Payment

    paid = sum(p.amount for p in Payment.objects.filter(aid_request__client=world.client))
    assert paid == world.paid_total
