"""An impossible request, its explanation, the fix, and a repair in the middle of the event,
on the seed scenario (``leadership_training.py``):

1. The organisers first want only the lower echelons (IV.a, IV.b) to lead, nobody twice:
   teamkit says why no plan exists, with the numbers, and what could be relaxed.
2. The fix: anyone may lead, and the lower echelons get at least their share of the turns
   (the scenario's rule). The event is planned.
3. Day 1 evening has been held. On the morning of day 2, five participants drop out and two
   arrive late: the plan is repaired, keeping everyone else in their team, route and role
   wherever the rules allow, and every move is listed with its reason.
4. The old and the repaired plan are compared.

    python examples/mid_event_repair.py            # 60 s for the plan, 10 s for the repair
    python examples/mid_event_repair.py 20 5
"""

from __future__ import annotations

import sys

import attrs
import leadership_training

import teamkit as tk

LOWER = ["IV.a", "IV.b"]


def only_lower_echelons_lead(problem: tk.ProblemData) -> tk.ProblemData:
    """The leader role open to the lower echelons only."""
    roles = tuple(
        attrs.evolve(r, eligible={"echelon": LOWER}) if r.name == "leader" else r for r in problem.roles
    )
    return problem.replace(roles=roles)


def main(plan_seconds: float = 60.0, repair_seconds: float = 10.0) -> tk.Repair:
    fixed = leadership_training.build()

    print("1. Only echelons IV.a and IV.b lead, and nobody leads twice")
    impossible = only_lower_echelons_lead(fixed)
    result = tk.solve(impossible, time_limit=plan_seconds, seed=1)
    print(result.summary())

    print("\n2. The fix: anyone may lead; IV.a and IV.b get at least their share of the turns")
    result = tk.solve(fixed, time_limit=plan_seconds, seed=1)
    print(result.summary().splitlines()[0])
    print(tk.check(fixed, result.plan).summary().splitlines()[0])

    print("\n3. Day 2 morning: five drop out, two arrive late; day 1 evening was held")
    changed = leadership_training.late_change(fixed)
    repaired = tk.repair(changed, result.plan, held=["d1-evening"], time_limit=repair_seconds, seed=1)
    print(repaired.summary())
    print(tk.check(repaired.problem, repaired.result.plan).summary().splitlines()[0])

    print("\n4. What changed")
    print(tk.diff(repaired.problem, result.plan, repaired.result.plan).summary(limit=5))
    return repaired


if __name__ == "__main__":
    main(*(float(a) for a in sys.argv[1:3]))
