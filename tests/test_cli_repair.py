"""`teamkit repair` and the event file's [repair] table: a mid-event change from the command
line, the files written, the exit codes, and bad input refused with nothing written."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import teamkit as tk
from teamkit.cli import main
from teamkit.io.event import load_event
from teamkit.io.plan_json import read_plan

ROSTER = "id,unit,echelon\n" + "".join(f"p{i:02d},u{i % 6},{'IV' if i % 2 else 'III'}\n" for i in range(18))

EVENT = """\
name = "repair test"
roster = "roster.csv"

[solver]
time_limit = 5
seed = 1

[[sessions]]
id = "s1"
num_teams = 6

[[sessions]]
id = "s2"
num_teams = 6

[[sessions]]
id = "s3"
num_teams = 6

[[constraints]]
kind = "spread"
attribute = "unit"

[[constraints]]
kind = "balance"
attribute = "echelon"

[[constraints]]
kind = "meet_at_most"
times = 1
"""

CHANGE = """
[repair]
held = ["s1"]

[[availability]]
participant = "p04"
absent = ["s2", "s3"]
"""


@pytest.fixture
def planned(tmp_path: Path) -> Path:
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "event.toml").write_text(EVENT)
    result = CliRunner().invoke(main, ["solve", str(tmp_path / "event.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (tmp_path / "changed.toml").write_text(EVENT + CHANGE)
    return tmp_path


def test_repair_writes_a_verified_plan_keeping_the_held_session(planned: Path) -> None:
    out = planned / "repaired"
    result = CliRunner().invoke(
        main, ["repair", str(planned / "changed.toml"), str(planned / "out" / "plan.json"), "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "held as planned: s1" in result.output
    assert "p04: team" in result.output and "(absent)" in result.output
    assert (out / "plan.json").exists() and (out / "teams.csv").exists()
    event = load_event(planned / "changed.toml")
    old = read_plan(planned / "out" / "plan.json")
    new = read_plan(out / "plan.json")
    assert tk.check(event.problem, new).feasible
    assert new.session("s1") == old.session("s1")
    assert all(new.team_of("p04", s) is None for s in ("s2", "s3"))
    # `teamkit check` agrees, against the changed event.
    checked = CliRunner().invoke(main, ["check", str(planned / "changed.toml"), str(out / "plan.json")])
    assert checked.exit_code == 0, checked.output


def test_held_on_the_command_line_replaces_the_files_list(planned: Path) -> None:
    out = planned / "repaired"
    result = CliRunner().invoke(
        main,
        [
            "repair",
            str(planned / "changed.toml"),
            str(planned / "out" / "plan.json"),
            "--out",
            str(out),
            "--held",
            "s1",
            "--held",
            "s2",
            "--json",
        ],
    )
    # p04 is marked absent from s2, which is held: copied without them.
    doc = json.loads(result.output)
    assert doc["held"] == ["s1", "s2"]
    assert {m["session"] for m in doc["moves"]} <= {"s3"}
    assert doc["kept"] > 0
    assert result.exit_code == (0 if doc["feasible"] else 1)


def test_an_unknown_held_session_is_refused_and_nothing_is_written(planned: Path) -> None:
    out = planned / "repaired"
    result = CliRunner().invoke(
        main,
        ["repair", str(planned / "changed.toml"), str(planned / "out" / "plan.json"), "--out", str(out)]
        + ["--held", "s7"],
    )
    assert result.exit_code == 2
    assert "error: held session 's7' is not a session of the problem" in result.output
    assert not out.exists()


def test_existing_files_are_not_overwritten(planned: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["repair", str(planned / "changed.toml"), str(planned / "out" / "plan.json"), "--out", str(planned / "out")],
    )
    assert result.exit_code == 3
    assert "already exist" in result.output


def test_repair_table_in_the_event_file(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "event.toml").write_text(EVENT + '\n[repair]\nheld = ["s1", "s2"]\nstability = 5\n')
    options = load_event(tmp_path / "event.toml").repair
    assert options.held == ("s1", "s2") and options.stability == 5
    assert load_event(planned_event(tmp_path, EVENT)).repair.held == ()


def planned_event(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plain.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('held = ["s9"]', "[repair]: held: 's9' is not a session"),
        ('held = ["S1"]', "did you mean 's1'"),
        ("stability = 0", "[repair]: stability must be positive, got 0"),
        ("keep = 1", "[repair]: unknown key 'keep'"),
        ('held = "s1"', "[repair]: held must be a list of session ids, got 's1' (a string)"),
    ],
)
def test_bad_repair_tables_are_refused(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "event.toml").write_text(EVENT + "\n[repair]\n" + textwrap.dedent(table) + "\n")
    with pytest.raises(tk.EventFileError) as error:
        load_event(tmp_path / "event.toml")
    assert message in str(error.value)
