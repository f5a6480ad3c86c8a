"""A plain CP-SAT model of a teamkit problem: the baseline the benchmarks compare against.

It is written independently of teamkit's engine (no heuristics, no hints, no
large-neighbourhood search): it reads the problem through :mod:`teamkit.model` and
:mod:`teamkit.constraints`, builds one textbook model over all sessions and hands it to
CP-SAT. The plan it returns is verified by :func:`teamkit.check` like teamkit's own.

The model, per session with ``n`` people present and ``T`` teams:

- ``x[i, t]``: one Boolean per present person and team; everyone is in exactly one team;
- team sizes: each team gets a *fixed* size, as even as possible within the layout: the
  first ``n mod T`` teams get the larger size. For ``team_size=`` and ``num_teams=``
  sessions (every team with the same size range) this loses no plan, since teams are
  interchangeable; for a ``team_sizes=`` list with different ranges it is a restriction
  (each team gets its low size, and the rest is handed out one by one, team by team, up to
  the high sizes);
- Spread: ``sum_{i with value v} x[i, t] <= max_per_team`` for every team and value;
- Balance: ``low <= sum_{i with value v} x[i, t] <= high`` with ``(low, high)`` from
  :func:`teamkit.constraints.fair_share_bounds` for the team's fixed size; a missing value
  counts as a value of its own, as in the checker;
- Hierarchy: ``x[i, t] + x[j, t] <= 1`` for every (person, superior) pair and team;
- NumericBalance: the L1 deviation of each team's sum of the attribute from
  ``size * mean`` (values scaled to integers: x1 when all are whole numbers, x100 otherwise;
  a person without a value counts as the mean), less the tolerance times the size; soft
  ones are minimised (weight rounded to tenths), hard ones bounded. This is a proxy of
  teamkit's squared penalty on the means: the checker scores the plan exactly.

Across sessions (MeetAtMost, AvoidRepeats), the pairwise model:

- ``same[i, j, k]``: one Boolean per pair of people present in session ``k``, for every
  session some such constraint counts, with the clause ``x[i, t] and x[j, t] -> same[i, j, k]``
  (``not x[i, t] or not x[j, t] or same[i, j, k]``) for every team ``t``. Only this direction
  is needed: every use of ``same`` below bounds it from above or minimises it, so a pair that
  shares a team is always counted. A feasible (not optimal) solution may still set ``same``
  for a pair that did not meet; the checker counts the real meetings of the plan.
- ``meetings[i, j] = sum_k same[i, j, k]`` over the sessions the constraint counts;
- MeetAtMost hard: ``meetings <= times`` (an at-most-one over the sessions for
  ``times=1``); soft: an integer ``excess >= meetings - times``, ``excess >= 0``, minimised;
- AvoidRepeats: ``penalty >= f(a) + (f(a+1) - f(a)) * (meetings - a)`` for ``a = 1 ...
  m - 1``, with ``f(m) = max(0, m - 1) ** power`` and ``m`` the sessions the pair can meet in,
  and ``penalty >= 0``, minimised; a line equal to the previous one is left out. ``f`` is
  convex, so the minimised penalty is exactly ``f(meetings)`` at every whole number of
  meetings; for ``power=1`` there is the single line ``penalty >= meetings - 1``. Linear
  inequalities go straight into CP-SAT's linear propagation and LP relaxation, where a table
  (``add_element``) or a product (``add_multiplication_equality``) would first be expanded
  or relaxed more loosely;
- weights are rounded to tenths, as for NumericBalance.

A session that keeps the previous session's teams (``keep_teams``), Reach, other constraint
kinds, and soft Spread/Balance/Hierarchy are not modelled: :func:`solve_plain` then returns
status ``"unsupported"`` without solving.

Maximally diverse grouping has its own textbook model, :func:`solve_mdgp`, built from a
distance matrix and the size range of every group (an MDGPLIB file) rather than from a
teamkit problem: ``x[i, g]`` per element and group, a pair Boolean ``w[i, j, g]`` implying
both, and the sum of the distances of the pairs maximised.

Memory: the model needs ``n x T`` Booleans per session (about ``n^2 / 10`` for teams of 10)
and a hierarchy clause per pair and team; with meetings, ``n (n - 1) / 2`` ``same`` Booleans
and ``n (n - 1) / 2 x T`` clauses per counted session, which grows as ``n^3``.
:func:`count_booleans` adds all three up; above :data:`MAX_BOOLEANS` the model is not built
at all and :func:`solve_plain` returns ``(None, "too large", 0.0)``.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from teamkit.constraints import (
    AvoidRepeats,
    Balance,
    Constraint,
    Hierarchy,
    MeetAtMost,
    NumericBalance,
    Spread,
    fair_share_bounds,
)
from teamkit.model import ProblemData, is_missing
from teamkit.plan import Plan

#: The plain model is refused above this many units (x[i, t] Booleans, plus same[i, j, k]
#: Booleans and their per-team clauses when meetings are counted; see count_booleans):
#: about 30 million, since CP-SAT's copies of such a model, its presolve and two workers
#: would not fit in 24 GiB. (Measured with meetings: 16.5 million units, Social Golfer
#: 60-5-6, peak at about 7.3 GiB with one worker.)
MAX_BOOLEANS = 30_000_000

#: The solver always gets at least this share of the time limit, even when building the
#: model already used the whole limit.
MIN_SOLVE_SHARE = 0.1

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
    cp_model.MODEL_INVALID: "model_invalid",
}


def fixed_sizes(ranges: tuple[tuple[int, int], ...], present: int) -> list[int]:
    """One size per team, adding up to ``present``: as even as possible when every team has
    the same range (the larger teams first), else low sizes topped up team by team."""
    T = len(ranges)
    if len({r for r in ranges}) == 1:
        low, high = ranges[0]
        base, extra = divmod(present, T)
        sizes = [base + 1] * extra + [base] * (T - extra)
        if not all(low <= s <= high for s in sizes):
            raise ValueError(f"{present} people cannot form {T} teams of {low} to {high}")
        return sizes
    sizes = [low for low, _ in ranges]
    left = present - sum(sizes)
    for t, (_, high) in enumerate(ranges):
        add = min(left, high - sizes[t])
        sizes[t] += add
        left -= add
    if left != 0 or sum(sizes) != present:
        raise ValueError(f"{present} people do not fit the team sizes {ranges}")
    return sizes


def meeting_constraints(problem: ProblemData) -> list[Constraint]:
    """The constraints that count meetings across sessions and that the plain model handles."""
    return [c for c in problem.constraints if isinstance(c, (MeetAtMost, AvoidRepeats))]


def meeting_sessions(problem: ProblemData) -> list[int]:
    """The sessions in which at least one meeting constraint counts meetings: the plain model
    needs ``same[i, j, k]`` literals for these."""
    meet = meeting_constraints(problem)
    return [k for k, s in enumerate(problem.sessions) if any(c.applies_to(s.id) for c in meet)]


def count_booleans(problem: ProblemData) -> int:
    """The size of the plain model, counted before anything is built: the ``x[i, t]``
    Booleans of all sessions, plus, in every session where meetings are counted, one
    ``same[i, j, k]`` Boolean and ``T`` clauses per pair of people present (``pairs x (1 +
    T)``). Each Boolean and each clause counts as one unit against :data:`MAX_BOOLEANS`."""
    total = 0
    for k in range(len(problem.sessions)):
        layout = problem.layout(k)
        total += len(layout.present) * layout.num_teams
    for k in meeting_sessions(problem):
        layout = problem.layout(k)
        n = len(layout.present)
        total += n * (n - 1) // 2 * (1 + layout.num_teams)
    return total


def unsupported(problem: ProblemData) -> list[str]:
    """The names of the constraints the plain model does not handle, and
    ``keep_teams(<session id>)`` for every session that keeps the previous teams."""
    out = []
    for c, name in zip(problem.constraints, problem.constraint_names()):
        if isinstance(c, (Spread, Balance, Hierarchy)) and c.hard:
            continue
        if isinstance(c, (NumericBalance, MeetAtMost, AvoidRepeats)):
            continue
        out.append(name)
    out.extend(f"keep_teams({s.id})" for s in problem.sessions if getattr(s, "keep_teams", False))
    return out


def _weight(c: Constraint) -> int:
    """A soft constraint's weight as an integer objective coefficient (tenths, at least 1)."""
    return max(1, round(c.weight * 10))


def _values(problem: ProblemData, attribute: str) -> list:
    return [None if is_missing(p.get(attribute)) else p.get(attribute) for p in problem.participants]


def _groups(present: tuple[int, ...], vals: list, keep_missing: bool) -> dict:
    """Local positions (index into ``present``) by value."""
    groups: dict = defaultdict(list)
    for local, i in enumerate(present):
        v = vals[i]
        if v is None and not keep_missing:
            continue
        groups[v].append(local)
    return groups


def build_model(problem: ProblemData) -> tuple[cp_model.CpModel, list[np.ndarray], list[tuple[int, ...]]]:
    """The plain CP-SAT model: ``(model, x_index, present)``, where ``x_index[k]`` is the
    array ``[person, team]`` of CP-SAT variable indices of session ``k`` (for decoding)."""
    model = cp_model.CpModel()
    x_index: list[np.ndarray] = []
    presents: list[tuple[int, ...]] = []
    objective: list = []
    value_cache: dict[str, list] = {}
    xs: list[list[list[cp_model.IntVar]]] = []

    def values(attribute: str) -> list:
        if attribute not in value_cache:
            value_cache[attribute] = _values(problem, attribute)
        return value_cache[attribute]

    for k, session in enumerate(problem.sessions):
        layout = problem.layout(k)
        present = layout.present
        n, T = len(present), layout.num_teams
        sizes = fixed_sizes(layout.sizes, n)
        x = [[model.new_bool_var("") for _ in range(T)] for _ in range(n)]
        x_index.append(np.array([[v.index for v in row] for row in x], dtype=np.int64).reshape(n, T))
        presents.append(present)
        for row in x:
            model.add_exactly_one(row)
        for t in range(T):
            model.add(cp_model.LinearExpr.sum([x[i][t] for i in range(n)]) == sizes[t])

        for c in problem.constraints_for(k):
            if isinstance(c, Spread):
                for members in _groups(present, values(c.attribute), keep_missing=False).values():
                    if len(members) <= c.max_per_team:
                        continue
                    for t in range(T):
                        cells = [x[i][t] for i in members]
                        if c.max_per_team == 1:
                            model.add_at_most_one(cells)
                        else:
                            model.add(cp_model.LinearExpr.sum(cells) <= c.max_per_team)
            elif isinstance(c, Balance):
                for members in _groups(present, values(c.attribute), keep_missing=True).values():
                    for t in range(T):
                        low, high = fair_share_bounds(len(members), sizes[t], n, c.tolerance)
                        if low <= 0 and high >= min(len(members), sizes[t]):
                            continue  # no bound bites
                        cells = [x[i][t] for i in members]
                        model.add_linear_constraint(cp_model.LinearExpr.sum(cells), low, high)
            elif isinstance(c, Hierarchy):
                local = {i: pos for pos, i in enumerate(present)}
                for i, boss in problem.superiors(c):
                    if i in local and boss in local:
                        a, b = x[local[i]], x[local[boss]]
                        for t in range(T):
                            model.add_at_most_one([a[t], b[t]])
            elif isinstance(c, NumericBalance):
                vals = values(c.attribute)
                known = [float(vals[i]) for i in present if vals[i] is not None]
                if not known:
                    continue
                scale = 1 if all(float(v).is_integer() for v in known) else 100
                mu = sum(known) / len(known)
                scaled = [round((mu if vals[i] is None else float(vals[i])) * scale) for i in present]
                top = max(abs(v) for v in scaled)
                tolerance = c.tolerance or 0.0
                for t in range(T):
                    team_sum = cp_model.LinearExpr.weighted_sum([x[i][t] for i in range(n)], scaled)
                    target = round(sizes[t] * mu * scale)
                    allowed = int(tolerance * scale * sizes[t])
                    if c.hard:
                        model.add_linear_constraint(team_sum, target - allowed, target + allowed)
                        continue
                    excess = model.new_int_var(0, top * sizes[t] + abs(target), "")
                    model.add(excess >= team_sum - target - allowed)
                    model.add(excess >= target - team_sum - allowed)
                    objective.append(_weight(c) * excess)
        xs.append(x)

    objective.extend(_add_meetings(model, problem, xs, presents))
    if objective:
        model.minimize(cp_model.LinearExpr.sum(objective))
    return model, x_index, presents


def _add_meetings(
    model: cp_model.CpModel,
    problem: ProblemData,
    xs: list[list[list[cp_model.IntVar]]],
    presents: list[tuple[int, ...]],
) -> list:
    """Adds the ``same`` literals and the MeetAtMost / AvoidRepeats constraints (see the
    module docstring) and returns the objective terms of the soft ones."""
    meet = meeting_constraints(problem)
    if not meet:
        return []
    # pair (i, j) of participant indices, i < j -> [(session, same literal), ...]
    pair_lits: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for k in meeting_sessions(problem):
        x, present = xs[k], presents[k]
        negated = [[~v for v in row] for row in x]
        for a in range(len(present)):
            for b in range(a + 1, len(present)):
                same = model.new_bool_var("")
                for na, nb in zip(negated[a], negated[b]):
                    model.add_bool_or([na, nb, same])
                pair_lits[(present[a], present[b])].append((k, same))

    objective: list = []
    ids = [s.id for s in problem.sessions]
    for c in meet:
        counted = {k for k in range(len(ids)) if c.applies_to(ids[k])}
        for lits in pair_lits.values():
            cells = [lit for k, lit in lits if k in counted]
            m = len(cells)
            if isinstance(c, MeetAtMost):
                if m <= c.times:
                    continue  # the pair cannot meet too often
                meetings = cp_model.LinearExpr.sum(cells)
                if c.hard:
                    if c.times == 1:
                        model.add_at_most_one(cells)
                    else:
                        model.add(meetings <= c.times)
                    continue
                excess = model.new_int_var(0, m - c.times, "")
                model.add(excess >= meetings - c.times)
                objective.append(_weight(c) * excess)
            else:  # AvoidRepeats
                if m <= 1:
                    continue
                meetings = cp_model.LinearExpr.sum(cells)
                f = [max(0, a - 1) ** c.power for a in range(m + 1)]
                penalty = model.new_int_var(0, f[m], "")
                slope = 0
                for a in range(1, m):
                    if f[a + 1] - f[a] == slope:
                        continue  # the same line as the previous piece (every piece for power 1)
                    slope = f[a + 1] - f[a]
                    model.add(penalty >= f[a] + slope * (meetings - a))
                objective.append(_weight(c) * penalty)
    return objective


def _run(
    model: cp_model.CpModel, time_limit: float, built: float, seed: int, workers: int
) -> tuple[cp_model.CpSolver, int, str]:
    """Solves ``model`` in what is left of ``time_limit`` after ``built`` seconds of building
    (at least :data:`MIN_SOLVE_SHARE` of it): the solver, its status code and name."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit - built, MIN_SOLVE_SHARE * time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = False
    code = solver.solve(model)
    return solver, code, _STATUS.get(code, solver.status_name(code).lower())


def solve_plain(
    problem: ProblemData, time_limit: float, seed: int = 0, workers: int = 2
) -> tuple[Plan | None, str, float]:
    """Builds and solves the plain model: ``(plan or None, status name, wall seconds)``.

    ``time_limit`` bounds the whole call as far as possible: CP-SAT gets what is left after
    building the model, but at least :data:`MIN_SOLVE_SHARE` of it. The seconds returned
    cover building, solving and decoding. Status names are CP-SAT's in lower case
    (``optimal``, ``feasible``, ``infeasible``, ``unknown``), or ``"too large"`` (over
    :data:`MAX_BOOLEANS`, nothing built) or ``"unsupported"`` (a constraint kind the plain
    model lacks, or a session with ``keep_teams``).
    """
    if count_booleans(problem) > MAX_BOOLEANS:
        return None, "too large", 0.0
    if unsupported(problem):
        return None, "unsupported", 0.0
    started = time.perf_counter()
    model, x_index, presents = build_model(problem)
    built = time.perf_counter() - started

    solver, code, status = _run(model, time_limit, built, seed, workers)

    plan = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution = np.asarray(solver.response_proto.solution, dtype=np.int8)
        assignment = np.full((len(problem.sessions), problem.num_participants), -1, dtype=np.int32)
        for k, (index, present) in enumerate(zip(x_index, presents)):
            assignment[k, list(present)] = np.argmax(solution[index], axis=1)
        plan = Plan.from_assignment(problem, assignment)
    return plan, status, time.perf_counter() - started


# -- maximally diverse grouping ----------------------------------------------------------------
def mdgp_units(n: int, groups: int) -> int:
    """The size of the plain MDGP model: ``n x groups`` Booleans ``x[i, g]`` plus one
    Boolean ``w[i, j, g]`` per pair and group (each with two implications)."""
    return n * groups + n * (n - 1) // 2 * groups


def _integer_scale(values: np.ndarray) -> int:
    """The smallest power of ten (up to 10^6) that makes every value a whole number, or 10^6."""
    for digits in range(7):
        scaled = values * 10**digits
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return 10**digits
    return 10**6


def solve_mdgp(
    D: np.ndarray, bounds: list[tuple[int, int]], time_limit: float, seed: int = 0, workers: int = 1
) -> tuple[list[int] | None, str, float]:
    """The textbook pairwise CP-SAT model of maximally diverse grouping, built from the
    distance matrix and the size range of every group alone (no teamkit):
    ``(group of each element or None, status name, wall seconds)``.

    - ``x[i, g]``: element ``i`` is in group ``g``; every element in exactly one group;
      ``low_g <= sum_i x[i, g] <= high_g``;
    - ``w[i, j, g]`` for every pair ``i < j`` with ``d(i, j) != 0`` and every group, with
      ``w -> x[i, g]`` and ``w -> x[j, g]`` (and ``x[i, g] and x[j, g] -> w`` when
      ``d(i, j) < 0``, so that a negative distance cannot be dodged);
    - maximise ``sum d(i, j) w[i, j, g]``, distances scaled to whole numbers (the smallest
      power of ten that makes them whole, up to 10^6).

    No symmetry breaking and no hints. ``time_limit`` as in :func:`solve_plain` (building
    counts; CP-SAT gets at least :data:`MIN_SOLVE_SHARE` of it). Above
    :data:`MAX_BOOLEANS` units (:func:`mdgp_units`) nothing is built: ``"too large"``.
    """
    n, m = len(D), len(bounds)
    if mdgp_units(n, m) > MAX_BOOLEANS:
        return None, "too large", 0.0
    started = time.perf_counter()
    upper = D[np.triu_indices(n, 1)]
    scale = _integer_scale(upper)
    model = cp_model.CpModel()
    x = [[model.new_bool_var("") for _ in range(m)] for _ in range(n)]
    for row in x:
        model.add_exactly_one(row)
    for g, (low, high) in enumerate(bounds):
        model.add_linear_constraint(cp_model.LinearExpr.sum([x[i][g] for i in range(n)]), low, high)
    terms: list = []
    coefficients: list[int] = []
    for i in range(n):
        for j in range(i + 1, n):
            d = round(float(D[i, j]) * scale)
            if d == 0:
                continue
            for g in range(m):
                w = model.new_bool_var("")
                model.add_implication(w, x[i][g])
                model.add_implication(w, x[j][g])
                if d < 0:
                    model.add_bool_or([w, ~x[i][g], ~x[j][g]])
                terms.append(w)
                coefficients.append(d)
    model.maximize(cp_model.LinearExpr.weighted_sum(terms, coefficients))
    built = time.perf_counter() - started

    solver, code, status = _run(model, time_limit, built, seed, workers)
    groups = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        groups = [next(g for g in range(m) if solver.boolean_value(x[i][g])) for i in range(n)]
    return groups, status, time.perf_counter() - started
