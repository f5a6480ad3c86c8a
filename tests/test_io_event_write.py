"""Writing a problem as an event file and roster: loading them back gives the same problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import teamkit as tk
from teamkit.io import SolverOptions, event_files, load_event, problem_digest, problem_to_dict, write_event

ROOT = Path(__file__).resolve().parents[1]


def round_trip(problem: tk.ProblemData, folder: Path, **options) -> tk.ProblemData:
    event_path, _ = write_event(problem, folder, **options)
    again = load_event(event_path).problem
    assert problem_to_dict(again) == problem_to_dict(problem)
    assert problem_digest(again) == problem_digest(problem)
    return again


@pytest.mark.parametrize("name", ["malang_day1", "malang_three_days", "leadership_training"])
def test_the_example_events_round_trip(name, tmp_path):
    """Times in a zone, roles, stations with slots, instructors, availability and every rule
    of the seed scenario come back the same, and so do the solver options."""
    event = load_event(ROOT / "examples" / f"{name}.toml")
    round_trip(event.problem, tmp_path / "out", solver=event.solver)
    again = load_event(tmp_path / "out" / "event.toml")
    assert again.solver == event.solver
    assert again.name == event.name


def test_a_matrix_attributes_of_every_kind_and_awkward_names(tmp_path):
    rng = np.random.default_rng(3)
    D = rng.random((6, 6)) / 3.0  # fractions with long decimal expansions
    D = np.triu(D, 1) + np.triu(D, 1).T
    m = tk.Model(name='Offsite "north", 2026')
    people = [
        ("id-1", "Ana, the lead", {"id": "007", "score": 1.5, "year": 2020, "note": "=SUM(A1)"}),
        ("id-2", "", {"id": "008", "score": 2.0, "year": 2021, "note": "line\nbreak"}),
        ("id-3", "Ćiro", {"id": None, "score": None, "year": None, "note": None}),
        ("id-4", "D", {"id": "010", "score": -3e-7, "year": -4, "note": "ok"}),
        ("id-5", "E", {"id": "011", "score": 1e20, "year": 0, "note": "ok"}),
        ("id-6", "F", {"id": "012", "score": 0.1, "year": 1, "note": "ok"}),
    ]
    for pid, name, attributes in people:
        m.add_participant(pid, name, attributes)
    m.add_session("s1", num_teams=2)
    m.add_constraint(tk.Diversity(distances=D))
    m.add_constraint(tk.Spread("id", hard=False, weight=2.5))
    again = round_trip(m.data(), tmp_path / "out")
    # The attribute called "id" keeps its leading zeros; the id column took another name.
    assert again.participants[0].attributes["id"] == "007"
    assert again.participants[0].attributes["year"] == 2020
    assert again.participants[1].attributes["score"] == 2.0
    text = (tmp_path / "out" / "event.toml").read_text()
    assert 'id_column = "id_"' in text


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            [{"x": True}, {"x": False}],
            "participant 'p0': attribute 'x': True cannot be written to a roster file (use text or 0/1)",
        ),
        (
            [{"x": ""}, {"x": "b"}],
            (
                "participant 'p0': attribute 'x': '' cannot be written to a roster file, which strips cells and "
                "reads an empty one as missing"
            ),
        ),
        (
            [{"x": "a"}, {"x": " b"}],
            (
                "participant 'p1': attribute 'x': ' b' cannot be written to a roster file, which strips cells and "
                "reads an empty one as missing"
            ),
        ),
        (
            [{"x": 1}, {"x": "b"}],
            (
                "attribute 'x' mixes integer ('p0'), text ('p1'): a roster column holds one kind of value; "
                "make them all text or all numbers of one kind"
            ),
        ),
        (
            [{"x": 1}, {"x": 1.5}],
            (
                "attribute 'x' mixes integer ('p0'), number ('p1'): a roster column holds one kind of value; "
                "make them all text or all numbers of one kind"
            ),
        ),
        (
            [{"x": 1.0}, {"x": float("nan")}],
            "participant 'p1': attribute 'x': nan cannot be written to a roster file (not a finite number)",
        ),
    ],
)
def test_what_a_roster_cannot_hold_is_refused_by_name_and_nothing_is_written(attributes, message, tmp_path):
    m = tk.Model()
    for k, row in enumerate(attributes):
        m.add_participant(f"p{k}", attributes=row)
    m.add_session("s1", num_teams=1)
    problem = m.data()
    with pytest.raises(tk.ModelError) as error:
        write_event(problem, tmp_path / "out")
    assert str(error.value) == message
    assert not (tmp_path / "out").exists()


def test_existing_files_are_not_replaced_without_force(tmp_path):
    event = load_event(ROOT / "examples" / "malang_day1.toml")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "roster.csv").write_text("mine\n")
    with pytest.raises(FileExistsError):
        write_event(event.problem, tmp_path / "out")
    assert (tmp_path / "out" / "roster.csv").read_text() == "mine\n"
    assert not (tmp_path / "out" / "event.toml").exists()
    write_event(event.problem, tmp_path / "out", force=True)
    assert problem_digest(load_event(tmp_path / "out" / "event.toml").problem) == problem_digest(event.problem)


def test_only_what_was_chosen_is_written():
    m = tk.Model(name="small")
    for k in range(4):
        m.add_participant(f"p{k}", attributes={"unit": "ab"[k % 2]})
    m.add_session("s1", team_size=2)
    m.add_constraint(tk.Spread("unit"))
    files = event_files(m.data(), solver=SolverOptions(time_limit=5))
    assert set(files) == {"event.toml", "roster.csv"}
    text = files["event.toml"]
    assert '{ kind = "spread", attribute = "unit" }' in text  # hard and weight are the defaults
    assert "time_limit = 5.0" in text
    assert files["roster.csv"].splitlines() == ["id,name,unit", "p0,p0,a", "p1,p1,b", "p2,p2,a", "p3,p3,b"]
