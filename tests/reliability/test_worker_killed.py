"""A Celery worker killed mid-job: the job never stays `running`, and is never run twice.

The test starts a worker of its own (on a queue nobody else consumes), holds
the job inside its work deterministically — an exclusive lock on the client
table, which the report reads right after claiming the job — and kills the
worker's whole process group with SIGKILL while the job is running. Then it
checks what the deployment relies on (reporting/services.py):

- the job's row says `running` and no file was kept;
- the stale-job reaper, run as beat would once the hard time limit and its
  grace have passed, ends the job `failed` with a clear message;
- a redelivered message (acks_late + reject_on_worker_lost) finds the job no
  longer queued and does nothing: no second run, no second file.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from reporting.models import ReportJob, ReportStatus
from reporting.services import STALE_GRACE, ReportRequest, report_job_request
from reporting.services import report_jobs_reap_stale as reap
from reporting.tasks import run_report_job
from tests.reporting.fixtures_world import build_world

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def wait_for(predicate, what: str, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def _forget_queue(queue: str) -> None:
    """Leave the broker as found: this queue's binding and the dead worker's unacked message.

    Otherwise the broker would restore the message after its visibility
    timeout into a queue nobody consumes.
    """
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(f"_kombu.binding.{queue}", queue)
    for tag, payload in broker.hgetall("unacked").items():
        if queue.encode() in payload:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


def test_a_worker_killed_mid_job_ends_failed_and_never_runs_twice(
    staff, led_case, monkeypatch, tmp_path
):
    world = build_world(staff, led_case)
    # The job goes to this test's own queue only, not to a worker the suite may share.
    monkeypatch.setattr("reporting.services._schedule", lambda job_id: None)
    today = timezone.localdate()
    job = report_job_request(
        actor=staff["north-caseworker"],
        request=ReportRequest(
            kind="client-outcome",
            client_id=world.client.pk,
            period_start=today - timedelta(days=365),
            period_end=today,
        ),
    )
    queue = f"reliability-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    # Hold the job inside its work: the report reads the client table after the claim.
    blocker = psycopg.connect(database_url().replace("postgres://", "postgresql://"))
    blocker.execute("LOCK TABLE casework_client IN ACCESS EXCLUSIVE MODE")
    worker = subprocess.Popen(  # noqa: S603 - our own worker command
        [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "-Q", queue, "-n", f"{queue}@%h", "--concurrency=1", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL reaches the pool children too
    )  # fmt: skip
    try:
        wait_for(lambda: "ready." in log.read_text(), "the worker to start")
        run_report_job.apply_async(args=[str(job.pk)], queue=queue)
        wait_for(
            lambda: ReportJob.objects.get(pk=job.pk).status == ReportStatus.RUNNING,
            "the worker to claim the job",
        )
        time.sleep(0.5)  # well inside the render, blocked on the lock

        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        blocker.rollback()
        blocker.close()
        _forget_queue(queue)

    job.refresh_from_db()
    assert job.status == ReportStatus.RUNNING, log.read_text()[-2000:]
    assert not job.file
    assert job.attempts == 1

    # Nothing else will end it: not before the hard time limit has passed...
    assert reap(now=timezone.now())["reaped"] == 0
    # ...and then the reaper (run by beat) fails it with a message the requester can act on.
    later = timezone.now() + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + STALE_GRACE
    assert reap(now=later + timedelta(seconds=1))["reaped"] == 1
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert "reaped as stale" in job.error
    assert job.finished_at is not None

    # The broker redelivers the unacknowledged message: it finds nothing to do.
    assert run_report_job.apply(args=[str(job.pk)]).get() == "skipped"
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert job.attempts == 1
    assert not job.file
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
