"""An index for each filter of the agency audit log; the foreign keys' own indexes dropped.

`audit_agency_time` and `audit_actor_time` start with the agency and the actor, so
their single-column indexes only cost writes on the busiest table.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def reinstall_sqlite_guard(apps, schema_editor):
    """SQLite alters a column by copying the table, which leaves its triggers behind."""
    if schema_editor.connection.vendor != "sqlite":
        return
    guards = importlib.import_module("core.migrations.0002_auditevent_append_only")
    for statement in guards.SQLITE_DOWN + guards.SQLITE_UP:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_notification'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_object',
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='agency',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.agency'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['agency', 'action', '-occurred_at'], name='audit_agency_action_time'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['object_id', 'object_type'], name='audit_object_id'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('actor_username', ''), _negated=True), fields=['actor_username', '-occurred_at'], name='audit_username_time'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('request_id', ''), _negated=True), fields=['request_id'], name='audit_request'),
        ),
        migrations.RunPython(reinstall_sqlite_guard, migrations.RunPython.noop),
    ]
