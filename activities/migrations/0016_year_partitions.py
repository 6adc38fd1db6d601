"""On PostgreSQL, activities, figures, totals, coverage counts and the history of activities and
figures become tables partitioned by RANGE (year): one partition per year present, plus the current
and the next year, plus a DEFAULT partition for strays (activities.partitions, docs/scaling.md).
SQLite keeps plain tables: this migration does nothing there.

Each table is rebuilt in the migration's transaction: renamed, recreated partitioned with the same
columns, CHECK constraints and identity (its sequence continues where the old one was), filled with
INSERT … SELECT, then given back every index and constraint read from the catalogue before the
rename (the partial indexes of 0013 and the INCLUDE keys of 0007 and 0012 included), as
partitioned indexes under their old names.

PostgreSQL requires every unique key of a partitioned table to contain the partition key, so:
- the primary keys become (id, year) — (history_id, year) for history — in the database, while
  Django keeps ``id`` as the pk (ids stay unique: one sequence per table);
- activities_figure_one_per_indicator becomes (activity_id, indicator_id, year): the same rows are
  unique, since a figure's year is its activity's (Figure.year, migration 0014);
- the figures reach their activity by a composite foreign key (activity_id, year) → (id, year),
  ON DELETE CASCADE and ON UPDATE CASCADE (an activity moved to another year takes its figures);
- the three tables that point at an activity without carrying its year (the two many-to-many
  tables and evidence_attachment) lose their foreign key, which PostgreSQL cannot build on ``id``
  alone: a deferred constraint trigger refuses a row naming a missing activity, and a trigger on
  activities deletes the links and clears the attachment's activity (SET NULL) when an activity is
  deleted, as their foreign keys did. Django already does both before it deletes an activity.

Reversible: backwards, the tables are rebuilt plain with their original keys and foreign keys.
"""

from django.db import migrations
from django.utils import timezone

# (table, primary key column), in the order they are rebuilt.
TABLES = [
    ("activities_activity", "id"),
    ("activities_figure", "id"),
    ("activities_figuretotal", "id"),
    ("activities_reach", "id"),
    ("activities_historicalactivity", "history_id"),
    ("activities_historicalfigure", "history_id"),
]
# Unique constraints without the year, which the partitioned table holds with the year appended.
WIDENED = {"activities_figure_one_per_indicator"}
FIGURE_FK = "activities_figure_activity_year_fk"
# Tables whose activity_id names an activity without its year, and what deleting the activity does.
LOOSE_REFERENCES = [
    ("activities_activity_work_points", "DELETE"),
    ("activities_activity_achieves", "DELETE"),
    ("evidence_attachment", "SET NULL"),
]

REFERENCE_TRIGGERS = """
CREATE FUNCTION activities_activity_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.activity_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM activities_activity WHERE id = NEW.activity_id) THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            '%s.activity_id = %s: no such activity', TG_TABLE_NAME, NEW.activity_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION activities_activity_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- An UPDATE that changes the year moves the row to another partition as a DELETE and an
    -- INSERT: the activity still exists, and its links stay.
    IF EXISTS (SELECT 1 FROM activities_activity WHERE id = OLD.id) THEN
        RETURN NULL;
    END IF;
    DELETE FROM activities_activity_work_points WHERE activity_id = OLD.id;
    DELETE FROM activities_activity_achieves WHERE activity_id = OLD.id;
    UPDATE evidence_attachment SET activity_id = NULL WHERE activity_id = OLD.id;
    RETURN NULL;
END $$;

CREATE TRIGGER activities_activity_deleted AFTER DELETE ON activities_activity
    FOR EACH ROW EXECUTE FUNCTION activities_activity_deleted();
"""


def _rows(cursor, sql: str, params=()) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _is_partitioned(cursor, table: str) -> bool:
    return bool(_rows(cursor, "SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [table]))


def _definitions(cursor, table: str) -> dict:
    """What the rebuilt table must get back, read from the catalogue: columns, unique and foreign
    key constraints (CHECK and NOT NULL come with CREATE TABLE … LIKE), other indexes, storage
    options (on a partitioned table they live on its partitions: read from the default one)."""
    columns = [
        name
        for (name,) in _rows(
            cursor,
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [table],
        )
    ]
    constraints = _rows(
        cursor,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'x') ORDER BY contype DESC, conname",
        [table],
    )
    indexes = [
        definition
        for (definition,) in _rows(
            cursor,
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass "
            "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass) "
            "ORDER BY indexrelid",
            [table, table],
        )
    ]
    holder = f"{table}_default" if _is_partitioned(cursor, table) else table
    options = _rows(cursor, "SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [holder])[0][0] or []
    return {"columns": columns, "constraints": constraints, "indexes": indexes, "options": options}


def _rebuild(cursor, table: str, key: str, years: list[int] | None) -> None:
    """Rebuild ``table`` partitioned by year (``years``: its yearly partitions) or plain (None)."""
    found = _definitions(cursor, table)
    sequence = _rows(cursor, "SELECT pg_get_serial_sequence(%s, %s)", [table, key])[0][0]
    last_value, is_called = _rows(cursor, f"SELECT last_value, is_called FROM {sequence}")[0]
    old = f"{table}__old"
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    partition_by = " PARTITION BY RANGE (year)" if years is not None else ""
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS){partition_by}"
    )
    holders = [table]
    if years is not None:
        holders = []
        for year in years:
            cursor.execute(
                f"CREATE TABLE {table}_y{year} PARTITION OF {table} FOR VALUES FROM ({year}) TO ({year + 1})"
            )
            holders.append(f"{table}_y{year}")
        cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        holders.append(f"{table}_default")
    if found["options"]:
        for holder in holders:
            cursor.execute(f"ALTER TABLE {holder} SET ({', '.join(found['options'])})")
    columns = ", ".join(found["columns"])
    cursor.execute(f"INSERT INTO {table} ({columns}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM {old}")
    new_sequence = _rows(cursor, "SELECT pg_get_serial_sequence(%s, %s)", [table, key])[0][0]
    cursor.execute("SELECT setval(%s, %s, %s)", [new_sequence, last_value, is_called])
    cursor.execute(f"DROP TABLE {old}")
    cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {sequence.split('.')[-1]}")
    primary_key = f"{key}, year" if years is not None else key
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({primary_key})")
    for name, definition in found["constraints"]:
        if name in WIDENED:
            definition = (
                definition.replace(")", ", year)", 1)
                if years is not None
                else definition.replace(", year)", ")")
            )
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for definition in found["indexes"]:
        cursor.execute(definition)


def _years(cursor) -> list[int]:
    present = set()
    for table, _key in TABLES:
        present.update(year for (year,) in _rows(cursor, f"SELECT DISTINCT year FROM {table}"))
    this_year = timezone.localdate().year
    return sorted(present | {this_year, this_year + 1})


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        years = _years(cursor)
        for table, name in _rows(
            cursor,
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE confrelid = 'activities_activity'::regclass AND contype = 'f'",
        ):
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for table, key in TABLES:
            _rebuild(cursor, table, key, years)
        cursor.execute(
            f"ALTER TABLE activities_figure ADD CONSTRAINT {FIGURE_FK} FOREIGN KEY (activity_id, year) "
            "REFERENCES activities_activity (id, year) ON UPDATE CASCADE ON DELETE CASCADE "
            "DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(REFERENCE_TRIGGERS)
        for table, _action in LOOSE_REFERENCES:
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_activity_exists AFTER INSERT OR UPDATE OF activity_id "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION activities_activity_exists()"
            )


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, _action in LOOSE_REFERENCES:
            cursor.execute(f"DROP TRIGGER {table}_activity_exists ON {table}")
        cursor.execute("DROP TRIGGER activities_activity_deleted ON activities_activity")
        cursor.execute("DROP FUNCTION activities_activity_deleted(), activities_activity_exists()")
        cursor.execute(f"ALTER TABLE activities_figure DROP CONSTRAINT {FIGURE_FK}")
        for table, key in TABLES:
            _rebuild(cursor, table, key, None)
    activity = apps.get_model("activities", "Activity")
    references = [
        (apps.get_model("activities", "Figure"), "activity"),
        (activity.work_points.through, "activity"),
        (activity.achieves.through, "activity"),
        (apps.get_model("evidence", "Attachment"), "activity"),
    ]
    for model, field in references:
        schema_editor.execute(
            schema_editor._create_fk_sql(
                model, model._meta.get_field(field), "_fk_%(to_table)s_%(to_column)s"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0015_figure_year"),
        ("evidence", "0001_attachments"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
