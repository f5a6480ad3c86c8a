"""Tests of the independent checker against hand computations and brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import teamkit as tk
from teamkit.checker import CheckReport, TeamMetrics, Violation, check
from teamkit.constraints import (
    Apart,
    Balance,
    Diversity,
    Hierarchy,
    NoIsolation,
    NumericBalance,
    Pin,
    Spread,
    Together,
)
from teamkit.exceptions import PlanFileError
from teamkit.model import Model
from teamkit.plan import Plan, SessionPlan, Team


def make(people, sessions=(("s1", {"team_size": 2}),), constraints=()):
    """people: list of (id, attributes); sessions: (id, options)."""
    m = Model()
    for pid, attrs_ in people:
        m.add_participant(pid, attributes=attrs_)
    for sid, options in sessions:
        m.add_session(sid, **options)
    for c in constraints:
        m.add_constraint(c)
    return m.data()


def plan(*sessions):
    """plan(("s1", [["a", "b"], ["c", "d"]]), ...)"""
    return Plan(
        tuple(SessionPlan(sid, tuple(Team(t + 1, tuple(ms)) for t, ms in enumerate(teams))) for sid, teams in sessions)
    )


def only(report: CheckReport, name: str) -> list[Violation]:
    return [v for v in report.violations if v.constraint == name]


# -- structure ---------------------------------------------------------------------------------
FOUR = [("a", {"u": "x"}), ("b", {"u": "x"}), ("c", {"u": "y"}), ("d", {"u": "y"})]


def test_valid_plan_without_constraints_is_feasible():
    problem = make(FOUR)
    report = check(problem, plan(("s1", [["a", "b"], ["c", "d"]])))
    assert report.feasible
    assert report.violations == ()
    assert report.objective == 0
    assert report.hard_violations == 0
    assert [(t.team, t.size) for t in report.teams] == [(1, 2), (2, 2)]
    assert "feasible" in report.summary()


def test_missing_participant_is_a_violation_naming_them():
    problem = make(FOUR)
    report = check(problem, plan(("s1", [["a", "b"], ["c"]])))
    assert not report.feasible
    missing = only(report, "assignment")
    assert len(missing) == 1 and missing[0].amount == 1 and "d" in missing[0].message.split()
    sizes = only(report, "team sizes")
    assert [(v.team, v.amount) for v in sizes] == [(2, 1.0)]
    assert report.hard_violations == 2


def test_wrong_team_count_and_sizes_are_violations():
    problem = make(FOUR)  # two teams of 2
    report = check(problem, plan(("s1", [["a", "b", "c", "d"]])))
    sizes = only(report, "team sizes")
    counts = [v for v in sizes if v.team is None]
    assert len(counts) == 1 and counts[0].amount == 1
    over = [v for v in sizes if v.team == 1]
    assert len(over) == 1 and over[0].amount == 2  # 4 members, at most 2
    assert not report.feasible


def test_absent_participant_placed_is_a_violation():
    problem = make(FOUR, sessions=(("s1", {"team_size": 2, "absent": ["d"], "remainder": "larger"}),))
    # 3 present -> one team of 3
    ok = check(problem, plan(("s1", [["a", "b", "c"]])))
    assert ok.feasible
    bad = check(problem, plan(("s1", [["a", "b", "c", "d"]])))
    assignment = only(bad, "assignment")
    assert len(assignment) == 1 and "d" in assignment[0].message and assignment[0].team == 1
    # the absent person is not counted in the team's size
    assert bad.teams[0].size == 3
    assert only(bad, "team sizes") == []


def test_plan_with_other_sessions_or_unknown_id_raises():
    problem = make(FOUR)
    with pytest.raises(PlanFileError):
        check(problem, plan(("s2", [["a", "b"], ["c", "d"]])))
    with pytest.raises(PlanFileError):
        check(problem, plan(("s1", [["a", "b"], ["c", "zz"]])))
    with pytest.raises(PlanFileError):
        check(problem, plan(("s1", [["a", "b"], ["b", "c", "d"]])))


# -- spread ------------------------------------------------------------------------------------
def test_spread_violation_amount_and_message():
    people = [
        ("ASN0010", {"unit": "Bappeda"}),
        ("ASN0033", {"unit": "Bappeda"}),
        ("ASN0001", {"unit": "Dinkes"}),
        ("ASN0002", {"unit": ""}),
    ]
    problem = make(people, constraints=[Spread("unit")])
    report = check(problem, plan(("s1", [["ASN0001", "ASN0002"], ["ASN0010", "ASN0033"]])))
    vs = only(report, "spread(unit<=1)")
    assert len(vs) == 1
    v = vs[0]
    assert v.team == 2 and v.amount == 1 and v.session == "s1"
    assert "ASN0010" in v.message and "ASN0033" in v.message and "Bappeda" in v.message
    assert report.penalties["spread(unit<=1)"] == 1
    assert "spread(unit<=1)" not in report.breakdown


def test_spread_ignores_missing_and_counts_excess():
    people = [(f"p{i}", {"u": u}) for i, u in enumerate(["x", "x", "x", "", "", None])]
    problem = make(people, sessions=(("s1", {"team_size": 3}),), constraints=[Spread("u", hard=False, weight=2.5)])
    report = check(problem, plan(("s1", [["p0", "p1", "p2"], ["p3", "p4", "p5"]])))
    assert report.feasible
    assert report.penalties["spread(u<=1)"] == 2  # three x: excess 2; missing values ignored
    assert report.breakdown["spread(u<=1)"] == 5.0
    assert report.objective == 5.0
    # missing values are counted under None in the metrics
    assert report.teams[1].counts["u"] == {None: 3}
    assert report.teams[0].counts["u"] == {"x": 3}


# -- balance -----------------------------------------------------------------------------------
def test_balance_with_uneven_team_sizes():
    # 7 people in teams of 3 and 4; 3 women. Shares: 3*3/7=1.29 -> [1,2]; 3*4/7=1.71 -> [1,2].
    # Men: 4*3/7=1.71 -> [1,2]; 4*4/7=2.29 -> [2,3].
    genders = ["P", "P", "P", "L", "L", "L", "L"]
    people = [(f"p{i}", {"g": g}) for i, g in enumerate(genders)]
    problem = make(people, sessions=(("s1", {"team_sizes": [(3, 3), (4, 4)]}),), constraints=[Balance("g")])
    good = check(problem, plan(("s1", [["p0", "p3", "p4"], ["p1", "p2", "p5", "p6"]])))
    assert good.feasible and good.penalties["balance(g)"] == 0
    # team 1 has all three women: P count 3 vs [1,2] -> 1; L count 0 vs [1,2] -> 1;
    # team 2 has 0 women vs [1,2] -> 1; 4 men vs [2,3] -> 1. Total 4.
    bad = check(problem, plan(("s1", [["p0", "p1", "p2"], ["p3", "p4", "p5", "p6"]])))
    vs = only(bad, "balance(g)")
    assert bad.penalties["balance(g)"] == 4
    assert sorted((v.team, v.amount) for v in vs) == [(1, 1), (1, 1), (2, 1), (2, 1)]
    assert any("p0" in v.message and "p1" in v.message and "p2" in v.message for v in vs)


def test_balance_tolerance_and_missing_as_a_value():
    # 4 people, one without a value, teams of 2. Missing: share 1*2/4 = 0.5 -> [0, 1].
    people = [("a", {"d": "K"}), ("b", {"d": "K"}), ("c", {"d": "K"}), ("e", {"d": None})]
    problem = make(people, constraints=[Balance("d", hard=False), Balance("d", tolerance=1)])
    report = check(problem, plan(("s1", [["a", "b"], ["c", "e"]])))
    # K: c=3, share 1.5 -> [1, 2]: team 1 has 2, team 2 has 1: fine. missing: fine.
    assert report.penalties["balance(d)"] == 0
    assert report.feasible
    assert report.teams[1].counts["d"] == {"K": 1, None: 1}


def test_balance_tolerance_widens_the_bounds():
    people = [("a", {"d": "x"}), ("b", {"d": "x"}), ("c", {"d": "y"}), ("e", {"d": "y"})]
    strict, loose = Balance("d", hard=False), Balance("d", tolerance=1)
    problem = make(people, constraints=[strict, loose])
    report = check(problem, plan(("s1", [["a", "b"], ["c", "e"]])))
    # each value has share 2*2/4 = 1 -> [1, 1]; every team has 2 of one and 0 of the other
    assert report.penalties[strict.name] == 4
    assert report.penalties[loose.name] == 0  # [0, 2]
    assert report.feasible


# -- no isolation ------------------------------------------------------------------------------
def test_no_isolation_with_values_and_numbers_as_strings():
    people = [
        ("a", {"g": "P", "lvl": 3}),
        ("b", {"g": "L", "lvl": 3}),
        ("c", {"g": "P", "lvl": 4}),
        ("d", {"g": "L", "lvl": 4}),
        ("e", {"g": "L", "lvl": 5}),
        ("f", {"g": "L", "lvl": 5}),
    ]
    problem = make(
        people,
        sessions=(("s1", {"team_size": 3}),),
        constraints=[NoIsolation("g", values=["P"]), NoIsolation("lvl", values=["3"], min_count=3, hard=False)],
    )
    report = check(problem, plan(("s1", [["a", "b", "e"], ["c", "d", "f"]])))
    vs = only(report, "no_isolation(g=P>=2)")
    assert sorted(v.team for v in vs) == [1, 2]
    assert all(v.amount == 1 for v in vs)
    assert any("a" in v.message.replace(",", " ").replace("(", " ").replace(")", " ").split() for v in vs)
    # lvl=3 appears twice in team 1 (a, b): 3 - 2 = 1; the other values are not checked
    assert report.penalties["no_isolation(lvl=3>=3)"] == 1
    assert report.breakdown["no_isolation(lvl=3>=3)"] == 1
    together = check(problem, plan(("s1", [["a", "c", "b"], ["d", "e", "f"]])))
    assert together.penalties["no_isolation(g=P>=2)"] == 0


def test_no_isolation_boundary_and_missing_values():
    people = [
        ("a", {"g": "P"}),
        ("b", {"g": "P"}),
        ("c", {"g": ""}),
        ("d", {"g": "L"}),
        ("e", {"g": "L"}),
        ("f", {"g": None}),
    ]
    c = NoIsolation("g")  # every value, at least 2
    problem = make(people, sessions=(("s1", {"team_size": 3}),), constraints=[c])
    # exactly min_count of P and of L; a lone missing value in each team is never isolated
    report = check(problem, plan(("s1", [["a", "b", "c"], ["d", "e", "f"]])))
    assert report.penalties[c.name] == 0 and report.feasible
    report = check(problem, plan(("s1", [["a", "d", "c"], ["b", "e", "f"]])))
    assert report.penalties[c.name] == 4  # P and L alone in both teams


# -- numeric balance ---------------------------------------------------------------------------
def test_numeric_balance_soft_equals_hand_computation():
    ages = {"a": 20, "b": 30, "c": 40, "d": 50, "e": 60, "f": None}
    people = [(k, {"age": v}) for k, v in ages.items()]
    c = NumericBalance("age", hard=False, weight=2, spread=True)
    problem = make(people, sessions=(("s1", {"team_size": 3}),), constraints=[c])
    report = check(problem, plan(("s1", [["a", "b", "f"], ["c", "d", "e"]])))
    everyone = np.array([20, 30, 40, 50, 60], dtype=float)
    mu, sigma = everyone.mean(), everyone.std()
    t1, t2 = np.array([20, 30.0]), np.array([40, 50, 60.0])
    expected = (t1.mean() - mu) ** 2 + (t2.mean() - mu) ** 2 + (t1.std() - sigma) ** 2 + (t2.std() - sigma) ** 2
    assert report.penalties[c.name] == pytest.approx(expected)
    assert report.breakdown[c.name] == pytest.approx(2 * expected)
    assert report.teams[0].means["age"] == pytest.approx(25)
    assert report.teams[1].means["age"] == pytest.approx(50)
    assert report.feasible


def test_numeric_balance_hard_tolerance():
    people = [(k, {"age": v}) for k, v in zip("abcd", [20, 30, 40, 50])]
    c = NumericBalance("age", tolerance=4)
    problem = make(people, constraints=[c])  # mu = 35
    ok = check(problem, plan(("s1", [["a", "d"], ["b", "c"]])))  # means 35, 35
    assert ok.feasible and ok.penalties[c.name] == 0
    bad = check(problem, plan(("s1", [["a", "b"], ["c", "d"]])))  # means 25, 45: excess 6 each
    vs = only(bad, c.name)
    assert [(v.team, v.amount) for v in vs] == [(1, 36.0), (2, 36.0)]
    assert bad.penalties[c.name] == 72
    assert bad.hard_violations == 72
    assert c.name not in bad.breakdown
    assert "25" in vs[0].message and "35" in vs[0].message


def test_numeric_balance_team_without_values_is_skipped():
    people = [("a", {"x": 1.0}), ("b", {"x": 3.0}), ("c", {"x": None}), ("d", {"x": float("nan")})]
    c = NumericBalance("x", hard=False)
    problem = make(people, constraints=[c])
    report = check(problem, plan(("s1", [["a", "b"], ["c", "d"]])))
    assert report.penalties[c.name] == 0
    assert math.isnan(report.teams[1].means["x"])
    assert "x:" in report.summary()


def test_numeric_balance_small_excess_and_absent_people():
    # f (age 100) is absent: mu over the present is 35, not 45
    people = [(k, {"age": v}) for k, v in zip("abcdf", [20, 30, 40, 50, 100])]
    c = NumericBalance("age", tolerance=9.5)
    problem = make(people, sessions=(("s1", {"team_size": 2, "absent": ["f"]}),), constraints=[c])
    ok = check(problem, plan(("s1", [["a", "d"], ["b", "c"]])))
    assert ok.feasible
    bad = check(problem, plan(("s1", [["a", "b"], ["c", "d"]])))  # means 25, 45: excess 0.5 each
    assert [(v.team, v.amount) for v in only(bad, c.name)] == [(1, 0.25), (2, 0.25)]
    assert bad.penalties[c.name] == pytest.approx(0.5)


# -- diversity ---------------------------------------------------------------------------------
def test_diversity_from_matrix_equals_pair_sum():
    rng = np.random.default_rng(1)
    n = 6
    d = rng.random((n, n))
    d = d + d.T
    np.fill_diagonal(d, 0)
    people = [(f"p{i}", {}) for i in range(n)]
    c = Diversity(distances=d, weight=3)
    problem = make(people, sessions=(("s1", {"team_size": 3}),), constraints=[c])
    teams = [[0, 2, 5], [1, 3, 4]]
    report = check(problem, plan(("s1", [[f"p{i}" for i in t] for t in teams])))
    per_team = [sum(d[i, j] for i, j in itertools.combinations(t, 2)) for t in teams]
    assert report.penalties[c.name] == pytest.approx(sum(per_team))
    assert report.breakdown[c.name] == pytest.approx(-3 * sum(per_team))
    assert report.objective == pytest.approx(-3 * sum(per_team))
    assert [t.diversity for t in report.teams] == pytest.approx(per_team)
    assert report.feasible


def test_diversity_from_pair_mapping():
    people = [(p, {}) for p in "abcd"]
    c = Diversity(distances={("a", "b"): 2.0, ("c", "d"): 5.0, ("a", "c"): 7.0})
    problem = make(people, constraints=[c])
    report = check(problem, plan(("s1", [["a", "b"], ["c", "d"]])))
    assert report.penalties[c.name] == pytest.approx(7.0)


def test_diversity_from_attributes_equals_brute_force():
    # g categorical (with a missing value), age numeric (with a missing value), range 60-20=40
    # (including f, who is absent from the session but counts for the range)
    people = [
        ("a", {"g": "L", "age": 20}),
        ("b", {"g": "P", "age": 30}),
        ("c", {"g": "", "age": 50}),
        ("d", {"g": None, "age": None}),
        ("e", {"g": "L", "age": 40}),
        ("f", {"g": "L", "age": 60}),
        ("h", {"g": "P", "age": 25}),
    ]
    c = Diversity(attributes=["g", "age"])
    problem = make(people, sessions=(("s1", {"team_size": 3, "absent": ["f"]}),), constraints=[c])
    teams = [["a", "b", "c"], ["d", "e", "h"]]
    report = check(problem, plan(("s1", teams)))
    attrs_ = dict(people)

    def dist(x, y):
        gx, gy = attrs_[x]["g"] or None, attrs_[y]["g"] or None
        total = float(gx != gy)
        ax, ay = attrs_[x]["age"], attrs_[y]["age"]
        if ax is not None and ay is not None:
            total += ((ax - ay) / 40) ** 2
        return total

    per_team = [sum(dist(x, y) for x, y in itertools.combinations(t, 2)) for t in teams]
    # by hand for team 1: g: L/P/missing all differ -> 3; age: (10^2+30^2+20^2)/1600 = 1400/1600
    assert per_team[0] == pytest.approx(3 + 1400 / 1600)
    assert report.penalties[c.name] == pytest.approx(sum(per_team))
    assert [t.diversity for t in report.teams] == pytest.approx(per_team)


# -- together / apart / pin / hierarchy --------------------------------------------------------
SIX = [(p, {}) for p in "abcdef"]


def test_together_and_apart():
    problem = make(
        SIX,
        sessions=(("s1", {"team_size": 3}),),
        constraints=[Together(["a", "b", "c"]), Apart(["a", "d", "e"], hard=False, weight=4)],
    )
    report = check(problem, plan(("s1", [["a", "b", "d"], ["c", "e", "f"]])))
    # together: a,b in team 1, c in team 2 -> pairs (a,c), (b,c) split = 2
    tg = only(report, "together(a,b,c)")
    assert len(tg) == 1 and tg[0].amount == 2 and "c" in tg[0].message
    assert report.penalties["together(a,b,c)"] == 2
    # apart: a,d share team 1 -> 1
    assert report.penalties["apart(a,d,e)"] == 1
    assert report.breakdown["apart(a,d,e)"] == 4
    assert only(report, "apart(a,d,e)") == []


def test_together_and_apart_skip_absent_members():
    problem = make(
        SIX,
        sessions=(("s1", {"team_size": 2, "absent": ["c"], "remainder": "larger"}),),
        constraints=[Together(["a", "b", "c"]), Apart(["d", "e", "c"])],
    )
    report = check(problem, plan(("s1", [["a", "b"], ["d", "f", "e"]])))
    assert report.penalties["together(a,b,c)"] == 0
    assert report.penalties["apart(d,e,c)"] == 1
    assert [v.constraint for v in report.violations] == ["apart(d,e,c)"]


def test_hard_apart_violation_names_both():
    problem = make(SIX, sessions=(("s1", {"team_size": 3}),), constraints=[Apart(["a", "b", "c"])])
    report = check(problem, plan(("s1", [["a", "b", "c"], ["d", "e", "f"]])))
    vs = only(report, "apart(a,b,c)")
    assert [(v.team, v.amount) for v in vs] == [(1, 3.0)]
    assert all(p in vs[0].message for p in "abc")


def test_pin_in_one_session_only():
    problem = make(
        SIX,
        sessions=(("s1", {"team_size": 3}), ("s2", {"team_size": 3})),
        constraints=[Pin("a", 2, session="s2"), Pin("b", 1, hard=False, weight=7)],
    )
    p = plan(("s1", [["a", "b", "c"], ["d", "e", "f"]]), ("s2", [["a", "d", "e"], ["b", "c", "f"]]))
    report = check(problem, p)
    pin_a = only(report, "pin(a->team 2@s2)")
    assert len(pin_a) == 1 and pin_a[0].session == "s2" and pin_a[0].team == 1
    assert report.penalties["pin(a->team 2@s2)"] == 1
    # b pinned to team 1 in every session: right in s1, wrong in s2
    assert report.penalties["pin(b->team 1)"] == 1
    assert report.breakdown["pin(b->team 1)"] == 7
    assert report.objective == 7


def test_pin_respects_sessions_scope_and_absence():
    problem = make(
        SIX[:4],
        sessions=(("s1", {"team_size": 2}), ("s2", {"team_size": 3, "absent": ["a"]}), ("s3", {"team_size": 2})),
        constraints=[Pin("a", 1, sessions=["s1", "s2"])],
    )
    p = plan(("s1", [["b", "c"], ["a", "d"]]), ("s2", [["b", "c", "d"]]), ("s3", [["b", "c"], ["a", "d"]]))
    report = check(problem, p)
    assert report.penalties["pin(a->team 1)"] == 1  # only s1 counts; absent in s2; s3 out of scope
    assert [v.session for v in only(report, "pin(a->team 1)")] == ["s1"]


def test_hierarchy_with_two_levels():
    people = [
        ("boss", {"sup": ""}),
        ("mid", {"sup": "boss"}),
        ("low", {"sup": "mid"}),
        ("x", {"sup": None}),
        ("y", {"sup": ""}),
        ("z", {"sup": ""}),
    ]
    one = Hierarchy("sup")
    two = Hierarchy("sup", levels=2, hard=False, weight=10)
    problem = make(people, sessions=(("s1", {"team_size": 3}),), constraints=[one, two])
    # boss and low together (level 2), mid elsewhere
    report = check(problem, plan(("s1", [["boss", "low", "x"], ["mid", "y", "z"]])))
    assert report.penalties[one.name] == 0
    assert report.penalties[two.name] == 1
    assert report.breakdown[two.name] == 10
    assert report.feasible
    # all three together: level 1 pairs (mid,boss), (low,mid); level 2 (low,boss)
    report = check(problem, plan(("s1", [["boss", "mid", "low"], ["x", "y", "z"]])))
    assert report.penalties[one.name] == 2
    assert report.penalties[two.name] == 3
    vs = only(report, one.name)
    assert len(vs) == 2 and all(v.team == 1 for v in vs)
    assert any("low" in v.message and "mid" in v.message for v in vs)


def test_hierarchy_ignores_people_in_no_team():
    people = [("boss", {"sup": ""}), ("mid", {"sup": "boss"}), ("x", {"sup": ""}), ("y", {"sup": ""})]
    c = Hierarchy("sup", hard=False)
    problem = make(people, constraints=[c])
    report = check(problem, plan(("s1", [["x", "y"], []])))  # boss and mid placed nowhere
    assert report.penalties[c.name] == 0
    assert len(only(report, "assignment")) == 2


def test_together_counts_people_in_no_team_as_split():
    problem = make(SIX, sessions=(("s1", {"team_size": 3}),), constraints=[Together(["a", "b"], hard=False)])
    report = check(problem, plan(("s1", [["b", "c", "d"], ["e", "f"]])))  # a is in no team
    assert report.penalties["together(a,b)"] == 1
    report = check(problem, plan(("s1", [["a", "b", "d"], ["c", "e", "f"]])))
    assert report.penalties["together(a,b)"] == 0


# -- sessions, totals, report --------------------------------------------------------------------
def test_penalties_sum_over_applicable_sessions_only():
    people = [("a", {"u": "x"}), ("b", {"u": "x"}), ("c", {"u": "y"}), ("d", {"u": "y"})]
    problem = make(
        people,
        sessions=(("s1", {"team_size": 2}), ("s2", {"team_size": 2}), ("s3", {"team_size": 2})),
        constraints=[Spread("u", hard=False), Spread("u", sessions=["s2"], label="hard-s2")],
    )
    same = [["a", "b"], ["c", "d"]]
    report = check(problem, plan(("s1", same), ("s2", same), ("s3", [["a", "c"], ["b", "d"]])))
    assert report.penalties["spread(u<=1)"] == 4  # 2 in s1, 2 in s2, 0 in s3
    assert report.penalties["hard-s2"] == 2
    assert {v.session for v in report.violations} == {"s2"}
    assert report.hard_violations == 2
    assert report.objective == sum(report.breakdown.values()) == 4
    assert len(report.teams) == 6


def test_soft_constraints_never_violate_and_objective_is_breakdown_sum():
    people = [(f"p{i}", {"u": "x" if i < 3 else "y", "age": 20 + 5 * i}) for i in range(6)]
    constraints = [
        Spread("u", hard=False, weight=2),
        Balance("u", hard=False, weight=3),
        NumericBalance("age", hard=False, weight=0.5),
        Together(["p0", "p5"], hard=False),
        Diversity(attributes=["u"], weight=1.5),
    ]
    problem = make(people, sessions=(("s1", {"team_size": 3}),), constraints=constraints)
    report = check(problem, plan(("s1", [["p0", "p1", "p2"], ["p3", "p4", "p5"]])))
    assert report.feasible
    names = problem.constraint_names()
    assert set(report.breakdown) == set(names) == set(report.penalties)
    assert report.penalties[names[0]] == 4  # two teams with 3 of one value
    assert report.breakdown[names[0]] == 8
    assert report.penalties[names[3]] == 1
    assert report.penalties[names[4]] == 0  # both teams uniform
    assert report.objective == pytest.approx(sum(report.breakdown.values()))
    assert report.objective > 0
    text = report.summary()
    assert "objective" in text and names[0] in text


def test_repeated_constraints_get_unique_names():
    problem = make(FOUR, constraints=[Spread("u"), Spread("u")])
    report = check(problem, plan(("s1", [["a", "b"], ["c", "d"]])))
    assert set(report.penalties) == {"spread(u<=1)", "spread(u<=1)#2"}
    assert len(only(report, "spread(u<=1)#2")) == 2


def test_summary_caps_long_violation_lists():
    people = [(f"p{i:03d}", {}) for i in range(120)]
    problem = make(people, sessions=(("s1", {"team_size": 60}),))
    report = check(problem, plan(("s1", [[f"p{i:03d}" for i in range(60)], []])))
    assert len(only(report, "assignment")) == 60
    text = report.summary()
    assert "NOT feasible" in text
    assert "... and" in text
    assert len(text.splitlines()) < 70


def test_result_types_are_frozen():
    problem = make(FOUR)
    report = check(problem, plan(("s1", [["a", "b"], ["c", "d"]])))
    assert isinstance(report.teams[0], TeamMetrics)
    with pytest.raises(AttributeError):
        report.objective = 1.0  # type: ignore[misc]


def test_large_problem_is_fast():
    import time

    n = 20_000
    rng = np.random.default_rng(0)
    units = [f"u{k}" for k in range(400)]
    people = [
        (f"id{i}", {"unit": units[rng.integers(400)], "g": "LP"[i % 2], "age": int(rng.integers(20, 60))})
        for i in range(n)
    ]
    problem = make(
        people,
        sessions=(("s1", {"team_size": 10}),),
        constraints=[
            Spread("unit", hard=False),
            Balance("g"),
            NoIsolation("g"),
            NumericBalance("age", hard=False),
            Diversity(attributes=["unit", "age"]),
        ],
    )
    order = rng.permutation(n)
    teams = [[f"id{i}" for i in order[t * 10 : (t + 1) * 10]] for t in range(n // 10)]
    start = time.perf_counter()
    report = check(problem, plan(("s1", teams)))
    assert time.perf_counter() - start < 30
    assert len(report.teams) == 2000


# -- property tests ----------------------------------------------------------------------------
@st.composite
def problems_and_plans(draw):
    n = draw(st.integers(5, 12))
    num_attrs = draw(st.integers(2, 3))
    people = []
    for i in range(n):
        attributes = {
            f"a{k}": draw(st.one_of(st.sampled_from(["x", "y", "z", ""]), st.integers(0, 5))) for k in range(num_attrs)
        }
        people.append((f"p{i}", attributes))
    size = draw(st.integers(2, 4))
    d = np.array(draw(st.lists(st.floats(0, 10, allow_nan=False), min_size=n * n, max_size=n * n))).reshape(n, n)
    d = (d + d.T) / 2
    members = draw(st.lists(st.sampled_from([p for p, _ in people]), min_size=2, max_size=n, unique=True))
    absent = draw(st.lists(st.sampled_from([p for p, _ in people]), max_size=2, unique=True))
    present = [p for p, _ in people if p not in absent]
    if len(present) < size:
        absent = []
        present = [p for p, _ in people]
    constraints = [Diversity(distances=d), Apart(members, hard=False)]
    problem = make(people, sessions=(("s1", {"team_size": size, "absent": absent}),), constraints=constraints)
    layout = problem.layout("s1")
    shuffled = draw(st.permutations(present))
    teams, start = [], 0
    for low, high in layout.sizes:
        teams.append(shuffled[start : start + low])
        start += low
    for t in range(len(teams)):  # hand out the remainder within the upper bounds
        low, high = layout.sizes[t]
        extra = min(high - low, len(shuffled) - start)
        teams[t] = teams[t] + shuffled[start : start + extra]
        start += extra
    assert start == len(shuffled)
    return problem, d, members, plan(("s1", teams)), teams


@settings(max_examples=60, deadline=None)
@given(problems_and_plans())
def test_diversity_and_apart_equal_brute_force(case):
    problem, d, members, p, teams = case
    report = check(problem, p)
    assert report.feasible  # the plan follows the layout and apart is soft
    team_of = {pid: t for t, ms in enumerate(teams) for pid in ms}
    diversity = 0.0
    apart = 0
    ids = [x.id for x in problem.participants]
    index = {pid: i for i, pid in enumerate(ids)}
    for x, y in itertools.combinations(ids, 2):
        if x in team_of and y in team_of and team_of[x] == team_of[y]:
            dxy = d[index[x], index[y]]
            diversity += dxy
            if x in members and y in members:
                apart += 1
    div_name, apart_name = problem.constraint_names()
    assert report.penalties[div_name] == pytest.approx(diversity)
    assert report.penalties[apart_name] == apart
    assert report.objective == pytest.approx(apart - diversity)
    assert sum(t.diversity for t in report.teams) == pytest.approx(diversity)


# -- across sessions -------------------------------------------------------------------------------
def test_meetings_counted_by_hand():
    m = tk.Model()
    for pid, unit in zip("ABCDEF", "xxyyzz"):
        m.add_participant(pid, attributes={"unit": unit})
    m.add_session("s1", num_teams=2)
    m.add_session("s2", num_teams=2, keep_teams=True)
    m.add_session("s3", num_teams=2)
    m.add_session("s4", num_teams=3)
    m.add_constraint(tk.MeetAtMost(1))
    m.add_constraint(tk.AvoidRepeats(power=2, weight=2))
    m.add_constraint(tk.Reach("unit", at_least=3))
    problem = m.data()
    plan = tk.Plan(
        [
            tk.SessionPlan("s1", [tk.Team(1, ["A", "B", "C"]), tk.Team(2, ["D", "E", "F"])]),
            tk.SessionPlan("s2", [tk.Team(1, ["A", "B", "C"]), tk.Team(2, ["D", "E", "F"])]),  # same block
            tk.SessionPlan("s3", [tk.Team(1, ["A", "B", "D"]), tk.Team(2, ["C", "E", "F"])]),
            tk.SessionPlan("s4", [tk.Team(1, ["A", "B"]), tk.Team(2, ["C", "D"]), tk.Team(3, ["E", "F"])]),
        ]
    )
    report = tk.check(problem, plan)
    # blocks {s1, s2}, {s3}, {s4}: A-B meet 3 times, E-F 3 times, C-D once; the rest as listed
    mr = report.meetings
    assert mr.max_meetings == 3
    assert mr.repeated_pairs == 2 + 2  # A-B and E-F twice more each
    assert mr.pairs_met_again == 2
    assert dict(mr.new_contacts) == {"s1": 6, "s2": 0, "s3": 4, "s4": 1}  # A-D, B-D, C-E, C-F; C-D
    assert dict(mr.distinct_met) == {"A": 3, "B": 3, "C": 5, "D": 5, "E": 3, "F": 3}
    assert dict(mr.distinct_met_distribution()) == {3: 4, 5: 2}
    assert report.penalties["meet_at_most(1)"] == 4
    assert report.penalties["avoid_repeats"] == 2**2 + 2**2
    assert report.breakdown["avoid_repeats"] == 2 * 8
    # units met: A and B met x and y only, E and F y and z only; C and D met all three
    assert report.penalties["reach(unit>=3)"] == 4
    broken = sorted(v.message for v in report.violations)
    assert broken == [
        "A and B share a team 3 times (sessions s1, s2, s3, s4); at most 1 allowed",
        "E and F share a team 3 times (sessions s1, s2, s3, s4); at most 1 allowed",
    ]
