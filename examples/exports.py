"""Exports of a plan: a one-day workshop for 60 of the seed roster's civil servants, with the
real times of its sessions, turned into a workbook, CSV files, a calendar per participant,
printable team cards, agendas and station timetables, and JSON.

    python examples/exports.py [folder] [--force]

writes plan.xlsx, csv/, calendars/, html/ and json/ into the folder (``exports`` by
default), all or nothing; an existing file is replaced only with ``--force``. Open
html/index.html in a browser, or print html/team-cards.html: one card per page.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import teamkit as tk
from teamkit.export import export
from teamkit.io.roster import read_roster

ROSTER = Path(__file__).parent / "data" / "malang_asn_300.csv"
#: (session id, name, station slots, start, minutes per slot); local times in Malang.
SESSIONS = [
    ("morning", "Morning", 3, dt.datetime(2025, 5, 16, 8, 0), 60),
    ("afternoon", "Afternoon", 2, dt.datetime(2025, 5, 16, 13, 30), 60),
    ("closing", "Closing", 0, dt.datetime(2025, 5, 16, 16, 30), 45),
]
#: (station, teams per slot, staff)
STATIONS = [
    ("Jembatan Tali", 2, 1),
    ("Pipa Bocor", 2, 1),
    ("Menara Koran", 3, 0),
    ("Kapal Karam", 3, 0),
    ("Puzzle Visi", 4, 0),
]


def build() -> tk.ProblemData:
    # Every fifth person of the roster; their superiors are mostly not among them, so the
    # hierarchy column is left out.
    people = [
        tk.Participant(p.id, p.name, {k: v for k, v in p.attributes.items() if k != "supervisor_id"})
        for p in read_roster(ROSTER)[::5]
    ]
    model = tk.Model("Leadership workshop, 16 May 2025", timezone="Asia/Jakarta")
    model.add_participants(people)
    for session, name, slots, start, minutes in SESSIONS:
        model.add_session(
            session, name=name, team_size=5, day="d1", slots=slots, start=start, slot_minutes=minutes, break_minutes=15
        )
    model.add_constraint(tk.Spread("unit"))
    for attribute in ("gender", "echelon"):
        model.add_constraint(tk.Balance(attribute))
    model.add_constraint(tk.MeetAtMost(1))
    model.add_role("leader", max_turns=1)
    model.add_role("note-taker")
    for name, capacity, staff in STATIONS:
        model.add_station(name, capacity=capacity, staff=staff)
    for k in (1, 2):
        model.add_instructor(f"instructor-{k}", stations=[STATIONS[k - 1][0]])
    model.add_constraint(tk.ExerciseOnce("day", hard=False))  # each exercise once, as far as it goes
    return model.data()


def main(folder: str | Path | None = None, *, force: bool = False, time_limit: float = 20.0) -> tk.Result:
    problem = build()
    result = tk.solve(problem, time_limit=time_limit, seed=1)
    print(result.summary())
    report = tk.check(problem, result.plan)
    print(report.summary())
    if not report.feasible:
        print("the plan breaks hard rules; nothing exported")
        return result
    written = export(problem, result.plan, folder or "exports", "all", result=result, force=force)
    calendars = [p for p in written if p.suffix == ".ics"]
    print(f"\nwrote {len(written)} files, {len(calendars)} of them calendars:")
    for path in written:
        if path.suffix != ".ics":
            print(f"  {path}")
    return result


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--force"]
    try:
        main(arguments[0] if arguments else None, force="--force" in sys.argv[1:])
    except FileExistsError as e:
        sys.exit(str(e))
