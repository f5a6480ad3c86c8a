"""The station model (teamkit.solvers.ortools.stations) started from a plan (a hint): the
routes it returns are never worse than that plan, however little time CP-SAT gets."""

from __future__ import annotations

import numpy as np
import pytest

from teamkit.solvers.ortools.stations import HARD_WEIGHT, StationPlan, StationRequest, plan_stations


def request(cost: np.ndarray, forbidden: np.ndarray) -> StationRequest:
    T, S = cost.shape
    return StationRequest(
        teams=T,
        slots=(1, 2, 3),
        capacity=np.ones(S, dtype=np.int64),
        duration=np.ones(S, dtype=np.int64),
        open=np.ones((S, 3), dtype=bool),
        staff=np.zeros(S, dtype=np.int64),
        can_run=np.ones((1, S), dtype=bool),
        forbidden=forbidden,
        cost=cost,
    )


def route_cost(req: StationRequest, route: np.ndarray) -> float:
    """What the routes cost, recomputed: broken rules first, then the soft costs."""
    return sum(
        HARD_WEIGHT * int(req.forbidden[t, s]) + float(req.cost[t, s]) for t in range(req.teams) for s in route[t]
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("effort", [1e-4, 1e-2, 1.0])
def test_the_routes_returned_are_never_worse_than_the_hint(seed: int, effort: float) -> None:
    # Twelve interchangeable stations of one team each: presolve's symmetry breaking fixes
    # some team's stations, which loses a hint that places them elsewhere.
    rng = np.random.default_rng(seed)
    T = S = 12
    cost = rng.integers(0, 4, size=(T, S)).astype(float)
    forbidden = (rng.random((T, S)) < 0.3).astype(np.int64)
    route = np.array([[(t + a) % S for a in (1, 5, 9)] for t in range(T)])
    forbidden[np.arange(T)[:, None], route] = 0  # the hint breaks no rule
    req = request(cost, forbidden)
    found = plan_stations(req, StationPlan(route, (), None), seconds=5, seed=seed, effort=effort)
    assert found is not None
    for t in range(T):
        assert len(set(found.route[t].tolist())) == 3
    for a in range(3):
        assert len(set(found.route[:, a].tolist())) == T  # one team per station and slot
    assert route_cost(req, found.route) <= route_cost(req, route)
