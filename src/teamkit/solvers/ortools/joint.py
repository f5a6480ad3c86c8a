"""CP-SAT on a few teams of one session *and* their stations at once.

Forming teams with the stations fixed, then routing teams with the people fixed, can stall:
a person may fit no team's stations, and no team's stations can change without breaking
another member's day. This model frees a few teams: who is in them, and, slot by slot,
which of those teams takes which of the stations they hold between them. The stations in use
in each slot stay the same, so capacity and instructors still hold; every rule of the
session applies to the people as in the session model; each person avoids the stations they
may not do (done earlier that day, or barred).
"""

from __future__ import annotations

import attrs
import numpy as np
from ortools.sat.python import cp_model

from teamkit.engine.compiled import CompiledSession
from teamkit.solvers.ortools.session import _hint, _read, _solver, build, run

#: The objective weight of one broken station rule, against the session's soft rules.
BREACH_WEIGHT = 1000.0


@attrs.frozen
class JointMove:
    """What the model found: the session's teams and routes with the freed teams changed."""

    team: np.ndarray
    route: np.ndarray


def solve_joint(
    cs: CompiledSession,
    team: np.ndarray,
    route: np.ndarray,
    forbid: np.ndarray,
    teams: list[int],
    *,
    seconds: float,
    seed: int,
    effort: float = 1.0,
) -> JointMove | None:
    """Re-plans ``teams`` (members and stations). ``forbid[i, s]``: person ``i`` may not do
    station ``s``. The session compiled in ``cs`` must leave out the station rules' hard
    costs (this model states them exactly); returns ``None`` when nothing was found."""
    L = route.shape[1]
    y: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for i in range(L):
        if np.any(route[teams, i] < 0):
            return None  # a plenary or empty slot among the freed teams: nothing to exchange
    people = [p for p in range(len(team)) if int(team[p]) in set(teams)]

    def stations(model: cp_model.CpModel, x: dict) -> list:
        for i in range(L):
            held, counts = np.unique(route[teams, i], return_counts=True)
            for t in teams:
                for s in held:
                    y[t, i, int(s)] = model.new_bool_var(f"y[{t},{i},{s}]")
                model.add_exactly_one(y[t, i, int(s)] for s in held)
            for s, count in zip(held, counts):
                model.add(sum(y[t, i, int(s)] for t in teams) == int(count))
        for t in teams:
            for s in np.unique(route[teams]):
                here = [y[t, i, int(s)] for i in range(L) if (t, i, int(s)) in y]
                if len(here) > 1:
                    model.add_at_most_one(here)
        # Breaking a person's station rule is counted, not forbidden, so that the model has
        # an answer whenever the session's own rules can hold, and finds the fewest breaches.
        terms = []
        for p in people:
            for s in np.flatnonzero(forbid[p]):
                for t in teams:
                    for i in range(L):
                        var = y.get((t, i, int(s)))
                        if var is not None:
                            breach = model.new_bool_var("")
                            model.add(x[p, t] + var <= 1 + breach)
                            terms.append((BREACH_WEIGHT, breach))
        return terms

    sub = build(cs, team, teams, extend=stations)
    model = sub.model
    _hint(sub, team)
    for (t, i, s), var in y.items():
        model.add_hint(var, int(route[t, i]) == s)
    solver = _solver(seconds, seed, 1, deterministic=effort)
    status = run(solver, model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    new_route = route.copy()
    for (t, i, s), var in y.items():
        if solver.boolean_value(var):
            new_route[t, i] = s
    return JointMove(_read(sub, solver, team), new_route)
