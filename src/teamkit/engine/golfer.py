"""Tabu search over all sessions at once, for the meeting rules (the Social Golfer Problem).

Planning one session at a time with the others fixed ends in a plan where no single session
can be improved on its own; the repeats left often need two sessions to change together.
This search follows Dotú & Van Hentenryck ("Scheduling social golfers locally", CPAIOR 2005):
the move swaps two people of different teams in one session, at least one of whom is in a
repeated pair; the best non-tabu swap over every session is taken (aspiration: a swap that
beats the best plan is always allowed); after a long run without progress the search goes
back to the best plan and perturbs it with a few random swaps.

Each session's own rules (spread, balance, apart...) stay in force: every session keeps its
:class:`~teamkit.engine.search.LocalSearch` terms, which score the same swaps, and the score
is (hard, soft) as everywhere in the engine.

Meeting counts are held in an ``n x n`` matrix of small integers, so this search is used only
up to :data:`MAX_PEOPLE` people; larger events rely on the per-session passes alone.
"""

from __future__ import annotations

import numpy as np

from teamkit.constraints import AvoidRepeats, MeetAtMost
from teamkit.engine import clock
from teamkit.engine.search import EPS, LocalSearch, better

#: The largest event (participants) this search takes on: its meeting matrix is n^2 bytes x 2.
MAX_PEOPLE = 1500
#: Conflicting people examined per iteration, at most (a random sample when there are more).
SAMPLE = 24


class MeetingCost:
    """Cost of a pair as a function of its meeting count, hard and soft, as tables."""

    def __init__(self, rules: list[MeetAtMost | AvoidRepeats], max_meetings: int) -> None:
        m = np.arange(max_meetings + 2, dtype=float)
        self.hard = np.zeros_like(m)
        self.soft = np.zeros_like(m)
        for c in rules:
            if isinstance(c, MeetAtMost):
                f = np.maximum(m - c.times, 0)
                if c.hard:
                    self.hard += f
                else:
                    self.soft += c.weight * f
            else:
                self.soft += c.weight * np.maximum(m - 1, 0) ** c.power
        # a pair "in conflict" costs something once more
        self.threshold = (
            int(np.flatnonzero((self.hard > 0) | (self.soft > 0))[0])
            if (self.hard.any() or self.soft.any())
            else len(m)
        )


class StationVisits:
    """Rules of the kind "not the same exercise twice" (per day, or over the event) as a term
    of the all-sessions search: with the routes fixed, a person visits the stations of their
    team's route, so a swap changes what two people do, and whether they now do a station a
    second time depends on the other sessions *as they are then*. Per unit of sessions, the
    visits of every person to every station are counted and kept up to date by the swaps.

    ``team_visits[k]``: ``(T_k, S)`` 0/1, the stations of each team's route in session ``k``
    (``None`` for a session without stations); ``units``: (sessions, hard, weight) per rule
    and unit; a station done ``c`` times in a unit costs ``c - 1``.
    """

    def __init__(
        self,
        team_visits: list[np.ndarray | None],
        units: list[tuple[tuple[int, ...], bool, float]],
        assignment: np.ndarray,
    ) -> None:
        S = next((v.shape[1] for v in team_visits if v is not None), 0)
        self.V = [None if v is None else v.astype(np.int16) for v in team_visits]
        self.units = [(tuple(k for k in unit if self.V[k] is not None), hard, weight) for unit, hard, weight in units]
        self.units_of: list[list[int]] = [[] for _ in team_visits]
        self.count: list[np.ndarray] = []
        for u, (unit, _hard, _weight) in enumerate(self.units):
            count = np.zeros((assignment.shape[1], S), dtype=np.int16)
            for k in unit:
                self.units_of[k].append(u)
                here = assignment[k] >= 0
                count[here] += self.V[k][assignment[k, here]]
            self.count.append(count)

    def score(self) -> tuple[float, float]:
        hard = soft = 0.0
        for (_unit, is_hard, weight), count in zip(self.units, self.count):
            excess = float(np.maximum(count.astype(np.int64) - 1, 0).sum())
            if is_hard:
                hard += excess
            else:
                soft += weight * excess
        return hard, soft

    def delta(
        self, k: int, I: np.ndarray, J: np.ndarray, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hard and soft change if ``I[x]`` (in team ``a[x]``) and ``J[x]`` (in ``b[x]``)
        swapped teams in session ``k``."""
        dh = np.zeros(len(I))
        ds = np.zeros(len(I))
        V = self.V[k]
        if V is None:
            return dh, ds
        change = V[b].astype(np.int64) - V[a]  # what I gains; J the opposite
        for u in self.units_of[k]:
            _unit, is_hard, weight = self.units[u]
            d = np.zeros(len(I))
            for who, sign in ((I, 1), (J, -1)):
                before = self.count[u][who].astype(np.int64)
                after = before + sign * change
                d += (np.maximum(after - 1, 0) - np.maximum(before - 1, 0)).sum(axis=1)
            if is_hard:
                dh += d
            else:
                ds += weight * d
        return dh, ds

    def swap(self, k: int, i: int, j: int, a: int, b: int) -> None:
        """``i`` moved from team ``a`` to ``b`` of session ``k``, and ``j`` the other way."""
        V = self.V[k]
        if V is None:
            return
        for u in self.units_of[k]:
            self.count[u][i] += V[b] - V[a]
            self.count[u][j] += V[a] - V[b]

    def conflicted(self, k: int, people: np.ndarray, teams: np.ndarray) -> np.ndarray:
        """Whether each of ``people`` (in ``teams`` of session ``k``) does a station of their
        route there again elsewhere in a unit of a hard rule."""
        out = np.zeros(len(people), dtype=bool)
        V = self.V[k]
        if V is None:
            return out
        for u in self.units_of[k]:
            if self.units[u][1]:
                out |= ((self.count[u][people] > 1) & (V[teams] > 0)).any(axis=1)
        return out


class EventTabu:
    """The search state: every session's teams, the meeting matrix, one LocalSearch per
    session for its own rules."""

    def __init__(
        self,
        assignment: np.ndarray,
        present: list[np.ndarray],
        searches: list[LocalSearch],
        cost: MeetingCost,
        rng: np.random.Generator,
        visits: StationVisits | None = None,
        frozen: frozenset[int] = frozenset(),
    ) -> None:
        """``visits``: the station rules, when the sessions have routes; ``frozen``: sessions
        whose teams stay as they are."""
        self.A = assignment  # (S, n), -1 for absent; updated in place
        self.visits = visits
        self.present = present
        self.searches = searches
        self.cost = cost
        self.rng = rng
        S, n = assignment.shape
        self.S, self.n = S, n
        self.local = np.full((S, n), -1, dtype=np.int64)
        for k in range(S):
            self.local[k, present[k]] = np.arange(len(present[k]))
        self.C = np.zeros((n, n), dtype=np.int16)
        for k in range(S):
            for members in self._teams(k):
                self.C[np.ix_(members, members)] += 1
        np.fill_diagonal(self.C, 0)
        self.movable = [np.zeros_like(ls.movable) if k in frozen else ls.movable for k, ls in enumerate(searches)]
        # Each session's teams as a padded (teams x width) matrix, and each person's column
        # in it, kept up to date by swaps (sizes never change).
        self.M = [self._members_matrix(k) for k in range(S)]
        self.col = np.zeros((S, n), dtype=np.int64)
        for k in range(S):
            rows, cols = np.nonzero(self.M[k] >= 0)
            self.col[k, self.M[k][rows, cols]] = cols
        # What one meeting less (leaving a team) or more (joining) costs a pair that has m.
        m = np.arange(len(cost.hard) - 1)
        self.leave = (cost.hard[np.maximum(m - 1, 0)] - cost.hard[m], cost.soft[np.maximum(m - 1, 0)] - cost.soft[m])
        self.join = (cost.hard[m + 1] - cost.hard[m], cost.soft[m + 1] - cost.soft[m])
        self.has_hard, self.has_soft = bool(cost.hard.any()), bool(cost.soft.any())

    def _teams(self, k: int) -> list[np.ndarray]:
        row = self.A[k]
        return [np.flatnonzero(row == t) for t in range(int(row.max()) + 1)]

    # -- scores ----------------------------------------------------------------------------
    def meeting_score(self) -> tuple[float, float]:
        iu = np.triu_indices(self.n, k=1)
        m = self.C[iu].astype(np.int64)
        return float(self.cost.hard[m].sum()), float(self.cost.soft[m].sum())

    def score(self) -> tuple[float, float]:
        hard, soft = self.meeting_score()
        if self.visits is not None:
            vh, vs = self.visits.score()
            hard, soft = hard + vh, soft + vs
        for ls in self.searches:
            hard += ls.hard
            soft += ls.soft
        return hard, soft

    # -- moves -----------------------------------------------------------------------------
    def _members_matrix(self, k: int) -> np.ndarray:
        teams = self._teams(k)
        width = max(len(t) for t in teams)
        M = np.full((len(teams), width), -1, dtype=np.int64)
        for t, members in enumerate(teams):
            M[t, : len(members)] = members
        return M

    def _meeting_delta(self, k: int, M: np.ndarray, I: np.ndarray, J: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hard and soft change of the meeting cost if I[x] and J[x] swapped in session k."""
        a, b = self.A[k, I], self.A[k, J]
        Xa, Xb = M[a], M[b]  # (K, width)

        def side(P: np.ndarray, leave: np.ndarray, join: np.ndarray, other: np.ndarray):
            # P leaves the team `leave` (its members minus P) and joins `join` (minus other)
            ok_leave = (leave >= 0) & (leave != P[:, None])
            ok_join = (join >= 0) & (join != other[:, None])
            m_leave = self.C[P[:, None], np.where(ok_leave, leave, 0)]
            m_join = self.C[P[:, None], np.where(ok_join, join, 0)]
            dh = ds = 0.0
            if self.has_hard:
                dh = (self.leave[0][m_leave] * ok_leave).sum(1) + (self.join[0][m_join] * ok_join).sum(1)
            if self.has_soft:
                ds = (self.leave[1][m_leave] * ok_leave).sum(1) + (self.join[1][m_join] * ok_join).sum(1)
            return dh, ds

        h1, s1 = side(I, Xa, Xb, J)
        h2, s2 = side(J, Xb, Xa, I)
        zero = np.zeros(len(I))
        return zero + h1 + h2, zero + s1 + s2

    def _conflicted(self, k: int, M: np.ndarray) -> np.ndarray:
        """People of session k in a pair that costs something (or in a team with a hard
        violation of the session's own rules)."""
        people = self.present[k]
        mates = M[self.A[k, people]]
        m = np.where(mates >= 0, self.C[people[:, None], np.where(mates >= 0, mates, 0)], 0)
        bad = m.max(axis=1) >= self.cost.threshold
        ls = self.searches[k]
        if ls.hard_terms and ls.hard > EPS:
            bad |= ls.team_penalties(hard=True)[ls.st.team] > EPS
        if self.visits is not None:
            bad |= self.visits.conflicted(k, people, self.A[k, people])
        return people[bad & self.movable[k]]

    def swap(self, k: int, i: int, j: int) -> None:
        a, b = int(self.A[k, i]), int(self.A[k, j])
        # the team-mates each leaves, from the team matrices (no scan of everyone)
        Xa, Xb = self.M[k][a], self.M[k][b]
        Xa = Xa[(Xa >= 0) & (Xa != i)]
        Xb = Xb[(Xb >= 0) & (Xb != j)]
        self.C[i, Xa] -= 1
        self.C[Xa, i] -= 1
        self.C[j, Xb] -= 1
        self.C[Xb, j] -= 1
        self.C[i, Xb] += 1
        self.C[Xb, i] += 1
        self.C[j, Xa] += 1
        self.C[Xa, j] += 1
        self.A[k, i], self.A[k, j] = b, a
        if self.visits is not None:
            self.visits.swap(k, i, j, a, b)
        ci, cj = self.col[k, i], self.col[k, j]
        self.M[k][a, ci], self.M[k][b, cj] = j, i
        self.col[k, i], self.col[k, j] = cj, ci
        self.searches[k].swap(int(self.local[k, i]), int(self.local[k, j]))

    # -- the search --------------------------------------------------------------------------
    def done(self, bound: float) -> bool:
        """No hard violation left and the meeting cost at its lower bound."""
        hard, soft = self.meeting_score()
        if self.visits is not None:
            hard += self.visits.score()[0]
        return hard + sum(ls.hard for ls in self.searches) <= EPS and soft <= bound + EPS

    def run(self, max_iterations: int, deadline: float, bound: float) -> None:
        """Tabu search until the meeting cost reaches ``bound`` (a lower bound) with no hard
        violation, the budget ends or the deadline passes; leaves the best plan in place."""
        best = self.score()
        current = best
        best_A = self.A.copy()
        tabu = self.tabu = np.zeros((self.S, self.n), dtype=np.int64)
        self.it = 0
        last_gain = 0
        patience = 400 + 20 * self.n
        if self.done(bound):
            return
        for it in range(max_iterations):
            self.it = it
            if it % 8 == 0 and clock.expired(deadline):
                break
            if it - last_gain > patience:
                self._restore(best_A)
                current = best
                self._perturb(3 + int(self.rng.integers(0, 4)))
                current = self.score()
                last_gain = it
            choice = self._best_swap(it, tabu, current, best)
            if choice is None:
                self._perturb(1)
                current = self.score()
                continue
            k, i, j, dh, ds = choice
            self.swap(k, i, j)
            tenure = 4 + int(self.rng.integers(0, 8))
            tabu[k, i] = tabu[k, j] = it + tenure
            current = (current[0] + dh, current[1] + ds)
            if better(current, best):
                current = self.score()  # re-sum exactly: no drift from the deltas
                best, best_A, last_gain = current, self.A.copy(), it
                if self.done(bound):
                    break
        if not np.array_equal(self.A, best_A):
            self._restore(best_A)

    def _best_swap(self, it: int, tabu: np.ndarray, current, best):
        found = None
        key_best = None
        for k in self.rng.permutation(self.S):
            M = self.M[k]
            conflicted = self._conflicted(k, M)
            if not len(conflicted):
                continue
            if len(conflicted) > SAMPLE:
                conflicted = self.rng.choice(conflicted, SAMPLE, replace=False)
            people = self.present[k][self.movable[k]]
            I = np.repeat(conflicted, len(people))
            J = np.tile(people, len(conflicted))
            keep = self.A[k, I] != self.A[k, J]
            I, J = I[keep], J[keep]
            if not len(I):
                continue
            dh, ds = self._meeting_delta(k, M, I, J)
            if self.visits is not None:
                vh, vs = self.visits.delta(k, I, J, self.A[k, I], self.A[k, J])
                dh, ds = dh + vh, ds + vs
            ls = self.searches[k]
            if ls.terms:
                oh, os_ = ls._evaluate_swaps(self.local[k, I], self.local[k, J])
                dh, ds = dh + oh, ds + os_
            allowed = (tabu[k, I] <= it) & (tabu[k, J] <= it)
            # aspiration: a swap that beats the best plan is always allowed
            allowed |= ((current[0] + dh) < best[0] - EPS) | (
                (np.abs(current[0] + dh - best[0]) <= EPS) & (current[1] + ds < best[1] - EPS)
            )
            if not allowed.any():
                continue
            # lexicographic (hard, soft) with a random tie-break
            order = np.lexsort((self.rng.random(len(I)), np.where(allowed, ds, np.inf), np.where(allowed, dh, np.inf)))
            x = int(order[0])
            key = (dh[x], ds[x])
            if key_best is None or better(key, key_best):
                key_best = key
                found = (int(k), int(I[x]), int(J[x]), float(dh[x]), float(ds[x]))
        return found

    tabu: np.ndarray = np.zeros((0, 0), dtype=np.int64)
    it: int = 0

    def _perturb(self, swaps: int) -> None:
        for _ in range(swaps):
            k = int(self.rng.integers(self.S))
            people = self.present[k][self.movable[k]]
            if len(people) < 2:
                continue
            i, j = self.rng.choice(people, 2, replace=False)
            if self.A[k, i] != self.A[k, j]:
                self.swap(k, int(i), int(j))
                # the perturbed people stay put for a while, or the next steps undo the kick
                self.tabu[k, [i, j]] = self.it + 10 + int(self.rng.integers(0, 10))

    def _restore(self, target: np.ndarray) -> None:
        """Moves every session back to ``target`` by swaps (keeps all tables consistent)."""
        for k in range(self.S):
            for i in self.present[k]:
                want = target[k, i]
                if self.A[k, i] == want:
                    continue
                # someone in the wanted team who belongs where i is now
                here = self.A[k, i]
                candidates = np.flatnonzero((self.A[k] == want) & (target[k] == here))
                if not len(candidates):
                    candidates = np.flatnonzero((self.A[k] == want) & (target[k] != want))
                self.swap(k, int(i), int(candidates[0]))
