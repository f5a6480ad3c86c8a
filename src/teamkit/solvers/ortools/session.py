"""CP-SAT on one session: the whole session when it is small, a few teams at a time when not.

The model is built in one order: variables, hard constraints, soft penalties, objective.
``build`` takes a set of teams and the people currently in them; everyone else stays where
they are, so the same code builds the full model (all teams) and a large-neighbourhood
sub-problem (a few teams). The CP-SAT objective is integer: distances and numeric values are
scaled, and the squared numeric-balance penalty becomes its L1 proxy. Whatever CP-SAT returns
is re-scored with the engine's exact formulas and kept only if it is better.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
import numpy as np
from ortools.sat.python import cp_model

from teamkit.constraints import (
    Apart,
    AvoidRepeats,
    Balance,
    Diversity,
    Hierarchy,
    MeetAtMost,
    NoIsolation,
    NumericBalance,
    Pin,
    Reach,
    Spread,
    Together,
    fair_share_bounds,
)
from teamkit.engine import clock
from teamkit.engine.compiled import CompiledSession
from teamkit.engine.search import LocalSearch, better
from teamkit.exceptions import SolverError
from teamkit.precheck import relax_line
from teamkit.result import Status

#: The name of the guard on the team sizes in the conflict search (the checker's name for them).
TEAM_SIZES = "team sizes"
#: The full model is used when (people x teams) is at most this; LNS otherwise.
FULL_MODEL_CELLS = 2500
#: Pair variables for a diversity matrix in the full model, at most.
FULL_MODEL_PAIRS = 30000
#: People in one LNS neighbourhood, at most.
LNS_PEOPLE = 60

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
    cp_model.MODEL_INVALID: "model_invalid",
}


@attrs.frozen
class SessionOutcome:
    """What CP-SAT added for one session."""

    status: Status
    bound: float | None = None
    explanation: tuple[str, ...] = ()


@attrs.define
class SubModel:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    people: list[int]
    teams: list[int]
    exact: bool  # whether the integer objective equals the engine's objective times `scale`
    scale: float
    offset: float
    guards: dict[str, cp_model.IntVar]  # one enforcement literal per hard constraint name


def _break_symmetry(cs: CompiledSession, model: cp_model.CpModel, x: dict, people: list[int]) -> None:
    """Teams with the same size range that no pin names are interchangeable: relabel them in
    order of their first member, so person number r of the session sits in one of the first
    r + 1 teams of its class. Valid because any plan can be relabelled that way."""
    if any("cost" in cc.data for cc in cs.constraints):
        return  # teams with their own costs (their stations) are not interchangeable
    pinned = {cc.data["team"] for cc in cs.constraints if isinstance(cc.constraint, Pin)}
    classes: dict[tuple[int, int], list[int]] = {}
    for t in range(cs.num_teams):
        if t not in pinned:
            classes.setdefault((int(cs.low[t]), int(cs.high[t])), []).append(t)
    for group in classes.values():
        for r, i in enumerate(people):
            for t in group[r + 1 :]:
                model.add(x[i, t] == 0)


def _scale_for(values: np.ndarray) -> tuple[float, bool]:
    """A power of ten that makes ``values`` integers, or a scale that keeps them precise."""
    finite = values[np.isfinite(values)]
    if not finite.size or not np.any(finite):
        return 1.0, True
    for digits in range(0, 5):
        scaled = finite * 10**digits
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6) and np.abs(scaled).max() < 1e9:
            return float(10**digits), True
    return 1e6 / float(np.abs(finite).max()), False


def build(
    cs: CompiledSession,
    team: np.ndarray,
    teams: list[int],
    guarded: bool = False,
    extend: Callable[[cp_model.CpModel, dict], list] | None = None,
) -> SubModel:
    """The CP-SAT model of ``teams`` and their current members (everyone else fixed).

    ``extend(model, x)`` may add variables and constraints of its own, and returns more
    ``(weight, expression)`` terms for the objective."""
    model = cp_model.CpModel()
    team_set = set(teams)
    people = [i for i in range(cs.m) if int(team[i]) in team_set]
    local = {i: k for k, i in enumerate(people)}
    x = {(i, t): model.new_bool_var(f"x[{i},{t}]") for i in people for t in teams}
    guards: dict[str, cp_model.IntVar] = {}
    objective: list = []
    offset = 0.0
    exact = True

    def guard(name: str):
        if not guarded:
            return None
        if name not in guards:
            guards[name] = model.new_bool_var(f"guard[{name}]")
        return guards[name]

    def add(constraint, name: str):
        literal = guard(name)
        if literal is not None:
            constraint.only_enforce_if(literal)

    # -- variables and structure --------------------------------------------------------------
    for i in people:
        model.add_exactly_one(x[i, t] for t in teams)
    size = {t: sum(x[i, t] for i in people) for t in teams}
    size_is: dict[tuple[int, int], cp_model.IntVar] = {}
    for t in teams:
        low, high = int(cs.low[t]), int(cs.high[t])
        add(model.add(size[t] >= low), TEAM_SIZES)
        add(model.add(size[t] <= high), TEAM_SIZES)
        if high > low:
            for s in range(max(low, 0), high + 1):
                size_is[t, s] = model.new_bool_var(f"size[{t}]={s}")
            model.add_exactly_one(size_is[t, s] for s in range(low, high + 1))
            # Under the same guard as the bounds: the link alone would keep every size in
            # range, and a conflict search that drops the team sizes must really drop them.
            add(model.add(size[t] == sum(s * size_is[t, s] for s in range(low, high + 1))), TEAM_SIZES)

    if len(teams) == cs.num_teams:
        _break_symmetry(cs, model, x, people)
    terms: list[tuple[float, object]] = []  # collected first so the objective can share one scale

    def penalty(weight: float, expr) -> None:
        terms.append((weight, expr))

    # -- constraints ----------------------------------------------------------------------------
    for cc in cs.constraints:
        c = cc.constraint
        name = cc.name
        hard = c.hard
        if "cost" in cc.data:
            cost = cc.data["cost"]
            for i in people:
                for t in teams:
                    value = float(cost[i, t])
                    if value <= 0:
                        continue
                    if hard:
                        add(model.add(x[i, t] == 0), name)
                    else:
                        penalty(c.weight * value, x[i, t])
        elif "cover" in cc.data:
            mask, need = cc.data["cover"], int(cc.data["need"])
            for t in teams:
                count = sum(x[i, t] for i in people if mask[i])
                if hard:
                    add(model.add(count >= need), name)
                else:
                    short = model.new_int_var(0, need, "")
                    model.add(short >= need - count)
                    penalty(c.weight, short)
        elif isinstance(c, (Spread, Balance, NoIsolation)):
            cat = cc.data["cat"]
            codes = cat.codes
            by_value: dict[int, list[int]] = {}
            for i in people:
                by_value.setdefault(int(codes[i]), []).append(i)
            for t in teams:
                for v, group in by_value.items():
                    count = sum(x[i, t] for i in group)
                    if isinstance(c, Spread):
                        if v == 0:
                            continue
                        if hard:
                            add(model.add(count <= c.max_per_team), name)
                        elif len(group) > c.max_per_team:
                            excess = model.new_int_var(0, len(group), "")
                            model.add(excess >= count - c.max_per_team)
                            penalty(c.weight, excess)
                    elif isinstance(c, Balance):
                        total = int(cat.totals[v])
                        n = int(cat.totals.sum())
                        low, high = int(cs.low[t]), int(cs.high[t])
                        for s in range(low, high + 1):
                            lo, hi = fair_share_bounds(total, s, n, c.tolerance)
                            cond = size_is.get((t, s))
                            if hard:
                                for ct in (model.add(count >= lo), model.add(count <= hi)):
                                    if cond is not None:
                                        ct.only_enforce_if(cond)
                                    add(ct, name)
                            else:
                                dev = model.new_int_var(0, len(group) + hi, "")
                                c1 = model.add(dev >= lo - count)
                                c2 = model.add(dev >= count - hi)
                                if cond is not None:
                                    c1.only_enforce_if(cond)
                                    c2.only_enforce_if(cond)
                                penalty(c.weight, dev)
                    else:
                        if not cc.data["mask"][v]:
                            continue
                        mc = c.min_count
                        used = model.new_bool_var("")
                        model.add(count >= 1).only_enforce_if(used)
                        model.add(count == 0).only_enforce_if(~used)
                        if hard:
                            add(model.add(count >= mc).only_enforce_if(used), name)
                        else:
                            short = model.new_int_var(0, mc, "")
                            model.add(short >= mc - count).only_enforce_if(used)
                            penalty(c.weight, short)
        elif isinstance(c, NumericBalance):
            values = cc.data["x"]
            valid = ~np.isnan(values)
            finite = values[valid]
            mu = float(finite.mean()) if finite.size else 0.0
            scale, _ = _scale_for(np.nan_to_num(values - mu))
            scale = min(scale, 1000.0)
            for t in teams:
                dev = sum(int(round((values[i] - mu) * scale)) * x[i, t] for i in people if valid[i])
                if hard:
                    tol = int(math.floor(c.tolerance * scale))
                    members = sum(x[i, t] for i in people if valid[i])
                    add(model.add(dev <= tol * members), name)
                    add(model.add(dev >= -tol * members), name)
                else:
                    exact = False
                    bound = int(sum(abs(values[i] - mu) for i in people if valid[i]) * scale) + 1
                    absdev = model.new_int_var(0, bound, "")
                    model.add_abs_equality(absdev, dev)
                    penalty(c.weight / scale / max(1.0, float(cs.high[t])), absdev)
        elif isinstance(c, Diversity):
            if "matrix" not in cc.data:
                exact = False
                continue
            D = cc.data["matrix"]
            for a_pos, i in enumerate(people):
                for j in people[a_pos + 1 :]:
                    d = float(D[i, j])
                    if d == 0:
                        continue
                    for t in teams:
                        z = model.new_bool_var("")
                        model.add_implication(z, x[i, t])
                        model.add_implication(z, x[j, t])
                        if d < 0:
                            model.add_bool_or([z, ~x[i, t], ~x[j, t]])
                        penalty(-c.weight * d, z)
        elif isinstance(c, Reach):
            exact = False  # not modelled here: the local search handles it, and _adopt re-scores
        elif isinstance(c, (Apart, Hierarchy, Together, MeetAtMost, AvoidRepeats)):
            weights = cc.data.get("weights")
            for k_pair, (i, j) in enumerate(cc.data["pairs"]):
                i, j = int(i), int(j)
                w = 1.0 if weights is None else float(weights[k_pair])
                if i not in local or j not in local:
                    continue
                for t in teams:
                    if isinstance(c, Together):
                        if hard:
                            add(model.add(x[i, t] == x[j, t]), name)
                        else:
                            split = model.new_bool_var("")
                            model.add(split >= x[i, t] - x[j, t])
                            penalty(c.weight * 0.5, split)
                            split2 = model.new_bool_var("")
                            model.add(split2 >= x[j, t] - x[i, t])
                            penalty(c.weight * 0.5, split2)
                    elif hard:
                        add(model.add(x[i, t] + x[j, t] <= 1), name)
                    else:
                        both = model.new_bool_var("")
                        model.add(both >= x[i, t] + x[j, t] - 1)
                        penalty(c.weight * w, both)
        elif isinstance(c, Pin):
            p, target = cc.data["person"], cc.data["team"]
            if p not in local:
                continue
            if target in team_set:
                if hard:
                    add(model.add(x[p, target] == 1), name)
                else:
                    penalty(c.weight, 1 - x[p, target])
            elif hard:
                add(model.add_bool_or([]), name)  # pinned elsewhere: this neighbourhood cannot hold them
            else:
                offset += c.weight
    if extend is not None:
        terms.extend(extend(model, x))
    # -- objective ------------------------------------------------------------------------------
    coefficients = np.array([w for w, _ in terms], dtype=float)
    scale, is_int = _scale_for(coefficients) if len(terms) else (1.0, True)
    exact = exact and is_int
    if terms:
        model.minimize(sum(int(round(w * scale)) * expr for w, expr in terms))
    return SubModel(model, x, people, teams, exact, scale, offset, guards)


def _solver(seconds: float, seed: int, workers: int, deterministic: float | None = None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    if deterministic is not None:
        solver.parameters.max_deterministic_time = deterministic
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    # Ctrl-C is the engine's to handle (teamkit.engine.clock): CP-SAT would take it for itself.
    solver.parameters.catch_sigint_signal = False
    if workers > 1:
        # Interleaved workers run in one thread in a fixed order: reproducible.
        solver.parameters.interleave_search = True
    return solver


def run(solver: cp_model.CpSolver, model: cp_model.CpModel) -> int:
    """``solver.solve(model)``, stopped early when a stop is asked for (Ctrl-C)."""
    with clock.stoppable(solver.stop_search):
        return solver.solve(model)


def _read(sub: SubModel, solver: cp_model.CpSolver, team: np.ndarray) -> np.ndarray:
    new = team.copy()
    for i in sub.people:
        for t in sub.teams:
            if solver.boolean_value(sub.x[i, t]):
                new[i] = t
                break
    return new


def _hint(sub: SubModel, team: np.ndarray) -> None:
    for (i, t), var in sub.x.items():
        sub.model.add_hint(var, int(team[i]) == t)


def size_excess(cs: CompiledSession, team: np.ndarray) -> int:
    """How far the teams' sizes lie outside their ranges, in people (0 when all are in range).

    The local search scores the rules, not the sizes: it moves people only in ways that keep
    sizes as they are, and the construction seats pinned people and together groups where
    they must go whatever the room. A start that overfills a team therefore scores as well
    as a plan that does not, and only this count tells them apart."""
    size = np.bincount(team, minlength=cs.num_teams)
    return int(np.maximum(cs.low - size, 0).sum() + np.maximum(size - cs.high, 0).sum())


def sizes_kept(cs: CompiledSession, team: np.ndarray) -> bool:
    """Whether every team's size lies in its range."""
    return size_excess(cs, team) == 0


def _adopt(ls: LocalSearch, new: np.ndarray) -> bool:
    """Moves the search to ``new`` if that is better, sizes first: a plan whose team sizes
    lie further out of range is worse whatever its score; returns whether it did."""
    old_team = ls.st.team.copy()
    old_excess, new_excess = size_excess(ls.cs, old_team), size_excess(ls.cs, new)
    if new_excess != old_excess:
        if new_excess < old_excess:
            ls.reset(new)
        return new_excess < old_excess
    before = ls.score
    ls.reset(new)
    if better(ls.score, before):
        return True
    ls.reset(old_team)
    return False


def explain(cs: CompiledSession, team: np.ndarray, seconds: float, seed: int) -> tuple[str, ...]:
    """A smallest set of hard rules that cannot hold together, in two lines: the conflict,
    then what could be relaxed.

    Every hard rule (and the team sizes) is switched on by an assumption literal; CP-SAT
    returns assumptions that suffice for infeasibility, and a deletion filter drops each
    rule the conflict does not need. The team sizes stay on while the rules are filtered: a
    person reads the layout as given, so every rule named must be needed *with* those sizes
    (relaxing it alone gives a plan), and the sizes are named only when the rules left
    conflict with them alone."""
    sub = build(cs, team, list(range(cs.num_teams)), guarded=True)
    names = list(sub.guards)
    lits = [sub.guards[n] for n in names]
    sub.model.clear_objective()
    sub.model.add_assumptions(lits)
    solver = _solver(seconds, seed, 1)
    status = run(solver, sub.model)
    if status != cp_model.INFEASIBLE:
        return ()
    core_idx = set(solver.sufficient_assumptions_for_infeasibility())
    core = [n for n, lit in zip(names, lits) if lit.index in core_idx] or names
    layout = [TEAM_SIZES] if TEAM_SIZES in sub.guards else []

    def infeasible(on: list[str]) -> bool:
        sub.model.clear_assumptions()
        sub.model.add_assumptions([sub.guards[n] for n in on])
        return run(_solver(seconds / 4, seed, 1), sub.model) == cp_model.INFEASIBLE

    rules = [n for n in core if n != TEAM_SIZES]
    for name in list(rules):
        trial = [n for n in rules if n != name]
        if infeasible(trial + layout):
            rules = trial
    sized = bool(layout) and not infeasible(rules)
    # The user's rules, in the order of the problem; the layout they met, last.
    said = rules + ([_team_sizes(cs)] if sized else [])
    return ("no plan satisfies these hard constraints together: " + "; ".join(said), relax_line(said))


def _team_sizes(cs: CompiledSession) -> str:
    """The session's team layout in words, what a conflict that names the sizes rests on:
    ``team sizes (2 teams of 3)``, ``team sizes (2 teams of 2 + 1 team of 4)``, ``team sizes
    (2 teams of 3 to 4 for 7 people)``. No comma, so that a list of what to relax stays one
    item per comma."""
    groups: dict[tuple[int, int], int] = {}
    for low, high in zip(cs.low.tolist(), cs.high.tolist()):
        groups[low, high] = groups.get((low, high), 0) + 1
    parts = []
    for (low, high), count in groups.items():
        size = str(low) if low == high else f"{low} to {high}"
        parts.append(f"{count} team{'s' if count > 1 else ''} of {size}")
    people = "" if all(low == high for low, high in groups) else f" for {cs.m} people"
    return f"team sizes ({' + '.join(parts)}{people})"


def improve_session(
    cs: CompiledSession,
    ls: LocalSearch,
    *,
    deadline: float,
    seed: int,
    workers: int,
    on_solution: Callable[[LocalSearch], None] | None = None,
    conditional: bool = False,
    effort: float = 20.0,
) -> SessionOutcome:
    """Full model when small (can prove optimality or infeasibility), LNS otherwise.

    ``conditional``: the session was compiled with the other sessions fixed (across-session
    rules became pairs), so "infeasible" and "optimal" hold only given those sessions and
    are reported as UNKNOWN and FEASIBLE. ``effort``: CP-SAT's deterministic time for the
    full model (its own unit, roughly seconds), so that repeated calls stay reproducible.
    """
    T = cs.num_teams
    pairs = sum(1 for cc in cs.constraints if isinstance(cc.constraint, Diversity) and "matrix" in cc.data)
    small = cs.m * T <= FULL_MODEL_CELLS and (pairs == 0 or cs.m * cs.m * T / 2 <= FULL_MODEL_PAIRS)
    if small:
        outcome = _full(cs, ls, deadline, seed, workers, on_solution, effort, explain_conflict=not conditional)
    else:
        outcome = _lns(cs, ls, deadline, seed, workers, on_solution)
    if conditional and outcome.status is Status.INFEASIBLE:
        return SessionOutcome(Status.UNKNOWN)
    if conditional and outcome.status is Status.OPTIMAL:
        return SessionOutcome(Status.FEASIBLE)
    return outcome


def _full(cs, ls, deadline, seed, workers, on_solution, effort=20.0, explain_conflict=True) -> SessionOutcome:
    sub = build(cs, ls.st.team, list(range(cs.num_teams)))
    _hint(sub, ls.st.team)
    left = clock.left(deadline)
    solver = _solver(left, seed, workers, deterministic=effort)
    status = run(solver, sub.model)
    name = _STATUS.get(status)
    if name == "model_invalid" or name is None:
        raise SolverError(f"CP-SAT rejected the model: {sub.model.validate() or name}")
    if name == "infeasible":
        if not explain_conflict:
            return SessionOutcome(Status.INFEASIBLE)
        return SessionOutcome(Status.INFEASIBLE, explanation=explain(cs, ls.st.team, max(1.0, left / 2), seed))
    if name in ("optimal", "feasible"):
        if _adopt(ls, _read(sub, solver, ls.st.team)) and on_solution:
            on_solution(ls)
    bound = None
    if sub.exact:
        bound = solver.best_objective_bound / sub.scale + sub.offset
    if ls.hard > 1e-9 or not sizes_kept(cs, ls.st.team):
        return SessionOutcome(Status.UNKNOWN)
    if name == "optimal" and sub.exact and abs(ls.soft - bound) <= 1e-6 * max(1.0, abs(bound)):
        return SessionOutcome(Status.OPTIMAL, bound=ls.soft)
    return SessionOutcome(Status.FEASIBLE, bound=bound)


def _partners(cs: CompiledSession, team: np.ndarray, first: int, rng: np.random.Generator) -> np.ndarray:
    """The other teams to free with team ``first``, in random order, those that its members
    may join without a hard cost (a station they must avoid, a track of the day) first:
    exchanging members with a team none of them may join cannot help."""
    others = rng.permutation(np.delete(np.arange(cs.num_teams), first))
    members = np.flatnonzero(team == first)
    barred = np.zeros((len(members), cs.num_teams), dtype=bool)
    for cc in cs.constraints:
        if cc.constraint.hard and "cost" in cc.data:
            barred |= cc.data["cost"][members] > 0
    closed = barred.all(axis=0)
    if not closed.any():
        return others
    return others[np.argsort(closed[others], kind="stable")]


def _lns(cs, ls, deadline, seed, workers, on_solution) -> SessionOutcome:
    """Frees a few teams at a time (one with a violation or the worst soft penalty, and
    random others), re-solves them with CP-SAT, keeps the result if it is better."""
    T = cs.num_teams
    per_team = max(1, int(np.ceil(cs.m / T)))
    k = int(min(T, max(2, LNS_PEOPLE // per_team)))
    rng = np.random.default_rng([seed, 7919, cs.index])
    stale = 0
    rounds = 0
    # The local search already polishes the soft objective better than CP-SAT's linear proxy
    # of it; CP-SAT's job here is the hard violations the swaps could not undo.
    max_rounds = 60 if ls.hard > 1e-9 or not sizes_kept(cs, ls.st.team) else 0
    while rounds < max_rounds and stale < 12 and not clock.expired(deadline - 0.05):
        rounds += 1
        size = np.bincount(ls.st.team, minlength=T)
        bad = np.flatnonzero((ls.team_penalties(hard=True) > 1e-9) | (size < cs.low) | (size > cs.high))
        if len(bad):
            first = int(bad[rng.integers(len(bad))])
        elif ls.soft_terms:
            first = int(np.argmax(ls.team_penalties(hard=False)))
        else:
            break
        others = _partners(cs, ls.st.team, first, rng)[: k - 1]
        teams = sorted([first, *map(int, others)])
        sub = build(cs, ls.st.team, teams)
        _hint(sub, ls.st.team)
        left = clock.left(deadline)
        solver = _solver(min(left, 1.0), seed + rounds, 1, deterministic=0.5)
        status = run(solver, sub.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and _adopt(ls, _read(sub, solver, ls.st.team)):
            stale = 0
            if on_solution:
                on_solution(ls)
            if ls.hard <= 1e-9 and sizes_kept(cs, ls.st.team):
                # polish the soft objective with the cheap local search before more LNS
                ls.improve(max_iterations=20 * cs.m, patience=T + 10, deadline=deadline)
        else:
            stale += 1
    return SessionOutcome(Status.FEASIBLE if ls.hard <= 1e-9 and sizes_kept(cs, ls.st.team) else Status.UNKNOWN)
