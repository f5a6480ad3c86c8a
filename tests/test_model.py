"""The builder and validation: bad input raises ModelError naming the culprit."""

from __future__ import annotations

import numpy as np
import pytest

import teamkit as tk


def model(n=6, **session):
    m = tk.Model()
    for i in range(n):
        m.add_participant(f"p{i}", attributes={"unit": f"u{i % 3}", "age": 30 + i, "boss": ""})
    m.add_session("s1", **(session or {"team_size": 3}))
    return m


def test_duplicate_participant_id_is_named():
    m = model()
    with pytest.raises(tk.ModelError, match="duplicate participant id 'p1'"):
        m.add_participant("p1")


def test_unknown_attribute_suggests_the_closest():
    m = model()
    m.add_constraint(tk.Spread("unti"))
    with pytest.raises(tk.ModelError, match=r"unknown attribute 'unti'.*did you mean 'unit'"):
        m.data()


def test_unknown_participant_in_a_constraint():
    m = model()
    m.add_constraint(tk.Apart(["p1", "p99"]))
    with pytest.raises(tk.ModelError, match="apart.*unknown participant 'p99'"):
        m.data()


def test_sizes_that_cannot_add_up_show_the_arithmetic():
    m = model(7, team_size=3, remainder="exact")
    with pytest.raises(tk.ModelError, match=r"7 people cannot form teams of exactly 3 \(7 = 2 x 3 \+ 1\)"):
        m.data()


@pytest.mark.parametrize("size", [0, -2])
def test_zero_or_negative_size(size):
    with pytest.raises(tk.ModelError, match="team_size must be a positive whole number"):
        model(team_size=size)


def test_together_and_apart_on_the_same_pair():
    m = model()
    m.add_constraint(tk.Together(["p0", "p1"]))
    m.add_constraint(tk.Apart(["p1", "p0", "p2"]))
    with pytest.raises(tk.ModelError, match="cannot be together and apart"):
        m.data()


def test_empty_roster():
    m = tk.Model()
    m.add_session("s1", team_size=2)
    with pytest.raises(tk.ModelError, match="roster is empty"):
        m.data()


def test_everybody_absent():
    m = tk.Model()
    m.add_participant("a")
    m.add_session("s1", team_size=1, absent=["a"])
    with pytest.raises(tk.ModelError, match="nobody attends"):
        m.data()


def test_more_teams_than_people():
    with pytest.raises(tk.ModelError, match="7 teams but only 6 people"):
        model(num_teams=7).data()


def test_pin_beyond_the_teams_and_pin_of_an_absent_person():
    m = model()
    m.add_constraint(tk.Pin("p0", team=3))
    with pytest.raises(tk.ModelError, match="has only 2 teams"):
        m.data()
    m2 = tk.Model()
    for i in range(4):
        m2.add_participant(f"p{i}")
    m2.add_session("s1", team_size=1, absent=["p0"])
    m2.add_constraint(tk.Pin("p0", team=1, session="s1"))
    with pytest.raises(tk.ModelError, match="absent"):
        m2.data()


def test_hierarchy_names_an_unknown_superior():
    m = tk.Model()
    m.add_participant("a", attributes={"boss": "zz"})
    m.add_participant("b", attributes={"boss": ""})
    m.add_session("s1", team_size=1)
    m.add_constraint(tk.Hierarchy("boss"))
    with pytest.raises(tk.ModelError, match="'a' names superior 'zz'"):
        m.data()


def test_numeric_balance_rejects_text_values_and_hard_needs_a_tolerance():
    m = tk.Model()
    m.add_participant("a", attributes={"age": "old"})
    m.add_session("s1", team_size=1)
    m.add_constraint(tk.NumericBalance("age", hard=False))
    with pytest.raises(tk.ModelError, match="'a' has age='old', not a number"):
        m.data()
    with pytest.raises(tk.ModelError, match="needs a tolerance"):
        tk.NumericBalance("age")


def test_diversity_matrix_must_fit_and_be_symmetric():
    m = model(4, team_size=2)
    m.add_constraint(tk.Diversity(distances=np.ones((3, 3))))
    with pytest.raises(tk.ModelError, match=r"\(3, 3\), but there are 4"):
        m.data()
    D = np.zeros((4, 4))
    D[0, 1] = 1
    m2 = model(4, team_size=2)
    m2.add_constraint(tk.Diversity(distances=D))
    with pytest.raises(tk.ModelError, match="not symmetric: d\\(p0, p1\\)"):
        m2.data()


def test_problem_data_is_frozen_and_replace_revalidates():
    problem = model().data()
    with pytest.raises(AttributeError):
        problem.name = "x"  # type: ignore[misc]
    with pytest.raises(tk.ModelError, match="unknown attribute"):
        problem.replace(constraints=[tk.Balance("nope")])


def test_layout_remainders():
    assert tk.Session("s", team_size=10).layout(301) == ((10, 11),) * 30
    assert tk.Session("s", team_size=10, remainder="smaller").layout(301) == ((9, 10),) * 31
    assert tk.Session("s", min_size=4, max_size=6).layout(20) == ((4, 6),) * 4


def test_diversity_constraints_compare_by_content():
    assert tk.Diversity(attributes=["a"]) != tk.Diversity(attributes=["b"])
    assert tk.Diversity(distances=np.eye(2)) == tk.Diversity(distances=np.eye(2))


# -- roles, stations and instructors: shapes refused when the problem is built ---------------
def _stations_model() -> tk.Model:
    m = tk.Model()
    for i in range(8):
        m.add_participant(f"p{i}", attributes={"rank": "junior" if i else "senior"})
    m.add_session("am", team_size=4, slots=2)
    m.add_station("rope", capacity=2)
    m.add_instructor("i1")
    return m


def test_station_capacity_zero_is_refused() -> None:
    with pytest.raises(tk.ModelError, match=r"station 'maze': capacity 0 means it can never receive a team"):
        _stations_model().add_station("maze", capacity=0)


def test_exercise_longer_than_its_session_is_refused() -> None:
    m = _stations_model()
    m.add_station("raft", duration=3)
    with pytest.raises(
        tk.ModelError, match=r"station 'raft' takes 3 slots, longer than every session \(the longest has 2\)"
    ):
        m.data()


def test_instructor_pinned_to_two_stations_at_once_is_refused() -> None:
    m = _stations_model()
    m.add_station("maze", capacity=2)
    m.add_constraint(tk.StaffPin("i1", "rope", "am", slot=1))
    m.add_constraint(tk.StaffPin("i1", "maze", "am", slot=1))
    with pytest.raises(
        tk.ModelError, match=r"put instructor 'i1' at two stations at once \('rope' and 'maze'\) in slot 1"
    ):
        m.data()


def test_role_nobody_may_hold_is_refused() -> None:
    m = _stations_model()
    m.add_role("leader", eligible={"rank": "general"})
    with pytest.raises(tk.ModelError, match=r"role 'leader': no participant is eligible for it"):
        m.data()


def test_more_role_seats_than_members_is_refused() -> None:
    m = _stations_model()
    for name in ("a", "b", "c", "d", "e"):
        m.add_role(name)
    with pytest.raises(
        tk.ModelError, match=r"every team needs 5 role holders .* smallest team may have only 4 members"
    ):
        m.data()


def test_unknown_station_of_an_instructor_is_named() -> None:
    m = _stations_model()
    m.add_instructor("i2", stations=["ropes"])
    with pytest.raises(tk.ModelError, match=r"instructor 'i2': unknown station 'ropes' \(did you mean 'rope'\?\)"):
        m.data()
