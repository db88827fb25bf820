"""Expired Idempotency-Key records are purged on a schedule; live ones stay."""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from programs.models import IdempotencyKey
from programs.tasks import purge_expired_idempotency_keys


def _key(actor, key, *, expires_in):
    now = timezone.now()
    return IdempotencyKey.objects.create(
        actor=actor,
        key=key,
        method="POST",
        path="/api/v1/payments/",
        fingerprint="0" * 64,
        created_at=now,
        locked_at=now,
        expires_at=now + expires_in,
    )


def test_the_task_deletes_only_expired_keys(staff):
    officer = staff["north-officer"]
    _key(officer, "old", expires_in=timedelta(minutes=-1))
    live = _key(officer, "live", expires_in=timedelta(hours=1))

    assert purge_expired_idempotency_keys.delay().get() == 1

    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [live.pk]


def test_the_command_does_the_same_for_cron(staff, capsys):
    _key(staff["north-officer"], "old", expires_in=timedelta(seconds=-5))

    call_command("purge_idempotency_keys")

    assert not IdempotencyKey.objects.exists()
    assert "Deleted 1 expired" in capsys.readouterr().out


def test_beat_runs_the_purge():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-idempotency-keys"]

    assert entry["task"] == purge_expired_idempotency_keys.name
    assert entry["schedule"] > 0
