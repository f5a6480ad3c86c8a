"""Event files (TOML): loading, and every error naming the file and the key at fault."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import attrs
import numpy as np
import pytest

from teamkit.activities import Instructor, Role, Station
from teamkit.constraints import CONSTRAINT_KINDS, Apart, Diversity, Hierarchy, Pin, RolePin, Spread, StaffPin
from teamkit.exceptions import EventFileError, RosterError
from teamkit.io.event import Event, SolverOptions, load_event
from teamkit.model import Session

DOCS = Path(__file__).resolve().parents[1] / "docs" / "event-file.md"

ROSTER = """\
id,name,gender,age,unit,supervisor_id
P1,Ana,P,30,X,
P2,Budi,L,40,X,P1
P3,Citra,P,35,Y,P1
P4,Dodi,L,45,Y,
P5,Eka,P,50,Z,P4
P6,Fajar,L,25,Z,P4
"""

BASIC = """\
name = "Test event"
roster = "roster.csv"

[[sessions]]
id = "s1"
num_teams = 2
"""


def make(tmp_path: Path, event: str, roster: str | None = ROSTER, name: str = "event.toml") -> Path:
    if roster is not None:
        (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    path = tmp_path / name
    path.write_text(textwrap.dedent(event), encoding="utf-8")
    return path


def error(tmp_path: Path, event: str, **kwargs: str) -> str:
    with pytest.raises(EventFileError) as e:
        load_event(make(tmp_path, event, **kwargs))
    return str(e.value)


# -- loading ------------------------------------------------------------------------------------
def test_docs_example_loads(tmp_path):
    text = DOCS.read_text(encoding="utf-8")
    files = re.findall(r"<!-- file: (\S+) -->\n```\w+\n(.*?)```", text, re.DOTALL)
    assert {name for name, _ in files} == {"event.toml", "roster.csv", "pairs.csv"}
    for name, body in files:
        (tmp_path / name).write_text(body, encoding="utf-8")
    event = load_event(tmp_path / "event.toml")
    assert event.name == "Leadership training, day 1"
    assert event.solver == SolverOptions(time_limit=10.0, seed=1, workers=1)
    assert [s.id for s in event.problem.sessions] == ["d1-evening", "d2-morning", "d2-afternoon"]
    # P11 arrives on day 2: absent from the evening before, beside P12
    assert event.problem.sessions[0].absent == ("P12", "P11")
    assert event.problem.sessions[1].absent == ()
    assert event.problem.sessions[2].keep_teams
    assert [(s.slots, s.plenary) for s in event.problem.sessions] == [(0, ()), (4, (1,)), (2, ())]
    assert [r.name for r in event.problem.roles] == ["leader", "note-taker"]
    assert event.problem.roles[0] == Role(
        "leader", eligible={"echelon": ["III.a", "III.b", "IV.a", "IV.b"]}, max_turns=2
    )
    stations = {s.name: s for s in event.problem.stations}
    assert len(stations) == 7
    assert stations["rope bridge"] == Station(
        "rope bridge", attributes={"intensity": "high", "setting": "outdoor"}, staff=1
    )
    assert stations["raft building"].duration == 2
    assert stations["blindfold maze"].closed == (("d2-morning", 2),)
    assert stations["campfire cooking"].sessions == ("d2-afternoon",)
    assert event.problem.instructors == (
        Instructor("I1", "Wahyu Pratama", stations=["rope bridge", "raft building"]),
        Instructor("I2", "Lina Marlina", stations=["raft building"], sessions=["d2-morning"]),
    )
    assert {c.kind for c in event.problem.constraints} == set(CONSTRAINT_KINDS)
    assert RolePin("P05", "leader", "d2-morning") in event.problem.constraints
    assert StaffPin("I1", "rope bridge", "d2-morning", slot=2) in event.problem.constraints
    assert Spread("fitness", values=["limited"]) in event.problem.constraints
    assert {c.per for c in event.problem.constraints if c.kind == "exercise_once"} == {"day", "event"}
    spread = event.problem.constraints[0]
    assert spread == Spread("unit", max_per_team=1, hard=False, weight=5.0, label="one per unit")
    matrix = event.problem.constraints[-1].distances
    ids = [p.id for p in event.problem.participants]
    assert matrix[ids.index("P01"), ids.index("P07")] == matrix[ids.index("P07"), ids.index("P01")] == 2.5
    assert matrix[ids.index("P02"), ids.index("P09")] == 1.0
    assert matrix.sum() == 2 * (2.5 + 1 + 1.5)


def test_docs_mention_every_key():
    text = DOCS.read_text(encoding="utf-8")
    for cls in (Session, Role, Station, Instructor, *CONSTRAINT_KINDS.values(), SolverOptions):
        for field in attrs.fields(cls):
            assert f"`{field.name}`" in text, f"{cls.__name__}.{field.name} is not documented"
    for kind in CONSTRAINT_KINDS:
        assert f"`{kind}`" in text
    for table in ("roles", "stations", "instructors"):
        assert f"## `[[{table}]]`" in text


def test_basic_event(tmp_path):
    event = load_event(make(tmp_path, BASIC))
    assert isinstance(event, Event)
    assert event.name == "Test event" and event.problem.name == "Test event"
    assert event.path == tmp_path / "event.toml"
    assert event.solver == SolverOptions()
    assert event.problem.num_participants == 6
    assert event.problem.sessions == (Session("s1", num_teams=2),)
    assert event.problem.constraints == ()


def test_name_defaults_to_file_stem(tmp_path):
    event = load_event(
        make(tmp_path, 'roster = "roster.csv"\n[[sessions]]\nid = "s"\nnum_teams = 1\n', name="day1.toml")
    )
    assert event.name == "day1"


def test_roster_table_with_options(tmp_path):
    (tmp_path / "people.csv").write_text("staff,full,boss\nA,Ana,\nB,Budi,A\n", encoding="utf-8")
    event = load_event(
        make(
            tmp_path,
            """
            [roster]
            file = "people.csv"
            id_column = "staff"
            name_column = "full"
            types = { boss = "text" }
            [[sessions]]
            id = "s"
            num_teams = 2
            [[constraints]]
            kind = "hierarchy"
            attribute = "boss"
            """,
            roster=None,
        )
    )
    assert [p.name for p in event.problem.participants] == ["Ana", "Budi"]
    assert event.problem.constraints == (Hierarchy("boss"),)


def test_roster_in_another_folder_is_relative_to_the_event_file(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "r.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "events").mkdir()
    path = make(tmp_path, BASIC.replace('"roster.csv"', '"../data/r.csv"'), roster=None, name="events/e.toml")
    assert load_event(path).problem.num_participants == 6


def test_sessions_and_constraints_map_to_fields(tmp_path):
    event = load_event(
        make(
            tmp_path,
            BASIC
            + """
            [[sessions]]
            id = "s2"
            name = "Second"
            team_sizes = [[2, 3], [2, 3]]
            absent = ["P6"]
            day = "d2"
            [[constraints]]
            kind = "apart"
            members = ["P1", "P2"]
            sessions = "s1"
            weight = 2
            hard = false
            [[constraints]]
            kind = "pin"
            participant = "P3"
            team = 2
            session = "s2"
            label = "Citra in team 2"
            [solver]
            time_limit = 2.5
            seed = 7
            workers = 2
            """,
        )
    )
    assert event.problem.sessions[1] == Session(
        "s2", name="Second", team_sizes=((2, 3), (2, 3)), absent=("P6",), day="d2"
    )
    apart, pin = event.problem.constraints
    assert apart == Apart(("P1", "P2"), sessions=("s1",), weight=2.0, hard=False)
    assert isinstance(apart.weight, float)
    assert pin == Pin(participant="P3", team=2, session="s2", label="Citra in team 2")
    assert event.solver == SolverOptions(time_limit=2.5, seed=7, workers=2)


def test_inline_distance_matrix(tmp_path):
    event = load_event(
        make(
            tmp_path,
            BASIC
            + """
            [[constraints]]
            kind = "diversity"
            ids = ["P6", "P5", "P4", "P3", "P2", "P1"]
            distances = [
              [0, 1, 0, 0, 0, 0],
              [1, 0, 0, 0, 0, 0],
              [0, 0, 0, 0, 0, 0],
              [0, 0, 0, 0, 0, 0],
              [0, 0, 0, 0, 0, 0],
              [0, 0, 0, 0, 0, 0],
            ]
            """,
        )
    )
    (c,) = event.problem.constraints
    assert isinstance(c, Diversity)
    assert c.distances[4, 5] == c.distances[5, 4] == 1.0 and c.distances.sum() == 2.0


def test_distances_file(tmp_path):
    (tmp_path / "pairs.csv").write_text("a,b,distance\nP1,P2,3\nP6,P1,0.5\n", encoding="utf-8")
    event = load_event(make(tmp_path, BASIC + '[[constraints]]\nkind = "diversity"\ndistances_file = "pairs.csv"\n'))
    matrix = event.problem.constraints[0].distances
    expected = np.zeros((6, 6))
    expected[0, 1] = expected[1, 0] = 3.0
    expected[0, 5] = expected[5, 0] = 0.5
    np.testing.assert_array_equal(matrix, expected)


# -- errors ---------------------------------------------------------------------------------------
def test_missing_event_file(tmp_path):
    with pytest.raises(EventFileError, match=r"event file not found: .*nope\.toml"):
        load_event(tmp_path / "nope.toml")


def test_toml_syntax_error_names_line(tmp_path):
    message = error(tmp_path, 'name = "x"\nroster = "roster.csv"\n[[sessions]\nid = "s"\n')
    assert message.startswith(str(tmp_path / "event.toml") + ": not valid TOML")
    assert "line 3" in message


def test_not_utf8(tmp_path):
    path = tmp_path / "event.toml"
    path.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(EventFileError, match=r"event\.toml: line 1: not UTF-8"):
        load_event(path)


def test_unknown_top_level_key(tmp_path):
    message = error(tmp_path, 'nme = "x"\n' + BASIC)
    assert "event.toml: unknown top-level key 'nme' (did you mean 'name'?)" in message


def test_unknown_top_level_table(tmp_path):
    message = error(tmp_path, BASIC + "[solvr]\nseed = 1\n")
    assert "event.toml: unknown top-level table [solvr] (did you mean 'solver'?)" in message


def test_unknown_top_level_array_of_tables(tmp_path):
    message = error(tmp_path, BASIC + '[[constraint]]\nkind = "spread"\n')
    assert "unknown top-level table [[constraint]] (did you mean 'constraints'?)" in message


def test_unknown_key_in_constraint_names_table_kind_and_line(tmp_path):
    event = BASIC + (
        '[[constraints]]\nkind = "hierarchy"\n[[constraints]]\nkind = "spread"\nattribute = "unit"\nmax_per_tem = 2\n'
    )
    message = error(tmp_path, event)
    assert (
        "event.toml: constraints[2] (spread, line 9): unknown key 'max_per_tem' (did you mean 'max_per_team'?)"
        in message
    )


def test_unknown_key_in_session_lists_the_keys(tmp_path):
    message = error(tmp_path, BASIC + "teamsize = 3\n")
    assert "event.toml: sessions[1] (s1, line 4): unknown key 'teamsize' (did you mean 'team_size'?)" in message
    for field in attrs.fields(Session):
        assert field.name in message


def test_unknown_key_in_roster_and_solver(tmp_path):
    message = error(tmp_path, '[roster]\nfile = "roster.csv"\nid_col = "id"\n[[sessions]]\nid = "s"\nnum_teams = 1\n')
    assert "event.toml: [roster]: unknown key 'id_col' (did you mean 'id_column'?)" in message
    message = error(tmp_path, BASIC + "[solver]\ntime_limt = 3\n")
    assert "event.toml: [solver]: unknown key 'time_limt' (did you mean 'time_limit'?)" in message


def test_unknown_constraint_kind(tmp_path):
    message = error(tmp_path, BASIC + '[[constraints]]\nkind = "spred"\nattribute = "unit"\n')
    assert "event.toml: constraints[1] (line 7): unknown kind 'spred' (did you mean 'spread'?)" in message
    assert "the kinds are: spread, balance" in message


def test_missing_constraint_kind(tmp_path):
    message = error(tmp_path, BASIC + '[[constraints]]\nattribute = "unit"\n')
    assert "event.toml: constraints[1] (line 7): missing key 'kind'" in message


def test_missing_required_key(tmp_path):
    message = error(tmp_path, BASIC + '[[constraints]]\nkind = "spread"\n')
    assert "event.toml: constraints[1] (spread, line 7): missing key 'attribute'" in message
    message = error(tmp_path, 'roster = "roster.csv"\n[[sessions]]\nnum_teams = 2\n')
    assert "event.toml: sessions[1] (line 2): missing key 'id'" in message


def test_missing_roster_file_names_resolved_path(tmp_path):
    message = error(tmp_path, BASIC.replace("roster.csv", "people.csv"))
    assert "event.toml: [roster]: file 'people.csv' not found" in message
    assert str((tmp_path / "people.csv").resolve()) in message


def test_missing_roster_and_sessions(tmp_path):
    assert "event.toml: missing [roster]" in error(tmp_path, '[[sessions]]\nid = "s"\nnum_teams = 1\n')
    assert "event.toml: no [[sessions]]" in error(tmp_path, 'roster = "roster.csv"\n')


def test_wrong_value_types(tmp_path):
    message = error(tmp_path, BASIC.replace("num_teams = 2", 'num_teams = "2"'))
    assert "event.toml: sessions[1] (s1, line 4): num_teams must be a whole number, got '2' (a string)" in message
    message = error(tmp_path, BASIC.replace("num_teams = 2", "num_teams = 2.0"))
    assert "num_teams must be a whole number, got 2.0" in message
    message = error(tmp_path, BASIC + 'remainder = "bigger"\n')
    assert "remainder must be one of 'larger', 'smaller', 'exact', got 'bigger'" in message
    message = error(tmp_path, BASIC + '[[constraints]]\nkind = "apart"\nmembers = ["P1", 2]\n')
    assert "constraints[1] (apart, line 7): members must be an array of strings, got ['P1', 2] (an array)" in message
    message = error(tmp_path, BASIC + '[[constraints]]\nkind = "hierarchy"\nhard = "yes"\n')
    assert "hard must be true or false, got 'yes' (a string)" in message
    message = error(tmp_path, BASIC.replace('name = "Test event"', "name = 3"))
    assert "event.toml: name must be a string, got 3" in message
    message = error(tmp_path, BASIC + "team_sizes = [[1, 2, 3]]\n")
    assert "team_sizes must be an array of arrays of 2 whole numbers" in message
    message = error(tmp_path, BASIC + "[solver]\nseed = 1.5\n")
    assert "event.toml: [solver]: seed must be a whole number, got 1.5" in message
    message = error(tmp_path, 'constraints = "x"\n' + BASIC)
    assert "event.toml: 'constraints' must be an array of tables ([[constraints]]), got a string" in message


@pytest.mark.parametrize("size", [0, -3])
def test_team_size_must_be_positive(tmp_path, size):
    message = error(tmp_path, BASIC.replace("num_teams = 2", f"team_size = {size}"))
    assert "event.toml: sessions[1] (s1, line 4): session 's1': team_size must be a positive whole number" in message
    assert f"got {size}" in message


def test_model_errors_keep_their_message_and_gain_the_file(tmp_path):
    message = error(tmp_path, BASIC.replace("num_teams = 2", 'team_size = 4\nremainder = "exact"'))
    assert message.startswith(str(tmp_path / "event.toml") + ": sessions[1] (s1, line 4): ")
    assert "6 people cannot form teams of exactly 4" in message
    message = error(tmp_path, BASIC + 'absent = ["P9"]\n')
    assert "sessions[1] (s1, line 4): session 's1': absent participant 'P9' is not on the roster" in message
    message = error(tmp_path, BASIC + '[[constraints]]\nkind = "spread"\nattribute = "unti"\n')
    assert (
        "event.toml: constraints[1] (spread, line 7): constraint spread(unti<=1): unknown attribute 'unti'" in message
    )
    assert "(did you mean 'unit'?)" in message
    message = error(tmp_path, BASIC + '[[constraints]]\nkind = "spread"\nattribute = "unit"\nmax_per_team = -1\n')
    assert "constraints[1] (spread, line 7): Spread: max_per_team must be positive, got -1" in message
    message = error(tmp_path, BASIC + '[[constraints]]\nkind = "pin"\nparticipant = "P1"\nteam = 1\nsession = "s9"\n')
    assert "constraints[1] (pin, line 7): unknown session 's9'" in message
    message = error(tmp_path, BASIC + '[[constraints]]\nkind = "numeric_balance"\nattribute = "age"\n')
    assert (
        "constraints[1] (numeric_balance, line 7): numeric_balance(age): a hard numeric balance needs a tolerance"
        in message
    )


def test_conflict_between_constraints_names_the_file(tmp_path):
    message = error(
        tmp_path,
        BASIC
        + '[[constraints]]\nkind = "together"\nmembers = ["P1", "P2"]\n'
        + '[[constraints]]\nkind = "apart"\nmembers = ["P1", "P2"]\n',
    )
    assert message.startswith(str(tmp_path / "event.toml") + ": together(P1,P2) and apart(P1,P2)")


def test_duplicate_session_ids(tmp_path):
    message = error(tmp_path, BASIC + '[[sessions]]\nid = "s1"\nnum_teams = 3\n')
    assert "event.toml: duplicate session id 's1'" in message


def test_solver_values_must_be_positive(tmp_path):
    message = error(tmp_path, BASIC + "[solver]\ntime_limit = 0\n")
    assert "event.toml: [solver]: time_limit must be positive, got 0.0" in message
    message = error(tmp_path, BASIC + "[solver]\nworkers = 0\n")
    assert "event.toml: [solver]: workers must be positive, got 0" in message


def test_roster_errors_name_the_roster_file_and_line(tmp_path):
    with pytest.raises(RosterError, match=r"roster\.csv: line 3 has 2 fields, the header has 3"):
        load_event(make(tmp_path, BASIC, roster="id,name,unit\nA,Ana,X\nB,Budi\n"))


def test_roster_types_error(tmp_path):
    event = BASIC.replace('roster = "roster.csv"', '[roster]\nfile = "roster.csv"\ntypes = { agee = "text" }')
    with pytest.raises(RosterError, match=r"types names the unknown column 'agee' \(did you mean 'age'\?\)"):
        load_event(make(tmp_path, event))


def test_roster_types_must_be_known_types(tmp_path):
    event = BASIC.replace('roster = "roster.csv"', '[roster]\nfile = "roster.csv"\ntypes = { age = "numbr" }')
    message = error(tmp_path, event)
    assert "event.toml: [roster]: types must be a table whose values are one of 'text', 'number', 'integer'" in message
    assert "'numbr'" in message


def test_distances_file_errors(tmp_path):
    event = BASIC + '[[constraints]]\nkind = "diversity"\ndistances_file = "pairs.csv"\n'
    message = error(tmp_path, event)
    assert "event.toml: constraints[1] (diversity, line 7): distances_file 'pairs.csv' not found" in message
    assert str((tmp_path / "pairs.csv").resolve()) in message

    pairs = tmp_path / "pairs.csv"
    cases = {
        "a,b,distance\nP1,P2,1\nP1,P99,2\n": "pairs.csv: line 3: unknown participant 'P99'",
        "a,b,distance\nP1,P2,far\n": "pairs.csv: line 2: distance 'far' is not a number",
        "a,b,distance\nP1,P2,1\nP2,P1,1\n": "pairs.csv: line 3: the pair 'P2', 'P1' is already on line 2",
        "a,b,dist\nP1,P2,1\n": "pairs.csv: line 1: unknown column 'dist' (did you mean 'distance'?)",
        "a,b,distance\nP1,P2\n": "pairs.csv: line 2 has 2 fields, the header has 3",
        "a,b,distance\nP1,P1,1\n": "pairs.csv: line 2: 'P1' is paired with themself",
        "": "pairs.csv: the file is empty",
    }
    for content, expected in cases.items():
        pairs.write_text(content, encoding="utf-8")
        message = error(tmp_path, event)
        assert "event.toml: constraints[1] (diversity, line 7): " in message
        assert expected in message, (content, message)


def test_distances_and_distances_file_together(tmp_path):
    (tmp_path / "pairs.csv").write_text("a,b,distance\n", encoding="utf-8")
    event = BASIC + '[[constraints]]\nkind = "diversity"\ndistances_file = "pairs.csv"\ndistances = [[0]]\n'
    assert "give distances or distances_file, not both" in error(tmp_path, event)


def test_distances_file_only_for_diversity(tmp_path):
    event = BASIC + '[[constraints]]\nkind = "spread"\nattribute = "unit"\ndistances_file = "pairs.csv"\n'
    assert "unknown key 'distances_file'" in error(tmp_path, event)


# -- availability and several sessions ---------------------------------------------------------------
THREE = (
    BASIC
    + """
[[sessions]]
id = "s2"
num_teams = 2

[[sessions]]
id = "s3"
num_teams = 2
keep_teams = true
"""
)


def test_availability_fills_the_absent_lists(tmp_path):
    event = load_event(
        make(
            tmp_path,
            THREE
            + """
[[availability]]
participant = "P1"
arrives = "s2"

[[availability]]
participant = "P2"
leaves = "s1"
absent = ["s1"]

[[constraints]]
kind = "meet_at_most"
""",
        )
    )
    assert [s.absent for s in event.problem.sessions] == [("P1", "P2"), ("P2",), ("P2",)]
    assert event.problem.blocks() == ((0,), (1, 2))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('participant = "P9"\nabsent = ["s1"]', "availability[1] (P9, line 17): unknown participant 'P9'"),
        (
            'participant = "P1"\narrives = "s4"',
            "availability[1] (P1, line 17): arrives: unknown session 's4'; sessions are ['s1', 's2', 's3']",
        ),
        (
            'participant = "P1"\nleave = "s2"',
            "availability[1] (P1, line 17): unknown key 'leave' (did you mean 'leaves'?)",
        ),
        ('absent = ["s1"]', "availability[1] (line 17): missing key 'participant'"),
    ],
)
def test_availability_errors_name_the_table(tmp_path, table, message):
    text = error(tmp_path, THREE + "\n[[availability]]\n" + table + "\n")
    assert message in text


def test_kept_teams_need_the_same_team_count(tmp_path):
    text = error(tmp_path, BASIC + '\n[[sessions]]\nid = "s2"\nnum_teams = 3\nkeep_teams = true\n')
    assert "session 's2' keeps the teams of session 's1', but has 3 teams where 's1' has 2" in text
