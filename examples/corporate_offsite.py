"""A corporate offsite: 80 employees of six departments over two days in ten teams of eight
(one team for the whole first day, new team-mates on the second), rotating through nine
activity stations, four of them run by facilitators. Rain is forecast for the first
afternoon, so the outdoor stations close then and every team stays indoors. Managers are
never in a team with their own reports, each team has a leader (a different person every
session), nobody does an activity twice in a day, and people with limited mobility are kept
away from the high-intensity stations.

    python examples/corporate_offsite.py
"""

from __future__ import annotations

# --8<-- [start:roster]
import datetime as dt

import teamkit as tk

#: (department, people, team leads under the head)
DEPARTMENTS = [
    ("Sales", 16, 2),
    ("Engineering", 18, 2),
    ("Finance", 10, 1),
    ("People", 8, 1),
    ("Marketing", 12, 1),
    ("Operations", 16, 2),
]
FIRST = ["Ana", "Ben", "Carla", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jia", "Kofi", "Lena", "Milo", "Nora"]
LAST = ["Alves", "Brandt", "Costa", "Dahl", "Ekwueme", "Fischer", "Garcia", "Horvat", "Ito", "Jensen", "Khan"]
#: Four people have limited mobility (a knee injury, a wheelchair, a late pregnancy...).
LIMITED_MOBILITY_EVERY = 20


def employees() -> list[tk.Participant]:
    """The roster: in each department a head, the team leads who report to the head, and staff
    who report to a team lead in turn. ``manager_id`` is each person's direct manager."""
    people = []
    for department, size, leads in DEPARTMENTS:
        prefix = department[:3].upper()
        ids = [f"{prefix}{k + 1:02d}" for k in range(size)]
        for k, pid in enumerate(ids):
            if k == 0:
                manager = None  # the head of the department
            elif k <= leads:
                manager = ids[0]  # a team lead reports to the head
            else:
                manager = ids[1 + (k - leads - 1) % leads]  # staff report to a team lead
            n = len(people)
            name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7 + 3) % len(LAST)]}"
            mobility = "limited" if n % LIMITED_MOBILITY_EVERY == 5 else "full"
            people.append(
                tk.Participant(pid, name, {"department": department, "manager_id": manager, "mobility": mobility})
            )
    return people


# --8<-- [end:roster]
# --8<-- [start:schedule]
#: (session id, name, day, station slots, start, minutes per slot)
SESSIONS = [
    ("d1-morning", "Day 1 morning", "day1", 3, dt.datetime(2025, 9, 18, 9, 0), 60),
    ("d1-afternoon", "Day 1 afternoon", "day1", 2, dt.datetime(2025, 9, 18, 14, 0), 75),
    ("d2-morning", "Day 2 morning", "day2", 3, dt.datetime(2025, 9, 19, 9, 0), 60),
]
#: Sessions that keep the teams of the session before: a team stays together all of day 1.
KEEP_TEAMS = {"d1-afternoon"}
#: The session in which rain is forecast: the outdoor stations close in all its slots.
RAIN = "d1-afternoon"

#: (station, where, intensity, teams at once, facilitators needed)
STATIONS = [
    ("Rope course", "outdoor", "high", 2, 1),
    ("Orienteering", "outdoor", "high", 2, 0),
    ("Raft building", "outdoor", "medium", 2, 1),
    ("Scavenger hunt", "outdoor", "low", 2, 0),
    ("Escape room", "indoor", "low", 2, 1),
    ("Design sprint", "indoor", "low", 3, 0),
    ("Negotiation game", "indoor", "low", 3, 1),
    ("Cooking challenge", "indoor", "medium", 2, 0),
    ("Lego strategy", "indoor", "low", 2, 0),
]
#: (facilitator id, name, the stations they can run; None: any)
FACILITATORS = [
    ("F1", "Marta Quispe", ["Rope course", "Raft building"]),
    ("F2", "Tomasz Nowak", None),
    ("F3", "Aiko Mori", ["Escape room", "Negotiation game"]),
    ("F4", "Lucas Ferreira", ["Rope course", "Raft building"]),
]


# --8<-- [end:schedule]
# --8<-- [start:build]
def build() -> tk.ProblemData:
    model = tk.Model("Offsite, 18-19 September 2025", timezone="Europe/Lisbon")
    model.add_participants(employees())
    for session, name, day, slots, start, minutes in SESSIONS:
        model.add_session(
            session,
            name=name,
            team_size=8,
            day=day,
            slots=slots,
            start=start,
            slot_minutes=minutes,
            break_minutes=15,
            keep_teams=session in KEEP_TEAMS,
        )

    # Mixed teams in every session, and new faces on day 2 (the whole of day 1 counts as one meeting).
    model.add_constraint(tk.Balance("department"))  # every department its fair share of every team
    model.add_constraint(tk.Hierarchy("manager_id"))  # nobody with their own manager
    model.add_constraint(tk.Spread("mobility", values=["limited"]))  # at most one such member per team
    model.add_constraint(tk.MeetAtMost(1))  # never the same team-mate twice

    # A leader in every team, a different person each time.
    model.add_role("leader", max_turns=1)

    # The stations; the outdoor ones close in every slot of the rainy afternoon.
    rain_slots = next(slots for session, _, _, slots, _, _ in SESSIONS if session == RAIN)
    rainy = [(RAIN, slot) for slot in range(1, rain_slots + 1)]
    for name, where, intensity, capacity, staff in STATIONS:
        model.add_station(
            name,
            capacity=capacity,
            attributes={"where": where, "intensity": intensity},
            closed=rainy if where == "outdoor" else [],
            staff=staff,
        )
    for fid, name, stations in FACILITATORS:
        model.add_instructor(fid, name, stations=stations)

    model.add_constraint(tk.ExerciseOnce("day"))  # no activity twice in a day
    model.add_constraint(tk.ExerciseOnce("event", hard=False))  # and as few as possible again on day 2
    model.add_constraint(tk.AvoidStations(who={"mobility": "limited"}, stations={"intensity": "high"}))
    return model.data()


# --8<-- [end:build]
# --8<-- [start:main]
def main(time_limit: float = 10.0) -> tk.Result:
    problem = build()
    result = tk.solve(problem, time_limit=time_limit, seed=1)
    print(result.summary())
    print()
    print(tk.check(problem, result.plan).summary())
    return result


# --8<-- [end:main]
if __name__ == "__main__":
    main()
