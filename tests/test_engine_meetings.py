"""The engine's meeting bookkeeping against brute force and against the independent checker."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import teamkit as tk
from teamkit.engine.meetings import (
    Meetings,
    across_penalties,
    derived_constraints,
    repeat_lower_bound,
    team_pairs,
)

from .strategies import events


@given(st.lists(st.integers(-1, 4), min_size=0, max_size=30))
def test_team_pairs_are_every_pair_sharing_a_team(row):
    row = np.asarray(row, dtype=np.int64)
    n = len(row)
    expected = sorted(i * n + j for i, j in itertools.combinations(range(n), 2) if row[i] >= 0 and row[i] == row[j])
    assert team_pairs(row, n).tolist() == expected


def random_plan(problem: tk.ProblemData, rng: np.random.Generator) -> np.ndarray:
    """A random assignment respecting each session's layout (and kept teams)."""
    S, n = len(problem.sessions), problem.num_participants
    A = np.full((S, n), -1, dtype=np.int64)
    for k, session in enumerate(problem.sessions):
        layout = problem.layout(k)
        present = np.asarray(layout.present)
        sizes = [low for low, _ in layout.sizes]
        extra = len(present) - sum(sizes)
        for t in range(len(sizes)):
            room = layout.sizes[t][1] - sizes[t]
            add = min(room, extra)
            sizes[t] += add
            extra -= add
        teams = np.repeat(np.arange(len(sizes)), sizes)
        A[k, rng.permutation(present)] = teams
        if session.keep_teams:
            # a kept session copies the previous teams where it can; the checker then judges
            both = [i for i in present if A[k - 1, i] >= 0]
            A[k, both] = A[k - 1, both]
    return A


@settings(max_examples=40, deadline=None)
@given(events(), st.integers(0, 2**16))
def test_engine_penalties_equal_the_checker(problem, seed):
    A = random_plan(problem, np.random.default_rng(seed))
    plan = tk.Plan.from_assignment(problem, A)
    report = tk.check(problem, plan)
    engine = across_penalties(problem, Meetings(problem, A))
    for name, value in engine.items():
        assert value == report.penalties[name], name


@settings(max_examples=40, deadline=None)
@given(events(), st.integers(0, 2**16))
def test_derived_pairs_price_one_more_meeting(problem, seed):
    """For each session, the derived pair weights say exactly how the global penalty changes
    when the session's teams change: checked by re-planning the session at random."""
    rng = np.random.default_rng(seed)
    A = random_plan(problem, rng)
    meetings = Meetings(problem, A)
    names = dict(enumerate(problem.constraint_names()))
    for k in range(len(problem.sessions)):
        if any(len(b) > 1 and k in b for b in problem.blocks()):
            continue  # kept blocks count once; their pairs are approximations by design
        present = np.asarray(problem.layout(k).present)
        derived = derived_constraints(problem, meetings, k, present, names)
        before = across_penalties(problem, meetings)
        B = A.copy()
        B[k, present] = rng.permutation(A[k, present])
        after = across_penalties(problem, Meetings(problem, B))
        for cc in derived:
            if "pairs" not in cc.data:
                continue
            pairs, weights = cc.data["pairs"], cc.data["weights"]

            def cost(row):
                local = row[present]
                return float(sum(w for (i, j), w in zip(pairs, weights) if local[i] == local[j]))

            assert after[cc.name] - before[cc.name] == cost(B[k]) - cost(A[k]), cc.name


def nine_in_threes(absent: tuple[str, ...] = ()) -> tk.ProblemData:
    m = tk.Model()
    for i in range(9):
        m.add_participant(f"p{i}")
    m.add_session("r0", num_teams=3, absent=absent)
    for r in range(1, 5):
        m.add_session(f"r{r}", team_size=3)
    return m.data()


def test_repeat_lower_bound_counts_places_against_people():
    # 5 rounds x 2 team-mates = 10 places for 8 others: 2 repeats each, 9 x 2 / 2 = 9 pairs
    assert repeat_lower_bound(nine_in_threes()) == 9
    # p0 misses a round: 8 places for p0 (no repeat forced); the 8 others in teams of 2-3
    # in r0 have at least 1 team-mate there, so 9 places each: 8 x 1 / 2 = 4
    assert repeat_lower_bound(nine_in_threes(("p0",))) == 4
