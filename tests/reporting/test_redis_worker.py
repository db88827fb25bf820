"""The distributed path: a job posted to the API is run by a real Celery worker through Redis."""

import io
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reporting.models import ReportJob
from tests.reporting.fixtures_world import build_world

POLL_SECONDS = 60


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_posted_job(staff, led_case, client_for, settings):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    world = build_world(staff, led_case)
    api = client_for(staff["north-caseworker"])
    today = timezone.localdate()
    response = api.post(
        "/api/v1/reports/",
        {
            "kind": "client-outcome",
            "client": str(world.client.pk),
            "period_start": str(today - timedelta(days=365)),
            "period_end": str(today),
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    deadline = time.monotonic() + POLL_SECONDS
    status = None
    while time.monotonic() < deadline:
        status = api.get(f"/api/v1/reports/{job_id}/").json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status["status"] == "done", status
    job = ReportJob.objects.get(pk=job_id)
    assert job.celery_task_id
    download = api.get(f"/api/v1/reports/{job_id}/download/")
    assert download.status_code == 200
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert "Aroha Ngātai" in "".join(page.extract_text() for page in reader.pages)
