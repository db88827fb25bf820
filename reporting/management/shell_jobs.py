"""Running a report job from the shell: here and now, with a progress bar on stderr.

Shared by `run_report` and `export_compliance`, so both behave the same way
whatever broker is configured.
"""

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.db import transaction

from reporting import services
from reporting.models import ReportJob

BAR_WIDTH = 30
Created = TypeVar("Created")


def create_without_scheduling(create: Callable[[], Created]) -> Created:
    """Call `create` (which makes a job) without handing the job to Celery.

    The job is run in this process by `run_with_bar`; scheduling it as well
    would run it twice when a broker is configured.
    """
    original = services._schedule
    services._schedule = lambda job_id: None
    try:
        with transaction.atomic():
            return create()
    finally:
        services._schedule = original


def run_with_bar(job: ReportJob, *, task_id: str) -> None:
    """Run `job` here, drawing its progress on stderr; `job` is refreshed afterwards."""
    draw_bar(0)
    try:
        services.report_job_run(job_id=job.pk, task_id=task_id, on_progress=draw_bar)
    finally:
        job.refresh_from_db()
        draw_bar(job.progress)
        sys.stderr.write("\n")


def draw_bar(percent: int) -> None:
    """Redraw the progress bar at `percent` (0–100)."""
    filled = BAR_WIDTH * percent // 100
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}%")
    sys.stderr.flush()


def copy_file(job: ReportJob, output: str, stdout) -> None:
    """Copy the finished job's file to `output`, making its folder if needed."""
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    with job.file.open("rb") as source, target.open("wb") as handle:
        shutil.copyfileobj(source, handle)
    stdout.write(f"Written to {target}")
