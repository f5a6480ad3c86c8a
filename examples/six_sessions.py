"""The seed scenario's six sessions through the Python API: 300 civil servants re-mixed into
30 teams of 10 for every session, so that nobody meets the same person twice, with every
rule of the first session holding in each.

    python examples/six_sessions.py
"""

from __future__ import annotations

from pathlib import Path

import teamkit as tk
from teamkit.io.roster import read_roster

ROSTER = Path(__file__).parent / "data" / "malang_asn_300.csv"
SESSIONS = [
    ("d1-evening", "day1"),
    ("d2-morning", "day2"),
    ("d2-afternoon", "day2"),
    ("d2-evening", "day2"),
    ("d3-morning", "day3"),
    ("d3-closing", "day3"),
]


def build() -> tk.ProblemData:
    model = tk.Model("Malang leadership training, three days")
    model.add_participants(read_roster(ROSTER, types={"supervisor_id": "text"}))
    for session, day in SESSIONS:
        model.add_session(session, team_size=10, day=day)
    model.add_constraint(tk.Spread("unit"))  # in every session: at most one per agency
    for attribute in ("echelon", "gender", "district"):
        model.add_constraint(tk.Balance(attribute))
    model.add_constraint(tk.Hierarchy("supervisor_id"))
    model.add_constraint(tk.NumericBalance("age", hard=False))
    model.add_constraint(tk.MeetAtMost(1))  # over the event: never the same team-mate twice
    return model.data()


def main() -> tk.Result:
    problem = build()
    result = tk.solve(problem, time_limit=30, seed=1)
    print(result.summary())
    report = tk.check(problem, result.plan)
    print()
    print(report.summary())
    meetings = report.meetings
    print("\nnew contacts per session:", dict(meetings.new_contacts))
    print("people met per participant:", dict(meetings.distinct_met_distribution()))
    return result


if __name__ == "__main__":
    main()
