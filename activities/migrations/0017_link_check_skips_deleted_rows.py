"""On PostgreSQL, the deferred check that a link names an existing activity (0016's
activities_activity_exists, on the two many-to-many tables and evidence_attachment) looks at the
link row as it is at commit, not as it was inserted.

PostgreSQL fires a deferred constraint trigger at commit for every row inserted or updated in the
transaction, even one deleted since (its own foreign keys skip such rows): a link inserted and then
deleted with its activity in one transaction — an activity saved with a work point and deleted —
failed the commit with "no such activity". Now a row that is gone passes, and a row whose activity_id
changed again is checked with its current value. SQLite: nothing to do.
"""

from django.db import migrations

CHECKS_CURRENT_ROW = """
CREATE OR REPLACE FUNCTION activities_activity_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    current_activity bigint;
BEGIN
    -- The row as it is now: none when it has been deleted since.
    EXECUTE format('SELECT activity_id FROM %I WHERE id = $1', TG_TABLE_NAME)
        INTO current_activity USING NEW.id;
    IF current_activity IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM activities_activity WHERE id = current_activity) THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            '%s.activity_id = %s: no such activity', TG_TABLE_NAME, current_activity);
    END IF;
    RETURN NULL;
END $$;
"""

CHECKS_INSERTED_ROW = """
CREATE OR REPLACE FUNCTION activities_activity_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.activity_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM activities_activity WHERE id = NEW.activity_id) THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            '%s.activity_id = %s: no such activity', TG_TABLE_NAME, NEW.activity_id);
    END IF;
    RETURN NULL;
END $$;
"""


def _replace(body: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regproc('activities_activity_exists')")
            if cursor.fetchone()[0] is not None:
                cursor.execute(body)

    return run


class Migration(migrations.Migration):
    dependencies = [("activities", "0016_year_partitions")]

    operations = [
        migrations.RunPython(_replace(CHECKS_CURRENT_ROW), _replace(CHECKS_INSERTED_ROW), elidable=False)
    ]
