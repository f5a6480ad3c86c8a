#!/usr/bin/env python3
"""The Social Golfer Problem: teamkit beside a plain CP-SAT model, on instances from the
literature.

    python benchmarks/sgp.py                          # every row of data/sgp_instances.tsv
    python benchmarks/sgp.py 8-4-9 5-3-7 --time-limit 30 --seeds 3 --json

An instance ``G-S-W`` is ``G`` groups of ``S`` players for ``W`` rounds, and the classic
question is whether nobody plays with the same person twice. Here that is asked as an
objective, so every run ends with a plan and plans can be compared: ``G*S`` participants
``p1`` ... ``pN`` without attributes, ``W`` sessions ``r1`` ... ``rW`` of teams of exactly
``S``, and only ``AvoidRepeats(power=1)``, whose penalty is the number of repeated meetings
(``sum over pairs of max(0, meetings - 1)``): 0 is a perfect schedule.

Each instance and seed runs ``teamkit.solve`` and the plain CP-SAT baseline
(:mod:`plain_cpsat`) with the same time limit and one CP-SAT worker each, each in a fresh
subprocess (:func:`common.measure`), and verifies both plans with ``teamkit.check``. The
lower bound is the counting bound of :func:`counting_bound`, computed here from ``G``,
``S`` and ``W`` alone. See benchmarks/README.md for the columns.
"""

from __future__ import annotations

import argparse
import csv
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

#: The instance list: ``g s w bound best_known note``, ``#`` lines are comments (sources).
INSTANCES = os.path.join(HERE, "data", "sgp_instances.tsv")

#: Seconds per solve when ``--time-limit`` is not given.
DEFAULT_TIME_LIMIT = 10.0
#: Instances that get a longer default time limit: 8-4-10 is only reached by construction
#: and by dedicated metaheuristics, so 10 s says little.
LONGER_TIME_LIMITS: dict[tuple[int, int, int], float] = {(8, 4, 10): 60.0}

#: CP-SAT workers, for both solvers: the runs measure the model and the search, not the
#: parallel portfolio.
WORKERS = 1

COLUMNS: list[tuple[str, ...]] = [
    ("instance", "instance"),
    ("solver", "solver"),
    ("status", "status"),
    ("verified", "verified"),
    ("repeats", "repeats"),
    ("lower_bound", "lower_bound"),
    ("best_known", "best_known"),
    ("seconds", "seconds"),
    ("peak_mib", "peak MiB"),
]


# -- instances ---------------------------------------------------------------------------------
def parse_instance(text: str) -> tuple[int, int, int]:
    """``"8-4-9"`` -> ``(8, 4, 9)``; every part a positive whole number."""
    parts = text.split("-")
    try:
        g, s, w = (int(p) for p in parts)
    except ValueError:
        raise ValueError(f"an instance is G-S-W (groups, group size, rounds), such as 8-4-9, got {text!r}") from None
    if min(g, s, w) < 1:
        raise ValueError(f"G, S and W must be positive, got {text!r}")
    return g, s, w


def instance_name(g: int, s: int, w: int) -> str:
    return f"{g}-{s}-{w}"


def read_instances(path: str = INSTANCES) -> list[dict[str, Any]]:
    """The rows of the instance list, in file order, with ``g``, ``s``, ``w``, ``bound`` as
    ints, ``best_known`` as an int or ``None`` (``-``), and ``note``."""
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    rows = []
    for raw in csv.DictReader(lines, delimiter="\t"):
        best = (raw.get("best_known") or "-").strip()
        rows.append(
            {
                "g": int(raw["g"]),
                "s": int(raw["s"]),
                "w": int(raw["w"]),
                "bound": int(raw["bound"]),
                "best_known": None if best in ("", "-") else int(best),
                "note": (raw.get("note") or "").strip(),
            }
        )
    return rows


def best_known_rounds(rows: list[dict[str, Any]], g: int, s: int) -> int | None:
    """The most rounds of ``g`` groups of ``s`` known from the literature to be playable
    without a repeated pair (the list's ``best_known``; it depends on ``g`` and ``s`` only),
    or ``None`` when the list records none."""
    for row in rows:
        if (row["g"], row["s"]) == (g, s) and row["best_known"] is not None:
            return row["best_known"]
    return None


def counting_bound(g: int, s: int, w: int) -> int:
    """A lower bound on the repeated meetings of any ``g``-``s``-``w`` schedule.

    Each of the ``g*s`` players shares a team with ``s - 1`` others in each of ``w`` rounds,
    ``w*(s - 1)`` partner slots in all, but has only ``g*s - 1`` possible partners, so at
    least ``w*(s - 1) - (g*s - 1)`` of their slots go to someone met before. A repeat is a
    slot of two players, hence ``repeats >= ceil(g*s * max(0, w*(s - 1) - (g*s - 1)) / 2)``.
    It is 0 whenever ``w`` is within the list's ``bound`` column.
    """
    n = g * s
    return math.ceil(n * max(0, w * (s - 1) - (n - 1)) / 2)


def sgp_problem(g: int, s: int, w: int) -> ProblemData:
    """``g*s`` participants ``p1`` ... ``pN`` without attributes, ``w`` sessions ``r1`` ...
    ``rw`` of teams of exactly ``s``, and ``AvoidRepeats(power=1)`` alone: soft, so a plan
    always exists, and its objective is the number of repeated meetings."""
    m = teamkit.Model(name=f"sgp-{instance_name(g, s, w)}")
    for i in range(g * s):
        m.add_participant(f"p{i + 1}")
    for k in range(w):
        m.add_session(f"r{k + 1}", team_size=s, remainder="exact")
    m.add_constraint(teamkit.AvoidRepeats(power=1))
    return m.data()


# -- the runs (module-level, so a spawned subprocess can import them) ----------------------------
def run_teamkit(problem: ProblemData, time_limit: float, seed: int) -> tuple[str, Any, int | None]:
    """``(status, plan, repeat bound)``; the bound is teamkit's own, where it reports one."""
    result = teamkit.solve(problem, time_limit=time_limit, seed=seed, workers=WORKERS)
    return result.status.value, result.plan, getattr(result, "repeat_bound", None)


def run_baseline(problem: ProblemData, time_limit: float, seed: int) -> tuple[str, Any, int | None]:
    plan, status, _ = plain_cpsat.solve_plain(problem, time_limit=time_limit, seed=seed, workers=WORKERS)
    return status, plan, None


RUNNERS = {"teamkit": run_teamkit, "plain-cpsat": run_baseline}


def one_run(
    solver: str,
    problem: ProblemData,
    gsw: tuple[int, int, int],
    seed: int,
    time_limit: float,
    best_known: int | None,
    in_process: bool,
) -> dict[str, Any]:
    name = instance_name(*gsw)
    record: dict[str, Any] = {
        "instance": name,
        "g": gsw[0],
        "s": gsw[1],
        "w": gsw[2],
        "solver": solver,
        "seed": seed,
        "time_limit": time_limit,
        "workers": WORKERS,
        "status": None,
        "verified": None,
        "objective": None,
        "repeats": None,
        "lower_bound": counting_bound(*gsw),
        "repeat_bound": None,
        "best_known": best_known,
        "seconds": None,
        "peak_mib": None,
    }
    if solver == "plain-cpsat" and plain_cpsat.count_booleans(problem) > plain_cpsat.MAX_BOOLEANS:
        # Refused before anything is built: the model would not fit in memory.
        record.update(status="too large", seconds=0.0)
        return record
    measured = common.measure_run(
        f"{solver} {name} seed={seed}",
        record,
        RUNNERS[solver],
        time_limit,
        seed,
        setup=sgp_problem,
        setup_args=gsw,
        in_process=in_process,
        time_limit=time_limit,
    )
    if measured is None:
        return record
    (status, plan, repeat_bound), seconds, peak = measured
    record.update(status=status, seconds=seconds, peak_mib=peak, verified=False, repeat_bound=repeat_bound)
    if plan is not None:
        report = common.check_plan(problem, plan, f"{solver} {name} seed={seed}")
        if report is None:
            record.update(verified=None)
            return record
        record.update(verified=report.feasible, objective=report.objective, repeats=common.repeated_pairs(report))
    return record


def _instance(text: str) -> tuple[int, int, int]:
    try:
        return parse_instance(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    long_limits = ", ".join(f"{t:g} s for {instance_name(*k)}" for k, t in LONGER_TIME_LIMITS.items())
    ap = argparse.ArgumentParser(
        description="Social Golfer instances: teamkit beside a plain CP-SAT model (repeated meetings minimised)"
    )
    ap.add_argument(
        "instances",
        nargs="*",
        type=_instance,
        metavar="G-S-W",
        help="G groups of S players for W rounds (default: every row of benchmarks/data/sgp_instances.tsv)",
    )
    ap.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help=f"seconds per solve, for both solvers (default {DEFAULT_TIME_LIMIT:g}, except {long_limits}; "
        "a value given here applies to every instance)",
    )
    ap.add_argument("--seeds", type=int, default=1, metavar="K", help="run seeds 0 ... K-1 (default 1: seed 0)")
    common.add_run_options(ap)
    args = ap.parse_args(argv)
    if args.time_limit is not None and args.time_limit <= 0:
        ap.error("--time-limit must be positive")
    if args.seeds < 1:
        ap.error("--seeds must be at least 1")

    rows = read_instances()
    instances = args.instances or [(r["g"], r["s"], r["w"]) for r in rows]
    solvers = ["teamkit"] + (["plain-cpsat"] if args.baseline else [])
    records: list[dict[str, Any]] = []
    for gsw in instances:
        problem = sgp_problem(*gsw)
        limit = args.time_limit if args.time_limit is not None else LONGER_TIME_LIMITS.get(gsw, DEFAULT_TIME_LIMIT)
        best = best_known_rounds(rows, gsw[0], gsw[1])
        for seed in range(args.seeds):
            for solver in solvers:
                if not args.json:
                    print(f"running {solver} on {instance_name(*gsw)} seed={seed} ...", file=sys.stderr, flush=True)
                record = one_run(solver, problem, gsw, seed, limit, best, args.in_process)
                records.append(record)
                if args.json:
                    common.print_json_lines([record])

    if not args.json:
        limits = sorted({r["time_limit"] for r in records})
        print(
            "Social Golfer instances G-S-W, AvoidRepeats(power=1) minimised, "
            f"time limit {' / '.join(f'{t:g}' for t in limits)} s, {WORKERS} worker(s), "
            f"{args.seeds} seed(s)"
        )
        print(
            "repeats: sum over pairs of max(0, meetings - 1); lower_bound: counting bound; "
            "best_known: most rounds known without a repeat (W <= best_known: 0 is reachable)"
        )
        columns = COLUMNS if args.seeds == 1 else COLUMNS[:1] + [("seed", "seed")] + COLUMNS[1:]
        common.print_table(records, columns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
