"""The one entry point of the engine: :func:`solve`.

How a solve runs (see the "How the engine works" page of the docs):

1. *Pre-checks* (:mod:`teamkit.precheck`): counting arguments that prove a request
   impossible before any search, with the numbers in words.
2. Per session, a *stratified greedy construction*, a *tabu repair* of hard violations and a
   *descent* on the soft objective (:mod:`teamkit.engine.search`).
3. *CP-SAT* (:mod:`teamkit.solvers.ortools`), hinted with that plan: on the whole session when
   it is small enough, where it can prove optimality or infeasibility and explain a conflict;
   on a few teams at a time (large-neighbourhood search) when it is not.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs
import numpy as np

from teamkit.engine.compiled import compile_session
from teamkit.engine.search import LocalSearch, solve_session
from teamkit.model import ProblemData
from teamkit.plan import Plan
from teamkit.precheck import precheck
from teamkit.result import Result, Status
from teamkit.solvers import ortools as cpsat


@attrs.frozen
class Progress:
    """A snapshot passed to the ``progress`` callback during a solve."""

    elapsed: float
    phase: str
    session: str
    hard_violations: float
    objective: float | None
    bound: float | None = None


def solve(
    problem: ProblemData,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[Progress], None] | None = None,
) -> Result:
    """Plans the teams of every session.

    Args:
        problem: validated problem data (from :meth:`teamkit.Model.data`).
        time_limit: wall-clock seconds for the whole solve. The search stops earlier when it
            has converged; the limit only cuts it short (then ``stopped_by`` says so).
        seed: the random seed. The same problem, seed and options give the same plan,
            unless the time limit cut the search short.
        workers: CP-SAT workers. With more than one, CP-SAT's parallel portfolio may return
            a different (equally valid) plan from run to run.
        progress: called with a :class:`Progress` after each phase of each session.

    Returns:
        A :class:`Result`; check ``result.status`` (an infeasible request is a status with an
        ``explanation``, not an exception).
    """
    if not isinstance(problem, ProblemData):
        raise TypeError(f"solve() takes ProblemData (from Model.data()), got {type(problem).__name__}")
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive, got {time_limit!r}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    started = time.monotonic()
    deadline = started + time_limit

    conflicts = precheck(problem)
    if conflicts:
        return Result(
            status=Status.INFEASIBLE,
            plan=None,
            runtime=time.monotonic() - started,
            explanation=conflicts,
            stopped_by="proved",
            seed=seed,
        )

    S = len(problem.sessions)
    assignment = np.full((S, problem.num_participants), -1, dtype=np.int32)
    statuses: list[Status] = []
    explanation: list[str] = []
    bounds: list[float | None] = []
    breakdown: dict[str, float] = {}
    hard_total = 0.0
    stopped_by = "converged"
    for k, session in enumerate(problem.sessions):
        # Each session gets an equal share of what time is left.
        now = time.monotonic()
        session_deadline = now + (deadline - now) / (S - k)
        rng = np.random.default_rng([seed, k])
        cs = compile_session(problem, k)

        def report(ls: LocalSearch, phase: str, bound: float | None = None) -> None:
            if progress is not None:
                progress(
                    Progress(
                        elapsed=time.monotonic() - started,
                        phase=phase,
                        session=session.id,
                        hard_violations=ls.hard,
                        objective=ls.soft,
                        bound=bound,
                    )
                )

        ls = solve_session(cs, rng, session_deadline, on_step=lambda ls: report(ls, "local search"))
        outcome = cpsat.improve_session(
            cs, ls, deadline=session_deadline, seed=seed, workers=workers, on_solution=lambda ls: report(ls, "cp-sat")
        )
        if time.monotonic() > session_deadline and outcome.status not in (Status.OPTIMAL, Status.INFEASIBLE):
            stopped_by = "time_limit"
        statuses.append(outcome.status)
        bounds.append(outcome.bound)
        explanation.extend(f"session {session.id!r}: {line}" for line in outcome.explanation)
        assignment[k, cs.present] = ls.st.team
        hard_total += ls.hard
        for term in ls.soft_terms:
            breakdown[term.name] = breakdown.get(term.name, 0.0) + term.weight * term.total

    plan = Plan.from_assignment(problem, assignment)
    if Status.INFEASIBLE in statuses:
        status = Status.INFEASIBLE
        plan_out = None
    elif hard_total > 1e-9:
        status = Status.UNKNOWN
        plan_out = plan
        explanation.append(
            f"no plan meeting every hard constraint was found in {time_limit:g} s; "
            "the best attempt is returned with its violations (see teamkit.check)"
        )
    elif all(s is Status.OPTIMAL for s in statuses):
        status, plan_out = Status.OPTIMAL, plan
    else:
        status, plan_out = Status.FEASIBLE, plan
    if status is Status.OPTIMAL:
        stopped_by = "proved"
    bound = sum(b for b in bounds) if bounds and all(b is not None for b in bounds) else None  # type: ignore[misc]
    objective = float(sum(breakdown.values())) if plan_out is not None else None
    return Result(
        status=status,
        plan=plan_out,
        objective=objective,
        breakdown=breakdown if plan_out is not None else {},
        bound=bound,
        runtime=time.monotonic() - started,
        hard_violations=hard_total if plan_out is not None else 0.0,
        explanation=tuple(explanation),
        stopped_by=stopped_by,
        seed=seed,
    )
