#!/usr/bin/env python3
"""The engine's whole-event annealing alone, on the seed scenario: rules broken and exercises
repeated after a given number of moves, recounted.

    python benchmarks/training_anneal.py                    # seeds 0, 1, 2; 200 million moves
    python benchmarks/training_anneal.py --seeds 1 --moves 1e6 --json

``teamkit.solve`` plans the training's station sessions by a whole-event annealing
(``teamkit.engine.event_anneal``), for a number of moves that its time limit buys, then
routes each team's set of stations, forms the closing session and polishes
(``training.py`` measures all of it). This script runs the annealing alone, for as many
moves as asked: what longer or shorter runs reach, and how often a run ends with a rule
broken (the solve then mends it). The counts are the search's own, which
``tests/test_engine_event_anneal.py`` checks against a recount from the teams and sets
alone. What the annealing leaves out: the instructors (the routing places them), the closing
session, the roles and the soft balance of age and years of service.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")
if EXAMPLES not in sys.path:
    sys.path.insert(0, EXAMPLES)

import common  # noqa: E402
import leadership_training  # noqa: E402  (examples/leadership_training.py)

from teamkit.engine import event_anneal  # noqa: E402
from teamkit.model import ProblemData  # noqa: E402

COLUMNS: list[tuple[str, ...]] = [
    ("instance", "instance"),
    ("seed", "seed"),
    ("moves", "moves", ",d"),
    ("seconds", "seconds", ".1f"),
    ("broken", "rules broken"),
    ("repeats", "repeats"),
]


def run(problem: ProblemData, seed: int, moves: int) -> dict[str, Any]:
    """One annealing run, with the counts the search kept."""
    started = time.monotonic()
    found = event_anneal.anneal(problem, seed, 0.0, float("inf"), moves=moves)
    seconds = time.monotonic() - started
    if found is None:
        raise SystemExit(f"the annealing does not run here: {event_anneal.unfit(problem) or 'numba is missing'}")
    return {
        "instance": "seed-300",
        "seed": seed,
        "moves": found.moves,
        "seconds": seconds,
        "broken": found.broken,
        "repeats": found.repeats,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3, help="runs, seeds 0 to K-1 (default 3)")
    ap.add_argument("--moves", type=float, default=2e8, help="moves per run (default 2e8)")
    ap.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    args = ap.parse_args(argv)
    problem = leadership_training.build()
    moves = int(args.moves)
    # Compiled once, before the timed runs (numba caches it for later processes).
    run(problem, 0, 1000)
    rows = [run(problem, seed, moves) for seed in range(args.seeds)]
    if args.json:
        common.print_json_lines(rows)
    else:
        print("The whole-event annealing alone on the seed scenario's station sessions (see the module docstring)")
        common.print_table(rows, COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
