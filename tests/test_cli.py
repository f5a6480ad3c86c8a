"""The command line: `teamkit solve` and `teamkit check`, exit codes, messages, files."""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

from teamkit.cli import main
from teamkit.io.plan_json import plan_to_dict, read_plan, read_plan_document
from teamkit.model import ProblemData
from teamkit.plan import Plan, SessionPlan, Team
from teamkit.result import Result, Status

solve_module = importlib.import_module("teamkit.solve")

DOCS = Path(__file__).resolve().parents[1] / "docs"

ROSTER = """\
id,name,unit,age,boss
P1,Ana,X,30,
P2,=Budi,X,40,P1
P3,Citra,Y,35,
P4,Dodi,Y,45,P3
P5,Eka,Z,50,
P6,Fajar,Z,25,P5
P7,Gita,W,-3,
P8,Hadi,W,33,P7
"""

EVENT = """\
name = "CLI test"
roster = "roster.csv"

[solver]
time_limit = 5
seed = 2

[[sessions]]
id = "s1"
team_size = 4

[[sessions]]
id = "s2"
num_teams = 2

[[constraints]]
kind = "spread"
attribute = "unit"
hard = false

[[constraints]]
kind = "hierarchy"
attribute = "boss"
"""

# At most one person per unit in a team, but everyone is in the same unit: no plan exists.
IMPOSSIBLE = EVENT.replace("hard = false\n", "")
ONE_UNIT_ROSTER = re.sub(r",[XYZW],", ",Q,", ROSTER)


def project(tmp_path: Path, event: str = EVENT, roster: str = ROSTER) -> Path:
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    path = tmp_path / "event.toml"
    path.write_text(textwrap.dedent(event), encoding="utf-8")
    return path


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# -- fakes for the paths a real solve rarely takes ----------------------------------------------
def round_robin(problem: ProblemData) -> Plan:
    a = np.full((len(problem.sessions), problem.num_participants), -1)
    for k in range(len(problem.sessions)):
        layout = problem.layout(k)
        for j, i in enumerate(layout.present):
            a[k, i] = j % layout.num_teams
    return Plan.from_assignment(problem, a)


class FakeSolver:
    def __init__(self, status: Status = Status.FEASIBLE, plan: str = "round_robin") -> None:
        self.status, self.plan, self.calls = status, plan, []

    def __call__(self, problem, *, time_limit, seed, workers, progress=None):
        self.calls.append({"time_limit": time_limit, "seed": seed, "workers": workers, "progress": progress})
        if progress is not None:
            progress(
                SimpleNamespace(elapsed=0.5, phase="search", session="s1", hard_violations=2, objective=1.5, bound=None)
            )
        plan = round_robin(problem) if self.plan == "round_robin" else None
        return Result(self.status, plan, objective=1.0 if plan else None, runtime=0.01, seed=seed)


@pytest.fixture
def fake(monkeypatch):
    solver = FakeSolver()
    monkeypatch.setattr(solve_module, "solve", solver)
    return solver


# -- solve ----------------------------------------------------------------------------------------
def test_solve_writes_plan_and_teams(tmp_path):
    event = project(tmp_path)
    out = tmp_path / "out"
    result = run("solve", event, "--out", out)
    assert result.exit_code == 0, result.output
    assert files_in(out) == ["plan.json", "problem.json", "teams.csv"]
    assert "status: " in result.stdout and "runtime:" in result.stdout
    assert "check:\n  feasible: every hard constraint is met" in result.stdout
    assert f"wrote {out / 'plan.json'}" in result.stdout
    assert "CLI test: 8 participants, 2 sessions, 2 constraints" in result.stderr
    assert re.search(r"\[\s*\d+\.\ds\] ", result.stderr)  # progress lines

    doc = read_plan_document(out / "plan.json")
    assert doc.result is not None and doc.result["status"] in ("optimal", "feasible")
    assert doc.result["seed"] == 2
    assert doc.problem is not None and doc.problem["name"] == "CLI test"
    rows = list(csv.DictReader(io.StringIO((out / "teams.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["session", "team", "participant_id", "name", "unit", "age", "boss"]
    assert len(rows) == 16
    for session in ("s1", "s2"):
        assert sorted(r["participant_id"] for r in rows if r["session"] == session) == [f"P{i}" for i in range(1, 9)]
    budi = next(r for r in rows if r["participant_id"] == "P2")
    assert budi["name"] == "'=Budi"  # neutralised for spreadsheets
    gita = next(r for r in rows if r["participant_id"] == "P7")
    assert gita["age"] == "-3"  # numbers stay numbers


def test_solve_is_deterministic(tmp_path):
    event = project(tmp_path)
    assert run("solve", event, "--out", tmp_path / "a", "-q").exit_code == 0
    assert run("solve", event, "--out", tmp_path / "b", "-q").exit_code == 0
    assert read_plan(tmp_path / "a" / "plan.json") == read_plan(tmp_path / "b" / "plan.json")
    # Byte for byte: the runtime, which differs from run to run, is not in the file.
    for name in ("plan.json", "problem.json", "teams.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert "runtime" not in json.loads((tmp_path / "a" / "plan.json").read_text())["result"]


def test_solve_quiet_prints_nothing_on_stderr(tmp_path):
    result = run("solve", project(tmp_path), "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_solve_json(tmp_path):
    out = tmp_path / "out"
    result = run("solve", project(tmp_path), "--out", out, "--json", "--quiet")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["feasible"] is True
    assert doc["status"] in ("optimal", "feasible")
    for key in ("objective", "breakdown", "bound", "runtime", "hard_violations", "explanation", "stopped_by", "seed"):
        assert key in doc
    assert doc["check"]["feasible"] is True and doc["check"]["violations"] == []
    assert doc["files"] == [str(out / "plan.json"), str(out / "problem.json"), str(out / "teams.csv")]


def test_docs_example_solves(tmp_path):
    text = (DOCS / "event-file.md").read_text(encoding="utf-8")
    for name, body in re.findall(r"<!-- file: (\S+) -->\n```\w+\n(.*?)```", text, re.DOTALL):
        (tmp_path / name).write_text(body, encoding="utf-8")
    result = run("solve", tmp_path / "event.toml", "--out", tmp_path / "plan", "--time-limit", "5", "-q")
    assert result.exit_code == 0, result.output
    check = run("check", tmp_path / "event.toml", tmp_path / "plan" / "plan.json")
    assert check.exit_code == 0, check.output
    # The report's roles and stations, station load keyed by session and then slot.
    doc = json.loads(run("check", tmp_path / "event.toml", tmp_path / "plan" / "plan.json", "--json").stdout)
    activities = doc["activities"]
    plan = read_plan(tmp_path / "plan" / "plan.json")
    for session in plan.sessions:
        for slot in range(1, len(session.teams[0].stations) + 1):
            at = [t.stations[slot - 1] for t in session.teams if t.stations[slot - 1] is not None]
            if at:
                load = activities["station_load"][session.session][str(slot)]
                assert {name: n for name, n in load.items() if n} == {name: at.count(name) for name in set(at)}
    leaders = sum(len(t.roles.get("leader", ())) for s in plan.sessions for t in s.teams)
    assert sum(turns.get("leader", 0) for turns in activities["role_turns"].values()) == leaders > 0
    # The exercises repeated, by station and by person, add up to the total.
    assert sum(activities["repeats_by_station"].values()) == activities["repeats_over_event"]
    by_person = activities["repeat_distribution"]
    assert sum(int(k) * n for k, n in by_person.items()) == activities["repeats_over_event"]
    assert sum(by_person.values()) == len(activities["role_turns"])  # everyone, from 0 up


def test_options_override_the_event(tmp_path, fake):
    event = project(tmp_path)
    assert run("solve", event, "--out", tmp_path / "a", "-q").exit_code == 0
    assert fake.calls[-1] | {"progress": None} == {"time_limit": 5.0, "seed": 2, "workers": 1, "progress": None}
    assert fake.calls[-1]["progress"] is None  # --quiet
    args = ("--time-limit", "1.5", "--seed", "9", "--workers", "3")
    assert run("solve", event, "--out", tmp_path / "b", *args).exit_code == 0
    assert {k: fake.calls[-1][k] for k in ("time_limit", "seed", "workers")} == {
        "time_limit": 1.5,
        "seed": 9,
        "workers": 3,
    }
    assert callable(fake.calls[-1]["progress"])


def test_progress_lines_go_to_stderr(tmp_path, fake):
    result = run("solve", project(tmp_path), "--out", tmp_path / "out")
    assert result.exit_code == 0
    assert "[    0.5s] s1 search: hard violations 2, objective 1.5\n" in result.stderr
    assert "search:" not in result.stdout


def test_refuses_to_overwrite_and_writes_nothing(tmp_path, fake):
    event = project(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "teams.csv").write_text("mine", encoding="utf-8")
    result = run("solve", event, "--out", out)
    assert result.exit_code == 3
    assert f"error: {out / 'teams.csv'} already exists; nothing was written (use --force" in result.stderr
    assert "Traceback" not in result.output
    assert files_in(out) == ["teams.csv"]
    assert (out / "teams.csv").read_text(encoding="utf-8") == "mine"
    assert fake.calls == []  # refused before solving
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    forced = run("solve", event, "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert files_in(out) == ["plan.json", "problem.json", "teams.csv"]
    assert (out / "teams.csv").read_text(encoding="utf-8").startswith("session,team,")


def test_a_second_ctrl_c_ends_with_130_and_writes_nothing(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(solve_module, "solve", interrupted)
    result = run("solve", project(tmp_path), "--out", tmp_path / "out", "-q")
    assert result.exit_code == 130
    assert result.stderr == "error: interrupted a second time: stopped without writing anything\n"
    assert not (tmp_path / "out").exists()


def test_second_run_is_refused(tmp_path):
    event = project(tmp_path)
    out = tmp_path / "out"
    assert run("solve", event, "--out", out, "-q").exit_code == 0
    before = {name: (out / name).read_bytes() for name in files_in(out)}
    result = run("solve", event, "--out", out, "-q")
    assert result.exit_code == 3
    assert "plan.json" in result.stderr and "teams.csv" in result.stderr and "already exist;" in result.stderr
    assert {name: (out / name).read_bytes() for name in files_in(out)} == before


def test_infeasible_event_writes_nothing(tmp_path):
    event = project(tmp_path, IMPOSSIBLE, roster=ONE_UNIT_ROSTER)
    out = tmp_path / "out"
    result = run("solve", event, "--out", out, "-q")
    assert result.exit_code == 1, result.output
    assert "status: infeasible" in result.stdout
    if result.stdout.count("wrote") == 0:
        assert "no plan was found; nothing was written" in result.stdout
        assert not out.exists()
    else:  # the solver returned a best attempt: plan.json only
        assert files_in(out) == ["plan.json", "problem.json"]


def test_no_plan_at_all(tmp_path, monkeypatch):
    monkeypatch.setattr(solve_module, "solve", FakeSolver(Status.UNKNOWN, plan="none"))
    out = tmp_path / "out"
    result = run("solve", project(tmp_path), "--out", out, "-q")
    assert result.exit_code == 1
    assert "status: unknown" in result.stdout
    assert "no plan was found; nothing was written" in result.stdout
    assert not out.exists()


def test_best_attempt_writes_plan_json_only(tmp_path, monkeypatch):
    monkeypatch.setattr(solve_module, "solve", FakeSolver(Status.UNKNOWN))
    out = tmp_path / "out"
    result = run("solve", project(tmp_path), "--out", out, "-q", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["status"] == "unknown" and doc["feasible"] is False
    assert doc["files"] == [str(out / "plan.json"), str(out / "problem.json")]
    assert files_in(out) == ["plan.json", "problem.json"]
    assert read_plan_document(out / "plan.json").result["status"] == "unknown"


def test_checker_disagreement_is_not_success(tmp_path, monkeypatch):
    # The fake solver calls its round-robin plan feasible; it splits P1 and P4, who must be together.
    monkeypatch.setattr(solve_module, "solve", FakeSolver(Status.FEASIBLE))
    event = project(tmp_path, EVENT + '[[constraints]]\nkind = "together"\nmembers = ["P1", "P4"]\n')
    out = tmp_path / "out"
    result = run("solve", event, "--out", out, "-q")
    assert result.exit_code == 1, result.output
    assert "NOT feasible" in result.stdout
    assert "this is a bug in teamkit" in result.stdout
    assert files_in(out) == ["plan.json", "problem.json"]


# -- bad input: exit 2, one line, nothing written ---------------------------------------------------
def assert_bad_input(result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    for part in parts:
        assert part in result.stderr, result.stderr


def test_missing_event_file(tmp_path):
    out = tmp_path / "out"
    assert_bad_input(run("solve", tmp_path / "nope.toml", "--out", out), "event file not found", "nope.toml")
    assert not out.exists()


def test_event_file_error(tmp_path):
    event = project(tmp_path, EVENT.replace("team_size = 4", "team_sise = 4"))
    out = tmp_path / "out"
    result = run("solve", event, "--out", out)
    assert_bad_input(
        result, "event.toml: sessions[1] (s1, line 8): unknown key 'team_sise' (did you mean 'team_size'?)"
    )
    assert not out.exists()


def test_roster_error(tmp_path):
    event = project(tmp_path, roster=ROSTER + "P1,Again,X,1,\n")
    out = tmp_path / "out"
    assert_bad_input(run("solve", event, "--out", out), "roster.csv: line 10: duplicate id 'P1' (already on line 2)")
    assert not out.exists()


def test_model_error(tmp_path):
    event = project(tmp_path, EVENT.replace('attribute = "unit"', 'attribute = "unti"'))
    assert_bad_input(run("solve", event, "--out", tmp_path / "out"), "unknown attribute 'unti'", "event.toml")


def test_usage_errors(tmp_path):
    event = project(tmp_path)
    result = run("solve", event)
    assert result.exit_code == 2 and "Missing option '--out'" in result.stderr
    result = run("solve", event, "--out", tmp_path / "o", "--time-limit", "0")
    assert result.exit_code == 2 and "--time-limit" in result.stderr
    result = run("solve", event, "--out", tmp_path / "o", "--workers", "0")
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_out_is_a_file(tmp_path):
    (tmp_path / "out").write_text("x")
    assert_bad_input(run("solve", project(tmp_path), "--out", tmp_path / "out"), "exists and is not a folder")


# -- check ------------------------------------------------------------------------------------------
@pytest.fixture
def solved(tmp_path):
    event = project(tmp_path)
    result = run("solve", event, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output
    return event, tmp_path / "out" / "plan.json"


def test_check_a_good_plan(solved):
    event, plan = solved
    result = run("check", event, plan)
    assert result.exit_code == 0, result.output
    assert "feasible: every hard constraint is met" in result.stdout
    assert result.stderr == ""


def test_check_json(solved):
    event, plan = solved
    result = run("check", event, plan, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["feasible"] is True and doc["violations"] == [] and doc["hard_violations"] == 0
    assert set(doc) >= {"objective", "penalties", "breakdown", "teams", "warnings", "event", "plan", "meetings"}
    # the meetings, recomputed from the plan file: 8 people in 2 teams of 4, two sessions
    teams = [set(t.members) for s in read_plan(plan).sessions for t in s.teams]
    again = sum(len(a & b) * (len(a & b) - 1) // 2 for a, b in zip(teams[:2], teams[2:])) + sum(
        len(a & b) * (len(a & b) - 1) // 2 for a, b in zip(teams[:2], teams[3:1:-1])
    )
    assert doc["meetings"]["repeated_pairs"] == again
    assert doc["meetings"]["new_contacts"]["s1"] == 12
    assert doc["meetings"]["new_contacts"]["s2"] == 12 - again


def broken_plan(tmp_path: Path) -> Path:
    """P1 with P2, their superior: a hard hierarchy violation."""
    plan = Plan(
        [
            SessionPlan("s1", [Team(1, ["P1", "P2", "P3", "P5"]), Team(2, ["P4", "P6", "P7", "P8"])]),
            SessionPlan("s2", [Team(1, ["P1", "P3", "P5", "P7"]), Team(2, ["P2", "P4", "P6", "P8"])]),
        ]
    )
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"format": "teamkit-plan", "version": 1, "plan": plan_to_dict(plan)}), encoding="utf-8")
    return path


def test_check_a_broken_plan(tmp_path):
    event = project(tmp_path)
    result = run("check", event, broken_plan(tmp_path))
    assert result.exit_code == 1, result.output
    assert "NOT feasible" in result.stdout and "P2" in result.stdout
    doc = json.loads(run("check", event, broken_plan(tmp_path), "--json").stdout)
    assert doc["feasible"] is False
    assert any("P2" in v["message"] for v in doc["violations"])


def test_check_warns_when_the_event_changed(solved):
    event, plan = solved
    event.write_text(
        event.read_text(encoding="utf-8").replace('name = "CLI test"', 'name = "Renamed"'), encoding="utf-8"
    )
    result = run("check", event, plan)
    assert result.exit_code == 0
    assert "warning: " in result.stderr and "was made for a different problem" in result.stderr


def test_check_bad_plan_file(tmp_path):
    event = project(tmp_path)
    assert_bad_input(run("check", event, tmp_path / "nope.json"), "plan file not found", "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "teamkit-plan",\n "version": 1,\n "plan": }', encoding="utf-8")
    assert_bad_input(run("check", event, bad), "bad.json: line 3, column 10: not valid JSON")
    bad.write_text('{"format": "teamkit-plan", "version": 7, "plan": {}}', encoding="utf-8")
    assert_bad_input(run("check", event, bad), "bad.json: unsupported plan file version 7")


def test_check_plan_that_does_not_fit(tmp_path):
    event = project(tmp_path)
    other = tmp_path / "other.json"
    plan = Plan([SessionPlan("day9", [Team(1, ["P1"])])])
    other.write_text(json.dumps({"format": "teamkit-plan", "version": 1, "plan": plan_to_dict(plan)}), encoding="utf-8")
    assert_bad_input(run("check", event, other), "other.json: ", "day9")


def test_check_bad_event(tmp_path):
    assert_bad_input(run("check", tmp_path / "nope.toml", tmp_path / "plan.json"), "event file not found")


def test_help_and_version():
    result = run("--help")
    assert result.exit_code == 0 and "solve" in result.stdout and "check" in result.stdout
    result = run("--version")
    assert result.exit_code == 0 and "teamkit" in result.stdout


def test_docs_list_the_exit_codes():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for code in range(5):
        assert f"| {code} |" in text
