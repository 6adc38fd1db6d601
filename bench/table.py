"""The benchmark's tables, plain text and aligned: each figure with its spread, its goal, whether it is
met, and the machine's load while it was measured; then the goals missed and the limit's plans."""

from __future__ import annotations

from . import COMPLETENESS_LEVELS, GOALS, LEVELS
from .pages import PAGE_LEVELS, PAGES


def _num(value, places: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value >= 1000:
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{places}f}"


def _met(goals: dict, *names: str) -> str:
    found = [goals[name]["met"] for name in names if name in goals and goals[name]["met"] is not None]
    if not found:
        return ""
    return "yes" if all(found) else "NO"


def _load(results: dict, phase: str) -> str:
    entry = (results.get("load") or {}).get(phase)
    if not entry:
        return ""
    after = entry.get("after")
    return f"{entry['before'][0]:.2f}→{after[0]:.2f}" if after else f"{entry['before'][0]:.2f}→"


def _aligned(rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def _page_rows(results: dict) -> list[str]:
    pages = results.get("pages")
    if not pages:
        return []
    within = f"p50 <= {GOALS['page_p50_ms']}, p99 <= {GOALS['page_p99_ms']} ms"
    rows = [("level", "page", "code", "median ms", "p99 ms", "min–max ms", "n", "cpu ms", "queries", "met")]
    for level in PAGE_LEVELS:
        for page in PAGES:
            entry = (pages.get(level) or {}).get(page)
            if entry is None:
                continue
            if entry["status"] != "ok":
                rows.append(
                    (level, page, entry["code"], entry["status"], "", "", "", "", str(entry["queries"]), "NO")
                )
                continue
            ms, cpu = entry["ms"], entry["cpu_ms"]
            ok = ms["median"] <= GOALS["page_p50_ms"] and ms["p99"] <= GOALS["page_p99_ms"]
            rows.append(
                (
                    level,
                    page,
                    entry["code"],
                    _num(ms["median"]),
                    _num(ms["p99"]),
                    f"{_num(ms['min'])}–{_num(ms['max'])}",
                    str(ms["n"]),
                    _num(cpu["median"]),
                    str(entry["queries"]),
                    "yes" if ok else "NO",
                )
            )
    urls = sorted({f"{page} {entry['url']}" for level in pages.values() for page, entry in level.items()})
    return [
        f"PAGES — server time through Django's whole stack (test client, logged in, DEBUG off), after a "
        f"fresh ANALYZE; goal {within}; cpu = the worker's process time (PostgreSQL's not in it); load "
        f"(1 min) {_load(results, 'pages')}",
        *_aligned(rows, {3, 4, 5, 6, 7, 8}),
        "urls (the calendar and the form are the logged-in person's own federation's): " + "; ".join(urls),
        "",
    ]


def _random_rows(results: dict) -> list[str]:
    randoms = results.get("random")
    if not randoms:
        return []
    rows = [("federations", "page", "n", "p50 ms", "p99 ms", "worst ms", "worst", "failed", "met")]
    for name, group in randoms.items():
        for page, entry in group.items():
            ok = (
                entry["failed"] == 0
                and entry["p50_ms"] is not None
                and entry["p50_ms"] <= GOALS["page_p50_ms"]
                and entry["p99_ms"] <= GOALS["page_p99_ms"]
            )
            rows.append(
                (
                    f"random {name}",
                    page,
                    f"{entry['n']}/{entry['asked']}",
                    _num(entry["p50_ms"]),
                    _num(entry["p99_ms"]),
                    _num(entry["worst_ms"]),
                    str(entry["worst_code"] or "—"),
                    str(entry["failed"]),
                    "yes" if ok else "NO",
                )
            )
    return [
        f"RANDOM — each asked once by a leader of its own, after a fresh ANALYZE (seeded); load (1 min) "
        f"{_load(results, 'random')}",
        *_aligned(rows, {2, 3, 4, 5, 7}),
        "",
    ]


def _limit_rows(results: dict) -> list[str]:
    limit = results.get("limit") or {}
    if not any(level in limit for level in LEVELS):
        return []
    rows = [
        (
            "level",
            "code",
            "limit ms",
            "min–max ms",
            "variant",
            "API page ms",
            "ratio",
            "function ratio",
            "numbers",
        )
    ]
    for level in LEVELS:
        entry = limit.get(level)
        if not entry:
            continue
        rows.append(
            (
                level,
                entry["code"],
                _num(entry["ms"]["median"]),
                f"{_num(entry['ms']['min'])}–{_num(entry['ms']['max'])}",
                entry["variant"],
                _num(entry.get("api_ms")),
                f"{_num(entry.get('ratio'), 1)}x",
                f"{_num(entry.get('ratio_function'), 1)}x",
                f"same ({entry['checked']} values)"
                if entry["matches"]
                else f"{entry['mismatches']} MISMATCHES of {entry['checked']}",
            )
        )
    goal = GOALS["limit_ratio"]
    return [
        f"LIMIT — the best raw query on the raw figures (bench/limit.py); ratio = limit / roll-up API page "
        f"(goal at the nation >= {goal}x; lower levels reported), function ratio = limit / the roll-up "
        f"function; load (1 min) {_load(results, 'limit')}; {limit.get('driver')}",
        *_aligned(rows, {2, 3, 5, 6, 7}),
        "variants tried (ms, one warm run each): "
        + "; ".join(
            f"{level} "
            + ", ".join(f"{name} {_num(value)}" for name, value in limit[level]["variants_ms"].items())
            for level in LEVELS
            if level in limit
        ),
        "",
    ]


def _other_rows(results: dict) -> list[str]:
    goals = results.get("goals", {})
    rows: list[tuple[str, ...]] = [("measure", "median", "min–max", "n", "detail", "goal", "met", "load")]

    def spread(stat: dict, unit: str) -> tuple[str, str, str]:
        return (
            f"{_num(stat['median'])} {unit}",
            f"{_num(stat['min'])}–{_num(stat['max'])} {unit}",
            str(stat["n"]),
        )

    for level in LEVELS:
        entry = results["rollup"][level]
        rows.append(
            (
                f"rollup function {level} ({entry['code']})",
                *spread(entry["ms"], "ms"),
                f"{entry['queries']} queries, {entry['targets']} targets, {entry['children']} children",
                f"<= {GOALS['rollup_queries']} queries",
                "yes" if entry["queries"] <= GOALS["rollup_queries"] else "NO",
                _load(results, "rollup"),
            )
        )
    write = results.get("write")
    if write:
        rows.append(
            (
                f"write path ({write['federation']})",
                *spread(write["ms"], "ms"),
                f"{write['queries']} queries, {write['figures']} figures; "
                + (
                    f"in all {write['ancestors_checked']} totals on the next read"
                    if write["visible_in_ancestors"]
                    else "NOT in every ancestor's totals"
                ),
                f"<= {GOALS['write_ms']} ms",
                _met(goals, "write_ms", "write_visible_in_ancestors"),
                _load(results, "write"),
            )
        )
    reports = results.get("submissions")
    if reports:
        for level in COMPLETENESS_LEVELS:
            entry = reports[f"completeness_{level}"]
            rows.append(
                (
                    f"completeness {level} ({entry['code']})",
                    *spread(entry["ms"], "ms"),
                    f"{entry['queries']} queries; {reports['period']}: "
                    f"{entry['submitted']}/{entry['expected']} reported, {entry['on_time']} on time",
                    f"<= {GOALS['completeness_ms']} ms",
                    "yes" if entry["ms"]["median"] <= GOALS["completeness_ms"] else "NO",
                    _load(results, "submissions"),
                )
            )
        entry = reports["submit"]
        rows.append(
            (
                f"submit month ({entry['federation']} {entry['period']})",
                *spread(entry["ms"], "ms"),
                f"{entry['queries']} queries; {entry['figures']} figures in {entry['activities']} activities",
                f"<= {GOALS['submit_ms']} ms",
                _met(goals, "submit_ms"),
                _load(results, "submissions"),
            )
        )
    export = (results.get("export") or {}).get("largest_city")
    if export:
        rows.append(
            (
                f"export largest city ({export['code']})",
                *spread(export["s"], "s"),
                f"{export['activities']:,} activities; peak {_num(export['peak_mb'], 1)} MB (tracemalloc), "
                f"RSS +{_num(export['rss_mb'], 1)} MB; {export['bytes']:,} bytes",
                f"<= {GOALS['export_city_s']} s, <= {GOALS['export_city_mb']} MB",
                _met(goals, "export_city_s", "export_city_mb"),
                _load(results, "export"),
            )
        )
    imported = results.get("import")
    if imported:
        rows.append(
            (
                f"import {imported['rows']:,} rows",
                *spread(imported["s"], "s"),
                f"{_num(imported['rows_per_s'], 0)} rows/s",
                f">= {GOALS['import_rows_per_s']:,} rows/s",
                _met(goals, "import_rows_per_s"),
                _load(results, "import"),
            )
        )
    http = results.get("http")
    if http:
        cpu = http.get("cpu_ms_per_request") or {}
        rows.append(
            (
                f"http {http['users']} users {http['seconds']} s",
                f"{_num(http['rps'], 1)} req/s",
                "",
                str(http["requests"]),
                f"p50 {_num(http['p50_ms'], 0)} ms, p95 {_num(http['p95_ms'], 0)} ms, "
                f"p99 {_num(http['p99_ms'], 0)} ms, {http['errors']} errors; CPU per request "
                f"{_num(cpu.get('machine'), 1)} ms (app {_num(cpu.get('app'), 1)} ms)",
                f">= {GOALS['http_rps']} req/s, p99 <= {GOALS['http_p99_ms']} ms, 0 errors, "
                f"CPU <= {GOALS['cpu_ms_per_request']} ms",
                _met(goals, "http_rps", "http_p99_ms", "http_errors", "http_cpu_ms_per_request"),
                _load(results, "http"),
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
                    "",
                )
            )
    elif "http" in results:
        rows.append(("http", "skipped", "", "", "--skip-http", "", "", ""))
    return [
        "OTHER MEASURES (load = 1-min load average before→after the phase)",
        *_aligned(rows, {1, 2, 3}),
        "",
    ]


def render(results: dict) -> str:
    """Every section of a bench run's results as text (see bench/measure.py for the shapes)."""
    scale = results["scale"]
    load = "; ".join(
        f"{phase} {'/'.join(str(x) for x in entry['before'])} → "
        f"{'/'.join(str(x) for x in entry.get('after') or [])}"
        for phase, entry in (results.get("load") or {}).items()
    )
    header = [
        f"fedwork bench — scale {scale}: {results['federations']:,} federations, {results['activities']:,} "
        f"activities, {results['figures']:,} figures, {results['figure_totals']:,} total rows; "
        f"{results['database']}; {results.get('cores', '?')} cores; year {results['year']}, as of "
        f"{results['as_of']}",
        f"divisions: {results['divisions']}; {results['plans']:,} plans, {results['targets']:,} targets "
        f"({results['plans_note']})",
        "each figure: median (min–max) over n runs after a warm-up (exports and imports: no warm-up, at most "
        "3 runs, fewer once they have taken 2 minutes)",
        f"machine load average (1/5/15 min) before → after each phase: {load}",
        "",
    ]
    body = _page_rows(results) + _random_rows(results) + _limit_rows(results) + _other_rows(results)
    footer = []
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
    reports = results.get("submissions")
    if reports:
        generated = reports.get("generated") or {}
        footer.append(
            f"reports: {generated.get('submissions', 0):,} generated monthly reports (bulk-written); "
            f"submit: {reports['submit']['note']}"
        )
    imported = results.get("import")
    if imported:
        footer.append(f"import: {imported['note']}")
    http = results.get("http")
    if http:
        footer.append(
            f"http: gunicorn {http['workers']} workers, DEBUG off; {http.get('tool', 'locust')}, "
            f"{http['users']} users, think time "
            f"{http['think_time_s'][0]}–{http['think_time_s'][1]} s, already logged in; "
            f"cache {http.get('cache', 'locmemcache://')}"
        )
        for failure in http.get("failures") or []:
            footer.append(f"  failure: {failure}")
    goals = results.get("goals", {})
    missed = [
        f"{name} ({goal['value']} against {goal['goal']})"
        for name, goal in goals.items()
        if goal["met"] is False
    ]
    footer.append("GOALS MISSED: " + ("; ".join(missed) if missed else "none"))
    for entry in (results.get("pages") or {}).values():
        for page, found in entry.items():
            if found["status"] != "ok":
                footer.append(f"  page failed: {found['code']} {page} {found['url']}: {found['status']}")
    for name, group in (results.get("random") or {}).items():
        for page, found in group.items():
            for failure in found["failures"]:
                footer.append(f"  random {name} {page} failed: {failure}")
    limit = results.get("limit") or {}
    plans = limit.get("plan") or {}
    if plans:
        footer.append("")
        footer.append(
            "LIMIT TABLE (built by the bench, dropped after): " + ";\n".join(limit.get("statements", []))
        )
        footer.append(
            "LIMIT PLANS (the chosen variant's query and its EXPLAIN (ANALYZE, BUFFERS) per level):"
        )
        for level in LEVELS:
            if level in plans:
                footer.append(f"--- {level} ({limit[level]['code']}, {limit[level]['variant']})")
                footer.append(plans[level])
    return "\n".join(header + body + footer) + "\n"
