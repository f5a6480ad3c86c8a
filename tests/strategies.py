"""Hypothesis strategies for random problems: the one place they live."""

from __future__ import annotations

import datetime as dt

from hypothesis import reject
from hypothesis import strategies as st

import teamkit as tk


def _people(draw, n: int, units: list[str], bosses: bool) -> tk.Model:
    """A model with ``n`` participants ``p0``... with a unit, a gender, an age and (with
    ``bosses``) a superior among the people before them, or none."""
    m = tk.Model()
    for i in range(n):
        attributes = {
            "unit": draw(st.sampled_from(units)),
            "g": draw(st.sampled_from(["F", "M"])),
            "age": draw(st.integers(20, 60)),
        }
        if bosses:
            # None, as a roster's empty cell reads
            attributes["boss"] = None if i == 0 else draw(st.sampled_from([None, f"p{draw(st.integers(0, i - 1))}"]))
        m.add_participant(f"p{i}", attributes=attributes)
    return m


@st.composite
def problems(draw, min_people: int = 4, max_people: int = 12) -> tk.ProblemData:
    n = draw(st.integers(min_people, max_people))
    m = _people(draw, n, ["a", "b", "c", "d"], bosses=True)
    size = draw(st.integers(2, max(2, n // 2)))
    m.add_session("s1", team_size=size, remainder=draw(st.sampled_from(["larger", "smaller"])))
    hard = st.booleans()
    if draw(st.booleans()):
        m.add_constraint(tk.Spread("unit", max_per_team=draw(st.integers(1, 2)), hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.Balance("g", tolerance=draw(st.integers(0, 1)), hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.NoIsolation("g", values=["F"], hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.NumericBalance("age", hard=False, spread=draw(st.booleans())))
    if draw(st.booleans()):
        m.add_constraint(tk.Hierarchy("boss", hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.Diversity(attributes=["unit", "age"], weight=0.5))
    if draw(st.booleans()):
        m.add_constraint(tk.Apart(["p0", "p1"], hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.Pin(f"p{n - 1}", team=1, hard=draw(hard)))
    return m.data()


@st.composite
def events(draw, min_people: int = 6, max_people: int = 14) -> tk.ProblemData:
    """Events of 2 to 4 sessions: sessions with their own sizes, absences, kept teams, and the
    across-session rules on top of some one-session rules."""
    n = draw(st.integers(min_people, max_people))
    m = _people(draw, n, ["a", "b", "c", "d", "e"], bosses=False)
    sessions = draw(st.integers(2, 4))
    for k in range(sessions):
        keep = k > 0 and draw(st.booleans()) and draw(st.booleans())  # about one in four
        absent = [] if keep else draw(st.lists(st.sampled_from([f"p{i}" for i in range(n)]), max_size=2, unique=True))
        if keep:
            previous = m.sessions[-1]
            m.add_session(f"s{k + 1}", num_teams=_teams_of(previous, n), keep_teams=True, min_size=1, max_size=n)
        else:
            size = draw(st.integers(2, 4))
            m.add_session(f"s{k + 1}", team_size=size, remainder="larger", absent=absent)
    hard = st.booleans()
    if draw(st.booleans()):
        m.add_constraint(tk.MeetAtMost(draw(st.integers(1, 2)), hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.AvoidRepeats(power=draw(st.integers(1, 2)), weight=draw(st.sampled_from([0.5, 1.0, 3.0]))))
    if draw(st.booleans()):
        m.add_constraint(tk.Reach("unit", at_least=draw(st.integers(1, 4))))
    if draw(st.booleans()):
        m.add_constraint(tk.Spread("unit", hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.NumericBalance("age", hard=False))
    if draw(st.booleans()):
        m.add_constraint(tk.Apart(["p0", "p1"], hard=draw(hard)))
    return m.data()


def _teams_of(session: tk.Session, n: int) -> int:
    """The number of teams ``session`` has with everyone present (a kept session needs as
    many; with absences the layout is recomputed by the model)."""
    present = n - len(session.absent)
    return len(session.layout(present))


def _distances(draw, n: int) -> list[list[int]]:
    """A symmetric ``n x n`` matrix of small whole distances, zero on the diagonal."""
    upper = draw(st.lists(st.integers(0, 9), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2))
    D = [[0] * n for _ in range(n)]
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            D[i][j] = D[j][i] = upper[k]
            k += 1
    return D


@st.composite
def tiny_problems(draw) -> tk.ProblemData:
    """Problems small enough to enumerate every plan (at most 7 people in at most 3 teams of
    one session, or 6 people over two sessions): every kind of one-session rule (diversity
    from attributes or from a distance matrix), each hard or soft at random, and across
    sessions MeetAtMost or AvoidRepeats."""
    two = draw(st.booleans())
    n = draw(st.integers(4, 6 if two else 7))
    m = _people(draw, n, ["a", "b", "c"], bosses=True)
    teams = draw(st.integers(2, 3 if n >= 6 else 2))
    m.add_session("s1", num_teams=teams)
    if two:
        m.add_session("s2", num_teams=teams)
    hard = st.booleans()
    ids = [f"p{i}" for i in range(n)]
    pair = st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True)
    rules = [
        lambda: tk.Spread("unit", max_per_team=draw(st.integers(1, 2)), hard=draw(hard)),
        lambda: tk.Balance("g", hard=draw(hard)),
        lambda: tk.NoIsolation("g", values=["F"], hard=draw(hard)),
        lambda: tk.NumericBalance("age", hard=False, weight=draw(st.sampled_from([0.01, 0.1]))),
        lambda: tk.Hierarchy("boss", hard=draw(hard)),
        lambda: tk.Together(draw(pair), hard=draw(hard)),
        lambda: tk.Apart(draw(pair), hard=draw(hard)),
        lambda: tk.Pin(draw(st.sampled_from(ids)), team=draw(st.integers(1, teams)), hard=draw(hard)),
        lambda: tk.Diversity(attributes=["unit"], weight=0.5),
        lambda: tk.Diversity(distances=_distances(draw, n), weight=draw(st.sampled_from([0.1, 1.0]))),
    ]
    if two:
        rules += [lambda: tk.MeetAtMost(1, hard=draw(hard)), lambda: tk.AvoidRepeats()]
    for k in draw(st.lists(st.integers(0, len(rules) - 1), min_size=1, max_size=4, unique=True)):
        m.add_constraint(rules[k]())
    try:
        return m.data()
    except tk.ModelError:
        # rules the model refuses outright (a pair both hard together and hard apart): the
        # bad-input tests cover those
        reject()


@st.composite
def activities(draw) -> tk.ProblemData:
    """Events with roles and stations: 8 to 16 people over 2 or 3 sessions of one or two
    slots on one or two days, stations with a capacity, a duration, staff and closed slots,
    instructors, roles with eligibility and turn limits, and any of the role and station
    rules (each hard or soft at random where it may be hard), with times on some sessions."""
    n = draw(st.integers(8, 16))
    m = _people(draw, n, ["a", "b", "c", "d"], bosses=False)
    sessions = draw(st.integers(2, 3))
    slots = draw(st.integers(1, 2))
    timed = draw(st.booleans())
    for k in range(sessions):
        day = f"d{1 + (k * draw(st.integers(1, 2))) // 2}"
        start = {"start": dt.datetime(2026, 5, 11 + k, 9), "slot_minutes": 45} if timed else {}
        m.add_session(f"s{k + 1}", team_size=draw(st.integers(3, 4)), day=day, slots=slots, **start)
    teams = max(len(m.sessions[k].layout(n)) for k in range(sessions))
    names = [f"st{j}" for j in range(draw(st.integers(2, 4)))]
    for j, name in enumerate(names):
        closed = [("s1", 1)] if j == 0 and draw(st.booleans()) else []
        m.add_station(
            name,
            capacity=draw(st.integers(1, teams)),
            duration=2 if slots == 2 and j == len(names) - 1 and draw(st.booleans()) else 1,
            attributes={"intensity": draw(st.sampled_from(["high", "low"]))},
            staff=draw(st.integers(0, 1)),
            closed=closed,
        )
    staffed = draw(st.integers(0, 3))
    for k in range(staffed):
        m.add_instructor(f"i{k + 1}")
    m.add_role("leader", max_turns=draw(st.sampled_from([None, 1, 2])))
    if draw(st.booleans()):
        m.add_role("scribe", eligible={"g": draw(st.sampled_from(["F", "M"]))})
    hard = st.booleans()
    ids = [f"p{i}" for i in range(n)]
    rules = [
        lambda: tk.RoleShare("leader", "unit", [draw(st.sampled_from(["a", "b"]))], hard=draw(hard)),
        lambda: tk.FairTurns(role="leader", weight=draw(st.sampled_from([0.5, 1.0]))),
        lambda: tk.RolePin(draw(st.sampled_from(ids)), "leader", "s1", hard=draw(hard)),
        lambda: tk.AvoidStations({"g": "F"}, {"intensity": "high"}, hard=draw(hard)),
        lambda: tk.ExerciseOnce(per=draw(st.sampled_from(["day", "event"])), hard=draw(hard)),
        lambda: tk.StationPin(1, draw(st.sampled_from(names)), "s1", hard=draw(hard)),
        lambda: tk.MeetAtMost(1, hard=draw(hard)),
        lambda: tk.Spread("unit", hard=draw(hard)),
    ]
    if staffed:
        rules.append(lambda: tk.StaffPin("i1", draw(st.sampled_from(names)), "s1", hard=draw(hard)))
    for k in draw(st.lists(st.integers(0, len(rules) - 1), max_size=4, unique=True)):
        m.add_constraint(rules[k]())
    try:
        return m.data()
    except tk.ModelError:
        # layouts the model refuses outright (more teams than stations can take in a slot,
        # staff beyond the instructors): the bad-input tests cover those
        reject()
