"""Plots of a plan: a one-day workshop for 60 of the seed roster's civil servants, re-mixed
into 12 teams of 5 for each of three sessions, the first two rotating through five exercise
stations; the plan's plots are saved as PNG files.

    pip install "teamkit[plot]"
    python examples/plots.py [folder] [--force]

writes meetings.png, balance-gender.png, balance-echelon.png, new-contacts.png,
station-load-morning.png and station-load-afternoon.png into the folder (``plots`` by
default); an existing file is replaced only with ``--force``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import teamkit as tk
from teamkit.io.roster import read_roster
from teamkit.plots import new_contacts, save_plots

ROSTER = Path(__file__).parent / "data" / "malang_asn_300.csv"
#: (session id, name, station slots)
SESSIONS = [("morning", "Morning", 2), ("afternoon", "Afternoon", 2), ("evening", "Evening", 0)]
#: (station, teams per slot)
STATIONS = [("Jembatan Tali", 2), ("Pipa Bocor", 2), ("Menara Koran", 3), ("Kapal Karam", 3), ("Puzzle Visi", 4)]


def build() -> tk.ProblemData:
    # Every fifth person of the roster: all five districts and echelons, few from one unit.
    # Their superiors are mostly not among them, so the hierarchy column is left out.
    people = [
        tk.Participant(p.id, p.name, {k: v for k, v in p.attributes.items() if k != "supervisor_id"})
        for p in read_roster(ROSTER)[::5]
    ]
    model = tk.Model("Leadership workshop, one day")
    model.add_participants(people)
    for session, name, slots in SESSIONS:
        model.add_session(session, name=name, team_size=5, slots=slots)
    model.add_constraint(tk.Spread("unit"))
    for attribute in ("gender", "echelon"):
        model.add_constraint(tk.Balance(attribute))
    model.add_constraint(tk.NumericBalance("age", hard=False))
    model.add_constraint(tk.MeetAtMost(1))
    for name, capacity in STATIONS:
        model.add_station(name, capacity=capacity)
    model.add_constraint(tk.ExerciseOnce("event", hard=False))
    return model.data()


def main(folder: str | Path | None = None, *, force: bool = False, time_limit: float = 10.0) -> tk.Result:
    problem = build()
    result = tk.solve(problem, time_limit=time_limit, seed=1)
    print(result.summary())
    report = tk.check(problem, result.plan)
    print(report.summary())
    contacts = new_contacts(problem, result.plan)
    print("\nnew contacts per session:", dict(zip(contacts.sessions, contacts.new.tolist())))
    print(f"pairs met: {int(contacts.cumulative[-1])} of {contacts.possible}")
    for path in save_plots(problem, result.plan, folder or "plots", force=force):
        print("wrote", path)
    return result


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--force"]
    try:
        main(arguments[0] if arguments else None, force="--force" in sys.argv[1:])
    except FileExistsError as e:
        sys.exit(str(e))
