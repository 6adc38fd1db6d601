"""Figure.year: the activity's year on each figure (and its history rows), so that on PostgreSQL
figures can be partitioned by year and keep a foreign key to a year-partitioned activities table
(migration 0016). Added empty, filled from the activities, then required."""

from django.db import migrations, models

FILL_FIGURES = """
UPDATE activities_figure SET year = (
    SELECT a.year FROM activities_activity a WHERE a.id = activities_figure.activity_id
)
"""
# A history row may outlive its activity: then the activity's last history row gives the year, and
# failing that (rows written before the activity's history existed) the year the row was written.
FILL_HISTORY = """
UPDATE activities_historicalfigure SET year = COALESCE(
    (SELECT a.year FROM activities_activity a WHERE a.id = activities_historicalfigure.activity_id),
    (SELECT h.year FROM activities_historicalactivity h
     WHERE h.id = activities_historicalfigure.activity_id ORDER BY h.history_id DESC LIMIT 1),
    CAST(strftime('%Y', activities_historicalfigure.history_date) AS integer)
)
"""


def fill_year(apps, schema_editor):
    history = FILL_HISTORY
    if schema_editor.connection.vendor == "postgresql":
        history = history.replace(
            "CAST(strftime('%Y', activities_historicalfigure.history_date) AS integer)",
            "CAST(EXTRACT(YEAR FROM activities_historicalfigure.history_date) AS integer)",
        )
    schema_editor.execute(FILL_FIGURES)
    schema_editor.execute(history)


class Migration(migrations.Migration):
    dependencies = [("activities", "0014_activity_count")]

    operations = [
        migrations.AddField(
            model_name="figure",
            name="year",
            field=models.PositiveSmallIntegerField(editable=False, null=True, verbose_name="年度"),
        ),
        migrations.AddField(
            model_name="historicalfigure",
            name="year",
            field=models.PositiveSmallIntegerField(editable=False, null=True, verbose_name="年度"),
        ),
        migrations.RunPython(fill_year, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="figure",
            name="year",
            field=models.PositiveSmallIntegerField(editable=False, verbose_name="年度"),
        ),
        migrations.AlterField(
            model_name="historicalfigure",
            name="year",
            field=models.PositiveSmallIntegerField(editable=False, verbose_name="年度"),
        ),
    ]
