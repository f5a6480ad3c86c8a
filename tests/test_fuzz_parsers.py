"""Fuzzing the parsers with Hypothesis: whatever bytes a roster, an event file, a plan file or
a problem file holds, reading it either succeeds or raises the documented error, naming the
file; never another exception. The examples grow from valid files, so that most reach deep
into the parsers rather than failing on the first byte.

The default profile runs a few hundred examples per parser; ``TEAMKIT_FUZZ_EXAMPLES=N`` runs
N each (the long run recorded in docs/reliability.md)."""

from __future__ import annotations

import json
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamkit.exceptions import EventFileError, PlanFileError, RosterError, TeamkitError
from teamkit.io.event import load_event
from teamkit.io.plan_json import read_plan_document, read_problem
from teamkit.io.roster import read_roster

EXAMPLES = int(os.environ.get("TEAMKIT_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

ROSTER = "id,name,unit,age,boss\nP1,Ana,X,30,\nP2,Budi,X,40,P1\nP3,Citra,Y,35,\nP4,Dodi,Y,45,P3\n"
EVENT = """\
name = "Fuzz"
timezone = "Asia/Jakarta"
roster = "roster.csv"

[solver]
time_limit = 1
seed = 1

[[sessions]]
id = "s1"
team_size = 2
start = 2025-05-15T19:00:00
slot_minutes = 60
slots = 1

[[stations]]
name = "A"
capacity = 2

[[roles]]
name = "leader"

[[constraints]]
kind = "spread"
attribute = "unit"
hard = false

[[constraints]]
kind = "hierarchy"
attribute = "boss"
"""
PLAN = json.dumps(
    {
        "format": "teamkit-plan",
        "version": 1,
        "plan": {
            "sessions": [
                {
                    "session": "s1",
                    "teams": [{"number": 1, "members": ["P1", "P3"]}, {"number": 2, "members": ["P2", "P4"]}],
                }
            ]
        },
    }
)
PROBLEM = json.dumps(
    {
        "format": "teamkit-problem",
        "version": 1,
        "problem": {
            "name": "Fuzz",
            "participants": [
                {"id": "P1", "name": "Ana", "attributes": {"unit": "X"}},
                {"id": "P2", "name": "", "attributes": {}},
            ],
            "sessions": [{"id": "s1", "team_size": 1, "start": "2025-05-15T19:00:00", "slot_minutes": 30}],
            "constraints": [{"kind": "spread", "attribute": "unit"}],
        },
    }
)

#: Characters that matter to the formats: separators, quotes, brackets, escapes, digits.
_SPECIAL = ',"\n\r\t =[]{}:#\\.-+0123456789TZ'


@st.composite
def mutated(draw, text: str) -> bytes:
    """``text`` with a few random edits: characters replaced, inserted or deleted, a slice
    repeated, or raw bytes (invalid UTF-8 included) spliced in."""
    data = bytearray(text.encode("utf-8"))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["replace", "insert", "delete", "repeat", "bytes"]))
        at = draw(st.integers(0, len(data)))
        if kind == "replace" and data:
            at = min(at, len(data) - 1)
            data[at] = ord(draw(st.sampled_from(_SPECIAL + string.ascii_letters)))
        elif kind == "insert":
            data[at:at] = draw(st.text(alphabet=_SPECIAL + string.ascii_letters, max_size=8)).encode()
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 12))]
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 40))]
        else:
            data[at:at] = draw(st.binary(max_size=4))
    return bytes(data)


def assert_documented(error: BaseException, expected: type[TeamkitError], path: Path) -> None:
    assert isinstance(error, expected), f"{type(error).__name__}: {error}"
    assert str(path) in str(error) or path.name in str(error), f"the message does not name the file: {error}"


@FUZZ
@given(data=st.one_of(mutated(ROSTER), st.binary(max_size=200)))
def test_roster_reader_raises_only_roster_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    path.write_bytes(data)
    try:
        read_roster(path, types={"boss": "text"})
    except Exception as error:  # noqa: BLE001 - the point is which exceptions come out
        assert_documented(error, RosterError, path)


@FUZZ
@given(event=st.one_of(mutated(EVENT), st.binary(max_size=200)), roster=mutated(ROSTER))
def test_event_loader_raises_only_event_and_roster_errors(tmp_path_factory, event, roster):
    folder = tmp_path_factory.mktemp("event")
    (folder / "roster.csv").write_bytes(roster)
    path = folder / "event.toml"
    path.write_bytes(event)
    try:
        load_event(path)
    except RosterError as error:
        assert "roster.csv" in str(error)
    except Exception as error:  # noqa: BLE001
        assert_documented(error, EventFileError, path)


@FUZZ
@given(data=st.one_of(mutated(PLAN), st.binary(max_size=200)))
def test_plan_reader_raises_only_plan_file_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_bytes(data)
    try:
        read_plan_document(path)
    except Exception as error:  # noqa: BLE001
        assert_documented(error, PlanFileError, path)


@FUZZ
@given(data=st.one_of(mutated(PROBLEM), st.binary(max_size=200)))
def test_problem_reader_raises_only_documented_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("problem") / "problem.json"
    path.write_bytes(data)
    try:
        read_problem(path)
    except Exception as error:  # noqa: BLE001
        # a malformed file is a PlanFileError; well-formed data that is not a valid problem,
        # a ModelError: both name the file
        assert isinstance(error, TeamkitError) and isinstance(error, ValueError), f"{type(error).__name__}: {error}"
        assert path.name in str(error), f"the message does not name the file: {error}"


@pytest.mark.parametrize("text", [ROSTER])
def test_the_seed_files_are_valid(tmp_path, text):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "event.toml").write_text(EVENT, encoding="utf-8")
    (tmp_path / "plan.json").write_text(PLAN, encoding="utf-8")
    (tmp_path / "problem.json").write_text(PROBLEM, encoding="utf-8")
    assert len(read_roster(tmp_path / "roster.csv")) == 4
    assert load_event(tmp_path / "event.toml").problem.num_participants == 4
    assert read_plan_document(tmp_path / "plan.json").plan.session("s1").team(2).members == ("P2", "P4")
    assert read_problem(tmp_path / "problem.json").sessions[0].slot_minutes == 30
