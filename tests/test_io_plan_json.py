"""Problems, plans and results as JSON; plan files; safe writing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from teamkit.constraints import (
    CONSTRAINT_KINDS,
    Apart,
    AvoidRepeats,
    AvoidStations,
    Balance,
    Diversity,
    ExerciseOnce,
    FairTurns,
    Hierarchy,
    MeetAtMost,
    NoIsolation,
    NumericBalance,
    Pin,
    Reach,
    RolePin,
    RoleShare,
    Spread,
    StaffPin,
    StationPin,
    Together,
)
from teamkit.exceptions import ModelError, PlanFileError
from teamkit.io.plan_json import (
    PLAN_FORMAT,
    PLAN_VERSION,
    atomic_write_text,
    dumps,
    plan_from_dict,
    plan_to_dict,
    problem_digest,
    problem_from_dict,
    problem_to_dict,
    read_plan,
    read_plan_document,
    result_to_dict,
    write_files,
    write_plan,
)
from teamkit.model import Model, ProblemData
from teamkit.plan import Plan, SessionPlan, Team
from teamkit.result import Result, Status


def make_problem() -> ProblemData:
    m = Model("Round trip")
    people = [
        ("A", "Ana", "P", 30, "X", None, 1.5),
        ("B", "Budi", "L", 40, "X", "A", -2.0),
        ("C", "Citra", "P", 35, "Y", "A", None),
        ("D", "Dodi", "L", 45, "Y", None, 0.1),
        ("E", "Eka", "P", 50, "Z", "D", 3.0),
        ("F", "Fajar", "L", 25, "Z", "D", 2.5),
    ]
    for pid, name, gender, age, unit, boss, score in people:
        m.add_participant(
            pid, name, {"gender": gender, "age": age, "unit": unit, "boss": boss, "score": score, "vip": pid == "A"}
        )
    m.add_session("s1", num_teams=2, day="d1", slots=3, plenary=[1])
    m.add_session("s2", team_sizes=[(2, 3), (2, 3)], absent=["F"], name="Second", slots=2, day="d1")
    m.add_session("s3", team_size=2, remainder="exact")
    m.add_session("s4", num_teams=2, min_size=2, max_size=4)
    m.add_session("s5", max_size=3, min_size=2)
    m.add_session("s6", num_teams=2, min_size=2, max_size=4, keep_teams=True)
    m.add_role("leader", eligible={"unit": ["X", "Y"], "vip": False}, max_turns=4)
    m.add_role("scribe", people=["B", "C", "D", "E"], sessions=["s1"])
    m.add_station("ropes", attributes={"intensity": "high", "level": 3, "outdoor": True}, staff=1)
    m.add_station("maze", capacity=2, sessions=["s1", "s2"], closed=[("s2", 2)], attributes={"level": 1.5})
    m.add_instructor("I1", "Iwan", stations=["ropes"], sessions=["s1"])
    m.add_instructor("I2")
    matrix = np.arange(36, dtype=float).reshape(6, 6)
    matrix = (matrix + matrix.T) / 7
    for c in (
        Spread("unit", max_per_team=1, hard=False, weight=2.5, label="spread it"),
        Balance("gender", tolerance=1, sessions=["s1", "s2"]),
        NoIsolation("gender", values=["P"], min_count=2, hard=False),
        NumericBalance("age", tolerance=5.0, spread=True),
        Diversity(attributes=["unit", "age"], weight=0.5),
        Diversity(distances=matrix),
        Diversity(distances={("A", "B"): 2.0, ("C", "F"): 0.25}),
        Together(["A", "C"], hard=False),
        Apart(["A", "B"]),
        Pin(participant="C", team=1, session="s1"),
        Hierarchy("boss", levels=2),
        MeetAtMost(2, sessions=["s1", "s2", "s3"]),
        AvoidRepeats(power=3, weight=0.5),
        Reach("unit", at_least=2, label="meet units"),
        Spread("gender", values=["P"], max_per_team=2, hard=False),
        RoleShare("leader", "gender", ["P"], at_least=0.25, hard=False),
        FairTurns(),
        RolePin("C", "leader", "s1"),
        AvoidStations(who={"vip": True}, stations={"intensity": ["high"], "level": [3, 4]}, hard=False),
        ExerciseOnce("day"),
        ExerciseOnce("event", hard=False, weight=0.5),
        StaffPin("I1", "ropes", "s1", slot=2),
        StationPin(2, "maze", "s1", slot=3, hard=False, weight=2.0),
    ):
        m.add_constraint(c)
    return m.data()


def make_plan() -> Plan:
    return Plan(
        [
            SessionPlan("s1", [Team(1, ["C", "A", "E"]), Team(2, ["B", "D", "F"])]),
            SessionPlan("s2", [Team(1, ["A", "B"]), Team(2, ["C", "D", "E"])]),
        ]
    )


def assert_same_problem(a: ProblemData, b: ProblemData) -> None:
    assert a.name == b.name
    assert a.participants == b.participants
    assert a.sessions == b.sessions
    assert (a.roles, a.stations, a.instructors) == (b.roles, b.stations, b.instructors)
    assert len(a.constraints) == len(b.constraints)
    for x, y in zip(a.constraints, b.constraints, strict=True):
        assert type(x) is type(y)
        if isinstance(x, Diversity):
            assert (x.attributes, x.ids, x.hard, x.weight, x.sessions, x.label) == (
                y.attributes,
                y.ids,
                y.hard,
                y.weight,
                y.sessions,
                y.label,
            )
            if x.distances is None:
                assert y.distances is None
            else:
                np.testing.assert_array_equal(x.distances, y.distances)
        else:
            assert x == y


# -- problems -------------------------------------------------------------------------------------
def test_problem_round_trip():
    problem = make_problem()
    data = problem_to_dict(problem)
    assert_same_problem(problem, problem_from_dict(data))
    # and through JSON text
    assert_same_problem(problem, problem_from_dict(json.loads(dumps(data))))


def test_problem_dict_shape():
    data = problem_to_dict(make_problem())
    assert set(data) == {"name", "participants", "sessions", "roles", "stations", "instructors", "constraints"}
    assert data["roles"][0] == {
        "name": "leader",
        "per_team": 1,
        "eligible": {"unit": ["X", "Y"], "vip": [False]},
        "people": None,
        "max_turns": 4,
        "sessions": None,
    }
    assert data["stations"][1] == {
        "name": "maze",
        "capacity": 2,
        "duration": 1,
        "attributes": {"level": 1.5},
        "sessions": ["s1", "s2"],
        "closed": [["s2", 2]],
        "staff": 0,
    }
    assert data["instructors"] == [
        {"id": "I1", "name": "Iwan", "stations": ["ropes"], "sessions": ["s1"]},
        {"id": "I2", "name": "I2", "stations": None, "sessions": None},
    ]
    assert data["participants"][0] == {
        "id": "A",
        "name": "Ana",
        "attributes": {"gender": "P", "age": 30, "unit": "X", "boss": None, "score": 1.5, "vip": True},
    }
    assert data["sessions"][1]["team_sizes"] == [[2, 3], [2, 3]]
    assert data["sessions"][1]["absent"] == ["F"]
    assert data["sessions"][0]["slots"] == 3 and data["sessions"][0]["plenary"] == [1]
    assert data["sessions"][2]["slots"] == 0 and data["sessions"][2]["plenary"] == []
    kinds = [c["kind"] for c in data["constraints"]]
    assert set(kinds) == set(CONSTRAINT_KINDS)
    spread = data["constraints"][0]
    assert spread == {
        "kind": "spread",
        "attribute": "unit",
        "max_per_team": 1,
        "values": None,
        "hard": False,
        "weight": 2.5,
        "sessions": None,
        "label": "spread it",
    }
    matrix = data["constraints"][5]["distances"]
    assert isinstance(matrix, list) and all(isinstance(row, list) for row in matrix)
    assert isinstance(matrix[0][1], float)
    # a pair mapping is stored as the matrix the model made of it
    pairs = data["constraints"][6]["distances"]
    assert pairs[0][1] == pairs[1][0] == 2.0 and pairs[2][5] == 0.25


def test_problem_from_dict_errors():
    data = problem_to_dict(make_problem())
    bad = json.loads(json.dumps(data))
    bad["constraints"][0]["kind"] = "spred"
    with pytest.raises(PlanFileError, match=r"unknown constraint kind 'spred'.*@ problem\.constraints\[0\]"):
        problem_from_dict(bad)
    bad = json.loads(json.dumps(data))
    del bad["constraints"][0]["attribute"]
    with pytest.raises(PlanFileError, match=r"missing key 'attribute' @ problem\.constraints\[0\]\.attribute"):
        problem_from_dict(bad)
    bad = json.loads(json.dumps(data))
    bad["sessions"][0]["num_teams"] = "2"
    with pytest.raises(PlanFileError, match=r"problem\.sessions\[0\]\.num_teams"):
        problem_from_dict(bad)
    bad = json.loads(json.dumps(data))
    bad["participants"][0]["attributes"]["x"] = [1]
    with pytest.raises(PlanFileError, match=r"attribute value must be text, a number"):
        problem_from_dict(bad)
    with pytest.raises(PlanFileError, match=r"missing key 'sessions' @ problem"):
        problem_from_dict({"participants": []})
    bad = json.loads(json.dumps(data))
    bad["sessions"] = []
    with pytest.raises(ModelError, match="no session"):
        problem_from_dict(bad)


def test_problem_digest_is_stable():
    assert problem_digest(make_problem()) == problem_digest(problem_from_dict(problem_to_dict(make_problem())))
    other = make_problem().replace(name="Other")
    assert problem_digest(other) != problem_digest(make_problem())


# -- plans ------------------------------------------------------------------------------------------
def test_plan_round_trip():
    plan = make_plan()
    data = plan_to_dict(plan)
    assert data == {
        "sessions": [
            {
                "session": "s1",
                "teams": [{"number": 1, "members": ["C", "A", "E"]}, {"number": 2, "members": ["B", "D", "F"]}],
            },
            {
                "session": "s2",
                "teams": [{"number": 1, "members": ["A", "B"]}, {"number": 2, "members": ["C", "D", "E"]}],
            },
        ]
    }
    assert plan_from_dict(data) == plan
    assert plan_from_dict(json.loads(dumps(data))) == plan


member_ids = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=5)


@st.composite
def plans(draw):
    sessions = []
    for k in range(draw(st.integers(1, 3))):
        teams = draw(st.lists(st.lists(member_ids, max_size=4), min_size=1, max_size=4))
        sessions.append(SessionPlan(f"s{k}", [Team(t + 1, m) for t, m in enumerate(teams)]))
    return Plan(sessions)


@given(plans())
def test_any_plan_round_trips_through_json(plan):
    assert plan_from_dict(json.loads(dumps(plan_to_dict(plan)))) == plan


def test_plan_from_dict_errors():
    with pytest.raises(PlanFileError, match=r"missing key 'teams' @ plan\.sessions\[0\]"):
        plan_from_dict({"sessions": [{"session": "s1"}]})
    with pytest.raises(PlanFileError, match=r"unknown keys \['colour'\] @ plan\.sessions\[0\]\.teams\[0\]"):
        plan_from_dict({"sessions": [{"session": "s1", "teams": [{"number": 1, "members": [], "colour": "red"}]}]})
    with pytest.raises(PlanFileError, match=r"expected int, got '1' @ plan\.sessions\[0\]\.teams\[0\]\.number"):
        plan_from_dict({"sessions": [{"session": "s1", "teams": [{"number": "1", "members": []}]}]})
    with pytest.raises(PlanFileError, match=r"expected str, got 7 @ plan\.sessions\[0\]\.teams\[0\]\.members\[1\]"):
        plan_from_dict({"sessions": [{"session": "s1", "teams": [{"number": 1, "members": ["A", 7]}]}]})


# -- plan files -----------------------------------------------------------------------------------
def make_result(plan: Plan | None = None) -> Result:
    return Result(
        status=Status.FEASIBLE,
        plan=plan or make_plan(),
        objective=-1.25,
        breakdown={"spread it": 0.1, "diversity(unit,age)": -1.35},
        bound=-3.0,
        runtime=0.5,
        hard_violations=0.0,
        explanation=("stopped at the time limit",),
        stopped_by="time_limit",
        seed=3,
    )


def two_session_problem() -> ProblemData:
    problem = make_problem()
    return problem.replace(sessions=problem.sessions[:2], constraints=())


def test_write_and_read_plan(tmp_path):
    plan = make_plan()
    path = tmp_path / "plan.json"
    write_plan(path, plan, problem=two_session_problem(), result=make_result())
    assert read_plan(path) == plan
    doc = read_plan_document(path)
    assert doc.plan == plan
    assert doc.result == {
        "status": "feasible",
        "objective": -1.25,
        "breakdown": {"spread it": 0.1, "diversity(unit,age)": -1.35},
        "bound": -3.0,
        "hard_violations": 0.0,
        "explanation": ["stopped at the time limit"],
        "stopped_by": "time_limit",
        "seed": 3,
        "repeats": None,
        "repeat_bound": None,
    }
    assert doc.problem == {
        "name": "Round trip",
        "participants": 6,
        "sessions": ["s1", "s2"],
        "sha256": problem_digest(two_session_problem()),
        "roles": ["leader", "scribe"],
        "stations": ["ropes", "maze"],
        "instructors": ["I1", "I2"],
    }


def test_plan_file_is_deterministic_and_readable(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_plan(a, make_plan(), problem=two_session_problem(), result=make_result())
    write_plan(b, plan_from_dict(plan_to_dict(make_plan())), problem=two_session_problem(), result=make_result())
    assert a.read_bytes() == b.read_bytes()
    text = a.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text.startswith('{\n  "format": "teamkit-plan",\n')
    doc = json.loads(text)
    assert list(doc) == sorted(doc)  # keys sorted
    assert doc["format"] == PLAN_FORMAT and doc["version"] == PLAN_VERSION
    assert '"spread it": 0.1' in text  # floats as Python's repr


def test_plan_without_result_or_problem(tmp_path):
    path = tmp_path / "plan.json"
    write_plan(path, make_plan())
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert set(doc) == {"format", "version", "plan"}


def test_result_to_dict_of_numpy_and_missing_values():
    result = Result(
        status=Status.UNKNOWN,
        plan=None,
        objective=None,
        breakdown={"x": np.float64(1.5)},
        runtime=np.float64(2.0),
        hard_violations=np.int64(3),
        stopped_by="time_limit",
    )
    data = result_to_dict(result)
    assert data["status"] == "unknown" and data["objective"] is None and data["bound"] is None
    assert data["hard_violations"] == 3 and type(data["hard_violations"]) is int
    assert json.loads(dumps(data)) == data


def test_write_plan_checks_the_plan_fits_the_problem(tmp_path):
    path = tmp_path / "plan.json"
    bad = Plan([SessionPlan("s1", [Team(1, ["A", "ZZ"])]), SessionPlan("s2", [])])
    with pytest.raises(PlanFileError, match="unknown participant 'ZZ'"):
        write_plan(path, bad, problem=two_session_problem())
    assert not path.exists()


def test_read_plan_missing_file(tmp_path):
    with pytest.raises(PlanFileError, match=r"plan file not found: .*nope\.json"):
        read_plan(tmp_path / "nope.json")


def test_read_plan_malformed_json(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format": "teamkit-plan",\n  "version": 1,\n  "plan": {,\n}\n', encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"plan\.json: line 4, column 12: not valid JSON"):
        read_plan(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[1, 2]", r"plan\.json: not a teamkit plan file \(expected a JSON object, got list\)"),
        ('{"version": 1, "plan": {}}', r"plan\.json: not a teamkit plan file \(no 'format' key"),
        ('{"format": "other", "version": 1}', r"plan\.json: not a teamkit plan file \(format is 'other'"),
        ('{"format": "teamkit-plan", "version": 2, "plan": {}}', r"plan\.json: unsupported plan file version 2"),
        ('{"format": "teamkit-plan", "version": 1}', r"plan\.json: missing key 'plan'"),
        (
            '{"format": "teamkit-plan", "version": 1, "plan": {}}',
            r"plan\.json: missing key 'sessions' @ plan\.sessions",
        ),
        (
            '{"format": "teamkit-plan", "version": 1, "plan": {"sessions": []}, "extra": 1}',
            r"unknown top-level keys \['extra'\]",
        ),
        (
            '{"format": "teamkit-plan", "version": 1, "plan": {"sessions": []}, "result": {"status": "optimal"}}',
            r"plan\.json: result: missing keys \['objective'",
        ),
    ],
)
def test_read_plan_errors(tmp_path, content, expected):
    path = tmp_path / "plan.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanFileError, match=expected):
        read_plan(path)


def test_read_plan_not_utf8(tmp_path):
    path = tmp_path / "plan.json"
    path.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(PlanFileError, match=r"plan\.json: not UTF-8 text \(at byte offset 12\)"):
        read_plan(path)


# -- safe writing -----------------------------------------------------------------------------------
def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_write_text(tmp_path):
    path = tmp_path / "out.txt"
    atomic_write_text(path, "one\r\ntwo\n")
    assert path.read_bytes() == b"one\r\ntwo\n"
    atomic_write_text(path, "three")
    assert path.read_text() == "three"
    assert leftovers(tmp_path) == []


def test_atomic_write_text_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(path, "bad \ud800 text")
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_atomic_write_respects_umask(tmp_path):
    path = tmp_path / "out.txt"
    atomic_write_text(path, "x")
    old = os.umask(0)
    os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o666 & ~old


def test_write_files_into_a_new_folder(tmp_path):
    out = tmp_path / "deep" / "out"
    written = write_files(out, {"a.txt": "A", "b.txt": "B"})
    assert written == [out / "a.txt", out / "b.txt"]
    assert (out / "a.txt").read_text() == "A" and (out / "b.txt").read_text() == "B"
    assert leftovers(tmp_path / "deep") == []


def test_write_files_into_an_existing_folder_keeps_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    write_files(tmp_path, {"a.txt": "A"})
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "a.txt").read_text() == "A"
    assert [n for n in os.listdir(tmp_path.parent) if n.startswith(f".{tmp_path.name}.")] == []


def test_write_files_refuses_to_overwrite_and_writes_nothing(tmp_path):
    (tmp_path / "b.txt").write_text("old")
    with pytest.raises(FileExistsError, match=r"b\.txt already exists; nothing was written"):
        write_files(tmp_path, {"a.txt": "A", "b.txt": "B"})
    assert not (tmp_path / "a.txt").exists()
    assert (tmp_path / "b.txt").read_text() == "old"
    write_files(tmp_path, {"a.txt": "A", "b.txt": "B"}, force=True)
    assert (tmp_path / "a.txt").read_text() == "A" and (tmp_path / "b.txt").read_text() == "B"
    assert [n for n in os.listdir(tmp_path.parent) if n.startswith(f".{tmp_path.name}.")] == []


def test_write_files_rejects_paths_and_files_as_folders(tmp_path):
    with pytest.raises(ValueError, match="not a plain file name"):
        write_files(tmp_path, {"../x.txt": "x"})
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        write_files(tmp_path / "file", {"a.txt": "A"})


def test_digest_unchanged_for_problems_without_roles_or_stations():
    """Plan files written before roles and stations existed recorded this digest for the
    first-session example; the same problem must still match it, or `teamkit check` would
    call those plans "made for a different problem"."""
    from pathlib import Path

    from teamkit.io.event import load_event
    from teamkit.io.plan_json import problem_digest

    example = Path(__file__).resolve().parents[1] / "examples" / "malang_day1.toml"
    digest = problem_digest(load_event(example).problem)
    assert digest == "a460a0d7484fad71bd2e4a6b99acd7293f90ab8a527c739ad8b193d8c0e899de"
