"""The search for maximally diverse grouping (teamkit.engine.mdgp): move and swap gains
against objectives recomputed from scratch, determinism, time limits, size ranges, the
exact optima of the small MDGPLIB instances, and the routing from ``teamkit.solve``."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import teamkit as tk
from teamkit.engine import mdgp, numba_kernels
from teamkit.engine.compiled import compile_session
from teamkit.io.mdgp import mdgp_problem, read_mdgp

from .helpers import MDGP_DATA, MDGP_OPTIMA, solve_and_check

DATA = MDGP_DATA
OPTIMA = MDGP_OPTIMA


def diversity_from_scratch(D: np.ndarray, group: np.ndarray) -> float:
    """Sum of D over pairs i < j in one group, by a double loop (no shared code)."""
    n = len(group)
    return sum(float(D[i, j]) for i in range(n) for j in range(i + 1, n) if group[i] == group[j])


@st.composite
def instances(draw, max_people: int = 9, negative: bool = False):
    """A small symmetric distance matrix, size ranges that fit, and a plan within them."""
    n = draw(st.integers(3, max_people))
    m = draw(st.integers(2, min(4, n)))
    low_value = -5 if negative else 0
    values = draw(st.lists(st.integers(low_value, 20), min_size=n * n, max_size=n * n))
    D = np.array(values, dtype=float).reshape(n, n)
    D = np.triu(D, 1)
    D = D + D.T
    # sizes: a random plan first, then ranges around its sizes
    group = np.array(draw(st.lists(st.integers(0, m - 1), min_size=n, max_size=n)))
    group[:m] = np.arange(m)  # every group used
    sizes = np.bincount(group, minlength=m)
    low = np.array([max(1, s - draw(st.integers(0, 2))) for s in sizes])
    high = np.array([s + draw(st.integers(0, 2)) for s in sizes])
    return D, low, high, group


def check_tables(g: mdgp.Grouping) -> None:
    """Every table of a Grouping against a fresh one built from its plan."""
    fresh = mdgp.Grouping(g.D, g.low, g.high, g.group)
    assert np.allclose(g.G, fresh.G)
    assert g.value == pytest.approx(diversity_from_scratch(g.D, g.group), abs=1e-9)
    assert np.array_equal(g.size, np.bincount(g.group, minlength=g.m))
    # position space: teams are contiguous blocks and Dp2 is -2 D in that order
    assert np.array_equal(g.pos[g.elem], np.arange(g.n))
    assert np.array_equal(g.group[g.elem], g.block)
    assert np.array_equal(g.start, np.concatenate([[0], np.cumsum(g.size)]))
    assert np.allclose(g.Dp2, -2.0 * g.D[np.ix_(g.elem, g.elem)])


@settings(max_examples=60, deadline=None)
@given(instances(negative=True), st.data())
def test_swap_gain_is_the_change_of_the_objective(instance, data):
    D, low, high, group = instance
    g = mdgp.Grouping(D, low, high, group)
    g.gains(np.zeros(0, dtype=np.int64))
    i = data.draw(st.integers(0, g.n - 1))
    others = np.flatnonzero(g.group != g.group[i])
    j = int(others[data.draw(st.integers(0, len(others) - 1))])
    predicted = float(g.S[g.pos[i], g.pos[j]])
    assert predicted == pytest.approx(float(g.S[g.pos[j], g.pos[i]]), abs=1e-4)
    before = diversity_from_scratch(D, g.group)
    g.swap(i, j)
    after = diversity_from_scratch(D, g.group)
    assert after - before == pytest.approx(predicted, abs=1e-3)  # S is float32
    check_tables(g)


@settings(max_examples=60, deadline=None)
@given(instances(negative=True), st.data())
def test_move_gain_is_the_change_of_the_objective(instance, data):
    D, low, high, group = instance
    g = mdgp.Grouping(D, low, high, group)
    _, moves = g.gains(np.zeros(0, dtype=np.int64))
    allowed = np.argwhere(np.isfinite(moves)) if moves is not None else np.zeros((0, 2))
    if not len(allowed):
        # Fixed sizes (or none may change): no one-move is offered, and none is legal.
        sizes = np.bincount(g.group, minlength=g.m)
        assert not any(sizes[a] > low[a] and sizes[b] < high[b] for a in range(g.m) for b in range(g.m) if a != b)
        return
    i, b = (int(x) for x in allowed[data.draw(st.integers(0, len(allowed) - 1))])
    before = diversity_from_scratch(D, g.group)
    g.move(i, b)
    assert diversity_from_scratch(D, g.group) - before == pytest.approx(float(moves[i, b]), abs=1e-9)
    assert np.all(g.size >= low) and np.all(g.size <= high)
    check_tables(g)


@settings(max_examples=30, deadline=None)
@given(instances(), st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100), st.booleans()), max_size=25))
def test_tables_stay_exact_over_many_moves(instance, steps):
    D, low, high, group = instance
    g = mdgp.Grouping(D, low, high, group)
    for a, b, is_move in steps:
        i = a % g.n
        if is_move:
            t = b % g.m
            if t != g.group[i] and g.size[g.group[i]] > low[g.group[i]] and g.size[t] < high[t]:
                g.move(i, t)
        else:
            j = b % g.n
            if g.group[i] != g.group[j]:
                g.swap(i, j)
    check_tables(g)


def test_tabu_rows_are_masked_and_their_true_gains_returned():
    D, bounds = read_mdgp(DATA / "RanReal_n012_ds_01.txt")
    low, high = (np.array(b) for b in zip(*bounds))
    g = mdgp.Grouping(D, low, high, mdgp.random_plan(mdgp.pair_sizes(12, low, high), np.random.default_rng(1)))
    g.gains(np.zeros(0, dtype=np.int64))
    free = g.S.copy()
    tabu = np.array([3, 7])
    rows, moves = g.gains(tabu)
    assert np.allclose(rows, free[g.pos[tabu]])
    assert np.all(np.isneginf(g.S[g.pos[tabu]])) and np.all(np.isneginf(g.S[:, g.pos[tabu]]))
    assert np.all(np.isneginf(moves[tabu]))
    same = g.group[g.elem][:, None] == g.group[g.elem][None, :]
    assert np.all(np.isneginf(free[same]))  # no swap within a team


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), min_size=1, max_size=5), st.integers(1, 20))
def test_pair_sizes_is_the_best_split(ranges, n):
    low = np.array([a for a, _ in ranges])
    high = low + np.array([w for _, w in ranges])
    options = [range(a, b + 1) for a, b in zip(low, high)]
    splits = [s for s in itertools.product(*options) if sum(s) == n]
    if not splits:
        with pytest.raises(ValueError):
            mdgp.pair_sizes(n, low, high)
        return
    sizes = mdgp.pair_sizes(n, low, high)
    assert sizes.sum() == n and np.all(sizes >= low) and np.all(sizes <= high)
    best = max(sum(s * (s - 1) // 2 for s in split) for split in splits)
    assert sum(int(s) * (int(s) - 1) // 2 for s in sizes) == best


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_search_reaches_the_exact_optimum(name):
    D, bounds = read_mdgp(DATA / f"{name}.txt")
    low, high = (np.array(b) for b in zip(*bounds))
    group = mdgp.search(D, low, high, np.random.default_rng(0), iterations=20000)
    sizes = np.bincount(group, minlength=len(bounds))
    assert np.all(sizes >= low) and np.all(sizes <= high)
    assert diversity_from_scratch(D, group) == pytest.approx(OPTIMA[name], abs=0.006)


def test_same_seed_same_groups():
    D, bounds = read_mdgp(DATA / "RanReal_n012_ds_01.txt")
    low, high = (np.array(b) for b in zip(*bounds))
    rng = np.random.default_rng(7)
    big = rng.random((40, 40)) * 10
    big = np.triu(big, 1) + np.triu(big, 1).T
    for matrix, lo, hi in ((D, low, high), (big, np.full(5, 6), np.full(5, 10))):
        runs = [mdgp.search(matrix, lo, hi, np.random.default_rng(3), iterations=3000) for _ in range(2)]
        assert np.array_equal(runs[0], runs[1])
    problem = mdgp_problem(DATA / "Geo_n012_ds_01.txt")
    a = tk.solve(problem, time_limit=10, seed=4)
    b = tk.solve(problem, time_limit=10, seed=4)
    assert a.plan == b.plan and a.objective == b.objective


needs_numba = pytest.mark.skipif(
    mdgp.compiled_walk() is None, reason="no compiled walk: numba is not installed, or TEAMKIT_NUMBA=0"
)


@needs_numba
@settings(max_examples=40, deadline=None)
@given(
    st.integers(4, 36),
    st.integers(2, 7),
    st.integers(0, 3),
    st.booleans(),
    st.integers(1, 2500),
    st.integers(0, 2**16),
)
def test_compiled_walk_makes_the_same_moves_as_numpy(n, m, slack, integral, iterations, seed):
    # The compiled walk must return, for any instance, budget and seed, the plan of the numpy
    # walk: same ranking of swaps (float32, first best), aspiration, one-moves, tabu, kicks.
    # Up to 36 people and 2,500 iterations, episodes stall (after 25 n) and are kicked.
    m = min(m, n // 2)
    rng = np.random.default_rng(seed)
    D = rng.integers(-3, 20, size=(n, n)).astype(float) if integral else rng.normal(5.0, 3.0, size=(n, n))
    D = np.triu(D, 1)
    D = D + D.T
    sizes = np.full(m, n // m)
    sizes[: n % m] += 1
    low, high = np.maximum(1, sizes - slack), sizes + slack
    runs = [
        mdgp.search(D, low, high, np.random.default_rng(seed), iterations=iterations, compiled=compiled)
        for compiled in (False, True)
    ]
    assert np.array_equal(runs[0], runs[1])
    counts = np.bincount(runs[1], minlength=m)
    assert np.all(counts >= low) and np.all(counts <= high)


@needs_numba
def test_compiled_walk_matches_on_an_mdgplib_instance():
    # A real instance, long enough for many episodes, ties among integer distances included.
    D, bounds = read_mdgp(DATA / "RanInt_n012_ds_01.txt")
    rng = np.random.default_rng(11)
    big = rng.integers(0, 100, size=(90, 90)).astype(float)
    big = np.triu(big, 1) + np.triu(big, 1).T
    for matrix, low, high, iterations in (
        (D, *(np.array(b) for b in zip(*bounds)), 4000),
        (big, np.full(9, 8), np.full(9, 12), 6000),
    ):
        runs = [
            mdgp.search(matrix, low, high, np.random.default_rng(5), iterations=iterations, compiled=compiled)
            for compiled in (False, True)
        ]
        assert np.array_equal(runs[0], runs[1])
    kernel = mdgp.compiled_walk()
    assert (kernel.DONE, kernel.STALLED, kernel.CONVERGED) == (mdgp._DONE, mdgp._STALLED, mdgp._CONVERGED)


def test_numpy_walk_where_numba_is_missing_or_turned_off(monkeypatch):
    monkeypatch.setitem(numba_kernels._loaded, "_mdgp_kernel", None)  # as if numba failed to load
    assert mdgp.compiled_walk() is None
    D, two = np.ones((4, 4)) - np.eye(4), np.full(2, 2)
    with pytest.raises(RuntimeError, match="needs numba"):
        mdgp.search(D, two, two, np.random.default_rng(0), iterations=5, compiled=True)
    group = mdgp.search(D, two, two, np.random.default_rng(0), iterations=5)
    assert np.array_equal(np.bincount(group), [2, 2])
    # The budget follows the walk that runs: the numpy one's is smaller, nothing set aside.
    assert mdgp.iteration_budget(120, 3.0) == mdgp.iteration_budget(120, 3.0, compiled=False)
    monkeypatch.delitem(numba_kernels._loaded, "_mdgp_kernel", raising=False)
    monkeypatch.setenv("TEAMKIT_NUMBA", "0")
    assert mdgp.compiled_walk() is None


def test_compiled_budget_sets_aside_the_load_and_runs_more_iterations():
    compiled, plain = (mdgp.iteration_budget(120, 3.0, compiled=c) for c in (True, False))
    assert compiled == int(mdgp.BUDGET_SHARE * (3.0 - mdgp.COMPILED_LOAD) / mdgp.iteration_cost(120, True))
    assert compiled > 3 * plain
    assert mdgp.iteration_budget(120, 0.1, compiled=True) == 1  # the load takes it all


def test_deadline_cuts_the_search_short():
    rng = np.random.default_rng(0)
    D = rng.random((150, 150))
    D = np.triu(D, 1) + np.triu(D, 1).T
    started = time.monotonic()
    group = mdgp.search(D, np.full(10, 15), np.full(10, 15), rng, iterations=10**9, deadline=started + 0.3)
    # Loose: only that the deadline is looked at, not how fast the machine is.
    assert time.monotonic() - started < 10.0
    assert np.array_equal(np.bincount(group, minlength=10), np.full(10, 15))


def test_solve_honours_the_time_limit_and_the_checker_agrees():
    rng = np.random.default_rng(5)
    big = rng.integers(0, 100, size=(120, 120)).astype(float)
    big = np.triu(big, 1) + np.triu(big, 1).T
    m = tk.Model()
    for i in range(120):
        m.add_participant(f"e{i}")
    m.add_session("groups", team_sizes=[(9, 14)] * 10)
    m.add_constraint(tk.Diversity(distances=big))
    problem = m.data()
    started = time.monotonic()
    result, report = solve_and_check(problem, time_limit=1.0, seed=0)
    assert time.monotonic() - started < 1.0 + 5.0  # loose: noisy machines
    assert result.feasible and report.feasible
    sizes = [len(t.members) for t in result.plan.sessions[0].teams]
    assert all(9 <= s <= 14 for s in sizes) and sum(sizes) == 120
    # the positive MDGP value, recomputed here from the groups
    groups = np.zeros(120, dtype=int)
    for t in result.plan.sessions[0].teams:
        for member in t.members:
            groups[int(member[1:])] = t.number - 1
    assert -result.objective == pytest.approx(diversity_from_scratch(big, groups))


@settings(max_examples=15, deadline=None)
@given(instances(max_people=14, negative=True), st.integers(0, 3))
def test_solve_keeps_size_ranges_and_every_plan_verifies(instance, seed):
    D, low, high, _ = instance
    m = tk.Model()
    for i in range(len(D)):
        m.add_participant(f"e{i}")
    m.add_session("groups", team_sizes=list(zip(low.tolist(), high.tolist())))
    m.add_constraint(tk.Diversity(distances=D))
    problem = m.data()
    assert mdgp.applies(compile_session(problem, 0))
    result, report = solve_and_check(problem, time_limit=2.0, seed=seed)
    assert result.feasible and report.feasible
    sizes = [len(t.members) for t in result.plan.sessions[0].teams]
    assert all(a <= s <= b for s, a, b in zip(sizes, low, high))


@pytest.mark.parametrize("name", ["Geo_n010_ss_01", "RanReal_n012_ds_01"])
def test_solve_reaches_the_optimum_through_the_public_api(name):
    problem = mdgp_problem(DATA / f"{name}.txt")
    _, report = solve_and_check(problem, time_limit=5, seed=1)
    assert -report.objective == pytest.approx(OPTIMA[name], abs=0.006)


def test_routing_only_for_pure_distance_diversity():
    problem = mdgp_problem(DATA / "Geo_n012_ss_01.txt")
    assert mdgp.applies(compile_session(problem, 0))
    D = np.asarray(problem.constraints[0].distances)
    ids = [p.id for p in problem.participants]

    def variant(*extra: tk.Constraint, diversity: tk.Diversity | None = None) -> tk.ProblemData:
        m = tk.Model()
        for pid in ids:
            m.add_participant(pid, attributes={"unit": "ab"[int(pid[1:]) % 2]})
        m.add_session("groups", team_sizes=[(3, 3)] * 4)
        m.add_constraint(diversity or tk.Diversity(distances=D))
        for c in extra:
            m.add_constraint(c)
        return m.data()

    # Two matrices, weighted: still pure, their weighted sum is searched.
    two = variant(diversity=tk.Diversity(distances=D, weight=2.0))
    two = two.replace(constraints=[*two.constraints, tk.Diversity(distances=np.ones_like(D) - np.eye(len(D)))])
    cs = compile_session(two, 0)
    assert mdgp.applies(cs)
    assert np.allclose(mdgp.distance_matrix(cs), 2.0 * D + np.ones_like(D) - np.eye(len(D)))
    solve_and_check(two, time_limit=3)
    # Any other rule, or diversity over attributes, leaves the general engine in charge.
    apart = variant(tk.Apart(["e0", "e1"]))
    assert not mdgp.applies(compile_session(apart, 0))
    result, report = solve_and_check(apart, time_limit=3)
    assert report.feasible and result.plan.team_of("e0", "groups") != result.plan.team_of("e1", "groups")
    assert not mdgp.applies(compile_session(variant(tk.Pin("e0", team=2)), 0))
    assert not mdgp.applies(compile_session(variant(diversity=tk.Diversity(attributes=["unit"])), 0))
