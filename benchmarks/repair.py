#!/usr/bin/env python3
"""The seed scenario's late change, repaired: five participants drop out on the morning of
day 2 and two arrive late (missing that morning), after day 1 evening has been held
(``examples/leadership_training.py``, ``late_change``).

    python benchmarks/repair.py                 # seeds 0 and 1
    python benchmarks/repair.py --seeds 3 --repair-limit 10
    python benchmarks/repair.py --json

For each seed, the whole scenario is planned first (``--plan-limit`` seconds), then, side by
side in the same process:

- ``repair``: :func:`teamkit.repair` of that plan with day 1 evening held;
- ``re-solve``: :func:`teamkit.solve` of the changed problem from scratch, with the same time
  limit, which is what an organiser without a repair would do.

Both plans are verified by ``teamkit.check``. ``kept`` is the share of the old plan's places
(person, session) in the sessions after day 1 evening that stay in the same team; the
``d2-morning`` columns count the teams the change touched (lost someone), the teams that
changed, and those changed beyond the touched ones, with the rules that forced them.
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
import leadership_training  # noqa: E402

import teamkit  # noqa: E402

HELD = ("d1-evening",)


def kept_share(before: teamkit.Plan, after: teamkit.Plan, sessions: list[str]) -> float:
    """The share of ``before``'s places in ``sessions`` that ``after`` keeps (same team number)."""
    places = kept = 0
    for sid in sessions:
        for team in before.session(sid).teams:
            for pid in team.members:
                places += 1
                kept += after.team_of(pid, sid) == team.number
    return kept / max(1, places)


def run_case(seed: int, plan_limit: float, repair_limit: float) -> dict[str, Any]:
    problem = leadership_training.build()
    first = teamkit.solve(problem, time_limit=plan_limit, seed=seed)
    row: dict[str, Any] = {"planned": first.status.value}
    if not first.feasible:
        return row
    changed = leadership_training.late_change(problem)
    later = [s.id for s in problem.sessions if s.id not in HELD]

    started = time.monotonic()
    repaired = teamkit.repair(changed, first.plan, held=HELD, time_limit=repair_limit, seed=seed)
    row["repair_s"] = time.monotonic() - started
    row["status"] = repaired.result.status.value
    if repaired.result.plan is not None:
        report = teamkit.check(repaired.problem, repaired.result.plan)
        morning = next(c for c in repaired.sessions if c.session == "d2-morning")
        row.update(
            verified=report.feasible,
            hard=report.hard_violations,
            violations=[f"{v.constraint} ({v.session})" for v in report.violations],
            touched=len(morning.touched),
            changed=len(morning.changed),
            beyond=len(morning.beyond),
            forced=", ".join(morning.forced) if morning.beyond else "",
            moved=sum(len(c.moved) for c in repaired.sessions),
            kept=kept_share(first.plan, repaired.result.plan, later),
        )

    started = time.monotonic()
    fresh = teamkit.solve(repaired.problem, time_limit=repair_limit, seed=seed)
    row["fresh_s"] = time.monotonic() - started
    row["fresh_status"] = fresh.status.value
    if fresh.plan is not None:
        report = teamkit.check(repaired.problem, fresh.plan)
        row.update(fresh_verified=report.feasible, fresh_kept=kept_share(first.plan, fresh.plan, later))
    return row


COLUMNS = [
    ("seed", "seed"),
    ("planned", "planned"),
    ("status", "repair"),
    ("verified", "verified"),
    ("hard", "hard", ".0f"),
    ("repair_s", "seconds", ".1f"),
    ("touched", "touched"),
    ("changed", "changed"),
    ("beyond", "beyond"),
    ("forced", "forced by"),
    ("moved", "moved"),
    ("kept", "kept", ".3f"),
    ("fresh_status", "re-solve"),
    ("fresh_verified", "verified"),
    ("fresh_s", "seconds", ".1f"),
    ("fresh_kept", "kept", ".3f"),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=2, help="solver seeds 0..K-1")
    ap.add_argument("--plan-limit", type=float, default=60.0, help="seconds for the first plan")
    ap.add_argument("--repair-limit", type=float, default=10.0, help="seconds for the repair (and the re-solve)")
    ap.add_argument("--json", action="store_true", help="one JSON object per run instead of the table")
    args = ap.parse_args(argv)
    rows = []
    for seed in range(args.seeds):
        out, seconds, peak = common.measure(run_case, seed, args.plan_limit, args.repair_limit)
        row = {"seed": seed, "seconds": seconds, "peak_mib": peak, **out}
        rows.append(row)
        if args.json:
            common.print_json_lines([row])
    if not args.json:
        print("d2-morning: teams touched by the change, changed, changed beyond those touched (and why)")
        print(common.format_table(rows, COLUMNS))
        for row in rows:
            for line in row.get("violations") or ():
                print(f"seed {row['seed']}: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
