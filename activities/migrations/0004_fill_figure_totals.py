"""Fill the roll-up totals from the figures already recorded before they existed."""

from collections import defaultdict

from django.db import migrations


def fill(apps, schema_editor):
    Figure = apps.get_model("activities", "Figure")
    FigureTotal = apps.get_model("activities", "FigureTotal")
    Federation = apps.get_model("fedwork", "Federation")
    ids = dict(Federation.objects.values_list("code", "pk"))
    rows = defaultdict(int)
    figures = Figure.objects.filter(activity__status="done").values_list(
        "activity__federation__path", "activity__year", "activity__calendar_day", "activity__planned_month",
        "indicator_id", "value",
    )
    for path, year, day, planned_month, indicator_id, value in figures.iterator():
        month = day.month if day and day.year == year else planned_month
        if month is None:
            continue
        for code in path.strip("/").split("/"):
            rows[(ids[code], year, month, indicator_id)] += value
    FigureTotal.objects.bulk_create(
        [FigureTotal(federation_id=f, year=y, month=m, indicator_id=i, value=v) for (f, y, m, i), v in rows.items()],
        batch_size=5000,
    )


def empty(apps, schema_editor):
    apps.get_model("activities", "FigureTotal").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_figure_totals"), ("fedwork", "0001_initial")]
    operations = [migrations.RunPython(fill, empty)]
