"""A finer histogram of fedwork_federation.path on PostgreSQL (issue #18).

PostgreSQL estimates a subtree's size (``path LIKE '00/43/4301/430102/%'``) from the histogram of
path: with the default 100 buckets over the nation's 665,277 federations each bucket holds ~6,700
paths, so a county of 135–533 federations is estimated anywhere up to ~6,700 depending on where
ANALYZE's sample put the bucket bounds. 1,000 buckets (~670 paths each) bring every estimate within
a county's size, for the joins on the path that remain (city and up, the admin). The pages of a
county and below no longer depend on it (Federation.objects.subtree_q filters them by ids).
Nothing to do on SQLite.

Measured on a ``bench --scale province`` database (31,692 federations; /tmp throwaway script
comparing EXPLAIN's estimate of ``path LIKE '<path>%'`` with the count, for the 14 cities and 134
counties, after ANALYZE): error factor median 1.53, p99 82, worst 88 at the default target;
median 1.04, p99 3.0, worst 6.3 at 1,000.
"""

from django.db import migrations

PATH_STATISTICS = 1000


def _set_statistics(target: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"ALTER TABLE fedwork_federation ALTER COLUMN path SET STATISTICS {int(target)}"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("fedwork", "0003_user_work_year"),
    ]

    operations = [
        # -1: the server's default_statistics_target again.
        migrations.RunPython(_set_statistics(PATH_STATISTICS), _set_statistics(-1)),
    ]
