"""Celery tasks for report jobs: thin wrappers that take ids and call reporting.services.

Acknowledged late with prefetch 1 and time limits below the broker's
visibility timeout (config/settings.py), so a job is redelivered only if its
worker died, and then the claim in `report_job_run` keeps it from running twice.
"""

from celery import shared_task

from reporting import services

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, name="reporting.run_report_job")
def run_report_job(self, job_id: str) -> str:
    """Run one report job; retry with backoff on transient errors, then fail it."""
    try:
        job = services.report_job_run(job_id=job_id, task_id=self.request.id or "")
    except services.TransientReportError as exc:
        if self.request.retries >= self.max_retries:
            services.report_job_fail(job_id=job_id, error=f"Gave up after retries: {exc}")
            return "failed"
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
    return job.status if job is not None else "skipped"


@shared_task(name="reporting.reap_stale_report_jobs")
def reap_stale_report_jobs() -> dict[str, int]:
    """Fail report jobs whose worker died; resend jobs whose message was lost (run from beat)."""
    return services.report_jobs_reap_stale()
