"""CP-SAT for the roles of a whole event, once the teams are known: who leads, who takes
notes, who keeps time, in every team of every session.

Seats are exact and nobody holds two roles in a session: that is structure. Everything else
(eligibility, turn limits, shares, pins) is a cost, hard rules weighing far more than soft
ones, so the model always has an answer and the answer breaks as few hard rules as it can.
Every member may take any seat, at a high price when not eligible, so a team short of
eligible people still gets its seats filled, visibly in breach.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
from ortools.sat.python import cp_model

from teamkit.solvers.ortools.session import _solver, run

#: Weight of one hard violation against one unit of soft cost, in the integer objective.
HARD_WEIGHT = 10_000
#: Soft costs are scaled by this and rounded.
SOFT_SCALE = 100


@attrs.frozen
class RoleRequest:
    """The roles of an event over participants ``P`` and roles ``R``.

    ``teams[k]`` lists the teams of session ``k`` as arrays of participant indices;
    ``applies[k, r]`` whether role ``r`` is held in session ``k``.
    """

    teams: tuple[tuple[np.ndarray, ...], ...]
    applies: np.ndarray  # (K, R) bool
    per_team: np.ndarray  # (R,)
    eligible: np.ndarray  # (R, P) bool
    max_turns: np.ndarray  # (R,), 0 for no limit
    #: (role, group mask (P,), turns needed, sessions mask (K,), hard, weight)
    shares: tuple[tuple[int, np.ndarray, int, np.ndarray, bool, float], ...] = ()
    #: (role or -1 for all, most turns each, sessions mask (K,), weight)
    fair: tuple[tuple[int, int, np.ndarray, float], ...] = ()
    #: (participant, role, session, hard, weight)
    pins: tuple[tuple[int, int, int, bool, float], ...] = ()


def assign_roles(
    req: RoleRequest, *, seconds: float, seed: int, effort: float = 10.0
) -> dict[tuple[int, int, int], list[int]] | None:
    """``(session, team, role) -> holders``, or ``None`` if CP-SAT found nothing in time."""
    model = cp_model.CpModel()
    R = len(req.per_team)
    y: dict[tuple[int, int, int], cp_model.IntVar] = {}  # (participant, session, role)
    team_of: dict[tuple[int, int], int] = {}
    objective: list = []
    for k, teams in enumerate(req.teams):
        for t, members in enumerate(teams):
            for p in members:
                team_of[int(p), k] = t
                for r in range(R):
                    if req.applies[k, r]:
                        var = y[int(p), k, r] = model.new_bool_var(f"y[{p},{k},{r}]")
                        if not req.eligible[r, p]:
                            objective.append(HARD_WEIGHT * var)
                model.add_at_most_one(y[int(p), k, r] for r in range(R) if req.applies[k, r])
            for r in range(R):
                if req.applies[k, r]:
                    model.add(sum(y[int(p), k, r] for p in members) == int(req.per_team[r]))
    turns: dict[tuple[int, int], list] = {}
    for (p, k, r), var in y.items():
        turns.setdefault((p, r), []).append((k, var))
    for r in range(R):
        limit = int(req.max_turns[r])
        if not limit:
            continue
        for (p, rr), held in turns.items():
            if rr == r and len(held) > limit:
                excess = model.new_int_var(0, len(held), "")
                model.add(excess >= sum(v for _, v in held) - limit)
                objective.append(HARD_WEIGHT * excess)
    for r, group, need, sessions, hard, weight in req.shares:
        held = [v for (p, k, rr), v in y.items() if rr == r and group[p] and sessions[k]]
        short = model.new_int_var(0, max(need, 0), "")
        model.add(short >= need - sum(held))
        objective.append((HARD_WEIGHT if hard else _soft(weight)) * short)
    for r, most, sessions, weight in req.fair:
        per_person: dict[int, list] = {}
        for (p, k, rr), v in y.items():
            if (r < 0 or rr == r) and sessions[k]:
                per_person.setdefault(p, []).append(v)
        for held in per_person.values():
            if len(held) > most:
                excess = model.new_int_var(0, len(held), "")
                model.add(excess >= sum(held) - most)
                objective.append(_soft(weight) * excess)
    for p, r, k, hard, weight in req.pins:
        var = y.get((p, k, r))
        cost = HARD_WEIGHT if hard else _soft(weight)
        objective.append(cost if var is None else cost * (1 - var))
    # A light, seeded preference among equally good answers keeps plans varied by seed
    # while the same seed gives the same roles.
    rng = np.random.default_rng([seed, 31337])
    order = rng.permutation(len(y))
    for rank, var in zip(order, y.values()):
        if rank % 7 == 0:
            objective.append(-1 * var)
    if objective:
        model.minimize(sum(objective))
    solver = _solver(max(0.1, seconds), seed, 1, deterministic=effort)
    status = run(solver, model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out: dict[tuple[int, int, int], list[int]] = {}
    for (p, k, r), var in y.items():
        if solver.boolean_value(var):
            out.setdefault((k, team_of[p, k], r), []).append(p)
    for holders in out.values():
        holders.sort()
    return out


def _soft(weight: float) -> int:
    return max(1, math.floor(weight * SOFT_SCALE + 0.5))
