#!/usr/bin/env python3
"""How teamkit scales with the roster, side by side with a plain CP-SAT model.

    python benchmarks/scale.py --n 300 1000 5000 20000
    python benchmarks/scale.py --n 300 --time-limit 5 --sessions 2 --sizes 8-10 --json

For each ``n`` it builds the foundation scenario (:func:`common.roster_problem`; with
several sessions it includes a hard ``MeetAtMost(1)``), runs ``teamkit.solve`` and the plain
CP-SAT baseline (:mod:`plain_cpsat`) with the same time limit, each in a fresh subprocess,
verifies both plans with ``teamkit.check`` and prints one row per run. See
benchmarks/README.md for the columns.
"""

from __future__ import annotations

import argparse
import heapq
import math
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import common  # noqa: E402
import plain_cpsat  # noqa: E402

import teamkit  # noqa: E402
from teamkit.model import ProblemData  # noqa: E402

COLUMNS: list[tuple[str, ...]] = [
    ("n", "n"),
    ("solver", "solver"),
    ("status", "status"),
    ("verified", "verified"),
    ("hard_violations", "hard viol.", "g"),
    ("objective", "objective", ".4g"),
    ("age_range", "age range", ".2f"),
    ("seconds", "seconds"),
    ("peak_mib", "peak MiB"),
]

#: Shown after ``age range`` when there is more than one session.
MEETING_COLUMNS: list[tuple[str, ...]] = [
    ("repeats", "repeats"),
    ("lower_bound", "lower_bound"),
]


# -- the runs (module-level, so a spawned subprocess can import them) ----------------------------
def run_teamkit(problem: ProblemData, time_limit: float, seed: int, workers: int) -> tuple[str, Any]:
    result = teamkit.solve(problem, time_limit=time_limit, seed=seed, workers=workers)
    return result.status.value, result.plan


def run_baseline(problem: ProblemData, time_limit: float, seed: int, workers: int) -> tuple[str, Any]:
    plan, status, _ = plain_cpsat.solve_plain(problem, time_limit=time_limit, seed=seed, workers=workers)
    return status, plan


RUNNERS = {"teamkit": run_teamkit, "plain-cpsat": run_baseline}


def age_range(report: teamkit.CheckReport) -> float | None:
    """Largest minus smallest team mean age, over every team of every session."""
    means = [tm.means.get("age", math.nan) for tm in report.teams]
    means = [m for m in means if not math.isnan(m)]
    return max(means) - min(means) if means else None


def fewest_meetings(sizes: tuple[tuple[int, int], ...], present: int) -> int:
    """The fewest pairs that can share a team in one session with these team size ranges.

    ``sum_t s_t (s_t - 1) / 2`` is convex in the sizes, so starting every team at its low
    size and adding the remaining people one by one to the smallest team that has room
    gives the minimum."""
    team = [low for low, _ in sizes]
    room = [(low, t) for t, (low, high) in enumerate(sizes) if low < high]
    heapq.heapify(room)
    for _ in range(present - sum(team)):
        size, t = heapq.heappop(room)
        team[t] = size + 1
        if size + 1 < sizes[t][1]:
            heapq.heappush(room, (size + 1, t))
    return sum(size * (size - 1) // 2 for size in team)


def repeat_lower_bound(problem: ProblemData) -> int | None:
    """A counting lower bound on repeated meetings (``sum over pairs of max(0, meetings -
    1)``), or ``None`` for a single session.

    Every session makes at least :func:`fewest_meetings` pairs share a team, and a pair
    meets for the first time at most once, so ``repeats >= total meetings - n (n - 1) / 2``.
    Written here, apart from teamkit's engine, to judge both solvers' plans.
    """
    if len(problem.sessions) < 2:
        return None
    total = 0
    for k in range(len(problem.sessions)):
        layout = problem.layout(k)
        total += fewest_meetings(layout.sizes, len(layout.present))
    n = problem.num_participants
    return max(0, total - n * (n - 1) // 2)


def one_run(solver: str, problem: ProblemData, args: argparse.Namespace, n: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "instance": common.instance_name(n, args.seed, args.sessions, args.team_size, args.sizes),
        "n": n,
        "sessions": args.sessions,
        "solver": solver,
        "seed": args.seed,
        "time_limit": args.time_limit,
        "workers": args.workers,
        "status": None,
        "verified": None,
        "hard_violations": None,
        "objective": None,
        "age_range": None,
        "seconds": None,
        "peak_mib": None,
        "repeats": None,
        "lower_bound": repeat_lower_bound(problem),
    }
    if solver == "plain-cpsat" and plain_cpsat.count_booleans(problem) > plain_cpsat.MAX_BOOLEANS:
        # Refused before anything is built: the model would not fit in memory.
        record.update(status="too large", seconds=0.0)
        return record
    measured = common.measure_run(
        f"{solver} n={n}",
        record,
        RUNNERS[solver],
        args.time_limit,
        args.seed,
        args.workers,
        setup=common.roster_problem,
        setup_args=(n, args.seed, args.sessions, args.team_size, args.sizes),
        in_process=args.in_process,
        time_limit=args.time_limit,
    )
    if measured is None:
        return record
    (status, plan), seconds, peak = measured
    record.update(status=status, seconds=seconds, peak_mib=peak, verified=False)
    if plan is not None:
        report = common.check_plan(problem, plan, f"{solver} n={n}")
        if report is None:
            record.update(verified=None)
            return record
        record.update(
            verified=report.feasible,
            hard_violations=report.hard_violations,
            objective=report.objective,
            age_range=age_range(report),
        )
        if args.sessions > 1:
            record.update(repeats=common.repeated_pairs(report))
    return record


def _sizes(text: str) -> tuple[int, int]:
    try:
        return common.parse_sizes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="teamkit at scale, beside a plain CP-SAT model")
    ap.add_argument("--n", type=int, nargs="+", default=[300, 1000, 5000, 20000], help="roster sizes (>= 90)")
    ap.add_argument(
        "--sessions",
        type=int,
        default=1,
        help="identical sessions per event (default 1); from 2 on, hard MeetAtMost(1): nobody meets twice",
    )
    ap.add_argument("--team-size", type=int, default=10, help="team size; the remainder makes larger teams")
    ap.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        metavar="LOW-HIGH",
        help="teams of LOW to HIGH people instead of --team-size: round(n / ((LOW+HIGH)/2)) teams per session",
    )
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve, for both solvers")
    ap.add_argument("--seed", type=int, default=2025, help="roster seed, also passed to both solvers")
    ap.add_argument("--workers", type=int, default=2, help="CP-SAT workers, for both solvers (default 2)")
    common.add_run_options(ap)
    args = ap.parse_args(argv)
    if any(n < 90 for n in args.n):
        ap.error("every --n must be at least 90 (the roster generator's minimum)")
    if args.time_limit <= 0:
        ap.error("--time-limit must be positive")

    solvers = ["teamkit"] + (["plain-cpsat"] if args.baseline else [])
    rows: list[dict[str, Any]] = []
    ratios: list[tuple[int, float | None, str]] = []
    for n in args.n:
        problem = common.roster_problem(n, args.seed, args.sessions, args.team_size, args.sizes)
        by_solver = {}
        for solver in solvers:
            if not args.json:
                print(f"running {solver} on n={n} ...", file=sys.stderr, flush=True)
            record = one_run(solver, problem, args, n)
            by_solver[solver] = record
            rows.append(record)
        if args.baseline:
            tk, base = by_solver["teamkit"], by_solver["plain-cpsat"]
            ratio = None
            if tk["seconds"] is not None and base["seconds"]:
                ratio = tk["seconds"] / base["seconds"]
            tk["seconds_ratio"] = ratio
            ratios.append((n, ratio, base["status"]))
        if args.json:
            common.print_json_lines(by_solver[s] for s in solvers)

    if not args.json:
        teams = f"teams of {args.team_size}" if args.sizes is None else f"teams of {args.sizes[0]} to {args.sizes[1]}"
        meet = ", nobody meets twice (MeetAtMost(1))" if args.sessions > 1 else ""
        print(
            f"foundation scenario, {args.sessions} session(s), {teams}{meet}, "
            f"time limit {args.time_limit:g} s, seed {args.seed}, {args.workers} worker(s)"
        )
        columns = COLUMNS
        if args.sessions > 1:
            at = [c[0] for c in COLUMNS].index("age_range") + 1
            columns = COLUMNS[:at] + MEETING_COLUMNS + COLUMNS[at:]
        common.print_table(rows, columns)
        if ratios:
            print()
            print("teamkit seconds / baseline seconds:")
            for n, ratio, status in ratios:
                shown = f"{ratio:.2f}" if ratio is not None else f"n/a (baseline: {status})"
                print(f"  n={n}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
