"""Maximally diverse grouping: a session whose only rule is diversity from distances.

When the objective of a session is one or more :class:`~teamkit.Diversity` rules given by
distance matrices and nothing else (no other rule, no pin), forming its teams is the
maximally diverse grouping problem (MDGP): split the people into teams whose sizes lie in
their ranges so that the sum of the distances within the teams is as large as possible.
This module solves that problem on its own, faster and better than the general engine can,
whose terms must serve every rule.

The search
----------
*Evaluation* follows Lai & Hao, "Iterated maxima search for the maximally diverse grouping
problem" (European Journal of Operational Research 254(3), 2016): with ``G[i, g]``, the sum of
the distances from person ``i`` to the members of team ``g``, moving ``i`` from team ``a`` to
``b`` gains ``G[i, b] - G[i, a]`` and swapping ``i`` (in ``a``) with ``j`` (in ``b``) gains
``G[i, b] - G[i, a] + G[j, a] - G[j, b] - 2 d(i, j)``, each in O(1). After a move only the two
columns of ``G`` of the teams involved change. Here the whole swap neighbourhood is one
vectorised expression: people are kept in an order where every team is a contiguous block,
so the ``n x n`` matrix of swap gains is a row gather of the move gains plus their repeat
along the columns, minus ``2 D`` in that order; a move keeps the order by exchanging two rows
and columns.

*Search* is a tabu search over that neighbourhood, kicked by random swaps when it stalls: the
iterated tabu search that Palubeckis, Karčiauskas & Riškus compared on this problem
("Comparative performance of three metaheuristic approaches for the maximally diverse
grouping problem", Information Technology and Control 40(4), 2011), over the "one-move" and
"swap" neighbourhoods of Lai & Hao. Each iteration takes the best swap whose people are not
tabu (or any swap that beats the best plan found), and makes both people tabu for a few
iterations; a one-move (which changes team sizes) is taken only when it improves the plan.
After ``25 n`` iterations without a better plan, ``0.2 n`` random swaps start a new episode
from where the search stands, with a tenure drawn anew. The best plan is finally polished by
steepest ascent over both neighbourhoods. Lai & Hao's maxima search (a descent between weak
random perturbations, restarted by strong ones) was measured here too: with numpy, where one
evaluation of the whole neighbourhood costs about as much as a few moves, the tabu search
gets more from each evaluation, since every evaluation yields a move, and it ended 0.1-0.3 %
higher at n = 120 in the same time. Restarts from the best plan or from an elite of the
episodes' best, a solution-based tabu list, and a crossover of elite plans (in the manner of
memetic algorithms) did no better in the same number of iterations.

*Sizes.* With team sizes in ranges, a random plan has on average ``d * sum_g s_g (s_g - 1) / 2``
where ``d`` is the mean distance, so the search starts from the sizes with the most pairs
within teams (an exact dynamic programme over the teams), and swaps keep them; improving
one-moves still change them where the distances say so.

*Budget.* The search runs a number of iterations fixed in advance from the time it is given
(``seconds``), so that the same problem, seed and time limit give the same plan; the wall
clock only cuts it short on a slower or busy machine. It also stops once the best plan has
not improved for a long while (:func:`patience_to_stop`): small problems converge in a
fraction of a second and leave the rest of the time to CP-SAT, which can prove optimality.

*Compiled.* Where numba is installed (the ``fast`` extra), :mod:`teamkit.engine._mdgp_kernel`
runs the walk between two kicks: the same tables, the same float32 ranking and first-best
tie-breaking, hence the same moves and the same plan for the same iterations, at a quarter of
the cost per iteration at n = 120 and half at 240 (numpy's dozen calls per iteration are gone,
and each pair is scored once). The budget then counts the compiled walk's iterations
(:func:`iteration_cost`), so a time limit buys more of them; kicks, tenures and the final
polish stay in numpy, shared by both walks.
"""

from __future__ import annotations

import numpy as np

from teamkit.constraints import Diversity
from teamkit.engine import clock, numba_kernels
from teamkit.engine.compiled import CompiledSession

#: Larger sessions go to the general engine: the search holds three ``n x n`` matrices and
#: evaluates all ``n^2 / 2`` swaps at every step.
MAX_PEOPLE = 2000

#: Seconds of one iteration, ``COST_FIXED + COST_PER_PAIR * n^2``, measured on a 2-core AMD
#: EPYC (27-28 us at n = 120, 47-51 us at 240, 507 us at 960): the iteration budget is the
#: time given divided by this, times ``BUDGET_SHARE``.
COST_FIXED = 21e-6
COST_PER_PAIR = 0.52e-9
#: The same for the compiled walk (:func:`compiled_walk`), measured on the same machine
#: (7.4 us at n = 120, 28 us at 240, 111 us at 480, 380 us at 960).
COMPILED_COST_FIXED = 1e-6
COMPILED_COST_PER_PAIR = 0.46e-9
#: Seconds set aside, out of the time given, for loading the compiled walk from numba's
#: cache on the first call in a process (0.37 s measured there, numba's import included). Set
#: aside on every call, loaded or not, so that a plan does not depend on what ran before it in
#: the process. Compiling the walk, once per install or after an upgrade, takes about 3 s more.
COMPILED_LOAD = 0.4
#: Share of the time given that the fixed budget is meant to fill on that machine; the rest
#: absorbs noise, so that the budget, not the clock, ends a run there.
BUDGET_SHARE = 0.9
#: Seconds of walking between two looks at the clock (and at Ctrl-C).
CLOCK_EVERY = 0.01

_NEG = -np.inf


def applies(cs: CompiledSession) -> bool:
    """Whether session ``cs`` is a pure MDGP: every rule a diversity over a distance matrix,
    at least one of them, and no more people than :data:`MAX_PEOPLE`."""
    if not cs.constraints or cs.m < 2 or cs.m > MAX_PEOPLE or cs.num_teams < 2:
        return False
    return all(isinstance(cc.constraint, Diversity) and "matrix" in cc.data for cc in cs.constraints)


def distance_matrix(cs: CompiledSession) -> np.ndarray:
    """The weighted sum of the session's distance matrices (people in the session's order)."""
    D = np.zeros((cs.m, cs.m))
    for cc in cs.constraints:
        D += cc.constraint.weight * np.asarray(cc.data["matrix"], dtype=float)
    return D


def iteration_cost(n: int, compiled: bool) -> float:
    """Seconds of one iteration for ``n`` people on the reference machine (see
    :data:`COST_FIXED`), for the compiled walk or the numpy one."""
    if compiled:
        return COMPILED_COST_FIXED + COMPILED_COST_PER_PAIR * n * n
    return COST_FIXED + COST_PER_PAIR * n * n


def iteration_budget(n: int, seconds: float, compiled: bool | None = None) -> int:
    """Iterations that fill ``BUDGET_SHARE`` of ``seconds`` for ``n`` people on the reference
    machine, with the walk :func:`search` runs (compiled where it can be, by default)."""
    if compiled is None:
        compiled = compiled_walk() is not None
    if compiled:
        seconds = max(0.0, seconds - COMPILED_LOAD)
    return max(1, int(BUDGET_SHARE * seconds / iteration_cost(n, compiled)))


def patience_to_stop(n: int) -> int:
    """Iterations without a better plan after which the search is taken to have converged:
    a few thousand for ten people, far beyond the time limits of the benchmarks for a
    hundred or more."""
    return 2000 + 20 * n * n


def pair_sizes(n: int, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Team sizes within ``[low, high]`` adding up to ``n`` with the most pairs within teams,
    ``sum_g s_g (s_g - 1) / 2`` (a dynamic programme over the teams; ties go to the first
    size found, so the answer is the same every time)."""
    m = len(low)
    best = np.full((m + 1, n + 1), -1, dtype=np.int64)
    choice = np.zeros((m + 1, n + 1), dtype=np.int64)
    best[0, 0] = 0
    for g in range(m):
        for total in np.flatnonzero(best[g] >= 0):
            for s in range(int(low[g]), int(min(high[g], n - total)) + 1):
                pairs = best[g, total] + s * (s - 1) // 2
                if pairs > best[g + 1, total + s]:
                    best[g + 1, total + s] = pairs
                    choice[g + 1, total + s] = s
    if best[m, n] < 0:
        raise ValueError(f"{n} people do not fit team sizes between {low.tolist()} and {high.tolist()}")
    sizes = np.zeros(m, dtype=np.int64)
    total = n
    for g in range(m, 0, -1):
        sizes[g - 1] = choice[g, total]
        total -= sizes[g - 1]
    return sizes


def random_plan(sizes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A team for each person, uniformly at random with exactly ``sizes[g]`` in team ``g``."""
    return rng.permutation(np.repeat(np.arange(len(sizes)), sizes))


class Grouping:
    """A plan of one MDGP with the tables that make its moves cheap.

    Element space: ``group[i]``, ``size[g]``, ``G[i, g]`` (float64, exact sums) and ``value``.
    Position space: ``elem[p]`` (who sits at position ``p``) and ``pos[i]`` order people so
    that team ``g`` fills positions ``start[g]`` to ``start[g + 1] - 1``; ``Dp2`` is
    ``-2 D`` in that order (float32: it only ranks moves; values are kept in float64).
    """

    def __init__(self, D: np.ndarray, low: np.ndarray, high: np.ndarray, group: np.ndarray) -> None:
        self.D = np.ascontiguousarray(D, dtype=float)
        self.n, self.m = len(D), len(low)
        self.low = np.asarray(low, dtype=np.int64)
        self.high = np.asarray(high, dtype=np.int64)
        self.flexible = bool(np.any(self.low < self.high))
        self.idx = np.arange(self.n)
        self.S = np.empty((self.n, self.n), dtype=np.float32)
        self.reset(group)

    def reset(self, group: np.ndarray) -> None:
        """Starts over from ``group``, rebuilding every table."""
        n, m = self.n, self.m
        self.group = np.asarray(group, dtype=np.int64).copy()
        self.size = np.bincount(self.group, minlength=m).astype(np.int64)
        onehot = np.zeros((n, m))
        onehot[self.idx, self.group] = 1.0
        self.G = self.D @ onehot
        self.value = 0.5 * float(self.G[self.idx, self.group].sum())
        self.elem = np.argsort(self.group, kind="stable")
        self.pos = np.empty(n, dtype=np.int64)
        self.pos[self.elem] = self.idx
        self.start = np.concatenate([[0], np.cumsum(self.size)]).astype(np.int64)
        self.block = np.repeat(np.arange(m), self.size)
        self.Dp2 = (-2.0 * self.D[np.ix_(self.elem, self.elem)]).astype(np.float32)

    # -- moves -------------------------------------------------------------------------------
    def _exchange(self, p: int, q: int) -> None:
        """Exchanges the people at positions ``p`` and ``q`` (position space only)."""
        if p == q:
            return
        i, j = self.elem[p], self.elem[q]
        self.elem[p], self.elem[q] = j, i
        self.pos[i], self.pos[j] = q, p
        # Plain slices: an order of magnitude cheaper than fancy indexing here.
        Dp2 = self.Dp2
        row = Dp2[p].copy()
        Dp2[p] = Dp2[q]
        Dp2[q] = row
        col = Dp2[:, p].copy()
        Dp2[:, p] = Dp2[:, q]
        Dp2[:, q] = col

    def _shift(self, i: int, a: int, b: int) -> None:
        """Person ``i`` leaves team ``a`` for ``b``: ``G`` and ``value`` follow."""
        G = self.G
        self.value += float(G[i, b] - G[i, a])
        row = self.D[i]
        G[:, a] -= row
        G[:, b] += row
        self.group[i] = b

    def swap(self, i: int, j: int) -> None:
        """Swaps ``i`` and ``j`` (in different teams)."""
        a, b = int(self.group[i]), int(self.group[j])
        self._shift(i, a, b)
        self._shift(j, b, a)
        self._exchange(int(self.pos[i]), int(self.pos[j]))

    def move(self, i: int, b: int) -> None:
        """Moves ``i`` to team ``b``; in position space ``i`` walks block by block to ``b``,
        each block passing one position on to its neighbour."""
        a = int(self.group[i])
        self._shift(i, a, b)
        self.size[a] -= 1
        self.size[b] += 1
        p = int(self.pos[i])
        start = self.start
        if a < b:
            for g in range(a, b):
                last = int(start[g + 1]) - 1
                self._exchange(p, last)
                p = last
                start[g + 1] -= 1
        else:
            for g in range(a, b, -1):
                first = int(start[g])
                self._exchange(p, first)
                p = first
                start[g] += 1
        self.block = np.repeat(np.arange(self.m), self.size)

    # -- evaluation --------------------------------------------------------------------------
    def gains(self, tabu: np.ndarray, with_moves: bool = True) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Evaluates every swap and one-move at once.

        Fills ``S`` (position space) with the gain of every swap, ``-inf`` for people of one
        team and for the rows and columns of the ``tabu`` people:
        ``S[p, q] = M[q, t_p] + M[p, t_q] - 2 D[p, q]``, with ``M`` the move gains in
        position order and ``t`` the team of each position, so the first term is a row
        gather of ``M`` transposed and the second a repeat of ``M`` along the team blocks.

        Returns the true swap gains of the tabu people's rows (for the aspiration test), or
        ``None`` without tabu people; and, when sizes may vary and ``with_moves``, the
        ``(n, m)`` gains of the one-moves the size ranges allow (``-inf`` elsewhere and for
        tabu people), or ``None``.
        """
        g = self.group
        gain64 = self.G - self.G[self.idx, g][:, None]
        moves = None
        if self.flexible and with_moves:
            leave = self.size[g] > self.low[g]
            join = self.size < self.high
            moves = np.where(leave[:, None] & join[None, :], gain64, _NEG)
            moves[self.idx, g] = _NEG
            moves[tabu] = _NEG
        M = gain64.astype(np.float32)
        M[self.idx, g] = _NEG  # a swap within a team is no swap
        M = M[self.elem]
        S = self.S
        np.take(np.ascontiguousarray(M.T), self.block, axis=0, out=S)
        S += np.repeat(M, self.size, axis=1)
        S += self.Dp2
        rows = None
        if len(tabu):
            # Few numpy calls matter more than a few thousand numbers at these sizes.
            tp = self.pos[tabu]
            rows = S[tp]
            S[tp] = _NEG
            S[:, tp] = _NEG
        return rows, moves

    def random_swap(self, rng: np.random.Generator) -> None:
        """Swaps two people drawn at random from different teams."""
        i = int(rng.integers(self.n))
        j = int(rng.integers(self.n))
        while self.group[j] == self.group[i]:
            j = int(rng.integers(self.n))
        self.swap(i, j)


#: Tabu tenure, as a share of the people: each swap makes both people tabu for ``n / 40`` to
#: ``n / 15`` iterations (about a tenth of them tabu at a time), times a factor drawn anew for
#: every episode from ``TENURE_FACTORS``. Instances differ in the tenure they like best
#: (measured on MDGPLIB at n = 120: equal sizes gain from 1, unequal ones from 1.5), and the
#: episodes are independent enough that a mix does nearly as well as the better of the two.
TENURE_FACTORS = (1.0, 1.5)
#: An episode ends after ``RESTART_AFTER * n`` iterations without a better plan, with
#: ``KICK * n`` random swaps from where the search stands (measured: 0.2 n beats 0.1 n by
#: about 0.1 % at n = 240, and 0.3 n or restarts from the best or from an elite do worse).
RESTART_AFTER = 25
KICK = 0.2
#: One-moves (which change team sizes) are evaluated every this many iterations: the start
#: already has the sizes with the most pairs, so they rarely help, and every evaluation costs.
MOVE_EVERY = 4


def _tenures(n: int, factor: float, rng: np.random.Generator) -> np.ndarray:
    """A stock of random tenures for ``n`` people (see :data:`TENURE_FACTORS`); small
    sessions get at least a move or two, but never most of their people."""
    low = max(1, int(factor * min(n // 40, n // 8)))
    high = max(low + 1, int(factor * min(n // 15, n // 4)))
    return rng.integers(low, high + 1, size=4096)


def polish(state: Grouping, eps: float) -> None:
    """Steepest ascent with swaps and one-moves until neither improves: every plan returned
    is a local optimum of both neighbourhoods."""
    n, none = state.n, np.zeros(0, dtype=np.int64)
    while True:
        _, moves = state.gains(none, with_moves=True)
        k = int(state.S.argmax())
        gain = float(state.S.flat[k])
        if moves is not None and float(moves.max()) > gain:
            i, b = divmod(int(moves.argmax()), state.m)
            if float(moves[i, b]) <= eps:
                return
            state.move(i, b)
            continue
        if gain <= eps:
            return
        p, q = divmod(k, n)
        state.swap(int(state.elem[p]), int(state.elem[q]))


def compiled_walk():
    """The compiled tabu walk (:mod:`teamkit.engine._mdgp_kernel`), or ``None`` where numba
    is not installed, fails to load, or ``TEAMKIT_NUMBA=0`` turns it off; loaded once."""
    return numba_kernels.load("_mdgp_kernel")


#: Why a walk returned (the values of :mod:`teamkit.engine._mdgp_kernel`): the iterations
#: asked for are done, the episode stalled (the caller kicks), or the search converged.
_DONE, _STALLED, _CONVERGED = 0, 1, 2


def _walk_numpy(
    state: Grouping,
    until: np.ndarray,
    tenures: np.ndarray,
    best: np.ndarray,
    it: int,
    end: int,
    best_value: float,
    last_gain: int,
    stale: int,
    patience: int,
    restart_after: int,
    eps: float,
) -> tuple[int, float, int, int, int]:
    """Iterations ``it`` to ``end`` of the tabu walk, in numpy: the reference that the
    compiled walk must match move for move.

    ``until[i]`` is the first iteration at which person ``i`` is no longer tabu, ``tenures``
    the stock of tenures, ``best`` (written in place) the best plan so far, worth
    ``best_value``, last improved at iteration ``last_gain``, and ``stale`` the iterations
    of this episode without a better plan. Returns ``(it, best_value, last_gain, stale, why)``
    with ``it`` the next iteration, and ``why`` one of ``_DONE``, ``_STALLED`` (more than
    ``restart_after`` stale iterations) and ``_CONVERGED`` (``patience`` exceeded).
    """
    n, S = state.n, state.S
    while it <= end:
        if it - last_gain > patience:
            return it, best_value, last_gain, stale, _CONVERGED
        tabu = np.flatnonzero(until > it)
        rows, moves = state.gains(tabu, with_moves=it % MOVE_EVERY == 0)
        need = best_value - state.value + eps  # the gain that would beat the best plan
        i = j = b = -1
        gain = _NEG
        if rows is not None:
            k = int(rows.argmax())
            if float(rows.flat[k]) > need:  # aspiration: a tabu swap that beats the best
                r, q = divmod(k, n)
                gain, i, j = float(rows.flat[k]), int(tabu[r]), int(state.elem[q])
        if i < 0:
            k = int(S.argmax())
            p, q = divmod(k, n)
            gain, i, j = float(S.flat[k]), int(state.elem[p]), int(state.elem[q])
        if moves is not None:
            k = int(moves.argmax())
            if moves.flat[k] > max(gain, eps):  # sizes change only for the better
                gain = float(moves.flat[k])
                i, b = divmod(k, state.m)
                j = -1
        if gain == _NEG:
            # Every swap is tabu (a handful of people): forget the tabu list.
            until[:] = 0
            it += 1
            continue
        tenure = int(tenures[it % len(tenures)])
        if j >= 0:
            state.swap(i, j)
            until[j] = it + tenure
        else:
            state.move(i, b)
        until[i] = it + tenure
        if state.value > best_value + eps:
            best[:] = state.group
            best_value = state.value
            last_gain = it
            stale = 0
        else:
            stale += 1
        it += 1
        if stale > restart_after:
            return it, best_value, last_gain, stale, _STALLED
    return it, best_value, last_gain, stale, _DONE


def _walk_compiled(
    state: Grouping, until, tenures, best, it, end, best_value, last_gain, stale, patience, restart_after, eps
):
    """:func:`_walk_numpy`, run by the compiled kernel on the same tables."""
    kernel = compiled_walk()
    it, state.value, best_value, last_gain, stale, why = kernel.walk(
        state.D, state.Dp2, state.G, state.group, state.size, state.low, state.high, state.elem, state.pos,
        state.start, state.block, until, tenures, best, it, end, state.value, best_value, last_gain, stale,
        patience, restart_after, eps, state.flexible, MOVE_EVERY,
    )  # fmt: skip
    return it, best_value, last_gain, stale, why


def search(
    D: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    rng: np.random.Generator,
    *,
    iterations: int,
    deadline: float = float("inf"),
    start: np.ndarray | None = None,
    patience: int | None = None,
    compiled: bool | None = None,
) -> np.ndarray:
    """The best plan found by the iterated tabu search (see the module docstring).

    Args:
        D: symmetric ``n x n`` distances, zero diagonal.
        low, high: the size range of each team.
        rng: all randomness comes from it.
        iterations: the budget; with the same arguments the same plan comes back.
        deadline: a ``time.monotonic()`` instant that cuts the search short.
        start: a first plan (team of each person, sizes within range); random if ``None``.
        patience: iterations without a better plan before stopping (default
            :func:`patience_to_stop`).
        compiled: run the walk compiled (``True``; needs numba), in numpy (``False``), or
            compiled where it can be (``None``). Both make the same moves.

    Returns:
        The team of each person.
    """
    D = np.asarray(D, dtype=float)
    D = 0.5 * (D + D.T)  # exactly symmetric: the walks rely on it to rank swaps alike
    n = len(D)
    low = np.asarray(low, dtype=np.int64)
    high = np.asarray(high, dtype=np.int64)
    if compiled is None:
        compiled = compiled_walk() is not None
    elif compiled and compiled_walk() is None:
        raise RuntimeError("the compiled search needs numba: pip install 'teamkit[fast]'")
    walk = _walk_compiled if compiled else _walk_numpy
    if start is None:
        start = random_plan(pair_sizes(n, low, high), rng)
    state = Grouping(D, low, high, start)
    if patience is None:
        patience = patience_to_stop(n)
    restart_after = RESTART_AFTER * n
    kicks = max(2, int(KICK * n))
    # Improvements smaller than this are rounding (float32 ranks the moves).
    eps = 1e-6 * max(1.0, float(np.abs(D).max()))
    tenures = _tenures(n, TENURE_FACTORS[0], rng)
    until = np.zeros(n, dtype=np.int64)
    best = state.group.copy()
    best_value = state.value
    last_gain = 0
    stale = 0
    # The clock is read between chunks of about CLOCK_EVERY seconds of walking.
    chunk = max(1, int(CLOCK_EVERY / iteration_cost(n, compiled)))
    it = 1
    while it <= iterations and not clock.expired(deadline):
        end = min(iterations, it + chunk - 1)
        it, best_value, last_gain, stale, why = walk(
            state, until, tenures, best, it, end, best_value, last_gain, stale, patience, restart_after, eps
        )
        if why == _CONVERGED:
            break
        if why == _STALLED:
            # The episode has stalled: a random kick from where the search stands (not from
            # the best: the walk finds more), tabu list cleared, a new tenure factor.
            stale = 0
            for _ in range(kicks):
                state.random_swap(rng)
            until[:] = 0
            tenures = _tenures(n, TENURE_FACTORS[int(rng.integers(len(TENURE_FACTORS)))], rng)
    state.reset(best)
    polish(state, eps)
    return state.group.copy()


def solve_session(
    cs: CompiledSession,
    rng: np.random.Generator,
    deadline: float,
    seconds: float | None = None,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """The teams of a pure MDGP session (:func:`applies`): the team of each person present.

    ``seconds`` is the session's share of the time limit: the iteration budget comes from
    it, so that runs repeat; without it, from the time left until ``deadline``.
    """
    D = distance_matrix(cs)
    if seconds is None:
        seconds = max(0.0, clock.left(deadline))
    if start is not None:
        sizes = np.bincount(start, minlength=cs.num_teams)
        if np.any(sizes < cs.low) or np.any(sizes > cs.high):
            start = None
    return search(D, cs.low, cs.high, rng, iterations=iteration_budget(cs.m, seconds), deadline=deadline, start=start)
