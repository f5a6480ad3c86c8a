"""The solver's claims against every possible plan of tiny problems.

For problems small enough to enumerate (tests/strategies.py::tiny_problems), every
assignment of people to teams that respects the team sizes is scored by the independent
checker. Then:

- a plan the solver calls feasible passes the checker;
- INFEASIBLE is confirmed: no assignment meets every hard rule;
- OPTIMAL is not beaten: no assignment that meets every hard rule has a lower objective;
- when some assignment meets every hard rule, the solver does not say INFEASIBLE.

``TEAMKIT_PROPERTY_EXAMPLES=N`` runs N examples (the long profile); the default is short.
``TEAMKIT_PROPERTY_TIME_LIMIT=S`` gives each solve S seconds (default 10).
"""

from __future__ import annotations

import itertools
import os

import numpy as np
from hypothesis import HealthCheck, given, settings

import teamkit as tk

from .strategies import tiny_problems

EXAMPLES = int(os.environ.get("TEAMKIT_PROPERTY_EXAMPLES", "25"))
#: Seconds per solve. Events whose meeting rules cannot be proved optimal search until the
#: limit, so a long profile may set a shorter one: every claim is still checked.
TIME_LIMIT = float(os.environ.get("TEAMKIT_PROPERTY_TIME_LIMIT", "10"))
EPS = 1e-6


def every_plan(problem: tk.ProblemData):
    """Every assignment of the people to numbered teams that fits each session's sizes."""
    per_session = []
    for k in range(len(problem.sessions)):
        layout = problem.layout(k)
        n, teams = len(layout.present), layout.num_teams
        options = []
        for labels in itertools.product(range(teams), repeat=n):
            counts = np.bincount(labels, minlength=teams)
            if all(low <= c <= high for c, (low, high) in zip(counts, layout.sizes)):
                row = np.full(problem.num_participants, -1)
                row[list(layout.present)] = labels
                options.append(row)
        per_session.append(options)
    for rows in itertools.product(*per_session):
        yield tk.Plan.from_assignment(problem, np.array(rows))


def best_possible(problem: tk.ProblemData) -> tuple[bool, float]:
    """Whether any plan meets every hard rule, and the lowest objective among those that do."""
    best = float("inf")
    for plan in every_plan(problem):
        report = tk.check(problem, plan)
        if report.feasible:
            best = min(best, report.objective)
    return best < float("inf"), best


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(tiny_problems())
def test_claims_hold_against_every_plan(problem):
    result = tk.solve(problem, time_limit=TIME_LIMIT, seed=0)
    exists, best = best_possible(problem)
    if result.feasible:
        report = tk.check(problem, result.plan)
        assert report.feasible, report.summary()
        assert abs(result.objective - report.objective) <= EPS * max(1.0, abs(report.objective))
        assert exists
        assert result.objective >= best - EPS * max(1.0, abs(best))  # nothing below the true best
    if result.status is tk.Status.OPTIMAL:
        assert result.objective <= best + EPS * max(1.0, abs(best)), (result.objective, best)
    if result.status is tk.Status.INFEASIBLE:
        assert not exists, result.explanation
    if exists:
        assert result.status is not tk.Status.INFEASIBLE, result.explanation
