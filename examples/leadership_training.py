"""The whole seed scenario through the Python API: 300 civil servants over three days, re-mixed
into 30 teams of 10 for every session, each team with a leader, a note-taker and a
time-keeper, rotating through 14 exercise stations run by 12 instructors.

    python examples/leadership_training.py
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import attrs

import teamkit as tk
from teamkit.io.roster import read_roster

ROSTER = Path(__file__).parent / "data" / "malang_asn_300.csv"

#: (session id, name, day, slots, start, minutes per slot); the closing session is one
#: plenary slot. Times are local in Malang (Asia/Jakarta); slots are 15 minutes apart.
SESSIONS = [
    ("d1-evening", "Day 1 evening", "day1", 2, dt.datetime(2025, 5, 15, 19, 0), 60),
    ("d2-morning", "Day 2 morning", "day2", 3, dt.datetime(2025, 5, 16, 8, 0), 75),
    ("d2-afternoon", "Day 2 afternoon", "day2", 3, dt.datetime(2025, 5, 16, 13, 30), 75),
    ("d2-evening", "Day 2 evening", "day2", 2, dt.datetime(2025, 5, 16, 19, 0), 60),
    ("d3-morning", "Day 3 morning", "day3", 3, dt.datetime(2025, 5, 17, 8, 0), 75),
    ("d3-closing", "Closing session", "day3", 1, dt.datetime(2025, 5, 17, 13, 0), 90),
]
EVENINGS = {"d1-evening", "d2-evening"}

#: (station, where, intensity, teams per slot)
STATIONS = [
    ("Jembatan Tali", "outdoor", "high", 3),
    ("Papan Titian", "outdoor", "high", 2),
    ("Navigasi Darat", "outdoor", "high", 3),
    ("Jaring Laba-laba", "outdoor", "medium", 3),
    ("Pipa Bocor", "outdoor", "medium", 3),
    ("Estafet Bola", "outdoor", "medium", 3),
    ("Tali Simpul", "outdoor", "medium", 3),
    ("Ladang Ranjau", "outdoor", "low", 3),
    ("Kotak Buta", "outdoor", "low", 3),
    ("Menara Koran", "indoor", "low", 6),
    ("Kapal Karam", "indoor", "low", 6),
    ("Simulasi Pengaduan Warga", "indoor", "low", 6),
    ("Studi Kasus Pelayanan Publik", "indoor", "low", 6),
    ("Puzzle Visi", "indoor", "low", 8),
]


def build(participants: list[tk.Participant] | None = None, teams: int = 30) -> tk.ProblemData:
    """The scenario on the seed roster, or on ``participants`` in ``teams`` teams of 10, with
    station capacities and instructors scaled by ``teams / 30``."""
    people = participants if participants is not None else read_roster(ROSTER, types={"supervisor_id": "text"})
    scale = teams / 30
    model = tk.Model("Malang leadership training, 15-17 May 2025", timezone="Asia/Jakarta")
    model.add_participants(people)
    for session, name, day, slots, start, minutes in SESSIONS:
        plenary = [1] if session == "d3-closing" else []
        model.add_session(
            session,
            name=name,
            team_size=10,
            day=day,
            slots=slots,
            plenary=plenary,
            start=start,
            slot_minutes=minutes,
            break_minutes=15 if slots > 1 else 0,
        )

    # Mixed teams, in every session.
    model.add_constraint(tk.Spread("unit"))
    for attribute in ("echelon", "gender", "district"):
        model.add_constraint(tk.Balance(attribute))
    model.add_constraint(tk.NumericBalance("age", hard=False))
    model.add_constraint(tk.NumericBalance("years_of_service", hard=False))
    model.add_constraint(tk.Hierarchy("supervisor_id"))
    # New faces: nobody shares a team with the same person twice.
    model.add_constraint(tk.MeetAtMost(1))

    # Roles: nobody leads twice, and the lower echelons lead at least their share.
    model.add_role("leader", max_turns=1)
    model.add_role("note-taker")
    model.add_role("time-keeper")
    model.add_constraint(tk.RoleShare("leader", "echelon", ["IV.a", "IV.b"]))
    model.add_constraint(tk.FairTurns())

    # Stations: evenings indoors only; each station that receives teams needs an instructor.
    daytime = [s[0] for s in SESSIONS if s[0] not in EVENINGS]
    for name, where, intensity, capacity in STATIONS:
        model.add_station(
            name,
            capacity=math.ceil(capacity * scale),
            attributes={"where": where, "intensity": intensity},
            sessions=None if where == "indoor" else daytime,
            staff=1,
        )
    for k in range(1, math.ceil(12 * scale) + 1):
        model.add_instructor(f"instructor-{k:02d}")
    # At most one member with limited fitness per team, and never at a high-intensity station.
    model.add_constraint(tk.Spread("fitness", values=["limited"]))
    model.add_constraint(tk.AvoidStations(who={"fitness": "limited"}, stations={"intensity": "high"}))
    model.add_constraint(tk.ExerciseOnce("day"))
    model.add_constraint(tk.ExerciseOnce("event", hard=False))
    return model.data()


#: The scenario's late change on the morning of day 2: five participants drop out for the rest
#: of the event, and two arrive late, missing the morning (ids from the seed roster).
DROPPED_OUT = ("ASN0011", "ASN0047", "ASN0102", "ASN0168", "ASN0233")
LATE = ("ASN0076", "ASN0259")


def late_change(problem: tk.ProblemData) -> tk.ProblemData:
    """The problem after the late change: the five absent from day 2 morning on, the two
    absent on day 2 morning only. Day 1 evening has been held by then."""
    sessions = []
    for session in problem.sessions:
        absent = list(session.absent)
        if session.id != "d1-evening":
            absent += DROPPED_OUT
        if session.id == "d2-morning":
            absent += LATE
        sessions.append(attrs.evolve(session, absent=tuple(absent)))
    return problem.replace(sessions=tuple(sessions))


def main(time_limit: float = 60.0) -> tk.Result:
    problem = build()
    result = tk.solve(problem, time_limit=time_limit, seed=1)
    print(result.summary())
    report = tk.check(problem, result.plan)
    print()
    print(report.summary())
    return result


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
