#!/usr/bin/env python3
"""teamkit's limits: the memory estimate beside the measured peak, and the time limit
beside the time taken.

    python benchmarks/limits.py
    python benchmarks/limits.py --time-limit 5 --json
    python benchmarks/limits.py --small --time-limit 1

``teamkit.solve`` refuses a problem whose estimate (``teamkit.estimate_memory``) exceeds
the memory available, so the estimate must not fall short of what a solve really uses; and
a solve must end within its time limit. Each row solves one problem in a fresh subprocess
(:func:`common.measure`) and prints the estimate, the measured peak resident memory, the
memory the problem's own data takes (its distance matrices, built before the solve and not
part of the estimate), and the seconds the solve took against its limit. ``covered`` says
whether ``estimate + data >= peak``; ``of limit`` is seconds / limit, which must stay
below 1.10.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import common  # noqa: E402

import teamkit  # noqa: E402
from teamkit.io.event import load_event  # noqa: E402
from teamkit.model import ProblemData  # noqa: E402

MIB = 1024**2

EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")

#: (kind, people, sessions): ``roster`` is the foundation scenario on a generated roster
#: (:func:`common.roster_problem`), ``distances`` one ``Diversity`` over random Euclidean
#: distances, ``linked distances`` the same over several sessions with a soft
#: ``MeetAtMost(1)``, and an event file of ``examples/`` (people and sessions as it has).
SHAPES: tuple[tuple[str, int, int], ...] = (
    ("roster", 1000, 1),
    ("roster", 5000, 1),
    ("roster", 5000, 6),
    ("roster", 20000, 6),
    ("distances", 1500, 1),
    ("distances", 4000, 1),
    ("linked distances", 1000, 3),
    ("malang_three_days.toml", 300, 6),
    ("leadership_training.toml", 300, 6),
)

#: A few seconds in all, for the smoke test (``--small``).
SMALL_SHAPES: tuple[tuple[str, int, int], ...] = (("roster", 200, 2), ("distances", 120, 1))

COLUMNS: list[tuple[str, ...]] = [
    ("instance", "instance"),
    ("n", "n"),
    ("sessions", "sessions"),
    ("time_limit", "limit s", "g"),
    ("status", "status"),
    ("verified", "verified"),
    ("estimate_mib", "est. MiB", ".0f"),
    ("data_mib", "data MiB", ".0f"),
    ("peak_mib", "peak MiB", ".0f"),
    ("covered", "covered"),
    ("seconds", "seconds"),
    ("of_limit", "of limit", ".2f"),
]


def build(kind: str, n: int, sessions: int) -> ProblemData:
    if kind.endswith(".toml"):
        return load_event(os.path.join(EXAMPLES, kind)).problem
    if kind == "roster":
        return common.roster_problem(n, sessions=sessions)
    rng = np.random.default_rng(n)
    points = rng.random((n, 3))
    D = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    m = teamkit.Model(name=f"{kind.replace(' ', '-')}-n{n}-k{sessions}")
    for i in range(n):
        m.add_participant(f"p{i:05d}")
    for k in range(sessions):
        m.add_session(f"s{k + 1}", team_size=5)
    m.add_constraint(teamkit.Diversity(distances=D))
    if kind == "linked distances":
        m.add_constraint(teamkit.MeetAtMost(1, hard=False))
    return m.data()


def run(problem: ProblemData, time_limit: float) -> tuple[str, Any]:
    result = teamkit.solve(problem, time_limit=time_limit, seed=0)
    return result.status.value, result.plan


def data_bytes(problem: ProblemData) -> int:
    return sum(
        c.distances.nbytes
        for c in problem.constraints
        if isinstance(c, teamkit.Diversity) and isinstance(c.distances, np.ndarray)
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="teamkit's memory estimate and time limit beside what a solve takes")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve (default 10)")
    ap.add_argument("--json", action="store_true", help="one JSON object per run instead of the table")
    ap.add_argument("--small", action="store_true", help="two small problems only (a smoke test)")
    args = ap.parse_args(argv)
    if args.time_limit <= 0:
        ap.error("--time-limit must be positive")
    rows = []
    for kind, n, sessions in SMALL_SHAPES if args.small else SHAPES:
        problem = build(kind, n, sessions)
        n, sessions = problem.num_participants, len(problem.sessions)
        estimate = teamkit.estimate_memory(problem)
        data = data_bytes(problem)
        row: dict[str, Any] = {
            "instance": problem.name or kind,
            "n": n,
            "sessions": sessions,
            "time_limit": args.time_limit,
            "estimate_mib": estimate.total / MIB,
            "data_mib": data / MIB,
        }
        if not args.json:
            print(f"running {problem.name} ...", file=sys.stderr, flush=True)
        (status, plan), seconds, peak = common.measure(
            run, args.time_limit, setup=build, setup_args=(kind, n, sessions), timeout=max(900.0, 30 * args.time_limit)
        )
        report = common.check_plan(problem, plan, problem.name) if plan is not None else None
        row.update(
            status=status,
            verified=bool(report is not None and report.feasible),
            peak_mib=peak,
            covered=(estimate.total + data) / MIB >= peak,
            seconds=seconds,
            of_limit=seconds / args.time_limit,
        )
        rows.append(row)
        if args.json:
            common.print_json_lines([row])
    if not args.json:
        print(f"teamkit's memory estimate and time limit beside what a solve takes ({args.time_limit:g} s per solve)")
        common.print_table(rows, COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
