"""FigureTotal's lookups: one covering index on PostgreSQL.

The roll-up reads its children's yearly sums from FigureTotal, thousands of rows scattered over the
table. With the value in the unique index (INCLUDE, PostgreSQL only), it reads them from the index
alone. The unique constraint keeps its name and key columns, so ON CONFLICT and Django's view of it
are unchanged; the federation's own index is redundant with the constraint's leading column.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "activities_figuretotal"
KEY = "(federation_id, year, indicator_id, month)"


def cover_value(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} DROP CONSTRAINT activities_total_unique, "
            f"ADD CONSTRAINT activities_total_unique UNIQUE {KEY} INCLUDE (value)"
        )


def uncover_value(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} DROP CONSTRAINT activities_total_unique, "
            f"ADD CONSTRAINT activities_total_unique UNIQUE {KEY}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_calendar_and_overdue_indexes"),
        ("fedwork", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="figuretotal",
            name="federation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="fedwork.federation",
            ),
        ),
        migrations.RunPython(cover_value, uncover_value, elidable=False),
    ]
