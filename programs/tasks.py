"""Celery tasks of programs: periodic housekeeping, run from beat."""

from celery import shared_task

from programs.idempotency import idempotency_keys_purge


@shared_task(name="programs.purge_expired_idempotency_keys")
def purge_expired_idempotency_keys() -> int:
    """Delete Idempotency-Key records past their time to live; returns how many."""
    return idempotency_keys_purge()
