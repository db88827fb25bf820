"""Make aid decisions immutable in the database: the facts a decision relied on stay frozen."""

from django.db import migrations

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION programs_aiddecision_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'aid decisions are immutable';
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER programs_aiddecision_no_update BEFORE UPDATE ON programs_aiddecision
    FOR EACH ROW EXECUTE FUNCTION programs_aiddecision_refuse_change()""",
    """CREATE TRIGGER programs_aiddecision_no_delete BEFORE DELETE ON programs_aiddecision
    FOR EACH ROW EXECUTE FUNCTION programs_aiddecision_refuse_change()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS programs_aiddecision_no_update ON programs_aiddecision",
    "DROP TRIGGER IF EXISTS programs_aiddecision_no_delete ON programs_aiddecision",
    "DROP FUNCTION IF EXISTS programs_aiddecision_refuse_change()",
]
# SQLite guards updates only: Django's test flush empties tables with DELETE there.
SQLITE_UP = [
    """CREATE TRIGGER programs_aiddecision_no_update BEFORE UPDATE ON programs_aiddecision
    BEGIN
        SELECT RAISE(ABORT, 'aid decisions are immutable');
    END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS programs_aiddecision_no_update"]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def install_guards(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP})


def remove_guards(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(install_guards, remove_guards)]
