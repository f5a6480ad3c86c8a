"""The plots of a plan: their numbers against a recount from the plan's teams, the artists
they draw, the PNG files save_plots writes (all or nothing, the same bytes every time), and
the message when matplotlib is missing. Every solved plan is verified by the checker."""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
import sys
import threading
from itertools import combinations
from pathlib import Path

import attrs
import numpy as np
import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

import teamkit as tk
from teamkit import plots
from teamkit.constraints import fair_share_bounds
from teamkit.exceptions import ModelError
from teamkit.plots import (
    balance_counts,
    balance_plot,
    meeting_counts,
    meeting_heatmap,
    new_contacts,
    new_contacts_plot,
    plot_files,
    png_bytes,
    save_plots,
    station_load,
    station_load_plot,
)

from .helpers import pair_meetings

ROOT = Path(__file__).resolve().parents[1]
#: (id, gender, unit, age): 12 people, three units of four.
PEOPLE = [(f"p{k:02d}", "F" if k % 3 == 0 else "M", "ABC"[k % 3], 30 + k) for k in range(12)]


def _verified(problem: tk.ProblemData) -> tk.Plan:
    result = tk.solve(problem, time_limit=5, seed=0)
    assert result.feasible, result.summary()
    report = tk.check(problem, result.plan)
    assert report.feasible and report.hard_violations == 0, report.summary()
    return result.plan


def _people(m: tk.Model) -> None:
    for pid, gender, unit, age in PEOPLE:
        m.add_participant(pid, name=f"Person {pid}", attributes={"gender": gender, "unit": unit, "age": age})


@pytest.fixture(scope="module")
def mixing() -> tuple[tk.ProblemData, tk.Plan]:
    """Three sessions of four teams of three, re-mixed so that nobody meets anyone twice;
    p11 misses the last one."""
    m = tk.Model("mixing")
    _people(m)
    for sid in ("s1", "s2", "s3"):
        m.add_session(sid, name=sid.upper(), num_teams=4, min_size=2, max_size=3)
    m.set_absent("p11", ["s3"])
    m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.Balance("gender"))
    m.add_constraint(tk.MeetAtMost(1))
    problem = m.data()
    return problem, _verified(problem)


@pytest.fixture(scope="module")
def home_teams() -> tuple[tk.ProblemData, tk.Plan]:
    """A morning and an afternoon in the same teams (one block), then an evening re-mixed."""
    m = tk.Model()
    _people(m)
    m.add_session("am", num_teams=3)
    m.add_session("pm", num_teams=3, keep_teams=True)
    m.add_session("eve", num_teams=4)
    m.add_constraint(tk.Balance("unit"))
    problem = m.data()
    return problem, _verified(problem)


@pytest.fixture(scope="module")
def rotation() -> tuple[tk.ProblemData, tk.Plan]:
    """Four teams at stations: ``day`` with slots 1 and 3 at stations and 2 plenary, C closed
    in slot 1; ``eve`` with two slots; ``talk`` with none."""
    m = tk.Model()
    _people(m)
    m.add_session("day", name="Day", num_teams=4, slots=3, plenary=[2])
    m.add_session("eve", name="Evening", num_teams=4, slots=2)
    m.add_session("talk", num_teams=2)
    m.add_station("A", capacity=3)
    m.add_station("B", capacity=1)
    m.add_station("C", capacity=2, closed=[("day", 1)])
    m.add_station("D", capacity=3, sessions=["eve"])
    m.add_constraint(tk.ExerciseOnce("event", hard=False))
    problem = m.data()
    return problem, _verified(problem)


def _present_teams(problem: tk.ProblemData, plan: tk.Plan, k: int) -> list[list[str]]:
    present = {problem.participants[i].id for i in problem.layout(k).present}
    return [[pid for pid in team.members if pid in present] for team in plan.sessions[k].teams]


# -- the numbers -------------------------------------------------------------------------------
def test_meeting_counts_are_the_pairs_sharing_a_team(mixing):
    problem, plan = mixing
    counts = meeting_counts(problem, plan)
    ids = [p.id for p in problem.participants]
    expected = np.zeros_like(counts)
    for (a, b), m in pair_meetings(plan).items():
        expected[ids.index(a), ids.index(b)] = expected[ids.index(b), ids.index(a)] = m
    assert counts.shape == (12, 12)
    assert (counts == expected).all()
    assert (counts == counts.T).all() and not counts.diagonal().any()
    assert counts.max() == 1  # MeetAtMost(1)
    meetings = tk.check(problem, plan).meetings
    assert {ids[i]: int((counts[i] > 0).sum()) for i in range(12)} == dict(meetings.distinct_met)
    assert int(np.maximum(np.triu(counts, 1) - 1, 0).sum()) == meetings.repeated_pairs


def test_sessions_that_keep_the_teams_count_one_meeting(home_teams):
    problem, plan = home_teams
    counts = meeting_counts(problem, plan)
    ids = [p.id for p in problem.participants]
    expected = np.zeros_like(counts)
    for block in (["am", "pm"], ["eve"]):
        met = set()
        for sid in block:
            for team in plan.session(sid).teams:
                met |= {frozenset(pair) for pair in combinations(team.members, 2)}
        for a, b in map(tuple, met):
            expected[ids.index(a), ids.index(b)] += 1
            expected[ids.index(b), ids.index(a)] += 1
    assert (counts == expected).all()
    assert int(np.triu(counts, 1).sum()) < sum(pair_meetings(plan).values())  # am and pm count once
    report = tk.check(problem, plan).meetings
    assert int(np.maximum(np.triu(counts, 1) - 1, 0).sum()) == report.repeated_pairs


def test_new_contacts_add_up_to_the_pairs_met(mixing):
    problem, plan = mixing
    contacts = new_contacts(problem, plan)
    assert contacts.sessions == ("s1", "s2", "s3")
    seen: set[frozenset[str]] = set()
    new, ideal = [], []
    for k in range(3):
        pairs = {frozenset(p) for team in _present_teams(problem, plan, k) for p in combinations(team, 2)}
        new.append(len(pairs - seen))
        ideal.append(len(pairs))
        seen |= pairs
    assert contacts.new.tolist() == new
    assert (
        contacts.ideal.tolist()
        == ideal
        == [sum(len(t) * (len(t) - 1) // 2 for t in _present_teams(problem, plan, k)) for k in range(3)]
    )
    assert int(contacts.new.sum()) == len(pair_meetings(plan)) == len(seen)
    assert contacts.cumulative.tolist() == np.cumsum(new).tolist()
    assert contacts.possible == 12 * 11 // 2
    assert contacts.ideal_cumulative.tolist() == np.cumsum(ideal).tolist()
    assert contacts.new.tolist() == contacts.ideal.tolist()  # MeetAtMost(1): every contact is new


def test_new_contacts_of_kept_teams(home_teams):
    problem, plan = home_teams
    contacts = new_contacts(problem, plan)
    assert contacts.new[1] == 0 < contacts.ideal[1]  # nobody new in the same teams
    assert int(contacts.new.sum()) == int((np.triu(meeting_counts(problem, plan), 1) > 0).sum())


def test_balance_counts_are_the_teams_makeup(mixing):
    problem, plan = mixing
    data = balance_counts(problem, plan, "gender", "s3")
    assert data.session == "s3" and data.attribute == "gender"
    assert data.values == ("F", "M")
    assert data.teams == (1, 2, 3, 4)
    teams = _present_teams(problem, plan, 2)
    gender = {pid: g for pid, g, _, _ in PEOPLE}
    assert data.counts.tolist() == [[sum(gender[p] == v for p in team) for v in ("F", "M")] for team in teams]
    present = [pid for pid, *_ in PEOPLE if pid != "p11"]
    for t, team in enumerate(teams):
        for v, value in enumerate(data.values):
            everyone = sum(gender[p] == value for p in present)
            assert (data.low[t, v], data.high[t, v]) == fair_share_bounds(everyone, len(team), len(present))
    assert data.fair.all()  # a hard Balance("gender") in a feasible plan
    report = tk.check(problem, plan)
    by_checker = [dict(tm.counts["gender"]) for tm in report.teams if tm.session == "s3"]
    assert by_checker == [{v: int(c) for v, c in zip(data.values, row) if c} for row in data.counts]


def test_balance_counts_put_missing_values_last_and_take_the_rule_tolerance():
    m = tk.Model()
    for k, value in enumerate([3, None, "x", 1, "", 3]):
        m.add_participant(f"q{k}", attributes={"level": value, "g": "a"})
    m.add_session("s", num_teams=2)
    m.add_constraint(tk.Balance("level", tolerance=1, hard=False))
    problem = m.data()
    plan = _verified(problem)
    data = balance_counts(problem, plan, "level")
    assert data.values == (1, 3, "x", None)
    assert data.counts.sum(axis=0).tolist() == [1, 2, 1, 2]
    assert data.low.min() == 0 and data.high.max() == 2  # 2 of 6 in a team of 3: 1, widened by 1


def test_station_load_is_the_plan_stations(rotation):
    problem, plan = rotation
    for sid, slots in (("day", (1, 3)), ("eve", (1, 2))):
        data = station_load(problem, plan, sid)
        assert data.session == sid and data.slots == slots
        teams = plan.session(sid).teams
        for s, name in enumerate(data.stations):
            for j, slot in enumerate(slots):
                assert data.load[s, j] == sum(team.stations[slot - 1] == name for team in teams)
        assert int(data.load.sum()) == len(teams) * len(slots)  # every team at a station in every slot
        assert (data.load <= data.capacity).all() and not data.over.any()
    day = station_load(problem, plan)  # the first session with station slots
    assert day.stations == ("A", "B", "C")  # D is open only in the evening
    assert day.capacity.tolist() == [[3, 3], [1, 1], [0, 2]]  # C is closed in slot 1
    assert station_load(problem, plan, "eve").stations == ("A", "B", "C", "D")


def test_station_load_shows_an_overfull_station(rotation):
    problem, plan = rotation
    evening = plan.session("eve")
    crowded = attrs.evolve(evening, teams=[attrs.evolve(t, stations=("A", "D")) for t in evening.teams])
    overfull = tk.Plan([crowded if s.session == "eve" else s for s in plan.sessions])
    assert any(v.constraint == "stations" for v in tk.check(problem, overfull).violations)
    data = station_load(problem, overfull, "eve")
    assert data.load[:, 0].tolist() == [4, 0, 0, 0] and data.over[:, 0].tolist() == [1, 0, 0, 0]
    ax = station_load_plot(problem, overfull, session="eve").axes[0]
    first_slot = _bars(ax)[1]
    red = [patch.get_facecolor()[:3] == (1.0, 0.0, 0.0) for patch in first_slot]
    assert red == [True, False, False, False]  # A is over capacity


def test_file_names_hold_only_safe_characters(tmp_path):
    m = tk.Model()
    for k in range(4):
        m.add_participant(f"q{k}", attributes={"home town": "xy"[k % 2]})
    m.add_session("Day 1 / morning", num_teams=2, slots=1)
    m.add_station("A", capacity=2)
    problem = m.data()
    plan = tk.Plan(
        [
            tk.SessionPlan(
                "Day 1 / morning", [tk.Team(1, ["q0", "q1"], stations=["A"]), tk.Team(2, ["q2", "q3"], stations=["A"])]
            )
        ]
    )
    assert tk.check(problem, plan).feasible
    names = [p.name for p in save_plots(problem, plan, tmp_path)]
    assert names == ["meetings.png", "balance-home-town.png", "new-contacts.png", "station-load-day-1-morning.png"]


def test_station_load_needs_stations(rotation, mixing):
    problem, plan = rotation
    with pytest.raises(ValueError, match="session 'talk' has no station slots.*'day', 'eve'"):
        station_load(problem, plan, "talk")
    with pytest.raises(ValueError, match="the problem has no stations"):
        station_load(*mixing)
    with pytest.raises(ValueError, match="the problem has no stations"):
        station_load_plot(*mixing)


def test_unknown_names_are_named(mixing):
    problem, plan = mixing
    with pytest.raises(ModelError, match="'gendr'.*did you mean 'gender'"):
        balance_counts(problem, plan, "gendr")
    with pytest.raises(ModelError, match="unknown session 's9'"):
        balance_plot(problem, plan, "gender", session="s9")
    with pytest.raises(ModelError, match="'nit'"):
        meeting_heatmap(problem, plan, order="nit")


# -- the plots ---------------------------------------------------------------------------------
def _bars(ax) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def test_meeting_heatmap(mixing):
    problem, plan = mixing
    fig = meeting_heatmap(problem, plan)
    assert isinstance(fig, Figure)
    ax, colorbar = fig.axes
    (image,) = ax.get_images()
    shown = image.get_array()
    assert shown.shape == (12, 12) and shown.mask.diagonal().all()
    assert (shown.filled(0) == meeting_counts(problem, plan)).all()
    assert [t.get_text() for t in ax.get_xticklabels()] == [p.name for p in problem.participants]
    assert ax.get_title() == "Who shared a team with whom\nmixing"
    assert "meetings" in colorbar.get_ylabel()


def test_meeting_heatmap_by_attribute(mixing):
    problem, plan = mixing
    fig = meeting_heatmap(problem, plan, order="unit")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C"]
    assert ax.get_xlabel() == "participants by unit"
    assert len(ax.get_lines()) == 4  # where B and C start, across and down
    shown = ax.get_images()[0].get_array().filled(0)
    # Spread("unit"): the people of one unit (the blocks on the diagonal) never meet.
    for start in (0, 4, 8):
        assert not shown[start : start + 4, start : start + 4].any()


def test_balance_plot(mixing):
    problem, plan = mixing
    data = balance_counts(problem, plan, "unit", "s2")
    fig = balance_plot(problem, plan, "unit", session="s2")
    ax = fig.axes[0]
    bars = _bars(ax)
    assert len(bars) == len(data.values) == 3
    assert all(len(c) == len(data.teams) for c in bars)
    heights = np.array([[patch.get_height() for patch in c] for c in bars]).T
    assert (heights == data.counts).all()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B", "C", "fair share (bracket)"]
    assert ax.get_title() == "unit per team, S2\nmixing"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("team", "members")


def test_balance_plot_marks_a_team_outside_its_share():
    m = tk.Model()
    for k in range(6):
        m.add_participant(f"q{k}", attributes={"g": "ab"[k % 2]})
    m.add_session("s", num_teams=2)
    problem = m.data()
    lopsided = tk.Plan([tk.SessionPlan("s", [tk.Team(1, ["q0", "q2", "q4"]), tk.Team(2, ["q1", "q3", "q5"])])])
    assert tk.check(problem, lopsided).feasible  # no Balance rule, so the plot alone shows it
    assert not balance_counts(problem, lopsided, "g").fair.any()
    ax = balance_plot(problem, lopsided, "g").axes[0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[-1] == "outside fair share"


def test_new_contacts_plot(mixing):
    problem, plan = mixing
    fig = new_contacts_plot(problem, plan)
    ax = fig.axes[0]
    ideal, new = _bars(ax)
    assert [p.get_height() for p in new] == new_contacts(problem, plan).new.tolist()
    assert len(ideal) == 3
    assert [line.get_label() for line in ax.get_lines()] == ["met so far", "ideal so far"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["S1", "S2", "S3"]
    assert ax.get_ylabel() == "pairs of people"
    assert len(ax.get_legend().get_texts()) == 4


def test_station_load_plot(rotation):
    problem, plan = rotation
    fig = station_load_plot(problem, plan, session="eve")
    ax = fig.axes[0]
    bars = _bars(ax)
    assert len(bars) == 4  # capacity and load, for each of two slots
    assert all(len(c) == 4 for c in bars)  # four stations
    data = station_load(problem, plan, "eve")
    assert [p.get_height() for p in bars[1]] == data.load[:, 0].tolist()
    assert [p.get_height() for p in bars[0]] == data.capacity[:, 0].tolist()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["capacity", "slot 1", "slot 2"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B", "C", "D"]
    assert ax.get_title() == "Station load, Evening"


def test_plots_draw_on_a_given_axes(rotation):
    problem, plan = rotation
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert station_load_plot(problem, plan, ax=left) is fig
    assert new_contacts_plot(problem, plan, ax=right) is fig
    assert len(fig.axes) == 2 and _bars(left) and _bars(right)


# -- the files ---------------------------------------------------------------------------------
def test_save_plots_writes_the_files(rotation, mixing, tmp_path):
    paths = save_plots(*rotation, tmp_path / "rotation")
    names = ["meetings.png", "balance-gender.png", "balance-unit.png", "new-contacts.png"]
    # Without Balance rules: the first text attributes with a few values (not age, a number).
    assert [p.name for p in paths] == [*names, "station-load-day.png", "station-load-eve.png"]
    assert sorted(p.name for p in (tmp_path / "rotation").iterdir()) == sorted(p.name for p in paths)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
    paths = save_plots(*mixing, tmp_path / "mixing")
    assert [p.name for p in paths] == ["meetings.png", "balance-gender.png", "new-contacts.png"]
    assert sorted(tmp_path.iterdir()) == [tmp_path / "mixing", tmp_path / "rotation"]  # no temporary folder left


def test_save_plots_never_overwrites_without_force(mixing, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "new-contacts.png").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match=r"new-contacts.png already exists; nothing was written"):
        save_plots(*mixing, out)
    assert [p.name for p in out.iterdir()] == ["new-contacts.png"]
    assert (out / "new-contacts.png").read_bytes() == b"mine"
    assert sorted(tmp_path.iterdir()) == [out]
    paths = save_plots(*mixing, out, force=True)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    assert (out / "new-contacts.png").read_bytes().startswith(b"\x89PNG")


def test_the_same_plan_gives_the_same_bytes(rotation, tmp_path):
    first = save_plots(*rotation, tmp_path / "a")
    second = save_plots(*rotation, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert plot_files(*rotation) == {p.name: p.read_bytes() for p in first}
    assert b"Software" not in first[0].read_bytes() and b"matplotlib" not in first[0].read_bytes()


def test_plots_draw_in_a_thread(mixing):
    """No pyplot, no display: a worker thread draws the same figure as the main thread."""
    here = png_bytes(meeting_heatmap(*mixing))
    there: list[bytes] = []
    worker = threading.Thread(target=lambda: there.append(png_bytes(meeting_heatmap(*mixing))))
    worker.start()
    worker.join()
    assert there == [here]


# -- without matplotlib ------------------------------------------------------------------------
def test_without_matplotlib_the_plots_say_what_to_install(mixing, monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)  # ``import matplotlib...`` now fails
    for draw in (meeting_heatmap, new_contacts_plot, lambda p, q: balance_plot(p, q, "gender")):
        with pytest.raises(ImportError, match=r'pip install "teamkit\[plot\]"'):
            draw(*mixing)
    with pytest.raises(ImportError, match=r'pip install "teamkit\[plot\]"'):
        save_plots(*mixing, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert meeting_counts(*mixing).shape == (12, 12)  # the numbers need numpy only


def test_importing_teamkit_does_not_import_matplotlib():
    code = "import sys, teamkit, teamkit.plots; print('matplotlib' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
    assert "plots" not in tk.__all__ and plots.INSTALL_HINT == 'pip install "teamkit[plot]"'


# -- the docs ----------------------------------------------------------------------------------
def test_docs_example_runs_as_shown(tmp_path, monkeypatch, capsys):
    """docs/plots.md: its first example prints what the page shows, and its second draws two
    plots into one figure."""
    text = (ROOT / "docs" / "plots.md").read_text(encoding="utf-8")
    code = re.search(r"```python[^\n]*\n(.*?)```", text, re.DOTALL).group(1)
    shared = re.search(
        r"share one \(here\nwith the workshop above\):\n\n```python[^\n]*\n(.*?)```", text, re.DOTALL
    ).group(1)
    (tmp_path / "examples" / "data").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "data" / "malang_asn_300.csv", tmp_path / "examples" / "data")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "example.py").write_text(code + "\n" + shared, encoding="utf-8")
    runpy.run_path(str(tmp_path / "example.py"))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "{'morning': 120, 'afternoon': 120, 'evening': 120}"  # new contacts, as the page says
    assert out[2:] == ["meetings.png", "balance-gender.png", "balance-echelon.png", "new-contacts.png"]
    assert (tmp_path / "summary.png").read_bytes().startswith(b"\x89PNG")
