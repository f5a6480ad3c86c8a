"""The engine end to end: every plan is verified by the independent checker."""

from __future__ import annotations

import numpy as np
import pytest

import teamkit as tk
from teamkit.io.mdgp import mdgp_problem

from .helpers import MDGP_DATA, MDGP_OPTIMA, people_model, solve_and_check

DATA = MDGP_DATA
OPTIMA = MDGP_OPTIMA


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_mdgp_small_instances_reach_the_exact_optimum(name):
    problem = mdgp_problem(DATA / f"{name}.txt")
    result, report = solve_and_check(problem, time_limit=20, seed=0)
    assert result.feasible
    assert -report.objective == pytest.approx(OPTIMA[name], abs=0.006)
    if result.status is tk.Status.OPTIMAL:
        assert result.bound == pytest.approx(result.objective)


def clustered(n: int = 12):
    """People whose distances pull same-unit (and same-gender, similar-age) people together,
    so that each rule below has something to change."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": f"p{i:02d}",
                "unit": f"u{i // 3}",
                "gender": "F" if i < 4 else "M",
                "age": 20 + 3 * i,
                "boss": "" if i % 3 == 0 else f"p{i - i % 3:02d}",
            }
        )
    D = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                same_unit = rows[i]["unit"] == rows[j]["unit"]
                D[i, j] = 10.0 if same_unit else 1.0 / (1 + abs(i - j))
    return rows, D


def _solve_with(rows, D, *extra, session=None):
    m = people_model(rows, **(session or {"team_size": 3}))
    m.add_constraint(tk.Diversity(distances=D))
    for c in extra:
        m.add_constraint(c)
    problem = m.data()
    result, report = solve_and_check(problem, seed=3)
    return problem, result, report


RULES = [
    tk.Spread("unit"),
    tk.Apart(["p00", "p01"]),
    tk.Hierarchy("boss"),
    tk.Balance("gender"),
    tk.NoIsolation("gender", values=["F"]),
    tk.Pin("p01", team=4),
    tk.NumericBalance("age", tolerance=6.0),
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_each_rule_bites(rule):
    """Solve, add the rule, solve again: the first plan breaks it, the second keeps it."""
    rows, D = clustered()
    base_problem, base, _ = _solve_with(rows, D)
    if isinstance(rule, tk.Pin):  # pin to a team the person is not in yet
        rule = tk.Pin(rule.participant, team=base.plan.team_of(rule.participant, "s1") % 4 + 1)
    problem, result, report = _solve_with(rows, D, rule)
    before = tk.check(problem, base.plan)
    assert not before.feasible, "the rule should be broken by the plan made without it"
    assert result.feasible and report.feasible
    assert result.plan != base.plan


def test_together_bites():
    rows, D = clustered()
    problem, result, report = _solve_with(rows, D, tk.Together(["p00", "p05", "p10"]))
    teams = {result.plan.team_of(p, "s1") for p in ("p00", "p05", "p10")}
    assert len(teams) == 1 and report.feasible


def test_soft_rule_is_traded_against_the_objective():
    rows, D = clustered()
    hard = _solve_with(rows, D, tk.Spread("unit"))[1]
    soft = _solve_with(rows, D, tk.Spread("unit", hard=False, weight=0.01))[1]
    # a cheap soft spread is broken for diversity; the hard one never
    report = tk.check(_solve_with(rows, D, tk.Spread("unit", hard=False, weight=0.01))[0], soft.plan)
    assert report.penalties["spread(unit<=1)"] > 0
    assert "spread(unit<=1)" in soft.breakdown
    assert hard.feasible


def test_remainder_sizes():
    rows = [{"x": i % 2} for i in range(7)]
    larger = solve_and_check(people_model(rows, team_size=3, remainder="larger").data())[0]
    smaller = solve_and_check(people_model(rows, team_size=3, remainder="smaller").data())[0]
    assert sorted(len(t.members) for t in larger.plan.sessions[0].teams) == [3, 4]
    assert sorted(len(t.members) for t in smaller.plan.sessions[0].teams) == [2, 2, 3]


def test_same_seed_same_plan_and_other_seed_may_differ():
    rows, D = clustered()
    m = people_model(rows)
    m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.NumericBalance("age", hard=False))
    problem = m.data()
    a = tk.solve(problem, seed=5, time_limit=10)
    b = tk.solve(problem, seed=5, time_limit=10)
    assert a.plan == b.plan and a.objective == b.objective


def test_two_workers_repeat_too():
    """With several workers CP-SAT interleaves them in one thread in a fixed order, so a run
    with a given worker count repeats (docs/reliability.md)."""
    rows, _ = clustered()
    m = people_model(rows)
    m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.NumericBalance("age", hard=False))
    problem = m.data()
    runs = [tk.solve(problem, seed=5, time_limit=10, workers=2) for _ in range(2)]
    assert runs[0].plan == runs[1].plan and runs[0].objective == runs[1].objective
    assert runs[0].stopped_by != "time_limit"
    assert tk.check(problem, runs[0].plan).feasible


def test_infeasible_spread_is_explained_before_search():
    rows = [{"unit": "A"} for _ in range(3)] + [{"unit": "B"} for _ in range(3)]
    m = people_model(rows, team_size=3)
    m.add_constraint(tk.Spread("unit"))
    result = tk.solve(m.data())
    assert result.status is tk.Status.INFEASIBLE and result.plan is None
    text = " ".join(result.explanation)
    assert "spread(unit<=1)" in text and "3 people" in text and "2 teams" in text


def test_conflict_found_by_cp_sat_names_exactly_the_conflicting_constraints():
    rows = [{"unit": u, "g": "x"} for u in "AABBCC"]
    m = people_model(rows, team_size=3)
    together = m.add_constraint(tk.Together(["p00", "p01"]))
    spread = m.add_constraint(tk.Spread("unit"))
    m.add_constraint(tk.Balance("g"))  # irrelevant to the conflict
    problem = m.data()
    result = tk.solve(problem, time_limit=10)
    assert result.status is tk.Status.INFEASIBLE
    text = " ".join(result.explanation)
    assert together.name in text and spread.name in text and "balance(g)" not in text
    # removing either named constraint makes the problem solvable
    for drop in (together, spread):
        relaxed = problem.replace(constraints=[c for c in problem.constraints if c is not drop])
        assert solve_and_check(relaxed)[0].feasible


def test_status_and_summary_of_a_feasible_solve():
    rows = [{"unit": u} for u in "ABCABCABC"]
    m = people_model(rows, team_size=3)
    m.add_constraint(tk.Spread("unit"))
    result, report = solve_and_check(m.data())
    assert result.status in (tk.Status.OPTIMAL, tk.Status.FEASIBLE)
    assert "status:" in result.summary()
    assert report.feasible


def test_bad_options_raise():
    m = people_model([{"a": 1} for _ in range(3)], team_size=3)
    with pytest.raises(ValueError, match="time_limit"):
        tk.solve(m.data(), time_limit=0)
    with pytest.raises(TypeError, match="ProblemData"):
        tk.solve(m)


def test_progress_callback_reports_phases():
    rows, D = clustered()
    m = people_model(rows)
    m.add_constraint(tk.Spread("unit"))
    seen = []
    tk.solve(m.data(), progress=seen.append, time_limit=10)
    assert seen and all(isinstance(p, tk.Progress) for p in seen)
    assert seen[-1].hard_violations == 0
