"""The benchmark's one table, plain text and aligned: each figure as median (min–max) over the runs."""

from __future__ import annotations

from . import COMPLETENESS_LEVELS, GOALS, LEVELS, ROLLUP_MS_GOAL


def _num(value, places: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value >= 1000:
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{places}f}"


def _spread(stat: dict, unit: str, places: int = 2) -> tuple[str, str, str]:
    return (
        f"{_num(stat['median'], places)} {unit}",
        f"{_num(stat['min'], places)}–{_num(stat['max'], places)} {unit}",
        str(stat["n"]),
    )


def _met(goals: dict, *names: str) -> str:
    found = [goals[name]["met"] for name in names if name in goals and goals[name]["met"] is not None]
    if not found:
        return ""
    return "yes" if all(found) else "NO"


def render(results: dict) -> str:
    goals = results.get("goals", {})
    scale = results["scale"]
    rows: list[tuple[str, ...]] = [("measure", "median", "min–max", "n", "detail", "goal", "met")]
    rollup_goal = f"<= {ROLLUP_MS_GOAL[scale]} ms, <= {GOALS['rollup_queries']} q"
    for level in LEVELS:
        entry = results["rollup"][level]
        ok = entry["ms"]["median"] <= ROLLUP_MS_GOAL[scale] and entry["queries"] <= GOALS["rollup_queries"]
        rows.append(
            (
                f"rollup {level} ({entry['code']})",
                *_spread(entry["ms"], "ms"),
                f"{entry['queries']} queries, {entry['targets']} targets, {entry['children']} children",
                rollup_goal,
                "yes" if ok else "NO",
            )
        )
    limit = results.get("limit") or {}
    for level in LEVELS:
        entry = limit.get(level)
        if not entry:
            continue
        ratio = entry["ratio"]
        rows.append(
            (
                f"limit {level} ({entry['code']})",
                *_spread(entry["ms"], "ms"),
                f"ratio {_num(ratio, 1)}x (limit / roll-up); "
                + ("same numbers" if entry["matches"] else f"{entry['mismatches']} MISMATCHES")
                + f" ({entry['checked']} values)",
                f">= {GOALS['limit_ratio']}x" if level == LEVELS[0] else "(reported)",
                ("yes" if ratio is not None and ratio >= GOALS["limit_ratio"] else "NO")
                if level == LEVELS[0]
                else ("same numbers" if entry["matches"] else "NO: MISMATCH"),
            )
        )
    write = results.get("write")
    if write:
        rows.append(
            (
                f"write path ({write['federation']})",
                *_spread(write["ms"], "ms"),
                f"{write['queries']} queries, {write['figures']} figures; "
                + (
                    f"in all {write['ancestors_checked']} totals on the next read"
                    if write["visible_in_ancestors"]
                    else "NOT in every ancestor's totals"
                ),
                f"<= {GOALS['write_ms']} ms",
                _met(goals, "write_ms", "write_visible_in_ancestors"),
            )
        )
    reports = results.get("submissions")
    if reports:
        for level in COMPLETENESS_LEVELS:
            entry = reports[f"completeness_{level}"]
            rows.append(
                (
                    f"completeness {level} ({entry['code']})",
                    *_spread(entry["ms"], "ms"),
                    f"{entry['queries']} queries; {reports['period']}: "
                    f"{entry['submitted']}/{entry['expected']} reported, {entry['on_time']} on time, "
                    f"{entry['approved']} approved, {entry['returned']} returned",
                    f"<= {GOALS['completeness_ms']} ms",
                    "yes" if entry["ms"]["median"] <= GOALS["completeness_ms"] else "NO",
                )
            )
        entry = reports["submit"]
        rows.append(
            (
                f"submit month ({entry['federation']} {entry['period']})",
                *_spread(entry["ms"], "ms"),
                f"{entry['queries']} queries; {entry['figures']} figures in {entry['activities']} activities",
                f"<= {GOALS['submit_ms']} ms",
                _met(goals, "submit_ms"),
            )
        )
    for name, entry in (results.get("export") or {}).items():
        rows.append(
            (
                f"export {name} ({entry['code']})",
                *_spread(entry["s"], "s"),
                f"peak {_num(entry['peak_mb'], 1)} MB; writing {_num(entry['write_s']['median'], 3)} s vs "
                f"bare openpyxl {_num(entry['bare_s']['median'], 3)} s "
                f"(peak {_num(entry['bare_peak_mb'], 1)} MB)"
                f" -> ratio {_num(entry['ratio'])} (whole export / bare {_num(entry['total_ratio'], 1)}); "
                f"{entry['rows']:,} rows",
                f"<= {GOALS['export_province_s']} s, <= {GOALS['export_province_peak_mb']} MB, "
                f"<= {GOALS['export_province_ratio']}x"
                if name == "province"
                else "",
                _met(goals, "export_province_s", "export_province_peak_mb", "export_province_ratio")
                if name == "province"
                else "",
            )
        )
    imported = results.get("import")
    if imported:
        rows.append(
            (
                f"import {imported['rows']:,} rows",
                *_spread(imported["s"], "s"),
                f"{_num(imported['rows_per_s'], 0)} rows/s",
                f">= {GOALS['import_rows_per_s']:,} rows/s",
                _met(goals, "import_rows_per_s"),
            )
        )
    http = results.get("http")
    if http:
        rows.append(
            (
                f"http {http['users']} users {http['seconds']} s",
                f"{_num(http['rps'], 1)} req/s",
                "",
                str(http["requests"]),
                f"p50 {_num(http['p50_ms'], 0)} ms, p95 {_num(http['p95_ms'], 0)} ms, "
                f"p99 {_num(http['p99_ms'], 0)} ms, {http['errors']} errors",
                f">= {GOALS['http_rps']} req/s, p99 <= {GOALS['http_p99_ms']} ms, 0 errors",
                _met(goals, "http_rps", "http_p99_ms", "http_errors"),
            )
        )
        for name, entry in http["endpoints"].items():
            rows.append(
                (
                    f"  {name}",
                    f"{_num(entry['rps'], 1)} req/s",
                    "",
                    str(entry["requests"]),
                    f"p50 {_num(entry['p50_ms'], 0)} ms, p95 {_num(entry['p95_ms'], 0)} ms, "
                    f"p99 {_num(entry['p99_ms'], 0)} ms, {entry['errors']} errors",
                    "",
                    "",
                )
            )
    elif "http" in results:
        rows.append(("http", "skipped", "", "", "--skip-http", "", ""))

    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if i in (1, 2, 3) else cell.ljust(widths[i]) for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))

    header = [
        f"fedwork bench — scale {scale}: {results['federations']:,} federations, {results['activities']:,} "
        f"activities, {results['figures']:,} figures, {results['figure_totals']:,} total rows; "
        f"{results['database']}; year {results['year']}, as of {results['as_of']}",
        f"divisions: {results['divisions']}; {results['plans']:,} plans, {results['targets']:,} targets "
        f"({results['plans_note']})",
        "each figure: median (min–max) over n runs after a warm-up (exports and imports: no warm-up, at most "
        "3 runs, fewer once they have taken 2 minutes)",
        "machine load average (1/5/15 min) after each phase: "
        + "; ".join("/".join(str(x) for x in load) for load in results.get("load_average", [])),
        "",
    ]
    footer = [""]
    consistency = results.get("consistency")
    if consistency:
        footer.append(
            f"totals check: differences({consistency['subtree']}) = {consistency['differences']}; "
            "nation total "
            + (
                "= sum of raw figures"
                if consistency["nation_matches_raw"]
                else "!= sum of raw figures (WRONG)"
            )
        )
    if limit:
        footer.append(f"limit: {limit.get('driver')}, with indexes: " + "; ".join(limit.get("indexes", [])))
    if reports:
        generated = reports.get("generated") or {}
        footer.append(
            f"reports: {generated.get('submissions', 0):,} generated monthly reports (bulk-written); "
            f"submit: {reports['submit']['note']}"
        )
    if imported:
        footer.append(f"import: {imported['note']}")
    if http:
        footer.append(
            f"http: gunicorn {http['workers']} workers, DEBUG off; {http.get('tool', 'locust')}, "
            f"{http['users']} users, think time "
            f"{http['think_time_s'][0]}–{http['think_time_s'][1]} s, already logged in; "
            f"cache {http.get('cache', 'locmemcache://')}"
        )
        cpu = http.get("cpu_ms_per_request")
        if cpu:
            footer.append(f"http: CPU per request: app {cpu['app']} ms, whole machine {cpu['machine']} ms")
        for failure in http.get("failures") or []:
            footer.append(f"  failure: {failure}")
    missed = [name for name, goal in goals.items() if goal["met"] is False]
    footer.append("goals missed: " + (", ".join(missed) if missed else "none"))
    return "\n".join(header + lines + footer) + "\n"
