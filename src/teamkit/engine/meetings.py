"""Meetings across sessions, as the engine sees them.

A *meeting* is two people sharing a team in a *block* (a session, or a run of sessions that
keep the same teams); a pair meets at most once per block. The engine plans one session at a
time with every other session fixed, so each across-session rule becomes, for that session,
a weighted set of pairs: the pairs who already met elsewhere, each weighted by what one more
meeting would cost. Those are ordinary "apart" pairs for the local search and for CP-SAT.

Memory stays linear in people x sessions: pairs are kept as sorted ``int64`` keys
``i * n + j`` (``i < j``) and only pairs that actually met are stored, about
``n * (team size - 1) / 2`` per block.

The independent checker recomputes all of this from scratch with its own code.
"""

from __future__ import annotations

import numpy as np

from teamkit.constraints import AvoidRepeats, Constraint, MeetAtMost, Reach
from teamkit.engine.compiled import Categorical, CompiledConstraint, categorical_column
from teamkit.model import ProblemData


def team_pairs(row: np.ndarray, n: int) -> np.ndarray:
    """Sorted keys ``i * n + j`` (``i < j``) of the pairs sharing a team in one assignment
    row (team per participant, -1 for absent)."""
    people = np.flatnonzero(row >= 0)
    if len(people) < 2:
        return np.zeros(0, dtype=np.int64)
    order = people[np.argsort(row[people], kind="stable")]
    teams = row[order]
    starts = np.flatnonzero(np.r_[True, teams[1:] != teams[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    width = int(sizes.max())
    M = np.full((len(starts), width), -1, dtype=np.int64)
    column = np.arange(len(order)) - np.repeat(starts, sizes)
    M[np.repeat(np.arange(len(starts)), sizes), column] = order
    iu, ju = np.triu_indices(width, k=1)
    a, b = M[:, iu].ravel(), M[:, ju].ravel()
    keep = (a >= 0) & (b >= 0)
    a, b = a[keep], b[keep]
    return np.sort(np.minimum(a, b) * n + np.maximum(a, b))


class Meetings:
    """Who met whom, block by block, for the current plan of every session.

    ``assignment[k, i]`` is participant ``i``'s team in session ``k`` (-1 when absent or not
    yet planned). Call :meth:`update` after a session's teams change.
    """

    def __init__(self, problem: ProblemData, assignment: np.ndarray) -> None:
        self.problem = problem
        self.n = problem.num_participants
        self.assignment = assignment
        self.blocks = problem.blocks()
        self.block_of = np.zeros(len(problem.sessions), dtype=np.int64)
        for b, block in enumerate(self.blocks):
            self.block_of[list(block)] = b
        self._pairs: list[np.ndarray | None] = [None] * len(problem.sessions)
        self._columns: dict[str, Categorical] = {}

    def column(self, attribute: str) -> Categorical:
        """``attribute`` of every participant as codes, read from the roster once."""
        if attribute not in self._columns:
            self._columns[attribute] = categorical_column(self.problem, np.arange(self.n), attribute)
        return self._columns[attribute]

    def update(self, k: int) -> None:
        self._pairs[k] = None

    def session_pairs(self, k: int) -> np.ndarray:
        if self._pairs[k] is None:
            self._pairs[k] = team_pairs(self.assignment[k], self.n)
        return self._pairs[k]  # type: ignore[return-value]

    def block_pairs(self, b: int, scope: frozenset[int] | None) -> np.ndarray:
        """Pairs who share a team in block ``b`` (sessions in ``scope`` only)."""
        keys = [self.session_pairs(k) for k in self.blocks[b] if scope is None or k in scope]
        if not keys:
            return np.zeros(0, dtype=np.int64)
        return keys[0] if len(keys) == 1 else np.unique(np.concatenate(keys))

    def counts(self, scope: frozenset[int] | None, skip_block: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(pair keys, meetings) over the blocks, leaving out ``skip_block``; only pairs that
        met at least once."""
        keys = [self.block_pairs(b, scope) for b in range(len(self.blocks)) if b != skip_block]
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(keys), return_counts=True)

    def values_met(self, codes: np.ndarray, num_values: int, skip_block: int | None, scope) -> np.ndarray:
        """``met[i, v] > 0`` when participant ``i`` shared a team with someone of value ``v``
        in a block other than ``skip_block`` (code 0, missing, is never counted)."""
        met = np.zeros((self.n, num_values), dtype=np.int32)
        for k in range(len(self.problem.sessions)):
            if self.block_of[k] == skip_block or (scope is not None and k not in scope):
                continue
            row = self.assignment[k]
            present = np.flatnonzero(row >= 0)
            if not len(present):
                continue
            T = int(row[present].max()) + 1
            table = np.zeros((T, num_values), dtype=np.int32)
            np.add.at(table, (row[present], codes[present]), 1)
            seen = table[row[present]]
            seen[np.arange(len(present)), codes[present]] -= 1
            met[present] += seen
        met[:, 0] = 0
        return met


def scope_of(problem: ProblemData, c: Constraint) -> frozenset[int] | None:
    if c.sessions is None:
        return None
    return frozenset(k for k, s in enumerate(problem.sessions) if s.id in c.sessions)


def marginal(c: MeetAtMost | AvoidRepeats, m: np.ndarray) -> np.ndarray:
    """What one more meeting costs a pair that has met ``m`` times elsewhere."""
    m = np.asarray(m, dtype=np.int64)
    if isinstance(c, MeetAtMost):
        return (m >= c.times).astype(float)
    p = c.power
    return np.where(m >= 1, m.astype(float) ** p - np.maximum(m - 1, 0).astype(float) ** p, 0.0)


def penalty(c: MeetAtMost | AvoidRepeats, m: np.ndarray) -> float:
    """The constraint's penalty for pairs with meeting counts ``m``."""
    m = np.asarray(m, dtype=np.int64)
    if isinstance(c, MeetAtMost):
        return float(np.maximum(m - c.times, 0).sum())
    return float((np.maximum(m - 1, 0).astype(float) ** c.power).sum())


def derived_constraints(
    problem: ProblemData, meetings: Meetings, k: int, present: np.ndarray, names: dict[int, str]
) -> list[CompiledConstraint]:
    """Each across-session rule as seen by session ``k`` with every other block fixed."""
    n = problem.num_participants
    local = np.full(n, -1, dtype=np.int64)
    local[present] = np.arange(len(present))
    block = int(meetings.block_of[k])
    out: list[CompiledConstraint] = []
    for index, c in enumerate(problem.constraints):
        if not c.across_sessions:
            continue
        scope = scope_of(problem, c)
        if scope is not None and k not in scope:
            continue
        if isinstance(c, (MeetAtMost, AvoidRepeats)):
            keys, counts = meetings.counts(scope, skip_block=block)
            weights = marginal(c, counts)
            keep = weights > 0
            keys, weights = keys[keep], weights[keep]
            a, b = local[keys // n], local[keys % n]
            inside = (a >= 0) & (b >= 0)
            pairs = np.stack([a[inside], b[inside]], axis=1).reshape(-1, 2)
            out.append(CompiledConstraint(c, names[index], {"pairs": pairs, "weights": weights[inside]}))
        elif isinstance(c, Reach):
            cat = meetings.column(c.attribute)
            met = meetings.values_met(cat.codes, len(cat.values), block, scope)
            local_cat = Categorical(
                cat.codes[present], cat.values, np.bincount(cat.codes[present], minlength=len(cat.values))
            )
            out.append(CompiledConstraint(c, names[index], {"cat": local_cat, "met": met[present] > 0}))
    return out


def across_penalties(problem: ProblemData, meetings: Meetings) -> dict[str, float]:
    """The penalty of every across-session rule for the whole plan, by constraint name."""
    names = problem.constraint_names()
    out: dict[str, float] = {}
    n = problem.num_participants
    for c, name in zip(problem.constraints, names):
        if not c.across_sessions:
            continue
        scope = scope_of(problem, c)
        if isinstance(c, (MeetAtMost, AvoidRepeats)):
            _, counts = meetings.counts(scope)
            out[name] = penalty(c, counts)
        elif isinstance(c, Reach):
            cat = meetings.column(c.attribute)
            met = meetings.values_met(cat.codes, len(cat.values), None, scope)
            attending = np.zeros(n, dtype=bool)
            for k in range(len(problem.sessions)):
                if scope is None or k in scope:
                    attending |= meetings.assignment[k] >= 0
            reach = (met > 0).sum(axis=1)
            out[name] = float(np.maximum(c.at_least - reach[attending], 0).sum())
    return out


def partner_counts(problem: ProblemData, scope: frozenset[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per participant: the fewest team-mates they must have over the event (team size
    minus one in every block they attend, at the smallest size the layout allows), and how
    many others attend at least one block with them."""
    n = problem.num_participants
    blocks = problem.blocks()
    needed = np.zeros(n, dtype=np.int64)
    attends = np.zeros((len(blocks), n), dtype=bool)
    for b, block in enumerate(blocks):
        sessions = [k for k in block if scope is None or k in scope]
        if not sessions:
            continue
        smallest = np.full(n, np.iinfo(np.int64).max)
        for k in sessions:
            layout = problem.layout(k)
            present = np.asarray(layout.present, dtype=np.int64)
            attends[b, present] = True
            smallest[present] = np.minimum(smallest[present], min(low for low, _ in layout.sizes))
        here = attends[b]
        needed[here] += smallest[here] - 1
    # Others met possible: people sharing a block, counted by attendance pattern (few
    # patterns in practice), so no n x n matrix is ever formed.
    patterns, inverse, sizes = np.unique(attends.T, axis=0, return_inverse=True, return_counts=True)
    overlap = (patterns.astype(np.int64) @ patterns.T.astype(np.int64)) > 0
    reachable = (overlap * sizes[None, :]).sum(axis=1)[inverse.ravel()] - attends.any(axis=0)
    return needed, reachable


def repeat_lower_bound(problem: ProblemData, scope: frozenset[int] | None = None) -> int:
    """A counting lower bound on the repeated pairs ``sum_pairs max(0, meetings - 1)``.

    Participant ``i`` has at least ``P_i`` team-mate slots over the event but only ``N_i``
    different people to fill them, so at least ``P_i - N_i`` of their slots are repeats; each
    repeat is counted by both people of the pair."""
    needed, reachable = partner_counts(problem, scope)
    return int(-(-int(np.maximum(needed - reachable, 0).sum()) // 2))


def excess_lower_bound(problem: ProblemData, times: int, scope: frozenset[int] | None = None) -> tuple[int, int]:
    """A lower bound on ``sum_pairs max(0, meetings - times)``, and the participant with the
    largest shortfall (index), from the same counting argument."""
    needed, reachable = partner_counts(problem, scope)
    short = np.maximum(needed - times * reachable, 0)
    return int(-(-int(short.sum()) // 2)), int(np.argmax(short))
