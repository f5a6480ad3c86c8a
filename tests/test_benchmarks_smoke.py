"""Smoke tests of the benchmarks in benchmarks/: they run, print what they promise, and
teamkit's plan passes the checker on a small roster."""

from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHMARKS = os.path.join(ROOT, "benchmarks")
if BENCHMARKS not in sys.path:
    sys.path.insert(0, BENCHMARKS)

import common  # noqa: E402
import plain_cpsat  # noqa: E402

REQUIRED = {
    "instance",
    "seed",
    "time_limit",
    "objective",
    "seconds",
    "verified",
    "solver",
    "status",
    "hard_violations",
    "age_range",
    "peak_mib",
}


def test_scale_json_lines() -> None:
    proc = subprocess.run(
        [sys.executable, os.path.join(BENCHMARKS, "scale.py"), "--n", "100", "--time-limit", "3", "--json"],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    assert [r["solver"] for r in records] == ["teamkit", "plain-cpsat"]
    for r in records:
        assert REQUIRED <= set(r), f"missing keys {REQUIRED - set(r)} in {r}"
        assert r["instance"] == "roster-n100-k1-t10-seed2025"
        assert r["seed"] == 2025
        assert r["time_limit"] == 3.0
        assert r["seconds"] is not None and r["seconds"] >= 0
    teamkit_run, baseline_run = records
    assert teamkit_run["verified"] is True, teamkit_run
    assert teamkit_run["hard_violations"] == 0
    assert teamkit_run["age_range"] is not None and teamkit_run["age_range"] >= 0
    assert teamkit_run["peak_mib"] > 0
    assert baseline_run["status"] in {"optimal", "feasible", "infeasible", "unknown"}
    if baseline_run["status"] in {"optimal", "feasible"}:
        # The plain model encodes every hard rule, so whatever plan it returns must verify.
        assert baseline_run["verified"] is True, baseline_run


def test_roster_problem_layout() -> None:
    problem = common.roster_problem(305, seed=7, sessions=2)
    assert problem.num_participants == 305
    assert [s.id for s in problem.sessions] == ["s1", "s2"]
    layout = problem.layout(0)
    assert layout.num_teams == 30 and set(layout.sizes) == {(10, 11)}
    ages = [p.get("age") for p in problem.participants]
    assert all(isinstance(a, int) for a in ages)
    assert all(p.get("district") is None or p.get("district") != "" for p in problem.participants)
    assert [c.hard for c in problem.constraints] == [True, True, True, True, True, False]


def test_plain_size_guard_and_fixed_sizes(monkeypatch) -> None:
    assert plain_cpsat.fixed_sizes(((10, 11),) * 30, 305) == [11] * 5 + [10] * 25
    assert plain_cpsat.fixed_sizes(((2, 3), (4, 6)), 8) == [3, 5]
    problem = common.roster_problem(100)
    assert plain_cpsat.count_booleans(problem) == 100 * 10
    monkeypatch.setattr(plain_cpsat, "MAX_BOOLEANS", 999)
    assert plain_cpsat.solve_plain(problem, time_limit=1.0) == (None, "too large", 0.0)


def test_table_alignment() -> None:
    rows = [{"n": 300, "solver": "teamkit", "s": 1.5}, {"n": 20000, "solver": "plain-cpsat", "s": None}]
    text = common.format_table(rows, [("n", "n"), ("solver", "solver"), ("s", "seconds")])
    lines = text.splitlines()
    assert lines[0].split() == ["n", "solver", "seconds"]
    assert lines[2].startswith("  300  teamkit") and lines[2].endswith("1.50")
    assert lines[3].startswith("20000  plain-cpsat") and lines[3].endswith("-")
