"""Small problem builders shared by the tests (kept tiny so CP-SAT and the search are fast)."""

from __future__ import annotations

import teamkit as tk


def people_model(rows: list[dict], **session) -> tk.Model:
    m = tk.Model()
    for k, row in enumerate(rows):
        row = dict(row)
        pid = row.pop("id", f"p{k:02d}")
        m.add_participant(pid, attributes=row)
    m.add_session("s1", **(session or {"team_size": 3}))
    return m


def solve_and_check(problem: tk.ProblemData, **options) -> tuple[tk.Result, tk.CheckReport]:
    """Solves, then verifies the plan with the independent checker, and cross-checks the
    engine's objective against the checker's."""
    options.setdefault("time_limit", 10)
    result = tk.solve(problem, **options)
    assert result.plan is not None, result.summary()
    report = tk.check(problem, result.plan)
    if result.feasible:
        assert report.feasible, report.summary()
        assert result.objective is not None
        assert abs(result.objective - report.objective) <= 1e-6 * max(1.0, abs(report.objective))
    return result, report
