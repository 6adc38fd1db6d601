"""`manage.py bench --scale small` runs end to end: every page at every level answered 200 and was
timed, the random federations, the limit with its plan and equal numbers, the load figures (no time
limits asserted).

The command creates, migrates and drops a database of its own (a temporary SQLite file on SQLite, a
``fedwork_bench_small`` database on the PostgreSQL server of DATABASE_URL), so the test needs no
database fixture and never touches the test database.
"""

from __future__ import annotations

import json
from io import StringIO
from numbers import Number

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bench import LEVELS
from bench.pages import PAGE_LEVELS, PAGES
from bench.runs import combine


def _number(value) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def _spread(entry: dict) -> None:
    assert all(_number(entry[key]) for key in ("median", "min", "max")), entry
    assert entry["min"] <= entry["median"] <= entry["max"]
    assert entry["n"] >= 1


def test_bench_small_runs_and_its_figures_parse(tmp_path):
    output = tmp_path / "bench.json"
    stdout = StringIO()
    call_command(
        "bench",
        "--scale",
        "small",
        "--json",
        str(output),
        "--repeat",
        "2",
        "--load-seconds",
        "3",
        stdout=stdout,
    )
    figures = json.loads(output.read_text())

    assert figures["scale"] == "small"
    assert figures["federations"] > 100 and figures["figures"] > 0 and figures["activities"] > 0
    assert figures["consistency"]["differences"] == 0
    assert figures["consistency"]["nation_matches_raw"] is True

    for level in LEVELS:
        rollup = figures["rollup"][level]
        _spread(rollup["ms"])
        assert isinstance(rollup["queries"], int) and rollup["queries"] > 0
        assert rollup["targets"] > 0

        limit = figures["limit"][level]
        _spread(limit["ms"])
        assert _number(limit["ratio"]) and _number(limit["ratio_function"])
        assert limit["variant"] in limit["variants_ms"]
        # The best raw query computes exactly the roll-up's numbers, and its plan is kept.
        assert limit["matches"] is True, limit["examples"]
        assert limit["checked"] > 0
        plan = figures["limit"]["plan"][level]
        assert "bench_limit_figure" in plan
        # The covering index serves it (SQLite's EXPLAIN QUERY PLAN or PostgreSQL's EXPLAIN ANALYZE).
        assert "bench_limit_figure_cover" in plan or "Seq Scan" in plan, plan

    # Every page at every level, each a 200 and timed.
    sample = figures["sample"]
    for level in PAGE_LEVELS:
        for page in PAGES:
            entry = figures["pages"][level][page]
            assert entry["status"] == "ok", (level, page, entry)
            assert entry["code"] == sample[level]
            _spread(entry["ms"])
            _spread(entry["cpu_ms"])
            assert entry["ms"]["min"] <= entry["ms"]["p99"] <= entry["ms"]["max"]
            assert entry["queries"] > 0 and entry["bytes"] > 0
    assert figures["pages"]["county"]["api"]["url"] == f"/api/v1/rollup/430102/{figures['year']}/"

    # The random counties and townships: every one that exists in the small tree, none failed.
    assert figures["random"]["counties"]["dashboard"]["asked"] == 9  # 长沙市's, the small tree's city
    assert figures["random"]["townships"]["dashboard"]["asked"] > 1  # 芙蓉区's
    for name, group in figures["random"].items():
        for page in ("dashboard", "api"):
            entry = group[page]
            assert entry["failed"] == 0, (name, page, entry["failures"])
            assert entry["n"] == entry["asked"]
            assert 0 < entry["p50_ms"] <= entry["p99_ms"] <= entry["worst_ms"]
            assert entry["worst_code"]

    # The machine's load before and after every phase.
    for phase in ("generate", "rollup", "limit", "pages", "random", "write", "export", "http", "import"):
        load = figures["load"][phase]
        assert len(load["before"]) == 3 and len(load["after"]) == 3
        assert all(_number(x) and x >= 0 for x in load["before"] + load["after"])

    write = figures["write"]
    _spread(write["ms"])
    assert write["queries"] > 0
    # A figure saved is in every ancestor's totals on the next read.
    assert write["visible_in_ancestors"] is True

    reports = figures["submissions"]
    # Month 1 has ended (the reports are generated for the ended months of the current year) except
    # in January.
    month_one_ended = reports["generated"]["months"] > 0
    assert reports["generated"]["schedules"] == 1
    assert reports["generated"]["submissions"] > 0 or not month_one_ended
    for level in ("nation", "province", "county"):
        entry = reports[f"completeness_{level}"]
        _spread(entry["ms"])
        assert entry["ms"]["median"] > 0
        assert isinstance(entry["queries"], int) and entry["queries"] > 0
        assert entry["expected"] > 0
        assert 0 <= entry["submitted"] <= entry["expected"] and 0 <= entry["on_time"] <= entry["submitted"]
    # The small tree has one province; the county's townships reported for month 1 in part.
    assert reports["completeness_nation"]["expected"] == 1
    assert reports["completeness_county"]["submitted"] > 0 or not month_one_ended
    submit = reports["submit"]
    _spread(submit["ms"])
    assert submit["ms"]["median"] > 0
    assert submit["queries"] > 0
    assert submit["figures"] >= 500 and submit["activities"] > 0 and submit["indicators"] > 0
    for name in ("completeness_max_ms", "submit_ms"):
        assert _number(figures["goals"][name]["value"]) and figures["goals"][name]["value"] > 0

    export = figures["export"]["largest_city"]
    assert export["code"] == "4301" and export["activities"] > 0
    _spread(export["s"])
    assert _number(export["peak_mb"]) and export["peak_mb"] > 0
    assert export["rss_mb"] is None or _number(export["rss_mb"])
    assert export["bytes"] > 0

    assert _number(figures["import"]["rows_per_s"]) and figures["import"]["rows_per_s"] > 0
    _spread(figures["import"]["s"])

    http = figures["http"]
    assert http["requests"] > 0
    assert all(_number(http[key]) for key in ("rps", "p50_ms", "p95_ms", "p99_ms"))
    assert isinstance(http["errors"], int)
    assert {
        "GET dashboard",
        "GET calendar",
        "GET activity form",
        "POST activity form POST",
        "GET API rollup",
    } >= set(http["endpoints"])

    assert figures["goals"]
    for goal in figures["goals"].values():
        assert set(goal) == {"value", "goal", "met"}

    table = stdout.getvalue()
    for label in (
        "PAGES",
        "RANDOM",
        "LIMIT PLANS",
        "rollup function nation",
        "write path",
        "completeness nation",
        "completeness province",
        "completeness county",
        "submit month",
        "export largest city",
        "import",
        "http",
    ):
        assert label in table

    # bench_runs: the median over runs of every figure, each run's value beside it (README's figures).
    assert figures["started"] <= figures["finished"]
    write_ms = figures["write"]["ms"]["median"]
    files = [output]
    for extra in (10, 20):
        other = json.loads(output.read_text())
        other["write"]["ms"]["median"] = write_ms + extra
        files.append(tmp_path / f"run{extra}.json")
        files[-1].write_text(json.dumps(other))
    runs = [json.loads(path.read_text()) for path in files]
    rows = {(row["section"], row["what"]): row for row in combine(runs)["rows"]}
    assert rows[("write", "write path")]["values"] == [write_ms, write_ms + 10, write_ms + 20]
    assert rows[("write", "write path")]["median"] == write_ms + 10
    dashboard = figures["pages"]["county"]["dashboard"]["ms"]["median"]
    assert rows[("pages", "dashboard · county")]["median"] == dashboard
    printed = StringIO()
    call_command("bench_runs", *map(str, files), stdout=printed)
    assert (
        "| page (median ms; CPU) | nation | province | city | county | township | village |"
        in printed.getvalue()
    )
    assert "| write | write path | ms |" in printed.getvalue()
    mixed = json.loads(output.read_text())
    mixed["scale"] = "national"
    (tmp_path / "mixed.json").write_text(json.dumps(mixed))
    with pytest.raises(CommandError, match="different scales"):
        call_command("bench_runs", str(output), str(tmp_path / "mixed.json"))


@pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="the refusal is about SQLite"
)
def test_bench_refuses_sqlite_for_large_scales():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench", "--scale", "province", stdout=StringIO())


def test_wrk_summary_and_access_log_parse_into_the_http_figures(tmp_path):
    from bench.load import parse_access_log, parse_wrk

    parsed = parse_wrk(
        {
            "requests": 300,
            "duration_us": 30_000_000,
            "socket_errors": 1,
            "status_errors": 2,
            "unexpected": 2,
            "saved": 20,
            "p50_us": 12_345,
            "p95_us": 80_000,
            "p99_us": 120_500,
            "max_us": 300_000,
            "mean_us": 20_000,
            "per_name": {"dashboard": 75},
        }
    )
    assert parsed["total"] == {
        "requests": 300,
        "errors": 3,  # the wrong answers and the socket error
        "rps": 10.0,
        "p50_ms": 12.3,
        "p95_ms": 80.0,
        "p99_ms": 120.5,
        "max_ms": 300.0,
    }
    assert len(parsed["failures"]) == 2

    log = tmp_path / "access.log"
    log.write_text(
        "GET /reports/4301/ 200 10000\n"
        "GET /reports/430102/ 200 30000\n"
        "GET /reports/430102/ 302 5000\n"  # sent to the login page: an error
        "POST /activities/new/ 302 20000\n"
        "POST /activities/new/ 200 15000\n"  # the form came back: not saved
        "GET /static/app.css 200 100\n"  # not a page of the mix
        "garbage\n"
    )
    endpoints = parse_access_log(log, seconds=10)
    assert endpoints["GET dashboard"]["requests"] == 3 and endpoints["GET dashboard"]["errors"] == 1
    assert (endpoints["GET dashboard"]["p50_ms"], endpoints["GET dashboard"]["max_ms"]) == (10.0, 30.0)
    assert endpoints["POST activity form POST"]["requests"] == 2
    assert endpoints["POST activity form POST"]["errors"] == 1
    assert endpoints["GET calendar"]["requests"] == 0 and endpoints["GET calendar"]["p50_ms"] is None


def _run(write_ms, *, dashboard=None, status="ok", **extra) -> dict:
    """A minimal bench run: the write path's median and a county dashboard page."""
    page = {"status": status, "ms": {"median": dashboard}, "cpu_ms": {"median": 1.0}}
    return {
        "scale": "small",
        "write": {"ms": {"median": write_ms}},
        "pages": {"county": {"dashboard": page}},
    } | extra


def test_bench_runs_medians_skip_failed_pages_and_missing_figures(tmp_path):
    runs = [
        _run(10.0, dashboard=100.0),
        _run(30.0, dashboard=5000.0, status="HTTP 500"),
        _run(None, dashboard=300.0),
    ]
    runs.append(_run(20.0, dashboard=200.0, load={"x": {"before": "bad"}, "y": 3}))
    rows = {(row["section"], row["what"]): row for row in combine(runs)["rows"]}
    assert rows[("write", "write path")]["values"] == [10.0, 30.0, None, 20.0]
    assert rows[("write", "write path")]["median"] == 20.0
    # The failed page's 5,000 ms is no figure: the median of 100, 300 and 200.
    assert rows[("pages", "dashboard · county")]["values"] == [100.0, None, 300.0, 200.0]
    assert rows[("pages", "dashboard · county")]["median"] == 200.0
    files = []
    for number, run in enumerate(runs[:1]):
        files.append(tmp_path / f"run{number}.json")
        files[-1].write_text(json.dumps(run))
    printed = StringIO()
    call_command("bench_runs", str(files[0]), stdout=printed)  # one run is a table too
    assert "| write | write path | ms | 10 | 10 |" in printed.getvalue()


@pytest.mark.parametrize(
    "content, message",
    [
        ("[1, 2]", "not a bench run"),
        ('"run"', "not a bench run"),
        ('{"scale": ["small"]}', "its scale is not a name"),
        ("{not json", "Expecting property name"),
        ("[" * 100_000 + "]" * 100_000, "recursion"),
        (json.dumps(_run("12")), "write path: not a number: '12'"),
        (json.dumps(_run(True)), "write path: not a number: True"),
        ('{"scale": "small", "write": {"ms": {"median": NaN}}}', "write path: not a number: nan"),
        (json.dumps({"scale": "small", "pages": {"county": {"dashboard": "ok"}}}), None),
        (json.dumps({"scale": "small", "pages": ["county"], "load": {"a": None}}), None),
    ],
)
def test_bench_runs_refuses_hostile_files_with_a_clear_error(tmp_path, content, message):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(_run(10.0, dashboard=100.0)))
    bad.write_text(content)
    if message is None:  # odd shapes where figures are missing: dashes, not a traceback
        printed = StringIO()
        call_command("bench_runs", str(good), str(bad), stdout=printed)
        assert "| dashboard | — | — | — | 100 (1) | — | — |" in printed.getvalue()
        return
    with pytest.raises(CommandError, match=message):
        call_command("bench_runs", str(good), str(bad), stdout=StringIO())


def test_bench_runs_missing_file_and_unwritable_json_are_command_errors(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_run(10.0)))
    with pytest.raises(CommandError, match="No such file"):
        call_command("bench_runs", str(good), str(tmp_path / "absent.json"))
    with pytest.raises(CommandError, match="No such file"):
        call_command("bench_runs", str(good), "--json", str(tmp_path / "no" / "dir.json"), stdout=StringIO())
