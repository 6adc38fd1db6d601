"""FigureTotal is updated on every write (its rows for each ancestor) and read with index-only scans
(migration 0007): on PostgreSQL, vacuum it after 1 % of its rows changed instead of the default 20 %,
so the visibility map those scans rely on stays fresh and the old row versions go early."""

from django.db import migrations

TABLE = "activities_figuretotal"


def vacuum_often(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} SET (autovacuum_vacuum_scale_factor = 0.01, "
            "autovacuum_analyze_scale_factor = 0.02)"
        )


def vacuum_by_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0008_planned_day_index")]

    operations = [migrations.RunPython(vacuum_often, vacuum_by_default, elidable=False)]
