"""Several runs of the bench, one table: the median of each figure over runs made on different days
(the README quotes these, issue #18), each run's own figure beside it, and the machine's load.

Each run is the JSON ``bench --json FILE`` wrote; a run is itself the median of its ``--repeat``
samples. Shapes::

    combine([run, …]) -> {"runs": [{"file", "as_of", "started", "scale", "load"}],
                          "rows": [{"section", "what", "unit", "values": [float | None, …],
                                    "median": float | None}]}

``render`` prints it as a Markdown table. ``manage.py bench_runs A.json B.json`` does both.
"""

from __future__ import annotations

import math
from statistics import median

from .pages import PAGE_LEVELS, PAGES

LIMIT_LEVELS = ["nation", "province", "city", "county", "township"]


class RunError(ValueError):
    """A file that is not a bench run as ``bench --json`` writes it (manage.py bench_runs says why)."""


def _get(data: dict, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _number(row: tuple[str, str, str, object]) -> tuple[str, str, str, float | None]:
    """The row with its value checked: absent (None) or a finite number, else RunError."""
    section, what, unit, value = row
    if value is None:
        return row
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RunError(f"{section} · {what}: not a number: {value!r}")
    return row


def _rows(run: dict) -> list[tuple[str, str, str, float | None]]:
    """(section, what, unit, value) of one run, in the order the table prints them; RunError if the
    run is not a JSON object or a figure is not a number."""
    if not isinstance(run, dict):
        raise RunError(f"not a bench run (a JSON object): {type(run).__name__}")
    return [_number(row) for row in _unchecked_rows(run)]


def _unchecked_rows(run: dict) -> list[tuple[str, str, str, object]]:
    rows = []
    for page in PAGES:
        for level in PAGE_LEVELS:
            entry = _get(run, "pages", level, page)
            ok = _get(entry, "status") == "ok"
            rows.append(("pages", f"{page} · {level}", "ms", _get(entry, "ms", "median") if ok else None))
            rows.append(
                ("pages (CPU)", f"{page} · {level}", "ms", _get(entry, "cpu_ms", "median") if ok else None)
            )
    for group in ("counties", "townships"):
        for page in ("dashboard", "api"):
            for figure in ("p50_ms", "p99_ms", "worst_ms"):
                rows.append(
                    (
                        "random",
                        f"{group} {page} {figure[:-3]}",
                        "ms",
                        _get(run, "random", group, page, figure),
                    )
                )
    for level in LIMIT_LEVELS:
        rows.append(("limit", level, "ms", _get(run, "limit", level, "ms", "median")))
        rows.append(("limit ÷ API page", level, "×", _get(run, "limit", level, "ratio")))
    rows.append(("write", "write path", "ms", _get(run, "write", "ms", "median")))
    rows.append(("export", "largest city", "s", _get(run, "export", "largest_city", "s", "median")))
    rows.append(("export", "largest city, peak memory", "MB", _get(run, "export", "largest_city", "peak_mb")))
    rows.append(("import", "10,000 rows", "rows/s", _get(run, "import", "rows_per_s")))
    rows.append(("http", "throughput", "req/s", _get(run, "http", "rps")))
    rows.append(("http", "p99", "ms", _get(run, "http", "p99_ms")))
    rows.append(("http", "errors", "", _get(run, "http", "errors")))
    rows.append(("http", "app CPU per request", "ms", _get(run, "http", "cpu_ms_per_request", "app")))
    return rows


def _load_range(run: dict) -> str:
    load = run.get("load")
    loads = [
        before[0]
        for before in (_get(entry, "before") for entry in (load.values() if isinstance(load, dict) else []))
        if isinstance(before, list)
        and before
        and isinstance(before[0], int | float)
        and not isinstance(before[0], bool)
    ]
    return f"{min(loads):.2f}–{max(loads):.2f}" if loads else "—"


def combine(runs: list[dict], names: list[str] | None = None) -> dict:
    """The median over ``runs`` (bench JSON dicts) of every figure; None where no run has it."""
    names = names or [f"run {number}" for number in range(1, len(runs) + 1)]
    table = []
    for name, run in zip(names, runs, strict=True):
        try:
            table.append(_rows(run))
        except RunError as error:
            raise RunError(f"{name}: {error}") from error
    rows = []
    for index, (section, what, unit, _value) in enumerate(table[0] if table else []):
        values = [rows_of_run[index][3] for rows_of_run in table]
        present = [value for value in values if value is not None]
        rows.append(
            {
                "section": section,
                "what": what,
                "unit": unit,
                "values": values,
                "median": median(present) if present else None,
            }
        )
    return {
        "runs": [
            {
                "file": name,
                "as_of": run.get("as_of"),
                "started": run.get("started"),
                "scale": run.get("scale"),
                "load": _load_range(run),
            }
            for name, run in zip(names, runs, strict=True)
        ],
        "rows": rows,
    }


def _cell(value) -> str:
    if value is None:
        return "—"
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def render(combined: dict) -> str:
    """Markdown: the pages as a grid (page × level, the median over runs of each run's median server
    time, the worker's CPU in brackets), then every other figure with its median and each run's value."""
    runs = combined["runs"]
    by_key = {(row["section"], row["what"]): row for row in combined["rows"]}
    lines = [
        "runs: "
        + "; ".join(
            f"{run['file']} ({run['scale']}, started {run['started'] or run['as_of']}, load {run['load']})"
            for run in runs
        ),
        "",
        "| page (median ms; CPU) | " + " | ".join(PAGE_LEVELS) + " |",
        "|---|" + "---|" * len(PAGE_LEVELS),
    ]
    for page in PAGES:
        cells = []
        for level in PAGE_LEVELS:
            wall = by_key[("pages", f"{page} · {level}")]["median"]
            cpu = by_key[("pages (CPU)", f"{page} · {level}")]["median"]
            cells.append("—" if wall is None else f"{_cell(wall)} ({_cell(cpu)})")
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| section | figure | unit | median | " + " | ".join(run["file"] for run in runs) + " |",
        "|---|---|---|---|" + "---|" * len(runs),
    ]
    for row in combined["rows"]:
        if row["section"].startswith("pages"):
            continue
        values = " | ".join(_cell(value) for value in row["values"])
        lines.append(
            f"| {row['section']} | {row['what']} | {row['unit']} | {_cell(row['median'])} | {values} |"
        )
    return "\n".join(lines) + "\n"
