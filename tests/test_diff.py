"""Comparing two plans: `teamkit.diff.diff` and `teamkit diff`. A solved plan is changed in
known ways (people swapped, a leader replaced, a station and an instructor changed) and the
diff must list exactly those changes, with the checker's own figures as metrics."""

from __future__ import annotations

import json
import re
import runpy
import textwrap
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

import teamkit as tk
from teamkit.cli import main
from teamkit.diff import MetricChange, Move, PlanDiff, RoleChange, StaffChange, StationChange, diff
from teamkit.io import write_plan
from teamkit.io.event import load_event

DOCS = Path(__file__).resolve().parents[1] / "docs"


def event() -> tk.ProblemData:
    """12 people in 3 teams of 4, two sessions of two slots at three stations (one team each,
    one instructor each), a leader per team; at most one person per unit in a team."""
    m = tk.Model()
    for i in range(12):
        m.add_participant(f"p{i:02d}", name=f"Name {i}", attributes={"unit": f"u{i % 4}", "age": 20 + 3 * i})
    m.add_session("s1", team_size=4, day="d1", slots=2)
    m.add_session("s2", team_size=4, day="d1", slots=2)
    for name in "ABC":
        m.add_station(name, capacity=1, staff=1)
    for k in range(3):
        m.add_instructor(f"i{k + 1}")
    m.add_role("leader")
    m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.NumericBalance("age", hard=False))
    m.add_constraint(tk.AvoidRepeats())
    return m.data()


@pytest.fixture(scope="module")
def solved() -> tuple[tk.ProblemData, tk.Plan]:
    problem = event()
    result = tk.solve(problem, time_limit=3, seed=0)
    assert result.plan is not None, result.summary()
    report = tk.check(problem, result.plan)
    assert report.feasible, report.summary()
    return problem, result.plan


# -- editing a plan ---------------------------------------------------------------------------------
def edit_team(plan: tk.Plan, session: str, number: int, **changes) -> tk.Plan:
    """The plan with one team of one session changed by ``attrs.evolve``."""
    sessions = []
    for s in plan.sessions:
        if s.session == session:
            teams = [attrs.evolve(t, **changes) if t.number == number else t for t in s.teams]
            s = attrs.evolve(s, teams=teams)
        sessions.append(s)
    return tk.Plan(sessions)


def edit_session(plan: tk.Plan, which: str, **changes) -> tk.Plan:
    return tk.Plan([attrs.evolve(s, **changes) if s.session == which else s for s in plan.sessions])


def swap(plan: tk.Plan, session: str, a: str, b: str) -> tk.Plan:
    """``a`` and ``b`` trade places between their teams (roles and stations stay)."""
    teams = []
    for t in plan.session(session).teams:
        members = tuple(b if p == a else a if p == b else p for p in t.members)
        teams.append(attrs.evolve(t, members=members))
    return edit_session(plan, session, teams=teams)


def plain_member(team: tk.Team) -> str:
    """A member of the team who holds no role, so moving them leaves the role lists right."""
    return next(p for p in team.members if team.role_of(p) is None)


def name(problem: tk.ProblemData, pid: str) -> str:
    return problem.participants[problem.index(pid)].name


# -- the API ----------------------------------------------------------------------------------------
def test_identical_plans_give_an_empty_diff(solved):
    problem, plan = solved
    copy = tk.Plan([attrs.evolve(s) for s in plan.sessions])
    d = diff(problem, plan, copy)
    assert isinstance(d, PlanDiff)
    assert not d.changed
    assert [s.session for s in d.sessions] == ["s1", "s2"]
    for s in d.sessions:
        assert not s.changed
        assert s.moves == s.teams_changed == s.roles == s.stations == s.staff == ()
        assert s.num_teams == (3, 3)
    assert d.changed_metrics() == ()
    assert d.metric("hard violations") == MetricChange("hard violations", 0, 0)
    summary = d.summary()
    assert "the plans are the same" in summary
    assert "s1: no changes" in summary and "s2: no changes" in summary


def test_swapped_people_are_the_only_moves(solved):
    problem, plan = solved
    t1, t2 = plan.session("s2").team(1), plan.session("s2").team(2)
    a, b = plain_member(t1), plain_member(t2)
    d = diff(problem, plan, swap(plan, "s2", a, b))
    moves = sorted([Move(a, name(problem, a), 1, 2), Move(b, name(problem, b), 2, 1)], key=lambda m: m.participant)
    assert d.moved("s2") == tuple(moves)
    assert d.session("s2").teams_changed == (1, 2)
    assert d.session("s2").roles == d.session("s2").stations == d.session("s2").staff == ()
    assert d.joined("s2") == d.left("s2") == ()
    assert not d.session("s1").changed
    summary = d.summary()
    assert "s2: 2 people moved, 2 teams changed" in summary
    assert f"{a} ({name(problem, a)}): team 1 -> team 2" in summary
    assert f"{b} ({name(problem, b)}): team 2 -> team 1" in summary


def test_role_station_and_staff_changes(solved):
    problem, plan = solved
    s1 = plan.session("s1")
    team = s1.team(3)
    old_leader = team.roles["leader"][0]
    new_leader = plain_member(team)
    after = edit_team(plan, "s1", 3, roles={"leader": [new_leader]})
    # team 1 goes in slot 2 where team 2 goes: over capacity, and no longer where it was
    old_station, new_station = s1.team(1).stations[1], s1.team(2).stations[1]
    after = edit_team(after, "s1", 1, stations=[s1.team(1).stations[0], new_station])
    # another instructor runs the first station of slot 1
    first = s1.staff[0]
    other = next(i.id for i in problem.instructors if i.id != first.instructor)
    after = edit_session(after, "s1", staff=[attrs.evolve(first, instructor=other), *s1.staff[1:]])

    d = diff(problem, plan, after)
    s = d.session("s1")
    assert s.moves == () and s.teams_changed == ()
    assert s.roles == (RoleChange(3, "leader", (old_leader,), (new_leader,)),)
    assert s.stations == (StationChange(1, 2, old_station, new_station),)
    assert s.staff == (StaffChange(first.slot, first.station, (first.instructor,), (other,)),)
    assert not d.session("s2").changed
    summary = d.summary()
    assert "s1: 0 people moved, 0 teams changed" in summary
    assert f"team 3 leader: {old_leader} -> {new_leader}" in summary
    assert f"team 1 slot 2: {old_station!r} -> {new_station!r}" in summary
    assert f"staff of {first.station!r} in slot {first.slot}: {first.instructor} -> {other}" in summary


def test_metrics_are_the_checkers_numbers(solved):
    problem, plan = solved
    s2 = plan.session("s2")
    after = swap(plan, "s2", plain_member(s2.team(1)), plain_member(s2.team(3)))
    s1 = plan.session("s1")
    after = edit_team(after, "s1", 1, stations=[s1.team(2).stations[0], s1.team(1).stations[1]])
    d = diff(problem, plan, after)
    before_report, after_report = tk.check(problem, plan), tk.check(problem, after)
    assert before_report.feasible and not after_report.feasible

    def row(metric: str) -> tuple:
        r = d.metric(metric)
        return r.before, r.after

    assert row("hard violations") == (0, len(after_report.violations))
    assert row("hard violation amount") == (before_report.hard_violations, after_report.hard_violations)
    assert row("objective") == (before_report.objective, after_report.objective)
    for constraint in before_report.penalties:
        assert row(f"penalty {constraint}") == (
            before_report.penalties[constraint],
            after_report.penalties[constraint],
        )
    assert row("repeated meetings") == (before_report.meetings.repeated_pairs, after_report.meetings.repeated_pairs)
    assert row("pairs met again") == (before_report.meetings.pairs_met_again, after_report.meetings.pairs_met_again)
    assert row("most meetings of one pair") == (before_report.meetings.max_meetings, after_report.meetings.max_meetings)
    for session in ("s1", "s2"):
        assert row(f"new contacts in {session}") == (
            before_report.meetings.new_contacts[session],
            after_report.meetings.new_contacts[session],
        )
    assert row("exercise repeats within a day") == (
        before_report.activities.repeats_within_day,
        after_report.activities.repeats_within_day,
    )
    assert row("exercise repeats over the event") == (
        before_report.activities.repeats_over_event,
        after_report.activities.repeats_over_event,
    )
    leaders = [
        sum(1 for turns in r.activities.role_turns.values() if turns["leader"]) for r in (before_report, after_report)
    ]
    assert row("people who held leader") == tuple(leaders)
    means = [[t.means["age"] for t in r.teams] for r in (before_report, after_report)]
    assert row("lowest team mean age") == (min(means[0]), min(means[1]))
    assert row("highest team mean age") == (max(means[0]), max(means[1]))
    # the changed rows are exactly those whose figures differ
    assert d.metric("hard violations").changed and d.metric("hard violations").delta == len(after_report.violations)
    assert {r.metric for r in d.changed_metrics()} == {r.metric for r in d.metrics if r.before != r.after}
    summary = d.summary()
    assert "after: NOT feasible" in summary and "before: feasible" in summary
    assert f"  hard violations: 0 -> {len(after_report.violations)}" in summary
    # the reports are kept whole
    assert d.after_check is not None and len(d.after_check.violations) == len(after_report.violations)


def test_joined_and_left(solved):
    problem, plan = solved
    team = plan.session("s1").team(2)
    gone = plain_member(team)
    after = edit_team(plan, "s1", 2, members=[p for p in team.members if p != gone])
    d = diff(problem, plan, after)
    assert d.moved("s1") == (Move(gone, name(problem, gone), 2, None),)
    assert d.left("s1") == (gone,) and d.joined("s1") == ()
    assert d.session("s1").teams_changed == (2,)
    assert "s1: 1 person moved (1 left), 1 team changed" in d.summary()
    assert f"{gone} ({name(problem, gone)}): team 2 -> no team" in d.summary()
    back = diff(problem, after, plan)
    assert back.joined("s1") == (gone,) and back.left("s1") == ()
    assert back.moved("s1") == (Move(gone, name(problem, gone), None, 2),)


def test_teams_are_matched_by_number(solved):
    # The same three groups under other numbers: everyone moved, since a team is its number.
    problem, plan = solved
    s2 = plan.session("s2")
    rotated = [attrs.evolve(t, members=s2.team(t.number % 3 + 1).members) for t in s2.teams]
    d = diff(problem, plan, edit_session(plan, "s2", teams=rotated))
    assert len(d.moved("s2")) == 12
    assert d.session("s2").teams_changed == (1, 2, 3)
    summary = d.summary(limit=5)
    assert "s2: 12 people moved, 3 teams changed" in summary
    assert "  ... and 7 more" in summary
    assert "... and" not in d.summary(limit=None)


def test_a_team_more(solved):
    problem, plan = solved
    s1 = plan.session("s1")
    d = diff(problem, plan, edit_session(plan, "s1", teams=[*s1.teams, tk.Team(4, [])]))
    s = d.session("s1")
    assert s.num_teams == (3, 4) and s.teams_changed == (4,) and s.moves == ()
    assert "number of teams: 3 -> 4" in d.summary()


def test_plans_that_do_not_fit(solved):
    problem, plan = solved
    renamed = edit_session(plan, "s2", session="day9")
    with pytest.raises(tk.PlanFileError, match=r"^after: the plan has session 'day9', which the problem"):
        diff(problem, plan, renamed)
    with pytest.raises(tk.PlanFileError, match=r"^old\.json: .*'day9'"):
        diff(problem, renamed, plan, labels=("old.json", "new.json"))
    with pytest.raises(tk.PlanFileError, match=r"^before: the plan has no session 's2'"):
        diff(problem, tk.Plan(plan.sessions[:1]), plan)
    with pytest.raises(tk.PlanFileError, match="in the order s2, s1"):
        diff(problem, plan, tk.Plan(plan.sessions[::-1]))
    team = plan.session("s1").team(1)
    stranger = edit_team(plan, "s1", 1, members=[*team.members[:-1], "x99"])
    with pytest.raises(tk.PlanFileError, match=r"^after: session 's1', team 1: unknown participant 'x99'"):
        diff(problem, plan, stranger)
    twice = edit_team(plan, "s1", 1, members=[*team.members, plan.session("s1").team(2).members[0]])
    with pytest.raises(ValueError, match=r"^after: session 's1': .* is in team 1 and team 2"):
        diff(problem, plan, twice)


def test_lookups_name_what_is_missing(solved):
    problem, plan = solved
    d = diff(problem, plan, plan)
    with pytest.raises(KeyError, match="no session 's3'"):
        d.session("s3")
    with pytest.raises(KeyError, match="did you mean 'objective'"):
        d.metric("objectiv")


def test_docs_example_runs_as_shown(tmp_path, capsys):
    text = (DOCS / "compare.md").read_text(encoding="utf-8")
    code = re.search(r"```python[^\n]*\n(.*?)```", text, re.DOTALL).group(1)
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    runpy.run_path(str(script))
    out = capsys.readouterr().out
    # what the page's prose says of the output the build shows
    for line in (
        "d2-morning: no changes",
        "d2-afternoon: 2 people moved, 2 teams changed",
        "  ASN0041 (Ani): team 1 -> team 2",
        "  new contacts in d2-afternoon: 4 -> 0",
        "MetricChange(metric='repeated meetings', before=2, after=6)",
    ):
        assert line in out.splitlines(), line


# -- the command line -------------------------------------------------------------------------------
ROSTER = """\
id,name,unit
P1,Ana,X
P2,Budi,X
P3,Citra,Y
P4,Dodi,Y
P5,Eka,Z
P6,Fajar,Z
P7,Gita,W
P8,Hadi,W
"""

EVENT = """\
name = "Diff test"
roster = "roster.csv"

[[sessions]]
id = "s1"
team_size = 4

[[sessions]]
id = "s2"
team_size = 4

[[constraints]]
kind = "spread"
attribute = "unit"
"""

GOOD = [["P1", "P3", "P5", "P7"], ["P2", "P4", "P6", "P8"]]
# P3 and P4 trade places in s1; s2 is left alone
MOVED = [["P1", "P4", "P5", "P7"], ["P2", "P3", "P6", "P8"]]
# in s2, P1 with P2 and P3 with P4: two people of one unit in each team
BROKEN = [["P1", "P2", "P5", "P7"], ["P3", "P4", "P6", "P8"]]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    event_file = tmp_path / "event.toml"
    event_file.write_text(textwrap.dedent(EVENT), encoding="utf-8")
    problem = load_event(event_file).problem
    out = {"event": event_file}
    for label, s1, s2 in (("good", GOOD, GOOD[::-1]), ("moved", MOVED, GOOD[::-1]), ("broken", GOOD, BROKEN)):
        plan = tk.Plan(
            [
                tk.SessionPlan("s1", [tk.Team(n + 1, m) for n, m in enumerate(s1)]),
                tk.SessionPlan("s2", [tk.Team(n + 1, m) for n, m in enumerate(s2)]),
            ]
        )
        out[label] = tmp_path / f"{label}.json"
        write_plan(out[label], plan, problem=problem)
    return out


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def assert_bad_input(result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output
    for part in parts:
        assert part in result.stderr, result.stderr


def test_cli_diff_lists_the_moves(files):
    result = run("diff", files["event"], files["good"], files["moved"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"{files['good']}: feasible, objective 0"
    assert lines[1] == f"{files['moved']}: feasible, objective 0"
    assert lines[2:5] == [
        "s1: 2 people moved, 2 teams changed",
        "  P3 (Citra): team 1 -> team 2",
        "  P4 (Dodi): team 2 -> team 1",
    ]
    assert "s2: no changes" in lines


def test_cli_diff_json(files):
    result = run("diff", files["event"], files["good"], files["moved"], "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["event"] == "Diff test" and doc["changed"] is True and doc["warnings"] == []
    assert doc["before"] == str(files["good"]) and doc["after"] == str(files["moved"])
    assert doc["feasible"] == {"before": True, "after": True}
    s1, s2 = doc["sessions"]
    assert s1["moves"] == [
        {"participant": "P3", "name": "Citra", "before": 1, "after": 2},
        {"participant": "P4", "name": "Dodi", "before": 2, "after": 1},
    ]
    assert s1["teams_changed"] == [1, 2] and s1["joined"] == s1["left"] == []
    assert s2["changed"] is False and s2["moves"] == []
    problem = load_event(files["event"]).problem
    plans = [tk.io.read_plan(files[k]) for k in ("good", "moved")]
    expected = diff(problem, *plans)
    assert [(r["metric"], r["before"], r["after"]) for r in doc["metrics"]] == [
        (r.metric, r.before, r.after) for r in expected.metrics
    ]
    repeated = next(r for r in doc["metrics"] if r["metric"] == "repeated meetings")
    assert repeated["before"] == tk.check(problem, plans[0]).meetings.repeated_pairs


def test_cli_diff_of_a_plan_with_itself(files):
    result = run("diff", files["event"], files["good"], files["good"])
    assert result.exit_code == 0
    assert "the plans are the same" in result.stdout
    assert json.loads(run("diff", files["event"], files["good"], files["good"], "--json").stdout)["changed"] is False


def test_cli_exit_code_follows_the_after_plan(files):
    result = run("diff", files["event"], files["good"], files["broken"])
    assert result.exit_code == 1, result.output
    assert f"{files['broken']}: NOT feasible" in result.stdout
    assert "  hard violations: 0 -> 2" in result.stdout
    assert run("diff", files["event"], files["broken"], files["good"]).exit_code == 0


def test_cli_bad_input(files, tmp_path):
    assert_bad_input(run("diff", files["event"], files["good"], tmp_path / "nope.json"), "plan file not found")
    assert_bad_input(run("diff", tmp_path / "nope.toml", files["good"], files["good"]), "event file not found")
    other = tmp_path / "other.json"
    other.write_text(files["good"].read_text(encoding="utf-8").replace('"s2"', '"day9"'), encoding="utf-8")
    assert_bad_input(run("diff", files["event"], files["good"], other), f"{other}: ", "'day9'")
    result = run("diff", files["event"], files["good"])
    assert result.exit_code == 2 and "Missing argument 'AFTER.json'" in result.stderr


def test_cli_warns_when_the_event_changed(files):
    event = files["event"]
    event.write_text(event.read_text(encoding="utf-8").replace("Diff test", "Renamed"), encoding="utf-8")
    result = run("diff", event, files["good"], files["moved"])
    assert result.exit_code == 0
    assert result.stderr.count("warning: ") == 2 and "was made for a different problem" in result.stderr


def test_cli_docs():
    assert run("--help").stdout.count("diff") >= 1
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert "## `teamkit diff`" in text and "teamkit diff EVENT.toml BEFORE.json AFTER.json" in text
