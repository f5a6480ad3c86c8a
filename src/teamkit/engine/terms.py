"""Incremental penalty terms for the local search.

Each term keeps its penalty per team and answers, vectorised over many candidates at once,
how its penalty would change if person ``i`` swapped teams with each person ``j`` in ``J``,
or moved to each team in ``B``. These are the engine's own formulas; the independent checker
recomputes everything from scratch, so a mistake here shows up as a checker mismatch in tests.
"""

from __future__ import annotations

import numpy as np

from teamkit.constraints import Balance, NoIsolation, NumericBalance, Spread
from teamkit.engine.compiled import Categorical, CompiledConstraint


class State:
    """Team membership of one session plus the count tables the terms share."""

    def __init__(self, team: np.ndarray, num_teams: int) -> None:
        self.team = team.astype(np.int64).copy()
        self.num_teams = num_teams
        self.size = np.bincount(self.team, minlength=num_teams).astype(np.int64)
        self.members: list[list[int]] = [[] for _ in range(num_teams)]
        for i, t in enumerate(self.team):
            self.members[t].append(i)
        self.tables: dict[int, CountTable] = {}
        self._matrix: np.ndarray | None = None

    def members_matrix(self) -> np.ndarray:
        """Members as a (teams x largest size) matrix padded with -1, built when first
        asked for after a move."""
        if self._matrix is None:
            width = int(self.size.max())
            M = np.full((self.num_teams, width), -1, dtype=np.int64)
            for t, members in enumerate(self.members):
                M[t, : len(members)] = members
            self._matrix = M
        return self._matrix

    def table(self, cat: Categorical) -> CountTable:
        key = id(cat)
        if key not in self.tables:
            self.tables[key] = CountTable(cat.codes, self.team, self.num_teams, len(cat.values))
        return self.tables[key]

    def move(self, i: int, b: int) -> None:
        a = int(self.team[i])
        for table in self.tables.values():
            table.move(i, a, b)
        self.team[i] = b
        self.size[a] -= 1
        self.size[b] += 1
        self.members[a].remove(i)
        self.members[b].append(i)
        self._matrix = None


class CountTable:
    """``counts[t, v]``: members of team ``t`` with code ``v``."""

    def __init__(self, codes: np.ndarray, team: np.ndarray, num_teams: int, num_values: int) -> None:
        self.codes = codes
        self.counts = np.zeros((num_teams, num_values), dtype=np.int64)
        np.add.at(self.counts, (team, codes), 1)

    def move(self, i: int, a: int, b: int) -> None:
        v = self.codes[i]
        self.counts[a, v] -= 1
        self.counts[b, v] += 1


class Term:
    hard: bool
    weight: float
    name: str
    team_pen: np.ndarray
    #: Whether the penalty is never below zero (diversity terms are negative), so that zero
    #: is known to be the best it can be.
    nonnegative: bool = True

    def __init__(self, compiled: CompiledConstraint) -> None:
        self.hard = compiled.constraint.hard
        self.weight = compiled.constraint.weight
        self.name = compiled.name

    @property
    def total(self) -> float:
        return float(self.team_pen.sum())

    def swap_delta(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        """Penalty change of each swap ``I[k] <-> J[k]`` on its own (people in different
        teams). Swaps between disjoint pairs of teams do not interact, so their changes add up."""
        raise NotImplementedError

    def move_delta(self, st: State, i: int, B: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def before_move(self, st: State, i: int, a: int, b: int) -> None:
        """Called before ``st.move``."""

    def after_move(self, st: State, i: int, a: int, b: int) -> None:
        """Called after ``st.move``."""

    def conflicted(self, st: State, people: list[int]) -> np.ndarray:
        """Which of ``people`` take part in a violation of this term."""
        return np.zeros(len(people), dtype=bool)


class CellTerm(Term):
    """A penalty that is a sum over (team, value) cells of a function of the count."""

    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        super().__init__(compiled)
        self.cat: Categorical = compiled.data["cat"]
        self.table = st.table(self.cat)
        T, V = self.table.counts.shape
        self.team_pen = np.zeros(T)
        # dec[t, v] / inc[t, v]: the change if team t lost / gained one member of value v
        # (its size unchanged, as in a swap). Kept up to date, they make a swap's delta four
        # look-ups.
        self.dec = np.zeros((T, V))
        self.inc = np.zeros((T, V))
        self._refresh(st, np.arange(T))

    def _refresh(self, st: State, teams: np.ndarray) -> None:
        counts = self.table.counts[teams]
        sizes = st.size[teams]
        base = self.rows(counts, sizes)
        self.team_pen[teams] = base.sum(axis=1)
        self.dec[teams] = self.rows(counts - 1, sizes) - base
        self.inc[teams] = self.rows(counts + 1, sizes) - base

    def cell(self, c: np.ndarray, v: np.ndarray, s: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def rows(self, counts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        v = np.broadcast_to(np.arange(counts.shape[1]), counts.shape)
        s = np.broadcast_to(sizes[:, None], counts.shape)
        return self.cell(counts, v, s)

    def swap_delta(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        codes = self.cat.codes
        x, y = codes[I], codes[J]
        a, b = st.team[I], st.team[J]
        d = self.dec[a, x] + self.inc[a, y] + self.dec[b, y] + self.inc[b, x]
        return np.where(x == y, 0.0, d)

    def move_delta(self, st: State, i: int, B: np.ndarray) -> np.ndarray:
        C = self.table.counts
        a = st.team[i]
        x = self.cat.codes[i]
        row_a = C[a].copy()
        row_a[x] -= 1
        new_a = self.rows(row_a[None, :], np.array([st.size[a] - 1])).sum()
        rows_b = C[B].copy()
        rows_b[:, x] += 1
        new_b = self.rows(rows_b, st.size[B] + 1).sum(axis=1)
        return (new_a - self.team_pen[a]) + (new_b - self.team_pen[B])

    def after_move(self, st: State, i: int, a: int, b: int) -> None:
        self._refresh(st, np.array([a, b]))

    def conflicted(self, st: State, people: list[int]) -> np.ndarray:
        idx = np.asarray(people)
        t = st.team[idx]
        v = self.cat.codes[idx]
        c = self.table.counts[t, v]
        return self.cell(c, v, st.size[t]) > 0


class SpreadTerm(CellTerm):
    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        c: Spread = compiled.constraint  # type: ignore[assignment]
        self.k = c.max_per_team
        super().__init__(compiled, st)

    def cell(self, c, v, s):
        return np.where(v > 0, np.maximum(c - self.k, 0), 0)


class BalanceTerm(CellTerm):
    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        c: Balance = compiled.constraint  # type: ignore[assignment]
        self.tol = c.tolerance
        cat: Categorical = compiled.data["cat"]
        self.totals = cat.totals
        self.n = int(cat.totals.sum())
        super().__init__(compiled, st)

    def cell(self, c, v, s):
        prod = self.totals[v] * s
        low = np.maximum(prod // self.n - self.tol, 0)
        high = -(-prod // self.n) + self.tol
        # values nobody present holds have no share to keep
        return np.where(self.totals[v] > 0, np.maximum(low - c, 0) + np.maximum(c - high, 0), 0)


class NoIsolationTerm(CellTerm):
    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        c: NoIsolation = compiled.constraint  # type: ignore[assignment]
        self.min_count = c.min_count
        self.mask = compiled.data["mask"]
        super().__init__(compiled, st)

    def cell(self, c, v, s):
        return np.where(self.mask[v] & (c > 0) & (c < self.min_count), self.min_count - c, 0)


class SameValueTerm(CellTerm):
    """Diversity from a categorical attribute, negated: ``sum_v C(c_tv, 2) - C(s_t, 2)``."""

    nonnegative = False

    def __init__(self, compiled: CompiledConstraint, st: State, cat: Categorical) -> None:
        compiled = CompiledConstraint(compiled.constraint, compiled.name, {"cat": cat})
        super().__init__(compiled, st)

    def cell(self, c, v, s):
        return c * (c - 1) / 2.0

    def rows(self, counts, sizes):
        out = self.cell(counts, None, None).astype(float)
        out[:, 0] -= sizes * (sizes - 1) / 2.0
        return out


class NumericTerm(Term):
    """A penalty per team that depends on the sums of a numeric column over its members."""

    def __init__(self, compiled: CompiledConstraint, st: State, x: np.ndarray) -> None:
        super().__init__(compiled)
        valid = ~np.isnan(x)
        self.v = np.where(valid, x, 0.0)
        self.v2 = self.v**2
        self.c = valid.astype(float)
        T = st.num_teams
        self.s1 = np.bincount(st.team, weights=self.v, minlength=T)
        self.s2 = np.bincount(st.team, weights=self.v2, minlength=T)
        self.cn = np.bincount(st.team, weights=self.c, minlength=T)
        self.team_pen = self.pen(self.s1, self.s2, self.cn)

    def pen(self, s1, s2, cn):
        raise NotImplementedError

    def swap_delta(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        a = st.team[I]
        b = st.team[J]
        dv = self.v[J] - self.v[I]
        dv2 = self.v2[J] - self.v2[I]
        dc = self.c[J] - self.c[I]
        new_a = self.pen(self.s1[a] + dv, self.s2[a] + dv2, self.cn[a] + dc)
        new_b = self.pen(self.s1[b] - dv, self.s2[b] - dv2, self.cn[b] - dc)
        return (new_a - self.team_pen[a]) + (new_b - self.team_pen[b])

    def move_delta(self, st: State, i: int, B: np.ndarray) -> np.ndarray:
        a = st.team[i]
        new_a = self.pen(self.s1[a] - self.v[i], self.s2[a] - self.v2[i], self.cn[a] - self.c[i])
        new_b = self.pen(self.s1[B] + self.v[i], self.s2[B] + self.v2[i], self.cn[B] + self.c[i])
        return (new_a - self.team_pen[a]) + (new_b - self.team_pen[B])

    def after_move(self, st: State, i: int, a: int, b: int) -> None:
        for t, sign in ((a, -1.0), (b, 1.0)):
            self.s1[t] += sign * self.v[i]
            self.s2[t] += sign * self.v2[i]
            self.cn[t] += sign * self.c[i]
        both = np.array([a, b])
        self.team_pen[both] = self.pen(self.s1[both], self.s2[both], self.cn[both])


class NumericBalanceTerm(NumericTerm):
    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        c: NumericBalance = compiled.constraint  # type: ignore[assignment]
        x = compiled.data["x"]
        finite = x[~np.isnan(x)]
        self.mu = float(finite.mean()) if finite.size else 0.0
        self.sigma = float(finite.std()) if finite.size else 0.0
        self.tol = c.tolerance or 0.0
        self.with_spread = c.spread and not c.hard
        super().__init__(compiled, st, x)

    def pen(self, s1, s2, cn):
        s1, s2, cn = np.asarray(s1, float), np.asarray(s2, float), np.asarray(cn, float)
        safe = np.maximum(cn, 1.0)
        mean = s1 / safe
        excess = np.maximum(np.abs(mean - self.mu) - self.tol, 0.0)
        # A hard bound is met when the excess is within rounding; count it as zero then.
        out = np.where(excess > 1e-9, excess**2, 0.0)
        if self.with_spread:
            var = np.maximum(s2 / safe - mean**2, 0.0)
            out = out + (np.sqrt(var) - self.sigma) ** 2
        return np.where(cn > 0, out, 0.0)

    def conflicted(self, st: State, people: list[int]) -> np.ndarray:
        return self.team_pen[st.team[np.asarray(people)]] > 0


class SpreadSumTerm(NumericTerm):
    """Diversity from a scaled numeric column, negated: ``-(c*S2 - S1^2)`` per team."""

    nonnegative = False

    def pen(self, s1, s2, cn):
        return -(np.asarray(cn) * s2 - np.asarray(s1) ** 2)


class MatrixTerm(Term):
    """Diversity from a distance matrix, negated: ``-sum_{i<j in t} D[i, j]``."""

    nonnegative = False

    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        super().__init__(compiled)
        self.D = np.ascontiguousarray(compiled.data["matrix"], dtype=float)
        m, T = len(st.team), st.num_teams
        onehot = np.zeros((m, T))
        onehot[np.arange(m), st.team] = 1.0
        self.S = self.D @ onehot  # S[i, t]: distance of i to the members of t
        self.team_pen = -0.5 * np.bincount(st.team, weights=self.S[np.arange(m), st.team], minlength=T)

    def swap_delta(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        a = st.team[I]
        b = st.team[J]
        dij = self.D[I, J]
        gain = (self.S[I, b] - self.S[I, a] - dij) + (self.S[J, a] - self.S[J, b] - dij)
        return -gain

    def move_delta(self, st: State, i: int, B: np.ndarray) -> np.ndarray:
        a = st.team[i]
        return -(self.S[i, B] - self.S[i, a])

    def before_move(self, st: State, i: int, a: int, b: int) -> None:
        self.team_pen[a] += self.S[i, a]
        self.team_pen[b] -= self.S[i, b]
        self.S[:, a] -= self.D[:, i]
        self.S[:, b] += self.D[:, i]


class PairTerm(Term):
    """Pairs that must share a team (``together``) or must not (``apart``), each with a
    weight (1 unless the compiled data has ``weights``: across-session rules weigh a pair by
    what one more meeting would cost)."""

    def __init__(self, compiled: CompiledConstraint, st: State, together: bool) -> None:
        super().__init__(compiled)
        self.together = together
        pairs = np.asarray(compiled.data["pairs"], dtype=np.int64).reshape(-1, 2)
        weights = np.asarray(compiled.data.get("weights", np.ones(len(pairs))), dtype=float)
        m = len(st.team)
        both = np.concatenate([pairs, pairs[:, ::-1]])
        both_w = np.concatenate([weights, weights])
        order = np.argsort(both[:, 0], kind="stable")
        self.nbr = both[order, 1]
        self.nw = both_w[order]
        self.deg = np.bincount(both[:, 0], minlength=m)
        self.start = np.concatenate([[0], np.cumsum(self.deg)])
        T = st.num_teams
        # Each pair's penalty is charged half to each of its two people's teams.
        same = st.team[both[:, 0]] == st.team[both[:, 1]]
        charged = both_w * (~same if together else same)
        self.team_pen = 0.5 * np.bincount(st.team[both[:, 0]], weights=charged, minlength=T).astype(float)

    def _neighbours(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        span = slice(self.start[i], self.start[i + 1])
        return self.nbr[span], self.nw[span]

    def _expand(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The neighbours of every X[k], flattened, with k as their owner and their weights."""
        lens = self.deg[X]
        total = int(lens.sum())
        owner = np.repeat(np.arange(len(X)), lens)
        offsets = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens) + np.repeat(self.start[X], lens)
        return self.nbr[offsets], owner, self.nw[offsets]

    def _same_delta_swap(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        """Change in the weight of same-team pairs if each I[k] and J[k] swapped."""
        a = st.team[I]
        b = st.team[J]
        K = len(I)
        nb, owner, w = self._expand(I)
        where = st.team[nb]
        # I[k] leaves a (its neighbours there) and joins b; a neighbour that is J[k] itself
        # moves to a, so it is counted in neither.
        d = np.bincount(owner, weights=w * ((where == b[owner]) & (nb != J[owner])), minlength=K).astype(float)
        d -= np.bincount(owner, weights=w * (where == a[owner]), minlength=K)
        nb, owner, w = self._expand(J)
        where = st.team[nb]
        d += np.bincount(owner, weights=w * ((where == a[owner]) & (nb != I[owner])), minlength=K)
        d -= np.bincount(owner, weights=w * (where == b[owner]), minlength=K)
        return d

    def swap_delta(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        d = self._same_delta_swap(st, I, J)
        return -d if self.together else d

    def move_delta(self, st: State, i: int, B: np.ndarray) -> np.ndarray:
        nb, w = self._neighbours(i)
        per_team = np.bincount(st.team[nb], weights=w, minlength=st.num_teams)
        d = per_team[B] - per_team[st.team[i]]
        return -d if self.together else d

    def before_move(self, st: State, i: int, a: int, b: int) -> None:
        nb, w = self._neighbours(i)
        if not len(nb):
            return
        teams = st.team[nb]
        if self.together:
            at_a, at_b = w[teams == a].sum(), w[teams == b].sum()
            elsewhere = w.sum() - at_a - at_b
            # at a: together, becomes split (+half to each); at b: split, becomes together
            # (-half from each); elsewhere: stays split, i's half moves from a to b.
            self.team_pen[a] += 0.5 * (at_a - at_b - elsewhere)
            self.team_pen[b] += 0.5 * (at_a - at_b + elsewhere)
        else:
            self.team_pen[a] -= w[teams == a].sum()
            self.team_pen[b] += w[teams == b].sum()

    def conflicted(self, st: State, people: list[int]) -> np.ndarray:
        out = np.zeros(len(people), dtype=bool)
        for k, i in enumerate(people):
            nb, _ = self._neighbours(i)
            same = int(np.count_nonzero(st.team[nb] == st.team[i]))
            out[k] = same < len(nb) if self.together else same > 0
        return out


class ReachTerm(Term):
    """Reach across sessions, seen from one session: person ``i`` has met the values
    ``met[i]`` elsewhere; their teammates here add theirs. Penalty per person
    ``max(0, at_least - reach_i)``, charged to their team."""

    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        super().__init__(compiled)
        self.cat: Categorical = compiled.data["cat"]
        self.met: np.ndarray = compiled.data["met"]  # (m, V) bool
        self.at_least = compiled.constraint.at_least  # type: ignore[attr-defined]
        self.table = st.table(self.cat)
        self.codes = self.cat.codes
        m = len(st.team)
        self.reach = np.zeros(m, dtype=np.int64)
        self._recompute(st, np.arange(m))
        self.team_pen = np.bincount(st.team, weights=self._pen(self.reach), minlength=st.num_teams).astype(float)

    def _pen(self, reach: np.ndarray) -> np.ndarray:
        return np.maximum(self.at_least - reach, 0).astype(float)

    def _reach_in(self, X: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Reach of each X[k] if its teammates' value counts were ``rows[k]`` (without X[k])."""
        seen = (rows > 0) | self.met[X]
        return seen[:, 1:].sum(axis=1)

    def _recompute(self, st: State, X: np.ndarray) -> None:
        rows = self.table.counts[st.team[X]].copy()
        rows[np.arange(len(X)), self.codes[X]] -= 1
        self.reach[X] = self._reach_in(X, rows)

    def _teammates_delta(self, st: State, X: np.ndarray, exclude: np.ndarray, t: np.ndarray, out_v, in_v) -> np.ndarray:
        """Penalty change of the members ``X[k, :]`` of team ``t[k]`` (except ``exclude[k]``)
        if the team lost someone of value ``out_v[k]`` and gained someone of ``in_v[k]``."""
        valid = (X >= 0) & (X != exclude[:, None])
        Xs = np.where(valid, X, 0)
        cx = self.codes[Xs]
        C = self.table.counts
        out_v2, in_v2 = out_v[:, None], in_v[:, None]
        differ = out_v2 != in_v2
        lost = differ & (out_v2 > 0) & ~self.met[Xs, out_v2] & (C[t, out_v][:, None] - (cx == out_v2) == 1)
        gained = differ & (in_v2 > 0) & ~self.met[Xs, in_v2] & (C[t, in_v][:, None] - (cx == in_v2) == 0)
        old = self.reach[Xs]
        new = old - lost + gained
        return np.where(valid, self._pen(new) - self._pen(old), 0.0).sum(axis=1)

    def swap_delta(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        a, b = st.team[I], st.team[J]
        vi, vj = self.codes[I], self.codes[J]
        M = st.members_matrix()
        d = self._teammates_delta(st, M[a], I, a, vi, vj) + self._teammates_delta(st, M[b], J, b, vj, vi)
        C = self.table.counts
        rows_i = C[b].copy()
        rows_i[np.arange(len(I)), vj] -= 1
        rows_j = C[a].copy()
        rows_j[np.arange(len(J)), vi] -= 1
        d += self._pen(self._reach_in(I, rows_i)) - self._pen(self.reach[I])
        d += self._pen(self._reach_in(J, rows_j)) - self._pen(self.reach[J])
        return d

    def move_delta(self, st: State, i: int, B: np.ndarray) -> np.ndarray:
        a = int(st.team[i])
        vi = self.codes[i]
        M = st.members_matrix()
        nothing = np.zeros(1, dtype=np.int64)
        leave = self._teammates_delta(st, M[[a]], np.array([i]), np.array([a]), np.array([vi]), nothing)[0]
        k = len(B)
        join = self._teammates_delta(st, M[B], np.full(k, -1), B, np.zeros(k, dtype=np.int64), np.full(k, vi))
        rows = self.table.counts[B]
        own = self._pen(self._reach_in(np.full(k, i), rows)) - self._pen(self.reach[i])
        return leave + join + own

    def after_move(self, st: State, i: int, a: int, b: int) -> None:
        X = np.asarray(st.members[a] + st.members[b], dtype=np.int64)
        if len(X):
            self._recompute(st, X)
        for t in (a, b):
            self.team_pen[t] = self._pen(self.reach[st.members[t]]).sum()

    def conflicted(self, st: State, people: list[int]) -> np.ndarray:
        return self.reach[np.asarray(people, dtype=np.int64)] < self.at_least


class PinTerm(Term):
    """Soft pins (hard pins are fixed people, never moved)."""

    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        super().__init__(compiled)
        self.person = compiled.data["person"]
        self.target = compiled.data["team"]
        self.team_pen = np.zeros(st.num_teams)
        if st.team[self.person] != self.target:
            self.team_pen[st.team[self.person]] = 1.0

    def swap_delta(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        a = st.team[I]
        b = st.team[J]
        p, t = self.person, self.target
        away_a = (a != t).astype(float)
        away_b = (b != t).astype(float)
        return (I == p) * (away_b - away_a) + (J == p) * (away_a - away_b)

    def move_delta(self, st: State, i: int, B: np.ndarray) -> np.ndarray:
        if i != self.person:
            return np.zeros(len(B))
        return (B != self.target).astype(float) - float(st.team[i] != self.target)

    def after_move(self, st: State, i: int, a: int, b: int) -> None:
        if i == self.person:
            self.team_pen[:] = 0.0
            if b != self.target:
                self.team_pen[b] = 1.0

    def conflicted(self, st: State, people: list[int]) -> np.ndarray:
        return np.array([i == self.person and st.team[i] != self.target for i in people])


class CostTerm(Term):
    """A cost for each (person, team) pair, ``cost[i, t]``: what placing person ``i`` in team
    ``t`` costs, given what the team will do (its stations) and what the person did in the
    other sessions. Hard costs count violations."""

    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        super().__init__(compiled)
        self.cost = np.asarray(compiled.data["cost"], dtype=float)
        self.team_pen = np.zeros(st.num_teams)
        np.add.at(self.team_pen, st.team, self.cost[np.arange(len(st.team)), st.team])

    def swap_delta(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        a = st.team[I]
        b = st.team[J]
        return self.cost[I, b] - self.cost[I, a] + self.cost[J, a] - self.cost[J, b]

    def move_delta(self, st: State, i: int, B: np.ndarray) -> np.ndarray:
        return self.cost[i, B] - self.cost[i, st.team[i]]

    def after_move(self, st: State, i: int, a: int, b: int) -> None:
        self.team_pen[a] -= self.cost[i, a]
        self.team_pen[b] += self.cost[i, b]

    def conflicted(self, st: State, people: list[int]) -> np.ndarray:
        idx = np.asarray(people, dtype=np.int64)
        return self.cost[idx, st.team[idx]] > 0


class CoverTerm(Term):
    """Every team needs at least ``need`` members from a set (``mask``), such as the people
    eligible for a role. Penalty per team: ``max(0, need - count)``."""

    def __init__(self, compiled: CompiledConstraint, st: State) -> None:
        super().__init__(compiled)
        self.mask = np.asarray(compiled.data["cover"], dtype=np.int64)
        self.need = int(compiled.data["need"])
        self.count = np.bincount(st.team, weights=self.mask, minlength=st.num_teams).astype(np.int64)
        self.team_pen = self._pen(self.count).astype(float)

    def _pen(self, count: np.ndarray) -> np.ndarray:
        return np.maximum(self.need - count, 0)

    def swap_delta(self, st: State, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        a = st.team[I]
        b = st.team[J]
        ei, ej = self.mask[I], self.mask[J]
        ca, cb = self.count[a], self.count[b]
        return (self._pen(ca - ei + ej) - self._pen(ca) + self._pen(cb - ej + ei) - self._pen(cb)).astype(float)

    def move_delta(self, st: State, i: int, B: np.ndarray) -> np.ndarray:
        a = int(st.team[i])
        e = self.mask[i]
        leave = self._pen(self.count[a] - e) - self._pen(self.count[a])
        return (leave + self._pen(self.count[B] + e) - self._pen(self.count[B])).astype(float)

    def after_move(self, st: State, i: int, a: int, b: int) -> None:
        e = self.mask[i]
        self.count[a] -= e
        self.count[b] += e
        self.team_pen[a] = self._pen(self.count[a])
        self.team_pen[b] = self._pen(self.count[b])

    def conflicted(self, st: State, people: list[int]) -> np.ndarray:
        idx = np.asarray(people, dtype=np.int64)
        return self.team_pen[st.team[idx]] > 0
