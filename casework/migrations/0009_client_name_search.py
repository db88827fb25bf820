# Trigram indexes for the client search (docs/PERFORMANCE.md), on PostgreSQL only.
#
# The search matches words anywhere in a client's names with macrons folded
# (`casework.selectors.clients.client_search`): `UPPER(<folded name>) LIKE '%WORD%'`,
# which no b-tree serves; without these PostgreSQL read every client of the country.
# Each index is on exactly the expression Django writes for that lookup, which is
# what lets PostgreSQL use it. SQLite (the demo) has no such index and needs none.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from core.nz.text import MACRON_VOWELS

NAMES = ("legal_given_names", "legal_family_name", "preferred_name")


def _folded_upper(column: str) -> str:
    expression = f'"{column}"'
    for macron, plain in MACRON_VOWELS.items():
        expression = f"REPLACE({expression}, '{macron}', '{plain}')"
    return f"UPPER(({expression})::text)"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAMES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS client_search_{column} ON casework_client "
            f"USING gin ({_folded_upper(column)} gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS client_search_{column}")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0008_client_name_order_desc"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
