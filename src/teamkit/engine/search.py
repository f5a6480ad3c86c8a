"""Construction and local search for one session.

1. *Stratified greedy dealing*: people are ordered by the attributes that must be spread or
   balanced (so that each value's people come one after another) and dealt one by one to the
   open team where they add the least hard penalty, preferring the emptiest team; this is
   the classic way to meet floor/ceiling balance for one attribute by construction and nearly
   for several.
2. *Tabu search* on the hard penalty: pick a violated team and a member in conflict, evaluate
   swapping them with a sample of people in other teams (vectorised, see ``terms``), take the
   best non-tabu move.
3. *Descent with restarts on the soft objective*, never breaking a hard constraint: the team
   with the largest soft penalty (or a random one) offers its members, the best improving
   swap or move is applied.

All randomness comes from one seeded generator and all budgets count iterations, so a run is
reproducible; the wall-clock deadline only cuts a run short.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

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
)
from teamkit.engine import clock, mdgp
from teamkit.engine.compiled import CompiledSession
from teamkit.engine.terms import (
    BalanceTerm,
    CostTerm,
    CoverTerm,
    MatrixTerm,
    NoIsolationTerm,
    NumericBalanceTerm,
    PairTerm,
    PinTerm,
    ReachTerm,
    SameValueTerm,
    SpreadSumTerm,
    SpreadTerm,
    State,
    Term,
)

EPS = 1e-9


#: Rounds of the tabu repair in a large session's search while hard violations are left.
REPAIR_ROUNDS = 4


def better(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether (hard, soft) score ``a`` beats ``b``: fewer hard violations first."""
    return a[0] < b[0] - EPS or (abs(a[0] - b[0]) <= EPS and a[1] < b[1] - EPS)


def build_terms(cs: CompiledSession, st: State) -> list[Term]:
    terms: list[Term] = []
    for cc in cs.constraints:
        c = cc.constraint
        if "cost" in cc.data:
            terms.append(CostTerm(cc, st))
        elif "cover" in cc.data:
            terms.append(CoverTerm(cc, st))
        elif isinstance(c, Spread):
            terms.append(SpreadTerm(cc, st))
        elif isinstance(c, Balance):
            terms.append(BalanceTerm(cc, st))
        elif isinstance(c, NoIsolation):
            terms.append(NoIsolationTerm(cc, st))
        elif isinstance(c, NumericBalance):
            terms.append(NumericBalanceTerm(cc, st))
        elif isinstance(c, Diversity):
            if "matrix" in cc.data:
                terms.append(MatrixTerm(cc, st))
            else:
                for cat in cc.data["cats"]:
                    terms.append(SameValueTerm(cc, st, cat))
                for x in cc.data["nums"]:
                    terms.append(SpreadSumTerm(cc, st, x))
        elif isinstance(c, (Together, Apart, Hierarchy, MeetAtMost, AvoidRepeats)):
            if len(cc.data["pairs"]):
                terms.append(PairTerm(cc, st, together=isinstance(c, Together)))
        elif isinstance(c, Pin) and not c.hard:
            terms.append(PinTerm(cc, st))
        elif isinstance(c, Reach):
            terms.append(ReachTerm(cc, st))
    return terms


def fixed_people(cs: CompiledSession) -> dict[int, int]:
    """People whose team is decided before the search: hard pins (and, through them, their
    hard together-groups). Returns local index -> team."""
    fixed: dict[int, int] = {}
    for cc in cs.constraints:
        c = cc.constraint
        if isinstance(c, Pin) and c.hard:
            fixed[cc.data["person"]] = cc.data["team"]
    return fixed


def together_groups(cs: CompiledSession) -> list[list[int]]:
    """Connected groups of people under hard together constraints (union-find)."""
    parent = list(range(cs.m))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for cc in cs.constraints:
        if isinstance(cc.constraint, Together) and cc.constraint.hard:
            for a, b in cc.data["pairs"]:
                parent[find(int(a))] = find(int(b))
    groups: dict[int, list[int]] = {}
    for i in range(cs.m):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def stratified_order(cs: CompiledSession, rng: np.random.Generator) -> np.ndarray:
    """People ordered so that equal values of the spread/balanced attributes are adjacent."""
    keys: list[np.ndarray] = []
    # People eligible for a scarce role first, dealt evenly over the teams.
    for cc in cs.constraints:
        if "cover" in cc.data:
            keys.append(-np.asarray(cc.data["cover"], dtype=np.int64))
    seen: set[str] = set()
    ordered = sorted(
        cs.constraints,
        key=lambda cc: {Balance: 0, NoIsolation: 1, Spread: 2}.get(type(cc.constraint), 3),
    )
    for cc in ordered:
        c = cc.constraint
        if isinstance(c, (Balance, NoIsolation, Spread)) and c.attribute not in seen:
            seen.add(c.attribute)
            keys.append(cc.data["cat"].codes)
    for cc in cs.constraints:
        if isinstance(cc.constraint, NumericBalance):
            keys.append(np.nan_to_num(cc.data["x"], nan=0.0))
    keys.append(rng.random(cs.m))  # random tie-break: different seeds, different plans
    return np.lexsort(tuple(reversed(keys)))


def construct(cs: CompiledSession, rng: np.random.Generator) -> np.ndarray:
    """A first plan: pins and together-groups first, then greedy stratified dealing."""
    T = cs.num_teams
    team = np.full(cs.m, -1, dtype=np.int64)
    target = _target_sizes(cs)
    size = np.zeros(T, dtype=np.int64)
    fixed = fixed_people(cs)
    groups = together_groups(cs)
    for g in groups:
        pinned = [fixed[i] for i in g if i in fixed]
        t = pinned[0] if pinned else int(np.argmax(target - size))
        for i in g:
            team[i] = t
        size[t] += len(g)
    for i, t in fixed.items():
        if team[i] < 0:
            team[i] = t
            size[t] += 1
    # Hard categorical rules tell the greedy where a person would clash.
    spreads = [
        (cc.data["cat"].codes, cc.constraint.max_per_team)
        for cc in cs.constraints
        if isinstance(cc.constraint, Spread) and cc.constraint.hard
    ]
    balances = [
        (cc.data["cat"].codes, cc.data["cat"].totals, cc.constraint.tolerance)
        for cc in cs.constraints
        if isinstance(cc.constraint, Balance) and cc.constraint.hard
    ]
    # One count table per attribute (its codes array), shared by that attribute's rules.
    tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for codes, *_ in spreads + balances:
        if id(codes) not in tables:
            tables[id(codes)] = (codes, np.zeros((T, int(codes.max()) + 1), dtype=np.int64))
    # Pairs to keep apart: hard ones count as clashes, soft ones (people who already met in
    # other sessions) as a lesser cost, so the greedy start already mixes people anew.
    neighbours: dict[int, list[tuple[int, float]]] = {}
    for cc in cs.constraints:
        c = cc.constraint
        if not isinstance(c, (Apart, Hierarchy, MeetAtMost, AvoidRepeats)) or not len(cc.data["pairs"]):
            continue
        weights = cc.data.get("weights")
        for k, (a, b) in enumerate(cc.data["pairs"]):
            w = 1.0 if weights is None else float(weights[k])
            cost = 1e9 * w if c.hard else 1e4 * c.weight * w
            neighbours.setdefault(int(a), []).append((int(b), cost))
            neighbours.setdefault(int(b), []).append((int(a), cost))
    # Costs of a person in a team (stations the person must not do again, or may not do).
    costs = [
        np.asarray(cc.data["cost"], dtype=float) * (1e9 if cc.constraint.hard else 1e4 * cc.constraint.weight)
        for cc in cs.constraints
        if "cost" in cc.data
    ]
    # Seats that the stations' design reserved per group of people and team: following
    # them seats everyone in a team whose stations they may do.
    quota = next((cc.data["quota"] for cc in cs.constraints if "quota" in cc.data), None)
    seats_left = None if quota is None else quota[1].copy()
    n = cs.m

    def place(i: int, t: int) -> None:
        for codes, counts in tables.values():
            counts[t, codes[i]] += 1

    for i in range(n):
        if team[i] >= 0:
            place(i, team[i])
    # Deal in snake order: the preferred team moves forward then back, so that consecutive
    # people of one stratum land in different teams.
    order = stratified_order(cs, rng)
    position = 0
    snake = np.concatenate([np.arange(T), np.arange(T)[::-1]])
    for i in order:
        if team[i] >= 0:
            continue
        open_ = size < target
        if not open_.any():
            open_ = size < cs.high
        clash = np.zeros(T)
        for codes, k in spreads:
            clash += np.maximum(tables[id(codes)][1][:, codes[i]] + 1 - k, 0)
        for codes, totals, tol in balances:
            v = codes[i]
            high = -(-totals[v] * target // n) + tol
            clash += tables[id(codes)][1][:, v] + 1 > high
        clash *= 1e9
        for j, cost in neighbours.get(int(i), ()):
            if team[j] >= 0:
                clash[team[j]] += cost
        for matrix in costs:
            clash += matrix[i]
        if seats_left is not None:
            reserved = open_ & (seats_left[quota[0][i]] > 0)
            if reserved.any():
                open_ = reserved
        fill = size / np.maximum(target, 1)
        # distance of each team from the snake's current position
        cursor = snake[position % (2 * T)]
        preference = (np.arange(T) - cursor) % T
        score = np.where(open_, clash + fill * 1e3 + preference, np.inf)
        t = int(np.argmin(score))
        team[i] = t
        size[t] += 1
        place(i, t)
        if seats_left is not None and seats_left[quota[0][i], t] > 0:
            seats_left[quota[0][i], t] -= 1
        position += 1
    return team


def _target_sizes(cs: CompiledSession) -> np.ndarray:
    """Sizes as even as the bounds allow, summing to the people present."""
    low, high = cs.low.copy(), cs.high.copy()
    target = low.copy()
    left = cs.m - int(target.sum())
    while left > 0:
        room = high - target
        open_ = np.flatnonzero(room > 0)
        # give one more to every open team with the smallest target, in team order
        smallest = target[open_].min()
        for t in open_[target[open_] == smallest]:
            if left == 0:
                break
            target[t] += 1
            left -= 1
    return target


class LocalSearch:
    """Tabu search on hard violations, then descent on the soft objective."""

    def __init__(
        self,
        cs: CompiledSession,
        team: np.ndarray,
        rng: np.random.Generator,
        sample: int = 2048,
    ) -> None:
        self.cs = cs
        self.rng = rng
        self.reset(team)
        self.movable = np.ones(cs.m, dtype=bool)
        for i in fixed_people(cs):
            self.movable[i] = False
        for g in together_groups(cs):
            self.movable[g] = False
        self.movable_idx = np.flatnonzero(self.movable)
        self.sample = sample
        self.flexible = bool(np.any(cs.high > cs.low))

    # -- evaluation ------------------------------------------------------------------------
    @property
    def hard(self) -> float:
        return float(sum(t.total for t in self.hard_terms))

    @property
    def soft(self) -> float:
        return float(sum(t.weight * t.total for t in self.soft_terms))

    @property
    def score(self) -> tuple[float, float]:
        return self.hard, self.soft

    @property
    def perfect(self) -> bool:
        """No hard violation and no soft penalty, where zero is the best a term can do."""
        return self.hard <= EPS and all(t.nonnegative for t in self.soft_terms) and self.soft <= EPS

    def team_penalties(self, hard: bool) -> np.ndarray:
        """Per team, the hard penalty or the weighted soft penalty."""
        out = np.zeros(self.cs.num_teams)
        for term in self.hard_terms if hard else self.soft_terms:
            out += term.team_pen if hard else term.weight * term.team_pen
        return out

    def _candidates(self, i: int) -> np.ndarray:
        pool = self.movable_idx
        if len(pool) > self.sample:
            pool = pool[self.rng.integers(0, len(pool), self.sample)]
        return pool[self.st.team[pool] != self.st.team[i]]

    def _sum_deltas(self, n: int, delta: Callable[[Term], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The hard and the weighted soft sums of ``delta(term)`` over the terms."""
        dh = np.zeros(n)
        ds = np.zeros(n)
        for term in self.terms:
            d = delta(term)
            if term.hard:
                dh += d
            else:
                ds += term.weight * d
        return dh, ds

    def _evaluate_swaps(self, I: np.ndarray, J: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hard and soft deltas of each swap ``I[k] <-> J[k]`` on its own."""
        return self._sum_deltas(len(J), lambda term: term.swap_delta(self.st, I, J))

    def _evaluate(self, i: int, J: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hard and soft deltas of swapping i with each of J, then moving i to each of B."""
        swaps = self._evaluate_swaps(np.full(len(J), i), J)
        if not len(B):
            return swaps
        moves = self._sum_deltas(len(B), lambda term: term.move_delta(self.st, i, B))
        return np.concatenate([swaps[0], moves[0]]), np.concatenate([swaps[1], moves[1]])

    def _move_targets(self, i: int) -> np.ndarray:
        if not self.flexible:
            return np.zeros(0, dtype=np.int64)
        a = self.st.team[i]
        if self.st.size[a] <= self.cs.low[a]:
            return np.zeros(0, dtype=np.int64)
        ok = self.st.size < self.cs.high
        ok[a] = False
        return np.flatnonzero(ok)

    def move(self, i: int, b: int) -> None:
        a = int(self.st.team[i])
        for term in self.terms:
            term.before_move(self.st, i, a, b)
        self.st.move(i, b)
        for term in self.terms:
            term.after_move(self.st, i, a, b)

    def swap(self, i: int, j: int) -> None:
        a, b = int(self.st.team[i]), int(self.st.team[j])
        self.move(i, b)
        self.move(j, a)

    def apply(self, i: int, J: np.ndarray, B: np.ndarray, k: int) -> tuple[int, int, int]:
        """Applies candidate ``k`` (a swap with J[k] or a move to B[k - len(J)]).
        Returns (i's old team, j or -1, j's old team or -1)."""
        a = int(self.st.team[i])
        if k < len(J):
            j = int(J[k])
            b = int(self.st.team[j])
            self.swap(i, j)
            return a, j, b
        self.move(i, int(B[k - len(J)]))
        return a, -1, -1

    # -- phases ----------------------------------------------------------------------------
    def repair(self, max_iterations: int, deadline: float, patience: int = 10**9) -> None:
        """Tabu search until no hard violation is left (or the budget ends)."""
        if not self.hard_terms or self.hard <= EPS:
            return
        best_team = self.st.team.copy()
        best = self.score
        # Tabu: a person may not return to the team it last left for a few iterations.
        left_team = np.full(self.cs.m, -1)
        until = np.full(self.cs.m, -1)
        T = self.cs.num_teams
        last_gain = 0
        for it in range(max_iterations):
            if self.hard <= EPS or it - last_gain > patience or (it % 16 == 0 and clock.expired(deadline)):
                break
            bad = np.flatnonzero(self.team_penalties(hard=True) > EPS)
            t = int(bad[self.rng.integers(len(bad))])
            members = [i for i in self.st.members[t] if self.movable[i]]
            if not members:
                continue
            conflict = np.zeros(len(members), dtype=bool)
            for term in self.hard_terms:
                conflict |= term.conflicted(self.st, members)
            # Members in conflict first, then others: a missing value is fixed by moving
            # out someone who is *not* in conflict.
            order = self.rng.permutation(len(members))
            ranked = sorted(order, key=lambda k: not conflict[k])
            best_move = None
            for k_member in ranked[: 3 if self.hard > 10 else 12]:
                i = members[k_member]
                J = self._candidates(i)
                B = self._move_targets(i)
                if not len(J) and not len(B):
                    continue
                dh, ds = self._evaluate(i, J, B)
                a = self.st.team[i]
                dest = np.concatenate([self.st.team[J], B])
                forbidden = (until[i] > it) & (dest == left_team[i])
                forbidden[: len(J)] |= (until[J] > it) & (left_team[J] == a)
                aspire = self.hard + dh < best[0] - EPS
                allowed = ~forbidden | aspire
                if not allowed.any():
                    continue
                key = np.where(allowed, dh, np.inf)
                top = np.flatnonzero(key <= key.min() + EPS)
                k = int(top[np.argmin(ds[top])])
                if best_move is None or (dh[k], ds[k]) < best_move[0]:
                    best_move = ((dh[k], ds[k]), i, J, B, k)
            if best_move is None:
                continue
            _, i, J, B, k = best_move
            old_a, j, old_b = self.apply(i, J, B, k)
            tenure = 7 + int(self.rng.integers(0, 10)) + min(T, 20)
            left_team[i], until[i] = old_a, it + tenure
            if j >= 0:
                left_team[j], until[j] = old_b, it + tenure
            now = self.score
            if better(now, best):
                if now[0] < best[0] - EPS:
                    last_gain = it
                best = now
                best_team = self.st.team.copy()
        if self.score != best:
            self.reset(best_team)

    def _pairing_key(self, sort: bool) -> np.ndarray:
        """Orders teams for pairing: with ``sort``, by how far a numeric attribute's team
        mean lies from its target (so the most above meets the most below); else at random."""
        if sort:
            for term in self.soft_terms:
                if isinstance(term, NumericBalanceTerm):
                    return term.s1 / np.maximum(term.cn, 1.0) - term.mu
        return self.rng.permutation(self.cs.num_teams).astype(float)

    def paired_round(self, sort: bool = True) -> float:
        """Pairs the teams up and applies, in every pair at once, the best swap between its
        two teams that lowers the soft objective without adding a hard violation. Swaps in
        disjoint pairs of teams do not interact, so one vectorised evaluation serves all.
        Returns the soft improvement."""
        T = self.cs.num_teams
        half = T // 2
        order = np.argsort(self._pairing_key(sort), kind="stable")
        width = int(self.st.size.max())
        M = np.full((T, width), -1, dtype=np.int64)
        for t, members in enumerate(self.st.members):
            movable = [i for i in members if self.movable[i]]
            M[t, : len(movable)] = movable
        I = np.broadcast_to(M[order[:half], :, None], (half, width, width)).reshape(-1)
        J = np.broadcast_to(M[order[::-1][:half], None, :], (half, width, width)).reshape(-1)
        valid = np.flatnonzero((I >= 0) & (J >= 0))
        score = np.full(len(I), np.inf)
        dh, ds = self._evaluate_swaps(I[valid], J[valid])
        score[valid] = np.where(dh <= EPS, ds, np.inf)
        score = score.reshape(half, width * width)
        best = np.argmin(score, axis=1)
        gain = score[np.arange(half), best]
        before = self.soft
        for p in np.flatnonzero(gain < -EPS):
            k = p * width * width + best[p]
            self.swap(int(I[k]), int(J[k]))
        return before - self.soft

    def improve(self, max_iterations: int, patience: int, deadline: float) -> None:
        """Descent on the soft objective that never adds a hard violation: first rounds of
        paired-team swaps (fast when there are many teams), then single best swaps."""
        if not self.soft_terms or self.perfect:
            return
        T = self.cs.num_teams
        if T >= 4 and self.hard <= EPS:
            # Sorted pairings make the big gains; random ones find partners the sorted
            # order never offers. Stop after a few rounds in a row gain nothing.
            idle = 0
            for round_ in range(500):
                if idle >= 6 or clock.expired(deadline):
                    break
                start = self.soft
                gain = self.paired_round(sort=round_ % 2 == 0)
                idle = idle + 1 if gain <= 1e-9 * max(1.0, abs(start)) else 0
        stale = 0
        for it in range(max_iterations):
            if stale >= patience or (it % 16 == 0 and (clock.expired(deadline) or self.perfect)):
                break
            team_pen = self.team_penalties(hard=False)
            if self.rng.random() < 0.5 and np.ptp(team_pen) > EPS:
                t = int(np.argmax(team_pen + self.rng.random(T) * 1e-9))
            else:
                t = int(self.rng.integers(T))
            members = [i for i in self.st.members[t] if self.movable[i]]
            best_gain, best_choice = -EPS, None
            for i in members:
                J = self._candidates(i)
                B = self._move_targets(i)
                if not len(J) and not len(B):
                    continue
                dh, ds = self._evaluate(i, J, B)
                ok = dh <= EPS
                if not ok.any():
                    continue
                score = np.where(ok, ds, np.inf)
                k = int(np.argmin(score))
                if score[k] < best_gain:
                    best_gain, best_choice = score[k], (i, J, B, k)
            if best_choice is None:
                stale += 1
                continue
            stale = 0
            self.apply(*best_choice)

    def reset(self, team: np.ndarray) -> None:
        """Starts over from ``team``, rebuilding every term's tables."""
        self.st = State(team, self.cs.num_teams)
        self.terms = build_terms(self.cs, self.st)
        self.hard_terms = [t for t in self.terms if t.hard]
        self.soft_terms = [t for t in self.terms if not t.hard]


def solve_session(
    cs: CompiledSession,
    rng: np.random.Generator,
    deadline: float,
    start: np.ndarray | None = None,
    on_step: Callable[[LocalSearch], None] | None = None,
    seconds: float | None = None,
) -> LocalSearch:
    """Construction, repair and improvement for one session; returns the finished search.

    A session whose only rule is diversity over distances (maximally diverse grouping) goes
    to its own search, :mod:`teamkit.engine.mdgp`; ``seconds``, the session's share of the
    time limit, sets that search's budget (from the limit, not the clock, so runs repeat).
    """
    if mdgp.applies(cs):
        ls = LocalSearch(cs, mdgp.solve_session(cs, rng, deadline, seconds, start), rng)
        if on_step:
            on_step(ls)
        return ls
    team = construct(cs, rng) if start is None else start
    ls = LocalSearch(cs, team, rng)
    if on_step:
        on_step(ls)
    m = cs.m

    # On a large session a repair that stalls is started again from its best plan with fresh
    # tabu lists, a few times while time is left: on tight ones (the last of a day whose
    # people have met many of each other) a stall at one or two violations is often broken
    # by the next round, where CP-SAT on a few teams rarely finds the way. A small session
    # leaves the time to fresh starts and to CP-SAT on the whole session, which settle it.
    rounds = REPAIR_ROUNDS if m > 200 else 1

    def descend(search: LocalSearch) -> None:
        for _ in range(rounds):
            search.repair(max_iterations=50 * m + 2000, deadline=deadline, patience=20 * cs.num_teams + 200)
            if search.hard <= EPS or clock.expired(deadline):
                break
        search.improve(max_iterations=50 * m + 2000, patience=min(2 * cs.num_teams + 20, 300), deadline=deadline)

    descend(ls)
    if on_step:
        on_step(ls)
    # Small sessions can afford a few more starts: descent ends in a local optimum, and
    # another start is the cheapest way out of it. The count is fixed, so runs repeat.
    restarts = 0 if start is not None or not ls.soft_terms or m > 200 else min(20, 2000 // max(m, 1))
    for _ in range(restarts):
        if clock.expired(deadline) or ls.perfect:
            break
        other = LocalSearch(cs, construct(cs, rng), rng)
        descend(other)
        if better(other.score, ls.score):
            ls = other
            if on_step:
                on_step(ls)
    return ls
