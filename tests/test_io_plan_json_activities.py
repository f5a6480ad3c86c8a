"""Plan files and problem JSON with roles, stations and staff; older files without them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teamkit.activities import Station
from teamkit.constraints import AvoidStations, ExerciseOnce, FairTurns, RolePin, RoleShare, Spread, StaffPin
from teamkit.exceptions import ModelError, PlanFileError
from teamkit.io.plan_json import (
    dumps,
    plan_document,
    plan_from_dict,
    plan_to_dict,
    problem_digest,
    problem_from_dict,
    problem_to_dict,
    read_plan,
    read_plan_document,
    write_plan,
)
from teamkit.model import Model, ProblemData
from teamkit.plan import Plan, SessionPlan, StaffSlot, Team
from teamkit.result import Result, Status


def make_problem() -> ProblemData:
    m = Model("Rotations")
    for pid, fitness, echelon in [
        ("A", "limited", "IV.a"),
        ("B", "normal", "III.a"),
        ("C", "normal", "IV.b"),
        ("D", "normal", "II.b"),
        ("E", "limited", "IV.a"),
        ("F", "normal", "IV.b"),
    ]:
        m.add_participant(pid, attributes={"fitness": fitness, "echelon": echelon})
    m.add_session("s1", num_teams=2, day="d1", slots=3, plenary=[1])
    m.add_session("s2", num_teams=2, day="d1", slots=2)
    m.add_role("leader", eligible={"echelon": ["III.a", "IV.a", "IV.b"]}, max_turns=1)
    m.add_role("scribe", people=["B", "C", "D", "F"], sessions=["s2"])
    m.add_station("ropes", attributes={"intensity": "high"}, staff=1)
    m.add_station("maze", capacity=2, closed=[("s2", 2)], attributes={"intensity": "low"})
    m.add_station("raft", duration=2, sessions=["s1"], attributes={"intensity": "medium"})
    m.add_instructor("I1", "Iwan", stations=["ropes", "raft"])
    m.add_instructor("I2", sessions=["s1"])
    for c in (
        Spread("fitness", values=["limited"]),
        AvoidStations(who={"fitness": "limited"}, stations={"intensity": "high"}),
        ExerciseOnce("day"),
        ExerciseOnce("event", hard=False, weight=2.0),
        RoleShare("leader", "echelon", ["IV.a", "IV.b"], at_least=0.5, hard=False),
        FairTurns("scribe"),
        RolePin("A", "leader", "s1"),
        StaffPin("I1", "ropes", "s1", slot=2),
    ):
        m.add_constraint(c)
    return m.data()


def make_plan() -> Plan:
    return Plan(
        [
            SessionPlan(
                "s1",
                [
                    Team(1, ["A", "B", "C"], roles={"leader": ["A"]}, stations=[None, "raft", "raft"]),
                    Team(2, ["D", "E", "F"], roles={"leader": ["F"]}, stations=[None, "ropes", "maze"]),
                ],
                staff=[StaffSlot(2, "ropes", "I1"), StaffSlot(2, "raft", "I2"), StaffSlot(3, "raft", "I2")],
            ),
            SessionPlan(
                "s2",
                [
                    Team(1, ["A", "D", "F"], roles={"leader": [], "scribe": ["D"]}, stations=["maze", "ropes"]),
                    Team(2, ["B", "C", "E"], roles={"leader": ["C"], "scribe": ["B"]}, stations=["ropes", "maze"]),
                ],
                staff=[StaffSlot(1, "ropes", "I1"), StaffSlot(2, "ropes", "I1")],
            ),
        ]
    )


def make_result(plan: Plan) -> Result:
    return Result(status=Status.FEASIBLE, plan=plan, objective=1.5, breakdown={"x": 1.5}, runtime=0.25, seed=4)


def same_problem(a: ProblemData, b: ProblemData) -> bool:
    fields = ("name", "participants", "sessions", "roles", "stations", "instructors", "constraints")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


# -- problems -------------------------------------------------------------------------------------
def test_problem_round_trip():
    problem = make_problem()
    data = problem_to_dict(problem)
    again = problem_from_dict(json.loads(dumps(data)))
    assert same_problem(problem, again)
    assert dumps(problem_to_dict(again)) == dumps(data)
    assert problem_digest(again) == problem_digest(problem)


def test_problem_dict_of_activities_and_new_kinds():
    data = problem_to_dict(make_problem())
    assert list(data) == ["name", "participants", "sessions", "roles", "stations", "instructors", "constraints"]
    assert data["sessions"][0]["slots"] == 3 and data["sessions"][0]["plenary"] == [1]
    assert data["roles"][1] == {
        "name": "scribe",
        "per_team": 1,
        "eligible": {},
        "people": ["B", "C", "D", "F"],
        "max_turns": None,
        "sessions": ["s2"],
    }
    assert data["stations"][1]["closed"] == [["s2", 2]]
    assert data["instructors"][1] == {"id": "I2", "name": "I2", "stations": None, "sessions": ["s1"]}
    by_kind = {c["kind"]: c for c in data["constraints"]}
    assert by_kind["spread"]["values"] == ["limited"]
    assert by_kind["avoid_stations"]["who"] == {"fitness": ["limited"]}
    assert by_kind["avoid_stations"]["stations"] == {"intensity": ["high"]}
    assert by_kind["role_share"] == {
        "kind": "role_share",
        "role": "leader",
        "attribute": "echelon",
        "values": ["IV.a", "IV.b"],
        "at_least": 0.5,
        "hard": False,
        "weight": 1.0,
        "sessions": None,
        "label": None,
    }
    assert by_kind["staff_pin"]["slot"] == 2
    assert by_kind["fair_turns"]["role"] == "scribe"
    assert by_kind["role_pin"]["participant"] == "A"


def test_digest_covers_the_activities():
    problem = make_problem()
    stations = (*problem.stations[:2], Station("raft", duration=2, sessions=["s1"], attributes={"intensity": "high"}))
    assert problem_digest(problem.replace(stations=stations)) != problem_digest(problem)


def test_older_problem_data_without_the_new_keys_reads():
    data = {
        "name": "Old",
        "participants": [{"id": "A", "name": "A", "attributes": {"unit": "X"}}, {"id": "B", "attributes": {}}],
        "sessions": [
            {
                "id": "s1",
                "name": "s1",
                "num_teams": 1,
                "team_size": None,
                "min_size": None,
                "max_size": None,
                "team_sizes": None,
                "remainder": "larger",
                "absent": [],
                "day": None,
                "keep_teams": False,
            }
        ],
        "constraints": [
            {
                "kind": "spread",
                "attribute": "unit",
                "max_per_team": 1,
                "hard": True,
                "weight": 1.0,
                "sessions": None,
                "label": None,
            }
        ],
    }
    problem = problem_from_dict(data)
    assert (problem.roles, problem.stations, problem.instructors) == ((), (), ())
    assert problem.sessions[0].slots == 0 and problem.sessions[0].plenary == ()
    assert problem.constraints == (Spread("unit"),)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["roles"][0]["eligible"].update(echelon="IV.a"),
            r"the values of 'echelon' must be a list of text, numbers or booleans, got 'IV.a' @ problem\.roles\[0\]\.eligible",
        ),
        (
            lambda d: d["stations"][0]["attributes"].update(intensity=["high"]),
            r"an attribute value must be text, a number, a boolean or null, got \['high'\] @ problem\.stations\[0\]\.attributes",
        ),
        (
            lambda d: d["stations"][1].update(closed=[["s2", "2"]]),
            r"expected int, got '2' @ problem\.stations\[1\]\.closed\[0\]\[1\]",
        ),
        (
            lambda d: d["stations"][1].update(closed="s2"),
            r"expected a list, got 's2' @ problem\.stations\[1\]\.closed",
        ),
        (lambda d: d["instructors"][0].update(colour="red"), r"unknown keys \['colour'\] @ problem\.instructors\[0\]"),
        (
            lambda d: d["instructors"][0].update(stations="ropes"),
            r"expected a list, got 'ropes' @ problem\.instructors\[0\]\.stations",
        ),
        (lambda d: d.update(stations={}), r"expected a list, got \{\} @ problem\.stations"),
        (
            lambda d: d["constraints"][1].update(who={"fitness": "limited"}),
            r"the values of 'fitness' must be a list .* @ problem\.constraints\[1\]\.who",
        ),
        (lambda d: d["constraints"][7].update(slot="2"), r"expected int, got '2' @ problem\.constraints\[7\]\.slot"),
    ],
)
def test_problem_from_dict_errors_of_the_new_keys(change, message):
    data = json.loads(dumps(problem_to_dict(make_problem())))
    change(data)
    with pytest.raises(PlanFileError, match=message):
        problem_from_dict(data)


def test_problem_from_dict_validates_the_activities():
    data = json.loads(dumps(problem_to_dict(make_problem())))
    data["instructors"][0]["stations"] = ["rope"]
    with pytest.raises(ModelError, match=r"instructor 'I1': unknown station 'rope' \(did you mean 'ropes'\?\)"):
        problem_from_dict(data)


# -- plans ------------------------------------------------------------------------------------------
def test_plan_dict_with_roles_stations_and_staff():
    data = plan_to_dict(make_plan())
    first, second = data["sessions"]
    assert first["teams"][0] == {
        "number": 1,
        "members": ["A", "B", "C"],
        "roles": {"leader": ["A"]},
        "stations": [None, "raft", "raft"],
    }
    assert first["staff"] == [
        {"slot": 2, "station": "ropes", "instructor": "I1"},
        {"slot": 2, "station": "raft", "instructor": "I2"},
        {"slot": 3, "station": "raft", "instructor": "I2"},
    ]
    # a role with no holder in a team is kept as such
    assert second["teams"][0]["roles"] == {"leader": [], "scribe": ["D"]}
    assert plan_from_dict(data) == make_plan()
    assert plan_from_dict(json.loads(dumps(data))) == make_plan()


def test_plan_without_activities_is_written_as_before():
    plan = Plan([SessionPlan("s1", [Team(1, ["A", "B"]), Team(2, ["C"])])])
    assert plan_to_dict(plan) == {
        "sessions": [
            {"session": "s1", "teams": [{"number": 1, "members": ["A", "B"]}, {"number": 2, "members": ["C"]}]}
        ]
    }


def test_write_read_write_is_byte_identical(tmp_path):
    problem, plan = make_problem(), make_plan()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_plan(first, plan, problem=problem, result=make_result(plan))
    doc = read_plan_document(first)
    assert doc.plan == plan
    assert doc.problem == {
        "name": "Rotations",
        "participants": 6,
        "sessions": ["s1", "s2"],
        "sha256": problem_digest(problem),
        "roles": ["leader", "scribe"],
        "stations": ["ropes", "maze", "raft"],
        "instructors": ["I1", "I2"],
    }
    write_plan(second, doc.plan, problem=problem, result=make_result(doc.plan))
    assert second.read_bytes() == first.read_bytes()
    # and the document as read is the file, byte for byte
    rebuilt = {**plan_document(doc.plan), "problem": doc.problem, "result": doc.result}
    assert dumps(rebuilt).encode("utf-8") == first.read_bytes()


OLD_FILE = """\
{
  "format": "teamkit-plan",
  "plan": {
    "sessions": [
      {
        "session": "s1",
        "teams": [
          {"members": ["A", "B", "C"], "number": 1},
          {"members": ["D", "E", "F"], "number": 2}
        ]
      }
    ]
  },
  "problem": {"name": "Old", "participants": 6, "sessions": ["s1"], "sha256": "00"},
  "result": {
    "bound": null, "breakdown": {}, "explanation": [], "hard_violations": 0.0, "objective": 0.0,
    "runtime": 0.1, "seed": 0, "status": "optimal", "stopped_by": "converged"
  },
  "version": 1
}
"""


def test_older_plan_file_without_roles_stations_or_staff_reads(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(OLD_FILE, encoding="utf-8")
    plan = read_plan(path)
    assert plan == Plan([SessionPlan("s1", [Team(1, ["A", "B", "C"]), Team(2, ["D", "E", "F"])])])
    session = plan.sessions[0]
    assert session.staff == ()
    assert all(team.roles == {} and team.stations == () for team in session.teams)
    doc = read_plan_document(path)
    assert doc.problem == {"name": "Old", "participants": 6, "sessions": ["s1"], "sha256": "00"}
    # written again, the plan keeps its old shape
    assert plan_to_dict(plan) == json.loads(OLD_FILE)["plan"]


@pytest.mark.parametrize(
    ("team", "message"),
    [
        ({"stations": "ropes"}, r"expected a list, got 'ropes' @ plan\.sessions\[0\]\.teams\[0\]\.stations"),
        ({"stations": [None, 3]}, r"expected str, got 3 @ plan\.sessions\[0\]\.teams\[0\]\.stations\[1\]"),
        ({"roles": {"leader": "A"}}, r"expected a list, got 'A' @ plan\.sessions\[0\]\.teams\[0\]\.roles\['leader'\]"),
        ({"roles": ["leader"]}, r"plan\.sessions\[0\]\.teams\[0\]\.roles"),
    ],
)
def test_team_errors(team, message):
    data = {"sessions": [{"session": "s1", "teams": [{"number": 1, "members": ["A"], **team}]}]}
    with pytest.raises(PlanFileError, match=message):
        plan_from_dict(data)


@pytest.mark.parametrize(
    ("staff", "message"),
    [
        (
            [{"slot": "2", "station": "ropes", "instructor": "I1"}],
            r"expected int, got '2' @ plan\.sessions\[0\]\.staff\[0\]\.slot",
        ),
        ([{"slot": 2, "station": "ropes"}], r"missing key 'instructor' @ plan\.sessions\[0\]\.staff\[0\]"),
        (
            [{"slot": 2, "station": "ropes", "instructor": "I1", "from": 1}],
            r"unknown keys \['from'\] @ plan\.sessions\[0\]\.staff\[0\]",
        ),
        ({"slot": 2}, r"expected a list, got \{'slot': 2\} @ plan\.sessions\[0\]\.staff"),
    ],
)
def test_staff_errors(staff, message):
    data = {"sessions": [{"session": "s1", "teams": [], "staff": staff}]}
    with pytest.raises(PlanFileError, match=message):
        plan_from_dict(data)


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=4)


@st.composite
def plans_with_activities(draw):
    sessions = []
    for k in range(draw(st.integers(1, 3))):
        slots = draw(st.integers(0, 3))
        teams = []
        for t in range(draw(st.integers(1, 3))):
            members = draw(st.lists(names, max_size=4))
            roles = draw(st.dictionaries(names, st.lists(names, max_size=2), max_size=2))
            stations = draw(st.lists(st.none() | names, min_size=slots, max_size=slots))
            teams.append(Team(t + 1, members, roles=roles, stations=stations))
        staff = draw(st.lists(st.builds(StaffSlot, st.integers(1, 3), names, names), max_size=3))
        sessions.append(SessionPlan(f"s{k}", teams, staff=staff))
    return Plan(sessions)


@given(plans_with_activities())
def test_any_plan_with_activities_round_trips(plan):
    text = dumps(plan_to_dict(plan))
    again = plan_from_dict(json.loads(text))
    assert again == plan
    assert dumps(plan_to_dict(again)) == text
