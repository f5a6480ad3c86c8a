"""Station pins: team T is at station X in slot j of session S (or in some slot of it).

Shown for each layer: the model refuses pins that cannot hold, the solver keeps them (and the
independent checker agrees), a pin bites (a plan solved without it breaks it), soft pins cost
their weight, the checker flags a plan that breaks one, and event files and plan.json carry
the kind. Every plan a solver returns goes through ``teamkit.check``."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import attrs
import numpy as np
import pytest

import teamkit as tk
from teamkit.engine.activities import Activities
from teamkit.engine.tracks import day_tracks
from teamkit.io.event import load_event
from teamkit.io.plan_json import dumps, problem_from_dict, problem_to_dict
from teamkit.solvers.ortools.stations import StationRequest, plan_stations
from tests.helpers import solve_and_check


def model() -> tk.Model:
    """12 people (three per unit) in 4 teams of 3 in ``s1`` (three station slots) and ``s2``
    (same day; slot 1 plenary, stations in 2 and 3), one person per unit in a team; ``talk``
    has no slots, ``closing`` one plenary slot, ``s3`` two teams and one slot. Stations A
    (not in s3), B, C (closed in slot 3 of s1) and D hold one team each; ``long`` holds two,
    for two slots, and is closed in slot 2 of s2, so that no visit fits there."""
    m = tk.Model()
    for i in range(12):
        m.add_participant(f"p{i:02d}", attributes={"unit": f"u{i % 4}"})
    m.add_session("s1", team_size=3, day="d1", slots=3)
    m.add_session("s2", team_size=3, day="d1", slots=3, plenary=[1])
    m.add_session("talk", num_teams=2)
    m.add_session("closing", num_teams=2, slots=1, plenary=[1])
    m.add_session("s3", num_teams=2, slots=1)
    m.add_station("A", sessions=["s1", "s2"])
    m.add_station("B")
    m.add_station("C", closed=[("s1", 3)])
    m.add_station("long", capacity=2, duration=2, closed=[("s2", 2)])
    m.add_station("D")
    m.add_constraint(tk.Spread("unit", sessions=["s1", "s2"]))
    return m


def problem(*rules: tk.Constraint) -> tk.ProblemData:
    m = model()
    for rule in rules:
        m.add_constraint(rule)
    return m.data()


def at(plan: tk.Plan, session: str, team: int) -> tuple[str | None, ...]:
    return plan.session(session).team(team).stations


def with_stations(plan: tk.Plan, session: str, team: int, stations: tuple[str | None, ...]) -> tk.Plan:
    """The plan with one team's stations replaced (the rest as it was)."""
    sessions = []
    for s in plan.sessions:
        if s.session == session:
            teams = [attrs.evolve(t, stations=stations) if t.number == team else t for t in s.teams]
            s = attrs.evolve(s, teams=teams)
        sessions.append(s)
    return tk.Plan(sessions)


# -- the constraint --------------------------------------------------------------------------------
def test_name_kind_and_defaults() -> None:
    pin = tk.StationPin(2, "A", "s1", slot=3)
    assert (pin.kind, pin.stage, pin.hard, pin.weight) == ("station_pin", "stations", True, 1.0)
    assert pin.name == "station_pin(team 2:A@s1#3)"
    assert tk.StationPin(1, "long", "s2").name == "station_pin(team 1:long@s2)"
    assert tk.StationPin(1, "A", "s1").slot is None
    assert tk.constraints.CONSTRAINT_KINDS["station_pin"] is tk.StationPin


def test_team_numbers_start_at_one() -> None:
    with pytest.raises(tk.ModelError, match=re.escape("StationPin: team must be positive, got 0")):
        tk.StationPin(0, "A", "s1")


# -- the model refuses pins that cannot hold -------------------------------------------------------
REFUSED = [
    (
        [tk.StationPin(1, "lon", "s1")],
        "constraint station_pin(team 1:lon@s1): unknown station 'lon' (did you mean 'long'?)",
    ),
    (
        [tk.StationPin(1, "A", "closng")],
        (
            "constraint station_pin(team 1:A@closng): unknown session 'closng' (did you mean 'closing'?); "
            "sessions are ['s1', 's2', 'talk', 'closing', 's3']"
        ),
    ),
    ([tk.StationPin(5, "A", "s1")], "constraint station_pin(team 5:A@s1): session 's1' has only 4 teams"),
    (
        [tk.StationPin(1, "A", "s1", slot=4)],
        "constraint station_pin(team 1:A@s1#4): session 's1' has slots 1..3, not 4",
    ),
    (
        [tk.StationPin(1, "A", "s1", slot=0)],
        "constraint station_pin(team 1:A@s1#0): session 's1' has slots 1..3, not 0",
    ),
    (
        [tk.StationPin(1, "A", "s2", slot=1)],
        (
            "constraint station_pin(team 1:A@s2#1): slot 1 of session 's2' is plenary, when teams are at no station "
            "(its station slots are [2, 3])"
        ),
    ),
    (
        [tk.StationPin(1, "A", "talk")],
        "constraint station_pin(team 1:A@talk): session 'talk' has no slots, so teams are at no station in it",
    ),
    (
        [tk.StationPin(1, "A", "closing")],
        (
            "constraint station_pin(team 1:A@closing): every slot of session 'closing' is plenary, "
            "so teams are at no station in it"
        ),
    ),
    ([tk.StationPin(1, "C", "s1", slot=3)], "constraint station_pin(team 1:C@s1#3): 'C' is closed in slot 3 of 's1'"),
    (
        [tk.StationPin(1, "long", "s2", slot=3)],
        (
            "constraint station_pin(team 1:long@s2#3): no visit of 'long' (2 consecutive open station slots) "
            "covers slot 3 of 's2'"
        ),
    ),
    (
        [tk.StationPin(1, "long", "s2")],
        (
            "constraint station_pin(team 1:long@s2): 'long' cannot receive a team in 's2': a visit "
            "takes 2 consecutive open station slots"
        ),
    ),
    ([tk.StationPin(1, "A", "s3")], "constraint station_pin(team 1:A@s3): 'A' is closed in every station slot of 's3'"),
    (
        [tk.StationPin(1, "A", "s1", slot=2), tk.StationPin(1, "B", "s1", slot=2)],
        (
            "station_pin(team 1:A@s1#2) and station_pin(team 1:B@s1#2) put team 1 at two stations at once "
            "('A' and 'B') in slot 2 of session 's1'"
        ),
    ),
    (
        [tk.StationPin(1, "A", "s1", slot=1), tk.StationPin(1, "A", "s1", slot=3)],
        (
            "station_pin(team 1:A@s1#1) and station_pin(team 1:A@s1#3) send team 1 to 'A' twice in session 's1' "
            "(slots 1 and 3), but a team visits a station once per session and stays 1 slot"
        ),
    ),
    (
        [tk.StationPin(2, "A", "s1", slot=2), tk.StationPin(3, "A", "s1", slot=2)],
        (
            "station_pin(team 2:A@s1#2), station_pin(team 3:A@s1#2) put 2 teams at 'A' in slot 2 of session 's1', "
            "but it holds 1"
        ),
    ),
]


@pytest.mark.parametrize(("rules", "message"), REFUSED)
def test_refused(rules: list[tk.Constraint], message: str) -> None:
    m = model()
    for rule in rules:
        m.add_constraint(rule)
    with pytest.raises(tk.ModelError) as error:
        m.data()
    assert str(error.value) == message


def test_refused_without_stations() -> None:
    m = tk.Model()
    for i in range(4):
        m.add_participant(f"p{i}")
    m.add_session("s1", num_teams=2)
    m.add_constraint(tk.StationPin(1, "A", "s1"))
    with pytest.raises(
        tk.ModelError, match=re.escape("constraint station_pin(team 1:A@s1): the problem has no stations")
    ):
        m.data()


def test_pins_that_can_hold_together_are_accepted() -> None:
    problem(
        # one visit of a two-slot station covers both pinned slots
        tk.StationPin(1, "long", "s1", slot=1),
        tk.StationPin(1, "long", "s1", slot=2),
        # two teams where the station holds two
        tk.StationPin(2, "long", "s1", slot=2),
        # a soft pin may clash with a hard one: it only costs
        tk.StationPin(1, "A", "s1", slot=1, hard=False),
        tk.StationPin(3, "B", "s1", slot=3),
        tk.StationPin(4, "B", "s1", slot=3, hard=False),
        # a pin outside its own scope never applies
        tk.StationPin(3, "C", "s1", slot=1, sessions=["s2"]),
        tk.StationPin(3, "D", "s1", slot=1, sessions=["s2"]),
    )


# -- the solver keeps them -------------------------------------------------------------------------
def test_hard_pins_are_kept() -> None:
    pins = (
        tk.StationPin(2, "C", "s1", slot=2),
        tk.StationPin(4, "long", "s1", slot=3),  # a visit of slots 2 and 3
        tk.StationPin(1, "D", "s2"),  # in slot 2 or 3
        tk.StationPin(3, "A", "s2", slot=3),
    )
    p = problem(*pins)
    result, report = solve_and_check(p, time_limit=10)
    assert result.feasible and report.feasible
    assert all(report.penalties[pin.name] == 0 for pin in pins)
    assert at(result.plan, "s1", 2)[1] == "C"
    assert at(result.plan, "s1", 4)[1:] == ("long", "long")
    assert "D" in at(result.plan, "s2", 1)
    assert at(result.plan, "s2", 3)[2] == "A"


def test_a_long_visit_that_starts_the_slot_before_covers_the_pinned_slot() -> None:
    pin = tk.StationPin(1, "long", "s1", slot=2)
    p = problem(pin)
    result, report = solve_and_check(p, time_limit=10)
    assert result.feasible and report.penalties[pin.name] == 0
    assert at(result.plan, "s1", 1)[1] == "long"
    # the checker reads a visit of slots 1 and 2 as covering slot 2, one of 2 and 3 too
    for stations in (("long", "long", "A"), ("A", "long", "long")):
        moved = with_stations(result.plan, "s1", 1, stations)
        assert tk.check(p, moved).penalties[pin.name] == 0


def test_station_pin_bites() -> None:
    base, _ = solve_and_check(problem(), time_limit=10)
    # a (team, slot, station) the plan solved without the pin does not use
    team, slot, station = next(
        (t.number, j, name)
        for t in base.plan.session("s1").teams
        for j in (1, 2)
        for name in "ABD"
        if t.stations[j - 1] != name
    )
    pin = tk.StationPin(team, station, "s1", slot=slot)
    pinned = problem(pin)
    before = tk.check(pinned, base.plan)
    assert not before.feasible
    assert [(v.constraint, v.session, v.team, v.amount) for v in before.violations] == [(pin.name, "s1", team, 1.0)]
    result, report = solve_and_check(pinned, time_limit=10)
    assert result.feasible and report.feasible and report.penalties[pin.name] == 0
    assert at(result.plan, "s1", team)[slot - 1] == station
    assert result.plan != base.plan


def test_a_pin_without_a_slot_bites() -> None:
    base, _ = solve_and_check(problem(), time_limit=10)
    team, station = next(
        (t.number, name) for t in base.plan.session("s2").teams for name in "ABCD" if name not in t.stations
    )
    pin = tk.StationPin(team, station, "s2")
    assert tk.check(problem(pin), base.plan).penalties[pin.name] == 1
    result, report = solve_and_check(problem(pin), time_limit=10)
    assert result.feasible and report.penalties[pin.name] == 0
    assert station in at(result.plan, "s2", team)


def test_soft_pins_cost_their_weight() -> None:
    # Team 1 cannot be at A and at B in slot 1: the heavier pin wins, the other costs its weight.
    heavy = tk.StationPin(1, "A", "s1", slot=1, hard=False, weight=3)
    light = tk.StationPin(1, "B", "s1", slot=1, hard=False, weight=2)
    kept = tk.StationPin(2, "D", "s1", slot=3, hard=False, weight=1.5)
    p = problem(heavy, light, kept)
    result, report = solve_and_check(p, time_limit=10)
    assert result.feasible and report.violations == ()
    assert at(result.plan, "s1", 1)[0] == "A" and at(result.plan, "s1", 2)[2] == "D"
    assert (report.penalties[heavy.name], report.penalties[light.name], report.penalties[kept.name]) == (0, 1, 0)
    assert report.breakdown[light.name] == 2.0
    assert result.breakdown[light.name] == 2.0
    assert result.objective == pytest.approx(2.0)


def test_day_tracks_hold_the_pinned_stations() -> None:
    """A day under "no exercise twice" with one-slot stations is planned in tracks, each team
    keeping to its track's stations: the track of a pinned team holds the pinned station."""
    m = tk.Model()
    for i in range(12):
        m.add_participant(f"p{i:02d}", attributes={"unit": f"u{i % 4}"})
    m.add_session("am", team_size=3, day="d1", slots=2)
    m.add_session("pm", team_size=3, day="d1", slots=2)
    for name in "ABCDEFGH":
        m.add_station(name)
    m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.ExerciseOnce("day"))
    pins = (tk.StationPin(3, "E", "pm", slot=2), tk.StationPin(1, "H", "am"), tk.StationPin(4, "H", "pm"))
    for pin in pins:
        m.add_constraint(pin)
    p = m.data()
    found = day_tracks(p, (0, 1), Activities(p).open, [], np.zeros((12, 8), dtype=np.int64), seed=0)
    assert found is not None
    for pin in pins:
        k = p.session_index(pin.session)
        assert found.allowed[k][found.team_track[pin.team - 1], "ABCDEFGH".index(pin.station)]
    result, report = solve_and_check(p, time_limit=10)
    assert result.feasible and report.feasible
    assert all(report.penalties[pin.name] == 0 for pin in pins)
    assert at(result.plan, "pm", 3)[1] == "E" and "H" in at(result.plan, "am", 1) and "H" in at(result.plan, "pm", 4)


def test_pinned_teams_stay_out_of_route_exchanges() -> None:
    # The joint repair exchanges the routes of the teams single_slot marks: not team 2, held
    # by a hard pin, nor team 4, at a two-slot station; a soft pin (team 3) is weighed by the
    # score like any soft rule.
    p = problem(tk.StationPin(2, "A", "s1", slot=1), tk.StationPin(3, "B", "s1", slot=1, hard=False))
    acts = Activities(p)
    a, b, c, long, d = range(5)
    acts.routes[0] = np.array([[b, a, d], [a, c, b], [c, b, a], [d, long, long]])
    assert acts.single_slot(0).tolist() == [True, False, True, False]
    assignment = np.zeros((len(p.sessions), p.num_participants), dtype=np.int64)
    assert acts.penalties(assignment) == {1: 0.0, 2: 1.0}


def test_pins_that_cannot_hold_with_the_structure_become_costs() -> None:
    # Team 0 pinned to station 0 in slots 0 and 2: one visit of one slot cannot do both. The
    # model with the pins fixed is infeasible; the answer keeps one of them.
    req = StationRequest(
        teams=2,
        slots=(1, 2, 3),
        capacity=np.array([1, 1, 1]),
        duration=np.array([1, 1, 1]),
        open=np.ones((3, 3), dtype=bool),
        staff=np.zeros(3, dtype=np.int64),
        can_run=np.zeros((0, 3), dtype=bool),
        forbidden=np.zeros((2, 3), dtype=np.int64),
        cost=np.zeros((2, 3)),
        station_pins=((0, 0, 0, True, 1.0), (0, 0, 2, True, 1.0), (1, 2, -1, True, 1.0)),
    )
    found = plan_stations(req, None, seconds=5, seed=0)
    assert found is not None
    assert (found.route[0, 0] == 0) != (found.route[0, 2] == 0)
    assert 2 in found.route[1]


# -- the checker -----------------------------------------------------------------------------------
def test_checker_flags_a_broken_pin() -> None:
    pin = tk.StationPin(2, "A", "s1", slot=2)
    p = problem(pin)
    result, report = solve_and_check(p, time_limit=10)
    assert report.feasible
    broken = with_stations(result.plan, "s1", 2, ("A", "B", "D"))
    found = [v for v in tk.check(p, broken).violations if v.constraint == pin.name]
    assert [(v.session, v.team, v.amount) for v in found] == [("s1", 2, 1.0)]
    assert found[0].message == "team 2 is at 'B' in slot 2 of session 's1', but is pinned to 'A'"


def test_checker_names_where_the_team_goes_instead() -> None:
    pin = tk.StationPin(1, "D", "s2")
    p = problem(pin)
    result, _ = solve_and_check(p, time_limit=10)
    broken = with_stations(result.plan, "s2", 1, (None, "A", "B"))
    report = tk.check(p, broken)
    found = [v for v in report.violations if v.constraint == pin.name]
    assert [(v.session, v.team, v.amount) for v in found] == [("s2", 1, 1.0)]
    assert found[0].message == "team 1 never goes to 'D' in session 's2' (it goes to 'A', 'B'), but is pinned to it"
    soft = attrs.evolve(pin, hard=False, weight=4)
    report = tk.check(problem(soft), broken)
    assert not [v for v in report.violations if v.constraint == soft.name]
    assert report.penalties[soft.name] == 1 and report.breakdown[soft.name] == 4


def test_checker_reads_a_pin_only_in_its_session_and_scope() -> None:
    p = problem(tk.StationPin(1, "A", "s1", slot=1, sessions=["s2"]))
    result, report = solve_and_check(p, time_limit=10)
    assert report.penalties["station_pin(team 1:A@s1#1)"] == 0
    broken = with_stations(result.plan, "s1", 1, ("B", "D", "A"))
    assert tk.check(p, broken).penalties["station_pin(team 1:A@s1#1)"] == 0


# -- event files and plan.json ---------------------------------------------------------------------
ROSTER = "id,unit\n" + "".join(f"p{i:02d},u{i % 4}\n" for i in range(12))

EVENT = """\
roster = "roster.csv"

[[sessions]]
id = "s1"
team_size = 3
slots = 3

[[stations]]
name = "A"

[[stations]]
name = "B"

[[stations]]
name = "C"

[[stations]]
name = "D"

[[constraints]]
kind = "station_pin"
team = 2
station = "C"
session = "s1"
slot = 3

[[constraints]]
kind = "station_pin"
team = 4
station = "A"
session = "s1"
hard = false
weight = 2.5
"""


def write_event(tmp_path: Path, text: str) -> Path:
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    path = tmp_path / "event.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_event_file_loads_station_pins(tmp_path: Path) -> None:
    event = load_event(write_event(tmp_path, EVENT))
    assert event.problem.constraints == (
        tk.StationPin(2, "C", "s1", slot=3),
        tk.StationPin(4, "A", "s1", hard=False, weight=2.5),
    )
    result, _ = solve_and_check(event.problem, time_limit=10)
    assert result.feasible and at(result.plan, "s1", 2)[2] == "C" and "A" in at(result.plan, "s1", 4)


def test_event_file_names_a_bad_station_pin(tmp_path: Path) -> None:
    path = write_event(tmp_path, EVENT.replace("team = 2", "team = 7"))
    line = EVENT.splitlines().index("[[constraints]]") + 1
    with pytest.raises(tk.EventFileError) as error:
        load_event(path)
    assert str(error.value) == (
        f"{path}: constraints[1] (station_pin, line {line}): constraint station_pin(team 7:C@s1#3): "
        "session 's1' has only 4 teams"
    )


def test_plan_json_round_trip(tmp_path: Path) -> None:
    p = load_event(write_event(tmp_path, EVENT)).problem
    data = problem_to_dict(p)
    assert data["constraints"][0] == {
        "kind": "station_pin",
        "team": 2,
        "station": "C",
        "session": "s1",
        "slot": 3,
        "hard": True,
        "weight": 1.0,
        "sessions": None,
        "label": None,
    }
    assert data["constraints"][1]["slot"] is None
    back = problem_from_dict(json.loads(dumps(data)))
    assert back.constraints == p.constraints
