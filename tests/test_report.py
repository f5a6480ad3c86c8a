"""The soft report: each soft rule's share of a plan's objective, checked against the
independent checker, and the best each rule reaches on its own."""

from __future__ import annotations

import pytest

import teamkit as tk
from teamkit.report import SoftReport, soft_report


def pins_against_balance() -> tk.ProblemData:
    """Two women and four men in two teams of three. Both women are pinned to team 1 (soft,
    weight 5 each); balance (soft, weight 1) wants one woman per team. Keeping both pins costs
    balance 4 (team 1: a woman too many and a man short; team 2 the reverse), breaking one
    costs 5: the best plan keeps the pins and pays 4 for the balance."""
    m = tk.Model()
    for k, g in enumerate("WWMMMM"):
        m.add_participant(f"p{k:02d}", attributes={"g": g, "unit": f"u{k % 3}"})
    m.add_session("s1", team_size=3)
    m.add_constraint(tk.Pin("p00", 1, hard=False, weight=5))
    m.add_constraint(tk.Pin("p01", 1, hard=False, weight=5))
    m.add_constraint(tk.Balance("g", hard=False))
    m.add_constraint(tk.Spread("unit", max_per_team=2))  # hard: kept in every solve
    return m.data()


def test_contributions_are_the_checkers_penalties_times_the_weights():
    problem = pins_against_balance()
    result = tk.solve(problem, time_limit=5)
    assert result.status is tk.Status.OPTIMAL and result.objective == 4
    report = soft_report(problem, result.plan, time_limit_each=2.0)
    checked = tk.check(problem, result.plan)
    assert isinstance(report, SoftReport)
    assert [r.name for r in report.rows] == ["pin(p00->team 1)", "pin(p01->team 1)", "balance(g)"]
    for row in report.rows:
        assert row.penalty == checked.penalties[row.name]
        assert row.contribution == pytest.approx(row.weight * checked.penalties[row.name])
        assert row.contribution == checked.breakdown[row.name]
    assert report.objective == pytest.approx(sum(r.contribution for r in report.rows)) == 4
    assert report.feasible


def test_alone_each_rule_reaches_its_best_and_the_gap_is_the_compromise():
    problem = pins_against_balance()
    plan = tk.solve(problem, time_limit=5).plan
    report = soft_report(problem, plan, time_limit_each=2.0)
    for row in report.rows:
        assert row.alone is not None and row.alone <= row.penalty
        assert row.bound is not None and row.bound <= row.alone + 1e-9
        assert row.proved and row.status is tk.Status.OPTIMAL
    balance = report.row("balance(g)")
    assert (balance.penalty, balance.contribution, balance.alone, balance.bound, balance.gap) == (4, 4, 0, 0, 4)
    for pin in ("pin(p00->team 1)", "pin(p01->team 1)"):
        row = report.row(pin)
        assert (row.weight, row.penalty, row.contribution, row.alone, row.gap) == (5, 0, 0, 0, 0)
    with pytest.raises(KeyError, match="no soft rule called"):
        report.row("spread(unit<=2)")  # hard: not in the report


def test_summary_lists_every_soft_rule_with_its_numbers():
    problem = pins_against_balance()
    report = soft_report(problem, tk.solve(problem, time_limit=5).plan, time_limit_each=2.0)
    lines = report.summary().splitlines()
    assert lines[0].split() == ["soft", "rule", "weight", "penalty", "cost", "alone", "proved", "best", "gap"]
    expected = {
        "pin(p00->team 1)": ["5", "0", "0", "0", "0", "0"],
        "pin(p01->team 1)": ["5", "0", "0", "0", "0", "0"],
        "balance(g)": ["1", "4", "4", "0", "0", "4"],
    }
    for line, (name, numbers) in zip(lines[2:5], expected.items()):
        assert line.startswith(name) and line[len(name) :].split() == numbers
    assert lines[5] == "objective: 4"
    assert "spread(unit<=2)" not in report.summary()


def test_diversity_counts_as_a_gain():
    """Diversity maximises distances: its contribution is minus weight times the distance
    sum, and its best alone is the largest sum. Pinning the two most distant people together
    (soft, weight 1) competes with it."""
    m = tk.Model()
    for k, age in enumerate([20, 22, 60, 62]):
        m.add_participant(f"p{k}", attributes={"age": age})
    m.add_session("s1", team_size=2)
    m.add_constraint(tk.Diversity(attributes=["age"], weight=1))
    m.add_constraint(tk.Together(["p0", "p1"], hard=False, weight=10))
    problem = m.data()
    result = tk.solve(problem, time_limit=5)
    report = soft_report(problem, result.plan, time_limit_each=2.0)
    checked = tk.check(problem, result.plan)
    diversity = report.row("diversity(age)")
    assert diversity.contribution == pytest.approx(-checked.penalties["diversity(age)"])
    assert diversity.alone is not None and diversity.alone >= diversity.penalty - 1e-9
    assert diversity.gap is not None and diversity.gap >= -1e-9
    assert report.row("together(p0,p1)").penalty == 0  # weight 10 wins over the distances


def test_a_problem_without_soft_rules_and_bad_arguments():
    m = tk.Model()
    for k in range(4):
        m.add_participant(f"p{k}")
    m.add_session("s1", team_size=2)
    problem = m.data()
    plan = tk.solve(problem, time_limit=2).plan
    report = soft_report(problem, plan)
    assert report.rows == () and report.objective == 0
    assert report.summary() == "no soft rules: the plan has no objective to share"
    with pytest.raises(ValueError, match="time_limit_each"):
        soft_report(problem, plan, time_limit_each=0)
    with pytest.raises(TypeError, match="ProblemData"):
        soft_report(m, plan)  # type: ignore[arg-type]
