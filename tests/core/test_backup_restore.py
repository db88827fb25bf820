"""Backup and restore (docs/BACKUP.md): a seeded world survives a dump and a restore intact.

Each test runs the documented commands in subprocesses against databases of
its own — never the test database — and then compares the source and the
restored copy: row counts of every model, every object-permission grant, and
what each demo user may see through the same filters the API applies.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MANAGE = str(ROOT / "manage.py")
SEED_CLIENTS = "20"

# Printed by `manage.py shell` in each database: what must survive the round trip.
INVENTORY = """
import json
from django.apps import apps
from casework import access
from casework.models import (
    CaseGroupObjectPermission, CaseUserObjectPermission,
    ClientGroupObjectPermission, ClientUserObjectPermission,
)
from core.models import AuditEvent, User
from guardian.models import GroupObjectPermission, UserObjectPermission
from rest_framework.test import APIClient

skip = {"contenttypes", "sessions", "admin"}
counts = {
    model._meta.label: model._default_manager.count()
    for model in apps.get_models()
    if model._meta.app_label not in skip
}
def user_rows(model):
    return sorted(
        [row[0], row[1], str(row[2])]
        for row in model.objects.values_list(
            "user__username", "permission__codename", "content_object_id"
        )
    )
def group_rows(model):
    return sorted(
        [row[0], row[1], str(row[2])]
        for row in model.objects.values_list(
            "group__name", "permission__codename", "content_object_id"
        )
    )
grants = {
    "client_user": user_rows(ClientUserObjectPermission),
    "client_group": group_rows(ClientGroupObjectPermission),
    "case_user": user_rows(CaseUserObjectPermission),
    "case_group": group_rows(CaseGroupObjectPermission),
    "generic_user": sorted(
        [r[0], r[1], r[2]]
        for r in UserObjectPermission.objects.values_list(
            "user__username", "permission__codename", "object_pk"
        )
    ),
    "generic_group": sorted(
        [r[0], r[1], r[2]]
        for r in GroupObjectPermission.objects.values_list(
            "group__name", "permission__codename", "object_pk"
        )
    ),
}
visibility = {}
for user in User.objects.filter(agency__isnull=False).order_by("username"):
    visibility[user.username] = {
        "clients": sorted(map(str, access.clients_visible_to(user).values_list("pk", flat=True))),
        "cases": sorted(map(str, access.cases_visible_to(user).values_list("pk", flat=True))),
        "roles": user.roles,
        "password": user.password,
    }
api = APIClient()
api.force_authenticate(User.objects.get(username="north-caseworker"))
visibility["api:north-caseworker"] = sorted(
    row["id"]
    for archived in ("false", "true")
    for row in api.get(
        "/api/v1/clients/", {"page_size": 200, "archived": archived}
    ).json()["results"]
)
last_audit = AuditEvent.objects.order_by("-id").values_list("id", "action", "object_id").first()
print("INVENTORY" + json.dumps({
    "counts": counts, "grants": grants, "visibility": visibility,
    "last_audit": list(last_audit),
}, sort_keys=True))
"""


def manage(*args, database_url, cwd, check=True):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "",
        "MEDIA_ROOT": str(cwd / "media"),
        "CONN_MAX_AGE": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, MANAGE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check:
        assert result.returncode == 0, f"{args}: {result.stderr[-3000:]}"
    return result


def inventory(database_url, cwd) -> dict:
    output = manage("shell", "-c", INVENTORY, database_url=database_url, cwd=cwd).stdout
    line = next(line for line in output.splitlines() if line.startswith("INVENTORY"))
    return json.loads(line.removeprefix("INVENTORY"))


def assert_same_world(source: dict, restored: dict) -> None:
    assert restored["counts"] == source["counts"]
    for kind, rows in source["grants"].items():
        assert restored["grants"][kind] == rows, kind
    assert restored["visibility"] == source["visibility"]
    assert restored["last_audit"] == source["last_audit"]


def seeded(database_url, cwd) -> dict:
    manage("migrate", "--noinput", database_url=database_url, cwd=cwd)
    manage("seed_demo", "--clients", SEED_CLIENTS, database_url=database_url, cwd=cwd)
    world = inventory(database_url, cwd)
    # The world is worth comparing: people, work and grants to check.
    assert world["counts"]["casework.Client"] >= int(SEED_CLIENTS)
    assert world["counts"]["core.AuditEvent"] > 0
    assert world["grants"]["client_user"]
    assert world["grants"]["case_group"]
    assert world["visibility"]["api:north-caseworker"]
    return world


def test_dumpdata_and_loaddata_restore_every_record_and_grant(tmp_path):
    source_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    backup = tmp_path / "tautoko-backup.json"
    source = seeded(source_url, tmp_path)

    # The documented procedure (docs/BACKUP.md).
    manage(
        "dumpdata",
        "--natural-foreign",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        "--exclude=admin.logentry",
        "--indent=0",
        f"--output={backup}",
        database_url=source_url,
        cwd=tmp_path,
    )
    manage("migrate", "--noinput", database_url=restored_url, cwd=tmp_path)
    manage("loaddata", str(backup), database_url=restored_url, cwd=tmp_path)

    assert_same_world(source, inventory(restored_url, tmp_path))
    # The restored log still refuses rewrites: the trigger came with `migrate`.
    rewrite = manage(
        "shell",
        "-c",
        "from django.db import connection\n"
        "connection.cursor().execute(\"UPDATE core_auditevent SET action = 'delete'\")",
        database_url=restored_url,
        cwd=tmp_path,
        check=False,
    )
    assert rewrite.returncode != 0
    assert "append-only" in rewrite.stderr


@pytest.mark.postgres
def test_pg_dump_and_pg_restore_restore_every_record_and_grant(tmp_path):
    db = settings.DATABASES["default"]
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    suffix = uuid.uuid4().hex[:8]
    source_name, restored_name = f"backup_src_{suffix}", f"backup_dst_{suffix}"
    source_url, restored_url = f"{server}/{source_name}", f"{server}/{restored_name}"
    archive = tmp_path / "tautoko.dump"
    pg = {"PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    pg["PGUSER"] = db["USER"]
    if db.get("PASSWORD"):
        pg["PGPASSWORD"] = db["PASSWORD"]
    env = {**os.environ, **pg}

    def run(*args):
        subprocess.run(args, env=env, check=True, capture_output=True, timeout=600)  # noqa: S603

    run("createdb", source_name)
    try:
        source = seeded(source_url, tmp_path)
        run("pg_dump", "--format=custom", f"--file={archive}", source_name)
        run("createdb", restored_name)
        run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}", archive)

        restored = inventory(restored_url, tmp_path)
        assert_same_world(source, restored)
        # The restored log refuses rewrites: the triggers came back with the schema.
        rewrite = subprocess.run(  # noqa: S603
            ["psql", "-d", restored_name, "-c", "UPDATE core_auditevent SET action = 'x'"],  # noqa: S607
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert "append-only" in rewrite.stderr
    finally:
        for name in (source_name, restored_name):
            subprocess.run(  # noqa: S603
                ["dropdb", "--if-exists", name],  # noqa: S607
                env=env,
                check=False,
                capture_output=True,
            )
