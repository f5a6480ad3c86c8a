"""CP-SAT for the stations of one session: which station each team is at in each slot, and
which instructor runs each station.

The teams are given (or not yet formed: then every team is alike and the model designs the
*routes* the teams will be formed for). Structure is hard: a team is at one station per
slot, a station holds at most its capacity, keeps a team for its whole duration in
consecutive slots and receives a team at most once per session, and a station that receives
teams has its staff. What depends on the people (a member who already did the exercise that
day, a member who must avoid high intensity) arrives as costs per (team, station): the hard
ones weigh far more than the soft ones, so the model always has an answer and the answer
breaks as few hard rules as it can.
"""

from __future__ import annotations

import attrs
import numpy as np
from ortools.sat.python import cp_model

from teamkit.solvers.ortools.session import _solver, run

#: Weight of one hard violation against one unit of soft cost, in the integer objective.
HARD_WEIGHT = 10_000
#: Soft costs are scaled by this and rounded.
SOFT_SCALE = 100


@attrs.frozen
class StationRequest:
    """One session's station problem, as arrays over teams ``T``, stations ``S``, station
    slots ``L`` (the session's non-plenary slots, in order) and instructors ``I``."""

    teams: int
    slots: tuple[int, ...]  # (L,) slot numbers from 1
    capacity: np.ndarray  # (S,)
    duration: np.ndarray  # (S,)
    open: np.ndarray  # (S, L) bool
    staff: np.ndarray  # (S,)
    can_run: np.ndarray  # (I, S) bool
    forbidden: np.ndarray  # (T, S) hard violations if team t visits station s
    cost: np.ndarray  # (T, S) soft cost if team t visits station s
    #: (instructor, station, slot index, hard, weight)
    staff_pins: tuple[tuple[int, int, int, bool, float], ...] = ()
    #: (team, station, slot index or -1 for any slot of the session, hard, weight): the team
    #: is at the station in that slot, or visits it in some slot.
    station_pins: tuple[tuple[int, int, int, bool, float], ...] = ()
    #: For routes designed before the teams are formed: groups of people who must avoid
    #: some stations, as (stations to avoid (S,) bool, people, most per team). The model
    #: keeps a way to seat every group in teams whose routes avoid those stations.
    groups: tuple[tuple[np.ndarray, int, int], ...] = ()
    #: (group indices, most per team): a joint limit on some groups (one limited-fitness
    #: member per team at most, say).
    group_limits: tuple[tuple[tuple[int, ...], int], ...] = ()
    team_high: np.ndarray | None = None  # (T,) largest size of each team
    #: (T, S): the only stations each team may visit at all (a day's tracks); ``None``: any.
    allowed: np.ndarray | None = None


@attrs.frozen
class StationPlan:
    """``route[t, l]``: the station of team ``t`` in station slot ``l``; ``staff``: (slot
    index, station, instructor) triples; ``seating[g, t]``: for designed routes, the seats
    of group ``g`` in team ``t`` in the witness (``None`` otherwise)."""

    route: np.ndarray
    staff: tuple[tuple[int, int, int], ...]
    seating: np.ndarray | None = None


def _starts(req: StationRequest) -> dict[int, list[int]]:
    """Station -> slot indices where a visit can start: open for the whole duration, in
    consecutive slot numbers (a plenary slot breaks a run)."""
    L = len(req.slots)
    out: dict[int, list[int]] = {}
    for s in range(len(req.capacity)):
        d = int(req.duration[s])
        for a in range(L - d + 1):
            run = range(a, a + d)
            if all(req.open[s, i] for i in run) and req.slots[a + d - 1] - req.slots[a] == d - 1:
                out.setdefault(s, []).append(a)
    return out


def plan_stations(
    req: StationRequest,
    hint: StationPlan | None,
    *,
    seconds: float,
    seed: int,
    effort: float = 5.0,
) -> StationPlan | None:
    """The best station plan found, or ``None`` when the structure alone (capacity, opening
    times, staff) admits none or none was found in time.

    Hard station pins are fixed in the model, which lets CP-SAT propagate them. Pins that
    cannot all hold with the structure make that model infeasible; then it is solved again
    with every pin as a cost, so that a plan still comes back and the checker can say which
    pin it breaks."""
    fixed = any(hard for *_, hard, _weight in req.station_pins)
    found, infeasible = _solve(req, hint, seconds=seconds, seed=seed, effort=effort, fix_pins=fixed)
    if found is None and fixed and infeasible:
        found, _ = _solve(req, hint, seconds=seconds, seed=seed, effort=effort, fix_pins=False)
    return found


def no_stations_possible(req: StationRequest, *, seconds: float, seed: int) -> bool:
    """Whether the structure alone (capacity, opening times, durations, one visit per team
    and station, staff and who may run what) is proved to admit no station plan: the model
    without any team's rules, pins or costs, which CP-SAT usually settles at once."""
    bare = attrs.evolve(
        req,
        forbidden=np.zeros_like(req.forbidden),
        cost=np.zeros_like(req.cost, dtype=float),
        staff_pins=(),
        station_pins=(),
        groups=(),
        group_limits=(),
        allowed=None,
    )
    _, infeasible = _solve(bare, None, seconds=seconds, seed=seed, effort=seconds, fix_pins=False)
    return infeasible


def _solve(
    req: StationRequest,
    hint: StationPlan | None,
    *,
    seconds: float,
    seed: int,
    effort: float,
    fix_pins: bool,
) -> tuple[StationPlan | None, bool]:
    """One CP-SAT search of the station model: the plan found, if any, and whether the model
    was proved infeasible. With ``fix_pins``, hard station pins are constraints; otherwise
    every pin is a cost. With a ``hint``, the hinted plan is scored first and returned when
    the search ends worse (or without a plan)."""
    T, S, L = req.teams, len(req.capacity), len(req.slots)
    model = cp_model.CpModel()
    starts = _starts(req)
    start: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for t in range(T):
        for s, slots in starts.items():
            if req.allowed is not None and not req.allowed[t, s]:
                continue
            for a in slots:
                start[t, s, a] = model.new_bool_var(f"start[{t},{s},{a}]")
    # occupancy: team t is at s in slot l when a visit started within the last d slots
    covering: dict[tuple[int, int, int], list] = {}
    for (t, s, a), var in start.items():
        for i in range(a, a + int(req.duration[s])):
            covering.setdefault((t, s, i), []).append(var)
    for t in range(T):
        for i in range(L):
            model.add_exactly_one(v for s in range(S) for v in covering.get((t, s, i), ()))
        for s, slots in starts.items():
            model.add_at_most_one(start[t, s, a] for a in slots if (t, s, a) in start)
    used: dict[tuple[int, int], cp_model.IntVar] = {}
    for s in range(S):
        for i in range(L):
            here = [v for t in range(T) for v in covering.get((t, s, i), ())]
            if not here:
                continue
            model.add(sum(here) <= int(req.capacity[s]))
            if req.staff[s] > 0:
                u = model.new_bool_var(f"used[{s},{i}]")
                for v in here:
                    model.add_implication(v, u)
                model.add_bool_or(here).only_enforce_if(u)  # staff only where teams are
                used[s, i] = u
    objective: list = []
    # staff
    assign: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for (s, i), u in used.items():
        runners = [j for j in range(req.can_run.shape[0]) if req.can_run[j, s]]
        for j in runners:
            assign[j, s, i] = model.new_bool_var(f"staff[{j},{s},{i}]")
        model.add(sum(assign[j, s, i] for j in runners) == int(req.staff[s]) * u)
    stays: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for j in range(req.can_run.shape[0]):
        for i in range(L):
            model.add_at_most_one(v for (jj, _, ii), v in assign.items() if jj == j and ii == i)
            # An instructor who stays at one station from slot to slot is easier to organise.
            if i > 0:
                for s in range(S):
                    if (j, s, i) in assign and (j, s, i - 1) in assign:
                        stay = stays[j, s, i] = model.new_bool_var("")
                        model.add_implication(stay, assign[j, s, i])
                        model.add_implication(stay, assign[j, s, i - 1])
                        objective.append(-1 * stay)
    for j, s, i, hard, weight in req.staff_pins:
        var = assign.get((j, s, i))
        penalty = HARD_WEIGHT if hard else round(weight * SOFT_SCALE)
        if var is None:
            objective.append(penalty)  # the pin cannot hold: a constant cost
        else:
            objective.append(penalty * (1 - var))
    for t, s, i, hard, weight in req.station_pins:
        if i >= 0:
            there = covering.get((t, s, i), [])  # at most one: a team is at one station per slot
        else:
            there = [start[t, s, a] for a in starts.get(s, ()) if (t, s, a) in start]  # one visit at most
        if hard and fix_pins:
            model.add_bool_or(there)  # with none to choose from, the model is infeasible
            continue
        penalty = HARD_WEIGHT if hard else round(weight * SOFT_SCALE)
        objective.append(penalty * (1 - sum(there)))
    # costs per (team, station)
    for (t, s, _a), var in start.items():
        c = int(req.forbidden[t, s]) * HARD_WEIGHT + round(float(req.cost[t, s]) * SOFT_SCALE)
        if c:
            objective.append(c * var)
    seats = _seat_groups(req, model, start, objective)
    if objective:
        model.minimize(sum(objective))
    if hint is not None:
        for (t, s, a), var in start.items():
            began = hint.route[t, a] == s and (a == 0 or hint.route[t, a - 1] != s)
            model.add_hint(var, bool(began))
        staffed = set(hint.staff)
        for (j, s, i), var in assign.items():
            model.add_hint(var, (i, s, j) in staffed)
        for (j, s, i), var in stays.items():
            model.add_hint(var, (i, s, j) in staffed and (i - 1, s, j) in staffed)
        for (s, i), var in used.items():
            model.add_hint(var, bool(np.any(hint.route[:, i] == s)))
        if hint.seating is not None and seats and hint.seating.shape == (len(req.groups), T):
            for (g, t), var in seats.items():
                model.add_hint(var, int(hint.seating[g, t]))
    start_plan = None
    if hint is not None:
        # The hinted plan as this model scores it (the hint fixed, CP-SAT fills in the rest).
        # The search itself may lose the hint: presolve's symmetry breaking fixes variables
        # that the hint sets otherwise, and CP-SAT then repairs it into a plan that can be
        # far worse. What it returns is kept only if it is no worse than this. (Fixed, the
        # model is settled in presolve; the deterministic limit only keeps runs repeatable.)
        fixed = _solver(max(0.05, seconds), seed, 1, deterministic=max(effort, 1.0))
        fixed.parameters.fix_variables_to_their_hinted_value = True
        if run(fixed, model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            start_plan = (fixed.objective_value, _read_plan(req, fixed, start, assign, seats))
    solver = _solver(max(0.05, seconds), seed, 1, deterministic=effort)
    status = run(solver, model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if start_plan is not None:
            return start_plan[1], False
        return None, status == cp_model.INFEASIBLE
    if start_plan is not None and start_plan[0] < solver.objective_value:
        return start_plan[1], False
    return _read_plan(req, solver, start, assign, seats), False


def _read_plan(req: StationRequest, solver: cp_model.CpSolver, start: dict, assign: dict, seats: dict) -> StationPlan:
    """The station plan of a solved model."""
    route = np.full((req.teams, len(req.slots)), -1, dtype=np.int64)
    for (t, s, a), var in start.items():
        if solver.boolean_value(var):
            route[t, a : a + int(req.duration[s])] = s
    staff = tuple(sorted((i, s, j) for (j, s, i), var in assign.items() if solver.boolean_value(var)))
    seating = None
    if seats:
        seating = np.zeros((len(req.groups), req.teams), dtype=np.int64)
        for (g, t), var in seats.items():
            seating[g, t] = solver.value(var)
    return StationPlan(route, staff, seating)


def _seat_groups(req: StationRequest, model: cp_model.CpModel, start: dict, objective: list) -> dict:
    """A witness that the people can be seated: ``f[g, t]`` of group ``g`` in team ``t``,
    only where team ``t``'s route avoids the group's stations, within team sizes and the
    groups' limits. Whoever cannot be seated costs as much as a broken hard rule."""
    if not req.groups or req.team_high is None:
        return {}
    T = req.teams
    visit: dict[tuple[int, int], list] = {}
    for (t, s, _a), var in start.items():
        visit.setdefault((t, s), []).append(var)
    f: dict[tuple[int, int], cp_model.IntVar] = {}
    for g, (avoid, size, most) in enumerate(req.groups):
        cap = min(size, most)
        for t in range(T):
            var = f[g, t] = model.new_int_var(0, cap, f"f[{g},{t}]")
            for s in np.flatnonzero(avoid):
                visits = visit.get((t, int(s)), ())
                if visits:
                    # linear, so that the LP relaxation sees it: no seat where the team goes
                    model.add(var + cap * sum(visits) <= cap)
        short = model.new_int_var(0, size, f"short[{g}]")
        model.add(sum(f[g, t] for t in range(T)) + short == size)
        objective.append(HARD_WEIGHT * short)
    for t in range(T):
        model.add(sum(f[g, t] for g in range(len(req.groups))) <= int(req.team_high[t]))
        for members, most in req.group_limits:
            model.add(sum(f[g, t] for g in members) <= most)
    return f
