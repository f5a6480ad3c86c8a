"""The seed scenario's first session through the Python API: 300 civil servants of a city
government in 30 mixed teams of 10, checked independently.

    python examples/first_session.py
"""

from __future__ import annotations

from pathlib import Path

import teamkit as tk
from teamkit.io.roster import read_roster

ROSTER = Path(__file__).parent / "data" / "malang_asn_300.csv"


def build() -> tk.ProblemData:
    model = tk.Model("Malang leadership training, day 1 evening")
    model.add_participants(read_roster(ROSTER, types={"supervisor_id": "text"}))
    model.add_session("d1-evening", team_size=10)
    model.add_constraint(tk.Spread("unit"))  # at most one per agency or urban village
    for attribute in ("echelon", "gender", "district"):
        model.add_constraint(tk.Balance(attribute))  # fair share of every value in every team
    model.add_constraint(tk.Hierarchy("supervisor_id"))  # never with one's direct superior
    model.add_constraint(tk.NumericBalance("age", hard=False))  # mean ages close together
    return model.data()


def main() -> tk.Result:
    problem = build()
    result = tk.solve(problem, time_limit=20, seed=1)
    print(result.summary())
    report = tk.check(problem, result.plan)
    print()
    print(report.summary())
    first = result.plan.sessions[0].teams[0]
    names = {p.id: p.name for p in problem.participants}
    print(f"\nTeam {first.number}: " + ", ".join(names[m] for m in first.members))
    return result


if __name__ == "__main__":
    main()
