"""Smoke tests of the benchmarks in benchmarks/: they run, print what they promise, and
teamkit's plan passes the checker on a small roster, on small Social Golfer instances and on
a small MDGPLIB instance; plus unit tests of the plain CP-SAT baseline's meeting model and of
the lower bounds."""

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
import numpy as np  # noqa: E402
import plain_cpsat  # noqa: E402
import pytest  # noqa: E402
import scale  # noqa: E402
import sgp  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

import teamkit  # noqa: E402

from .helpers import golfers, pair_meetings  # noqa: E402

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


SGP_REQUIRED = (REQUIRED - {"hard_violations", "age_range", "peak_mib"}) | {"repeats", "lower_bound"}


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    """Runs ``benchmarks/<script> *args`` and checks that it succeeded."""
    proc = subprocess.run(
        [sys.executable, os.path.join(BENCHMARKS, script), *args],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def _json_records(script: str, *args: str) -> tuple[list[dict], str]:
    """Runs ``benchmarks/<script> *args`` and returns its JSON lines and its stderr."""
    proc = _run(script, *args)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()], proc.stderr


def test_scale_json_lines() -> None:
    records, _ = _json_records("scale.py", "--n", "100", "--time-limit", "3", "--json")
    assert [r["solver"] for r in records] == ["teamkit", "plain-cpsat"]
    for r in records:
        assert REQUIRED <= set(r), f"missing keys {REQUIRED - set(r)} in {r}"
        assert r["instance"] == "roster-n100-k1-t10-seed2025"
        assert r["seed"] == 2025
        assert r["time_limit"] == 3.0
        assert r["seconds"] is not None and r["seconds"] >= 0
        assert r["repeats"] is None and r["lower_bound"] is None  # one session: nothing to repeat
    teamkit_run, baseline_run = records
    assert teamkit_run["verified"] is True, teamkit_run
    assert teamkit_run["hard_violations"] == 0
    assert teamkit_run["age_range"] is not None and teamkit_run["age_range"] >= 0
    assert teamkit_run["peak_mib"] > 0
    assert baseline_run["status"] in {"optimal", "feasible", "infeasible", "unknown"}
    if baseline_run["status"] in {"optimal", "feasible"}:
        # The plain model encodes every hard rule, so whatever plan it returns must verify.
        assert baseline_run["verified"] is True, baseline_run


def test_scale_sessions_and_sizes() -> None:
    records, _ = _json_records(
        "scale.py", "--n", "100", "--sessions", "2", "--sizes", "8-10", "--time-limit", "3", "--json"
    )
    assert [r["solver"] for r in records] == ["teamkit", "plain-cpsat"]
    for r in records:
        assert r["instance"] == "roster-n100-k2-sizes8-10-seed2025"
        assert r["sessions"] == 2
        assert r["lower_bound"] == 0
    teamkit_run, baseline_run = records
    assert teamkit_run["verified"] is True, teamkit_run
    assert teamkit_run["repeats"] == 0  # MeetAtMost(1) is hard
    if baseline_run["status"] in {"optimal", "feasible"}:
        assert baseline_run["verified"] is True, baseline_run
        assert baseline_run["repeats"] == 0


def test_sgp_json_lines() -> None:
    records, stderr = _json_records("sgp.py", "3-3-4", "4-4-5", "--time-limit", "3", "--json")
    assert [(r["instance"], r["solver"]) for r in records] == [
        ("3-3-4", "teamkit"),
        ("3-3-4", "plain-cpsat"),
        ("4-4-5", "teamkit"),
        ("4-4-5", "plain-cpsat"),
    ]
    for r in records:
        assert SGP_REQUIRED <= set(r), f"missing keys {SGP_REQUIRED - set(r)} in {r}"
        assert r["seed"] == 0 and r["time_limit"] == 3.0
        assert r["seconds"] is not None and r["seconds"] >= 0
        assert r["lower_bound"] == 0  # both fit within the bound on rounds
        if r["solver"] == "teamkit" or r["status"] in {"optimal", "feasible"}:
            assert r["verified"] is True, (r, stderr)
            assert r["repeats"] is not None and r["repeats"] >= r["lower_bound"], (r, stderr)
            assert r["objective"] == r["repeats"]  # AvoidRepeats(power=1), weight 1
    assert [r["repeats"] for r in records if r["solver"] == "teamkit"] == [0, 0]
    assert records[2]["best_known"] == 5  # 4-4-5 is listed, 3-3-4 is not
    assert records[0]["best_known"] is None


def test_plain_sgp_334() -> None:
    """The baseline alone on 9 people in 3 groups of 3 for 4 rounds: a schedule where
    nobody meets twice exists, and the plain model finds it and proves it optimal."""
    problem = sgp.sgp_problem(3, 3, 4)
    plan, status, _ = plain_cpsat.solve_plain(problem, time_limit=10.0, seed=0, workers=1)
    assert status == "optimal" and plan is not None
    assert [s.session for s in plan.sessions] == ["r1", "r2", "r3", "r4"]
    for session in plan.sessions:
        assert [len(t.members) for t in session.teams] == [3, 3, 3]
        assert sorted(m for t in session.teams for m in t.members) == sorted(f"p{i}" for i in range(1, 10))
    counts = pair_meetings(plan)
    assert len(counts) == 36 and set(counts.values()) == {1}  # every pair meets exactly once
    report = teamkit.check(problem, plan)
    assert report.feasible and report.objective == 0
    assert report.meetings.repeated_pairs == 0 and report.meetings.max_meetings == 1
    assert dict(report.meetings.distinct_met) == {f"p{i}": 8 for i in range(1, 10)}
    assert dict(report.meetings.new_contacts) == {"r1": 9, "r2": 9, "r3": 9, "r4": 9}


def test_plain_meet_at_most_hard() -> None:
    ok = golfers(3, 3, 4, teamkit.MeetAtMost(1))
    plan, status, _ = plain_cpsat.solve_plain(ok, time_limit=10.0, seed=0, workers=1)
    assert status in {"optimal", "feasible"} and plan is not None
    assert max(pair_meetings(plan).values()) == 1
    assert teamkit.check(ok, plan).feasible
    # A fifth round needs 10 partners per person out of 8: impossible, and proved so.
    too_many = golfers(3, 3, 5, teamkit.MeetAtMost(1))
    assert plain_cpsat.solve_plain(too_many, time_limit=10.0, seed=0, workers=1)[:2] == (None, "infeasible")


def test_plain_meeting_penalties_match_checker() -> None:
    """The plain model's penalties are exact: with the teams fixed (two pairs meeting in all
    three rounds), CP-SAT's minimum is ten times the checker's objective (weights in tenths)."""
    problem = golfers(2, 2, 3, teamkit.AvoidRepeats(power=2, weight=1.5), teamkit.MeetAtMost(1, hard=False, weight=2.0))
    model, x_index, _ = plain_cpsat.build_model(problem)
    for index in x_index:  # p1, p2 in team 1 and p3, p4 in team 2 in every round
        for i, row in enumerate(index):
            for t, var in enumerate(row):
                model.add(model.get_bool_var_from_proto_index(int(var)) == int(t == i // 2))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    plan = teamkit.Plan.from_assignment(problem, np.array([[0, 0, 1, 1]] * 3))
    report = teamkit.check(problem, plan)
    # two pairs meeting 3 times: AvoidRepeats 2 * (3 - 1) ** 2 = 8, MeetAtMost 2 * (3 - 1) = 4
    assert report.objective == pytest.approx(1.5 * 8 + 2.0 * 4)
    assert solver.objective_value == pytest.approx(10 * report.objective)


def test_plain_unsupported_and_count() -> None:
    problem = golfers(3, 3, 4, teamkit.AvoidRepeats(power=1))
    # x: 9 people x 3 teams x 4 rounds; same: 36 pairs x 4 rounds, each with 3 clauses
    assert plain_cpsat.count_booleans(problem) == 9 * 3 * 4 + 36 * 4 * (1 + 3)
    assert plain_cpsat.count_booleans(golfers(3, 3, 4)) == 9 * 3 * 4
    assert plain_cpsat.unsupported(problem) == []
    m = teamkit.Model()
    for i in range(6):
        m.add_participant(f"p{i + 1}", attributes={"unit": "ab"[i % 2]})
    m.add_session("r1", team_size=3)
    m.add_session("r2", team_size=3, keep_teams=True)
    m.add_constraint(teamkit.Reach("unit", 2))
    assert plain_cpsat.solve_plain(m.data(), time_limit=1.0)[1] == "unsupported"
    assert plain_cpsat.unsupported(m.data()) == ["reach(unit>=2)", "keep_teams(r2)"]


@pytest.mark.parametrize("gsw", [(3, 3, 4), (3, 3, 5), (5, 3, 8), (8, 4, 11), (10, 10, 3), (2, 5, 4)])
def test_counting_bounds_agree(gsw: tuple[int, int, int]) -> None:
    """sgp.py's closed form and scale.py's bound on any problem give the same number on
    Social Golfer layouts."""
    assert scale.repeat_lower_bound(golfers(*gsw)) == sgp.counting_bound(*gsw)


def test_counting_bound_values() -> None:
    assert sgp.counting_bound(3, 3, 4) == 0
    assert sgp.counting_bound(3, 3, 5) == 9  # 9 people, 2 slots too many each
    assert sgp.counting_bound(8, 4, 11) == 32  # 32 people, 33 slots each for 31 partners
    assert scale.repeat_lower_bound(common.roster_problem(100)) is None
    assert scale.fewest_meetings(((10, 11),) * 30, 305) == 5 * 55 + 25 * 45
    assert scale.fewest_meetings(((2, 3), (4, 6)), 8) == 3 + 10


def test_sgp_instance_list() -> None:
    rows = sgp.read_instances()
    assert len(rows) == 14
    assert (rows[0]["g"], rows[0]["s"], rows[0]["w"], rows[0]["best_known"]) == (4, 4, 5, 5)
    for row in rows:
        assert row["bound"] == (row["g"] * row["s"] - 1) // (row["s"] - 1)
        assert sgp.counting_bound(row["g"], row["s"], row["w"]) == 0  # every w is within the bound
    assert sgp.best_known_rounds(rows, 8, 4) == 10 and sgp.best_known_rounds(rows, 24, 5) is None
    assert sgp.parse_instance("8-4-10") == (8, 4, 10)
    with pytest.raises(ValueError):
        sgp.parse_instance("8-4")


def test_roster_problem_layout() -> None:
    problem = common.roster_problem(305, seed=7, sessions=2)
    assert problem.num_participants == 305
    assert [s.id for s in problem.sessions] == ["s1", "s2"]
    layout = problem.layout(0)
    assert layout.num_teams == 30 and set(layout.sizes) == {(10, 11)}
    ages = [p.get("age") for p in problem.participants]
    assert all(isinstance(a, int) for a in ages)
    assert all(p.get("district") is None or p.get("district") != "" for p in problem.participants)
    assert [c.hard for c in problem.constraints] == [True, True, True, True, True, False, True]
    assert isinstance(problem.constraints[-1], teamkit.MeetAtMost) and problem.constraints[-1].times == 1
    one = common.roster_problem(305, seed=7)
    assert [c.hard for c in one.constraints] == [True, True, True, True, True, False]
    assert one.name == "roster-n305-k1-t10-seed7"


def test_roster_problem_sizes() -> None:
    problem = common.roster_problem(305, seed=7, sessions=2, sizes=(8, 10))
    assert problem.name == "roster-n305-k2-sizes8-10-seed7"
    layout = problem.layout(1)
    assert layout.num_teams == round(305 / 9) == 34 and set(layout.sizes) == {(8, 10)}
    assert common.parse_sizes("8-10") == (8, 10)
    with pytest.raises(ValueError):
        common.parse_sizes("10-8")


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


def test_training_json_lines() -> None:
    """The seed scenario's benchmark: a verified row for the seed roster (the checker's
    verdict, whatever it is), and the shortfall reported before any search."""
    records, _ = _json_records("training.py", "--n", "300", "--time-limit", "5", "--json")
    assert [r["instance"] for r in records] == ["seed-300", "shortfall"]
    run, shortfall = records
    for key in ("seed", "time_limit", "seconds", "status", "verified", "hard_violations", "repeats", "event_bound"):
        assert key in run, key
    assert isinstance(run["verified"], bool)
    assert run["verified"] == (run["hard_violations"] == 0)
    assert run["event_bound"] == 32  # 16 people with limited fitness: 13 visits, 11 stations each
    assert run["capacity_bound"] >= run["event_bound"]
    assert sum(run["repeats_by_station"].values()) == run["event_repeats"]
    assert shortfall["status"] == "infeasible"
    assert shortfall["explanation"].startswith("session 'd1-evening', slots 1 and 2: 30 teams but the stations")
    assert shortfall["seconds"] < run["seconds"]


@pytest.mark.parametrize(("instructors", "expected"), [(2, 0), (1, 16)])
def test_capacity_bound_counts_instructors(instructors: int, expected: int) -> None:
    """Two teams of four, three slots, stations A (two teams), B and C (one each). With two
    instructors the teams can each visit all three (A-B-C and B-C-A); with one, only one
    station opens per slot and it must be A, so all 24 visits go there: 16 repeats, where
    counting visits against stations alone finds none."""
    import training

    m = teamkit.Model()
    for i in range(8):
        m.add_participant(f"p{i}")
    m.add_session("s1", team_size=4, slots=3)
    for name, capacity in (("A", 2), ("B", 1), ("C", 1)):
        m.add_station(name, capacity=capacity, staff=1)
    for k in range(instructors):
        m.add_instructor(f"i{k}")
    problem = m.data()
    assert training.event_bound(problem) == 0
    assert training.capacity_bound(problem) == expected


def test_repair_benchmark_kept_share_counts_places_in_the_same_team():
    import repair as repair_benchmark

    before = teamkit.Plan(
        [
            teamkit.SessionPlan("s1", [teamkit.Team(1, ["a", "b"]), teamkit.Team(2, ["c", "d"])]),
            teamkit.SessionPlan("s2", [teamkit.Team(1, ["a", "c"]), teamkit.Team(2, ["b", "d"])]),
        ]
    )
    after = teamkit.Plan(
        [
            teamkit.SessionPlan("s1", [teamkit.Team(1, ["a", "b"]), teamkit.Team(2, ["c", "d"])]),
            teamkit.SessionPlan("s2", [teamkit.Team(1, ["a", "d"]), teamkit.Team(2, ["b"])]),
        ]
    )
    assert repair_benchmark.kept_share(before, after, ["s1"]) == 1.0
    # s2: a and b kept, c gone, d moved from team 2 to team 1.
    assert repair_benchmark.kept_share(before, after, ["s2"]) == 0.5
    assert repair_benchmark.kept_share(before, after, ["s1", "s2"]) == 0.75


MDGP_REQUIRED = {"instance", "seed", "time_limit", "objective", "seconds", "verified", "solver", "status", "reference"}
MDGP_FILE = os.path.join(ROOT, "tests", "data", "mdgplib", "Geo_n012_ss_01.txt")


def test_mdgp_json_lines_and_saved_groups(tmp_path) -> None:
    import mdgp as mdgp_benchmark

    records, stderr = _json_records("mdgp.py", MDGP_FILE, "--time-limit", "0.5", "--json", "--save", str(tmp_path))
    assert [r["solver"] for r in records] == ["teamkit", "plain-cpsat"]
    for r in records:
        assert MDGP_REQUIRED <= set(r), f"missing keys {MDGP_REQUIRED - set(r)} in {r}"
        assert r["instance"] == "Geo_n012_ss_01" and r["n"] == 12
        assert r["seed"] == 0 and r["time_limit"] == 0.5
        assert r["seconds"] is not None and r["seconds"] >= 0
        assert r["reference"] == 716.46 and r["reference_kind"] == "optimum"
        if r["status"] in {"optimal", "feasible"}:
            assert r["verified"] is True, (r, stderr)
    run = records[0]
    assert run["verified"] is True, (run, stderr)
    assert run["objective"] == pytest.approx(716.463)  # the exact optimum, positive
    saved = tmp_path / "Geo_n012_ss_01.teamkit.seed0.txt"
    assert run["saved"] == str(saved)
    groups = [int(line) for line in saved.read_text().splitlines()]
    assert len(groups) == 12 and sorted(np.bincount(groups).tolist()) == [3, 3, 3, 3]
    D, bounds = mdgp_benchmark.read_instance(MDGP_FILE)
    assert bounds == [(3, 3)] * 4
    assert mdgp_benchmark.objective(D, groups) == pytest.approx(run["objective"])


def test_mdgp_table_and_defaults() -> None:
    import mdgp as mdgp_benchmark

    lines = _run("mdgp.py", MDGP_FILE, "--seeds", "2", "--no-baseline").stdout.splitlines()
    from teamkit.engine import mdgp

    # The title says which diversity search ran (compiled before the timed runs, if it can be).
    assert ("search compiled (numba " in lines[0]) == (mdgp.compiled_walk() is not None), lines[0]
    assert lines[1].split()[:4] == ["instance", "n", "solver", "seed"]
    rows = [line.split() for line in lines[3:]]
    assert [row[3] for row in rows] == ["0", "1", "mean"]
    assert all(row[0] == "Geo_n012_ss_01" and row[4] == "1" for row in rows)  # Lai & Hao's 1 s for n <= 12
    assert [mdgp_benchmark.time_limit_for(n) for n in (10, 12, 120, 240, 480, 1000)] == [1, 1, 3, 20, 120, 120]
    from teamkit.io.mdgp import read_mdgp

    D, bounds = mdgp_benchmark.read_instance(MDGP_FILE)
    D2, bounds2 = read_mdgp(MDGP_FILE)
    assert np.array_equal(D, D2) and bounds == bounds2


def test_mdgp_enumerated_optimum_matches_the_published_one() -> None:
    import mdgp as mdgp_benchmark

    small = os.path.join(ROOT, "tests", "data", "mdgplib", "RanReal_n010_ds_01.txt")
    assert mdgp_benchmark.enumerate_optimum(small) == pytest.approx(1437.81, abs=0.01)
    assert mdgp_benchmark.REFERENCES["RanReal_n010_ds_01"] == (1437.81, "optimum")


def test_mdgp_references_cover_every_file_of_120_and_240() -> None:
    import mdgp as mdgp_benchmark

    names = [
        f"{kind}_n{n:03d}_{sizes}_{number}"
        for kind in ("Geo", "RanInt", "RanReal")
        for n in (120, 240)
        for sizes in ("ss", "ds")
        for number in ("01", "02")
    ]
    # Every file of these sizes is measured against Lai & Hao's published method.
    assert all(mdgp_benchmark.REFERENCES[name][1] == "IMS mean" for name in names)
    # teamkit's best known groupings, from longer runs, lie above the published method's means.
    assert set(mdgp_benchmark.BEST_KNOWN) < set(names)
    for name, best in mdgp_benchmark.BEST_KNOWN.items():
        assert best > mdgp_benchmark.REFERENCES[name][0], name
    assert mdgp_benchmark.gap(101.0, 100.0) == pytest.approx(1.0)
    assert mdgp_benchmark.gap(99.0, None) is None and mdgp_benchmark.gap(None, 100.0) is None


def test_training_anneal_json_lines() -> None:
    records, stderr = _json_records("training_anneal.py", "--seeds", "2", "--moves", "2e5", "--json")
    assert [r["seed"] for r in records] == [0, 1], stderr
    for r in records:
        # 15 % more moves where the run ended with a rule broken and went on mending it.
        assert r["instance"] == "seed-300" and r["moves"] in (200_000, 230_000)
        assert r["broken"] >= 0 and r["repeats"] >= 0
    # Two seeds, two runs.
    assert (records[0]["broken"], records[0]["repeats"]) != (records[1]["broken"], records[1]["repeats"])


def test_limits_benchmark_prints_estimate_peak_and_time() -> None:
    records, stderr = _json_records("limits.py", "--small", "--time-limit", "1", "--json")
    assert [r["n"] for r in records] == [200, 120]
    for r in records:
        assert r["verified"] is True, (r, stderr)
        assert r["estimate_mib"] > 0 and r["peak_mib"] > 0
        # The estimate covers what the solve used (the problem's own data aside).
        assert r["covered"] is True, r
        assert r["of_limit"] == pytest.approx(r["seconds"] / 1.0)
