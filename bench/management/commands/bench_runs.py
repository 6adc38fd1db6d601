"""manage.py bench_runs A.json B.json …: the median of each figure over bench runs (bench/runs.py)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.runs import RunError, combine, render


class Command(BaseCommand):
    help = (
        "Print the median of every figure over several `bench --json` runs (made on separate days of a "
        "freshly generated database), each run's value beside it, as a Markdown table."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="JSON files written by bench --json")
        parser.add_argument("--json", dest="json_file", type=Path, help="also write the table as JSON")

    def handle(self, *args, files, json_file, **options):
        runs = []
        for path in files:
            try:
                runs.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, RecursionError) as error:
                raise CommandError(f"{path}: {error}") from error
            if not isinstance(runs[-1], dict):
                raise CommandError(f"{path}: not a bench run (a JSON object written by bench --json)")
            if not isinstance(runs[-1].get("scale"), str | None):
                raise CommandError(f"{path}: its scale is not a name: {runs[-1]['scale']!r}")
        scales = {run.get("scale") for run in runs}
        if len(scales) > 1:
            raise CommandError(f"the runs are of different scales: {', '.join(sorted(map(str, scales)))}")
        try:
            combined = combine(runs, [path.name for path in files])
        except RunError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(render(combined))
        if json_file:
            try:
                json_file.write_text(json.dumps(combined, ensure_ascii=False, indent=2), encoding="utf-8")
            except OSError as error:
                raise CommandError(f"{json_file}: {error}") from error
