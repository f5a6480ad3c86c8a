"""Event files with roles, stations and instructors: every key read, and bad input named by
table, entry and line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from teamkit.activities import Instructor, Role, Station
from teamkit.constraints import (
    AvoidStations,
    ExerciseOnce,
    FairTurns,
    RolePin,
    RoleShare,
    Spread,
    StaffPin,
)
from teamkit.exceptions import EventFileError
from teamkit.io.event import TOP_LEVEL_KEYS, load_event
from teamkit.io.plan_json import dumps, problem_from_dict, problem_to_dict
from teamkit.model import ProblemData, Session

ROSTER = """\
id,name,gender,age,unit,fitness,echelon
P1,Ana,P,30,X,limited,IV.a
P2,Budi,L,40,X,normal,III.a
P3,Citra,P,35,Y,normal,IV.b
P4,Dodi,L,45,Y,normal,II.b
P5,Eka,P,50,Z,limited,IV.a
P6,Fajar,L,25,Z,normal,IV.b
"""

# The line numbers in the expected messages below are those of this text.
EVENT = """\
name = "Stations"
roster = "roster.csv"

[[sessions]]
id = "s1"
num_teams = 2
day = "d1"
slots = 3
plenary = [1]

[[sessions]]
id = "s2"
num_teams = 2
day = "d1"
slots = 2

[[roles]]
name = "leader"
eligible = { echelon = ["III.a", "IV.a", "IV.b"] }
max_turns = 1

[[roles]]
name = "scribe"
per_team = 1
people = ["P2", "P3", "P4", "P6"]
sessions = "s2"

[[stations]]
name = "ropes"
capacity = 1
attributes = { intensity = "high", outdoor = true, level = 3 }
staff = 1

[[stations]]
name = "maze"
capacity = 2
closed = [["s2", 2]]
attributes = { intensity = "low", outdoor = false, level = 1.5 }

[[stations]]
name = "raft"
duration = 2
sessions = ["s1"]
attributes = { intensity = "medium" }

[[instructors]]
id = "I1"
name = "Iwan"
stations = ["ropes", "raft"]

[[instructors]]
id = "I2"
sessions = ["s1"]

[[constraints]]
kind = "spread"
attribute = "fitness"
values = ["limited"]

[[constraints]]
kind = "avoid_stations"
who = { fitness = "limited" }
stations = { intensity = ["high", "medium"] }

[[constraints]]
kind = "exercise_once"
per = "day"

[[constraints]]
kind = "exercise_once"
per = "event"
hard = false
weight = 2

[[constraints]]
kind = "role_share"
role = "leader"
attribute = "echelon"
values = ["IV.a", "IV.b"]
at_least = 0.5
hard = false

[[constraints]]
kind = "fair_turns"
role = "scribe"

[[constraints]]
kind = "role_pin"
participant = "P1"
role = "leader"
session = "s1"

[[constraints]]
kind = "staff_pin"
instructor = "I1"
station = "ropes"
session = "s1"
slot = 2
"""


def make(tmp_path: Path, event: str = EVENT) -> Path:
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    path = tmp_path / "event.toml"
    path.write_text(textwrap.dedent(event), encoding="utf-8")
    return path


def load(tmp_path: Path, event: str = EVENT) -> ProblemData:
    return load_event(make(tmp_path, event)).problem


def error(tmp_path: Path, event: str) -> str:
    path = make(tmp_path, event)
    with pytest.raises(EventFileError) as e:
        load_event(path)
    prefix = f"{path}: "
    message = str(e.value)
    assert message.startswith(prefix), message
    return message.removeprefix(prefix)


def replace(old: str, new: str) -> str:
    assert EVENT.count(old) == 1, old
    return EVENT.replace(old, new)


# -- reading --------------------------------------------------------------------------------------
def test_top_level_keys():
    assert TOP_LEVEL_KEYS == (
        "name",
        "timezone",
        "roster",
        "solver",
        "repair",
        "sessions",
        "availability",
        "roles",
        "stations",
        "instructors",
        "constraints",
    )


def test_session_slots_and_plenary(tmp_path):
    problem = load(tmp_path)
    assert problem.sessions == (
        Session("s1", num_teams=2, day="d1", slots=3, plenary=(1,)),
        Session("s2", num_teams=2, day="d1", slots=2),
    )


def test_roles(tmp_path):
    assert load(tmp_path).roles == (
        Role("leader", eligible={"echelon": ["III.a", "IV.a", "IV.b"]}, max_turns=1),
        Role("scribe", per_team=1, people=["P2", "P3", "P4", "P6"], sessions=["s2"]),
    )


def test_stations(tmp_path):
    ropes, maze, raft = load(tmp_path).stations
    assert ropes == Station("ropes", capacity=1, attributes={"intensity": "high", "outdoor": True, "level": 3}, staff=1)
    assert maze == Station(
        "maze", capacity=2, closed=[("s2", 2)], attributes={"intensity": "low", "outdoor": False, "level": 1.5}
    )
    assert maze.closed == (("s2", 2),)
    assert raft == Station("raft", duration=2, sessions=["s1"], attributes={"intensity": "medium"})
    # attribute values keep their TOML types
    assert [type(v) for v in ropes.attributes.values()] == [str, bool, int]
    assert type(maze.attributes["level"]) is float


def test_instructors(tmp_path):
    assert load(tmp_path).instructors == (
        Instructor("I1", "Iwan", stations=["ropes", "raft"]),
        Instructor("I2", sessions=["s1"]),
    )
    assert load(tmp_path).instructors[1].name == "I2"


def test_new_constraint_kinds(tmp_path):
    assert load(tmp_path).constraints == (
        Spread("fitness", values=["limited"]),
        AvoidStations(who={"fitness": "limited"}, stations={"intensity": ["high", "medium"]}),
        ExerciseOnce("day"),
        ExerciseOnce("event", hard=False, weight=2.0),
        RoleShare("leader", "echelon", ["IV.a", "IV.b"], at_least=0.5, hard=False),
        FairTurns("scribe"),
        RolePin("P1", "leader", "s1"),
        StaffPin("I1", "ropes", "s1", slot=2),
    )


def test_a_single_value_selects_like_a_list_of_one(tmp_path):
    problem = load(
        tmp_path,
        replace('eligible = { echelon = ["III.a", "IV.a", "IV.b"] }', 'eligible = { echelon = "IV.a", age = 30 }'),
    )
    assert problem.roles[0].eligible == {"echelon": ("IV.a",), "age": (30,)}
    assert problem.constraints[1].who == {"fitness": ("limited",)}


def test_staff_pin_without_slot_and_role_share_without_fraction(tmp_path):
    problem = load(tmp_path, replace('session = "s1"\nslot = 2\n', 'session = "s1"\n').replace("at_least = 0.5\n", ""))
    assert problem.constraints[-1] == StaffPin("I1", "ropes", "s1")
    assert problem.constraints[4].at_least is None


def test_event_without_activities_has_none(tmp_path):
    problem = load(tmp_path, 'roster = "roster.csv"\n[[sessions]]\nid = "s"\nnum_teams = 2\n')
    assert (problem.roles, problem.stations, problem.instructors) == ((), (), ())
    assert problem.sessions[0].slots == 0 and problem.sessions[0].plenary == ()


def test_plenary_only_sessions_need_no_stations(tmp_path):
    problem = load(
        tmp_path, 'roster = "roster.csv"\n[[sessions]]\nid = "s"\nnum_teams = 2\nslots = 2\nplenary = [1, 2]\n'
    )
    assert problem.sessions[0].plenary == (1, 2) and problem.stations == ()


def test_round_trip_through_problem_json(tmp_path):
    problem = load(tmp_path)
    data = problem_to_dict(problem)
    again = problem_from_dict(json.loads(dumps(data)))
    for field in ("name", "participants", "sessions", "roles", "stations", "instructors", "constraints"):
        assert getattr(again, field) == getattr(problem, field), field
    assert dumps(problem_to_dict(again)) == dumps(data)


# -- bad input: the exact messages ------------------------------------------------------------------
def test_unknown_key_in_stations_names_table_entry_and_line(tmp_path):
    assert error(tmp_path, replace("capacity = 2\n", "capacity = 2\ncapactiy = 3\n")) == (
        "stations[2] (maze, line 34): unknown key 'capactiy' (did you mean 'capacity'?); "
        "the keys are: name, capacity, duration, attributes, sessions, closed, staff"
    )


def test_unknown_keys_in_roles_and_instructors(tmp_path):
    assert error(tmp_path, replace("max_turns = 1", "max_turn = 1")) == (
        "roles[1] (leader, line 17): unknown key 'max_turn' (did you mean 'max_turns'?); "
        "the keys are: name, per_team, eligible, people, max_turns, sessions"
    )
    assert error(tmp_path, replace('name = "Iwan"', 'nam = "Iwan"')) == (
        "instructors[1] (I1, line 46): unknown key 'nam' (did you mean 'name'?); "
        "the keys are: id, name, stations, sessions"
    )


def test_unknown_top_level_station_table(tmp_path):
    assert error(tmp_path, EVENT + '\n[[station]]\nname = "x"\n') == (
        "unknown top-level table [[station]] (did you mean 'stations'?); an event file has: "
        "name, timezone, roster, solver, repair, sessions, availability, roles, stations, instructors, constraints"
    )


def test_station_capacity_zero(tmp_path):
    assert error(tmp_path, replace("capacity = 2\n", "capacity = 0\n")) == (
        "stations[2] (maze, line 34): station 'maze': capacity 0 means it can never receive a team; "
        "remove it, or close it in some sessions with sessions=[...] or closed=[...]"
    )


def test_wrong_type_for_capacity(tmp_path):
    assert error(tmp_path, replace("capacity = 2\n", 'capacity = "2"\n')) == (
        "stations[2] (maze, line 34): capacity must be a whole number, got '2' (a string)"
    )
    assert error(tmp_path, replace("capacity = 2\n", "capacity = 2.5\n")) == (
        "stations[2] (maze, line 34): capacity must be a whole number, got 2.5 (a number with a fraction)"
    )


def test_wrong_types_of_the_tables_and_pairs(tmp_path):
    assert error(tmp_path, replace('closed = [["s2", 2]]', 'closed = [["s2", "2"]]')) == (
        "stations[2] (maze, line 34): closed must be an array of arrays of 2 values "
        "(a string, a whole number), got [['s2', '2']] (an array)"
    )
    assert error(
        tmp_path, replace('attributes = { intensity = "medium" }', 'attributes = { intensity = ["medium"] }')
    ) == (
        "stations[3] (raft, line 40): attributes must be a table whose values are strings, numbers or booleans, "
        "got {'intensity': ['medium']} (a table)"
    )
    assert error(tmp_path, replace('eligible = { echelon = ["III.a", "IV.a", "IV.b"] }', 'eligible = "IV.a"')) == (
        "roles[1] (leader, line 17): eligible must be a table whose values are strings, numbers or booleans, "
        "or arrays of them, got 'IV.a' (a string)"
    )
    assert error(tmp_path, replace('who = { fitness = "limited" }', "who = { fitness = { x = 1 } }")) == (
        "constraints[2] (avoid_stations, line 60): who must be a table whose values are strings, numbers or "
        "booleans, or arrays of them, got {'fitness': {'x': 1}} (a table)"
    )
    assert error(tmp_path, replace("slots = 2\n", "slots = [2]\n")) == (
        "sessions[2] (s2, line 11): slots must be a whole number, got [2] (an array)"
    )


def test_role_nobody_is_eligible_for(tmp_path):
    assert error(tmp_path, replace('["III.a", "IV.a", "IV.b"]', '"V.a"')) == (
        "roles[1] (leader, line 17): role 'leader': no participant is eligible for it"
    )
    assert error(tmp_path, replace('["III.a", "IV.a", "IV.b"]', '"IV.a"').replace("echelon =", "echelonn =", 1)) == (
        "roles[1] (leader, line 17): role 'leader': eligibility names unknown attribute 'echelonn' "
        "(did you mean 'echelon'?)"
    )


def test_role_seats_are_the_fault_of_the_role_that_adds_them(tmp_path):
    assert error(tmp_path, replace("per_team = 1\n", "per_team = 3\n")) == (
        "roles[2] (scribe, line 22): session 's2': every team needs 4 role holders (1 leader, 3 scribe), "
        "but the smallest team may have only 3 members, and nobody holds two roles"
    )


def test_duplicate_names(tmp_path):
    assert error(tmp_path, replace('name = "raft"', 'name = "ropes"')) == (
        "stations[3] (ropes, line 40): duplicate station 'ropes'"
    )
    assert (
        error(tmp_path, replace('id = "I2"', 'id = "I1"')) == "instructors[2] (I1, line 51): duplicate instructor 'I1'"
    )


def test_exercise_longer_than_its_session(tmp_path):
    assert error(tmp_path, replace("duration = 2\n", "duration = 3\n")) == (
        "stations[3] (raft, line 40): station 'raft' takes 3 slots, but session 's1' has only 2 station slots"
    )
    assert error(tmp_path, replace("capacity = 2\n", "capacity = 2\nduration = 3\n")) == (
        "stations[2] (maze, line 34): station 'maze' takes 3 slots, longer than every session (the longest has 2)"
    )


def test_closed_slot_out_of_range(tmp_path):
    assert error(tmp_path, replace('closed = [["s2", 2]]', 'closed = [["s2", 3]]')) == (
        "stations[2] (maze, line 34): station 'maze': closed in slot 3 of session 's2', which has slots 1..2"
    )
    assert error(tmp_path, replace('closed = [["s2", 2]]', 'closed = [["s3", 1]]')) == (
        "stations[2] (maze, line 34): station 'maze': unknown session 's3'"
    )


def test_instructor_names_an_unknown_station(tmp_path):
    assert error(tmp_path, replace('stations = ["ropes", "raft"]', 'stations = ["rope", "raft"]')) == (
        "instructors[1] (I1, line 46): instructor 'I1': unknown station 'rope' (did you mean 'ropes'?)"
    )


def test_instructor_pinned_to_two_stations_at_once(tmp_path):
    second = '\n[[constraints]]\nkind = "staff_pin"\ninstructor = "I1"\nstation = "raft"\nsession = "s1"\n'
    assert error(tmp_path, EVENT + second) == (
        "staff_pin(I1:ropes@s1#2) and staff_pin(I1:raft@s1) put instructor 'I1' at two stations at once "
        "('ropes' and 'raft') in slot 2 of session 's1'"
    )
    # a soft pin may clash: it only costs
    assert load(tmp_path, EVENT + second + "hard = false\n").constraints[-1] == StaffPin("I1", "raft", "s1", hard=False)


def test_plenary_slot_out_of_range(tmp_path):
    assert error(tmp_path, replace("plenary = [1]", "plenary = [4]")) == (
        "sessions[1] (s1, line 4): session 's1': plenary slot 4 is not one of its slots 1..3"
    )


def test_station_slots_need_stations(tmp_path):
    text = 'roster = "roster.csv"\n[[sessions]]\nid = "s"\nnum_teams = 2\nslots = 2\n'
    assert error(tmp_path, text) == (
        "sessions have station slots but the problem has no station: add stations with "
        "Model.add_station(...), or mark the slots as plenary"
    )


def test_station_rules_need_stations(tmp_path):
    text = 'roster = "roster.csv"\n[[sessions]]\nid = "s"\nnum_teams = 2\n[[constraints]]\nkind = "exercise_once"\n'
    assert (
        error(tmp_path, text)
        == "constraints[1] (exercise_once, line 5): constraint exercise_once(per day): the problem has no stations"
    )


def test_constraint_errors_from_the_model(tmp_path):
    assert error(tmp_path, replace('participant = "P1"', 'participant = "P4"')) == (
        "constraints[7] (role_pin, line 87): constraint role_pin(P4:leader@s1): 'P4' is not eligible for role 'leader'"
    )
    assert error(tmp_path, replace('role = "scribe"', 'role = "scribe2"')) == (
        "constraints[6] (fair_turns, line 83): constraint fair_turns(scribe2): unknown role 'scribe2' "
        "(did you mean 'scribe'?); roles are ['leader', 'scribe']"
    )
    assert error(tmp_path, replace('instructor = "I1"', 'instructor = "I3"')) == (
        "constraints[8] (staff_pin, line 93): constraint staff_pin(I3:ropes@s1#2): unknown instructor 'I3'"
    )
    assert error(tmp_path, replace("slot = 2", "slot = 1")) == (
        "constraints[8] (staff_pin, line 93): constraint staff_pin(I1:ropes@s1#1): session 's1' has no station "
        "slot 1 (its station slots are [2, 3])"
    )
    assert error(tmp_path, replace('per = "day"', 'per = "week"')) == (
        "constraints[3] (exercise_once, line 65): exercise_once: per must be 'day' or 'event', got 'week'"
    )
    assert error(
        tmp_path, replace('stations = { intensity = ["high", "medium"] }', 'stations = { intensity = [] , kind = "x" }')
    ) == (
        "constraints[2] (avoid_stations, line 60): constraint avoid_stations(fitness=limited -> intensity=,kind=x): "
        "no station has attribute 'kind'"
    )
    assert error(tmp_path, replace('values = ["limited"]', 'values = "limited"\nvalue = 1')) == (
        "constraints[1] (spread, line 55): unknown key 'value' (did you mean 'values'?); the keys are: "
        "hard, weight, sessions, label, attribute, max_per_team, values, kind"
    )
