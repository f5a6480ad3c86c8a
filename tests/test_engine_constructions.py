"""Social Golfer constructions: every schedule is checked here from scratch (group sizes and
pair meetings counted in the test, not by the module), and the round counts are compared with
facts from design theory."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from teamkit.engine import constructions as con
from teamkit.engine.constructions import counting_bound, max_rounds, repeated_pairs, schedule


def meetings(sched: np.ndarray) -> Counter:
    """How often each pair of players shares a group, counted round by round."""
    count: Counter = Counter()
    for row in np.asarray(sched).tolist():
        members: dict[int, list[int]] = {}
        for player, group in enumerate(row):
            members.setdefault(group, []).append(player)
        for group in members.values():
            count.update(itertools.combinations(group, 2))
    return count


def assert_valid(sched, groups: int, size: int, rounds: int) -> None:
    assert isinstance(sched, np.ndarray)
    assert np.issubdtype(sched.dtype, np.integer)
    assert sched.shape == (rounds, groups * size)
    for row in sched.tolist():
        assert sorted(Counter(row).items()) == [(k, size) for k in range(groups)]
    repeats = [pair for pair, n in meetings(sched).items() if n > 1]
    assert not repeats, f"{len(repeats)} pairs meet more than once, e.g. {repeats[:3]}"


# (groups, size, rounds): optimal or best-known values the constructions reach
KNOWN = [
    (2, 2, 3),
    (3, 3, 4),  # AG(2, 3)
    (4, 3, 4),
    (4, 4, 5),  # AG(2, 4)
    (5, 3, 7),  # Kirkman's schoolgirls, KTS(15)
    (5, 5, 6),  # AG(2, 5)
    (6, 3, 8),  # NKTS(18)
    (6, 4, 7),  # 24 players: counting bound
    (6, 6, 3),  # no two orthogonal Latin squares of order 6
    (7, 3, 10),  # KTS(21)
    (7, 4, 9),  # resolvable (28, 4, 1) design
    (7, 7, 8),  # AG(2, 7)
    (8, 2, 15),
    (8, 3, 11),  # NKTS(24)
    (8, 4, 9),  # 8 slope rounds over GF(8) plus one split round
    (8, 8, 9),  # AG(2, 8)
    (9, 3, 13),  # AG(3, 3): KTS(27)
    (9, 9, 10),  # AG(2, 9)
    (10, 3, 14),  # NKTS(30)
    (10, 4, 13),  # resolvable (40, 4, 1) design
    (10, 10, 3),  # rows, columns, one Latin square
    (11, 3, 16),  # KTS(33), 1-rotational
    (11, 11, 12),
    (12, 3, 17),  # NKTS(36)
    (12, 12, 4),  # MacNeish: 2 MOLS of order 12
    (13, 3, 19),  # KTS(39)
    (15, 3, 22),  # GF(3) x GF(5) with KTS(15) splits: KTS(45)
    (16, 3, 23),  # NKTS(48)
    (16, 4, 21),  # AG(2, 4) lifted to GF(16): the bound
    (17, 3, 25),  # KTS(51), 1-rotational
    (25, 5, 31),  # GF(25) with AG(2, 5) splits: the bound
    (27, 3, 40),  # AG(4, 3): KTS(81)
]


@pytest.mark.parametrize(("groups", "size", "rounds"), KNOWN, ids=[f"{g}-{s}-{w}" for g, s, w in KNOWN])
def test_known_shapes(groups, size, rounds):
    assert max_rounds(groups, size) == rounds
    assert rounds <= counting_bound(groups, size)
    sched = schedule(groups, size, rounds)
    assert_valid(sched, groups, size, rounds)
    assert repeated_pairs(sched) == 0
    assert schedule(groups, size, rounds + 1) is None


@pytest.mark.parametrize(("groups", "size", "rounds"), [(8, 4, 8), (16, 4, 16), (10, 10, 2), (5, 3, 3)])
def test_fewer_rounds_are_a_prefix(groups, size, rounds):
    sched = schedule(groups, size, rounds)
    assert_valid(sched, groups, size, rounds)
    full = schedule(groups, size, max_rounds(groups, size))
    assert np.array_equal(sched, full[:rounds])


def test_every_small_shape_verifies():
    for groups, size in itertools.product(range(1, 13), range(2, 13)):
        rounds = max_rounds(groups, size)
        assert 1 <= rounds <= counting_bound(groups, size), (groups, size)
        assert_valid(schedule(groups, size, rounds), groups, size, rounds)
        assert schedule(groups, size, rounds + 1) is None


@pytest.mark.parametrize("q", [2, 3, 4, 5, 7, 8, 9, 11, 13, 16, 17, 25, 27, 32])
def test_affine_planes_meet_the_bound(q):
    # AG(2, q): q + 1 parallel classes, every pair exactly once
    assert max_rounds(q, q) == q + 1 == counting_bound(q, q)
    if q <= 16:
        sched = schedule(q, q, q + 1)
        assert_valid(sched, q, q, q + 1)
        assert len(meetings(sched)) == q * q * (q * q - 1) // 2


@pytest.mark.parametrize("g", range(1, 31))
def test_pairs_reach_round_robin_bound(g):
    assert max_rounds(g, 2) == 2 * g - 1 == counting_bound(g, 2)


def test_round_robin_schedule():
    sched = schedule(12, 2, 23)
    assert_valid(sched, 12, 2, 23)
    assert len(meetings(sched)) == 24 * 23 // 2


@pytest.mark.parametrize(("groups", "size"), [(2, 3), (3, 4), (5, 6), (4, 9)])
def test_groups_larger_than_their_number_allow_one_round(groups, size):
    assert max_rounds(groups, size) == 1
    assert_valid(schedule(groups, size, 1), groups, size, 1)
    assert schedule(groups, size, 2) is None


def test_never_above_the_counting_bound():
    for groups, size in itertools.product(range(1, 41), range(2, 9)):
        assert max_rounds(groups, size) <= counting_bound(groups, size), (groups, size)


def test_counting_bound_values():
    assert counting_bound(8, 4) == 10
    assert counting_bound(5, 3) == 7
    assert counting_bound(6, 3) == 8
    assert counting_bound(7, 7) == 8
    assert counting_bound(3, 1) > 10**6
    assert counting_bound(0, 4) == 0


def test_deterministic_and_fresh():
    first = schedule(16, 4, 21)
    second = schedule(16, 4, 21)
    assert np.array_equal(first, second)
    first[:] = 0
    assert np.array_equal(schedule(16, 4, 21), second)
    assert np.array_equal(schedule(5, 3, 7), schedule(5, 3, 7))


def test_edge_shapes():
    assert max_rounds(0, 3) == 0 and max_rounds(4, 0) == 0
    assert schedule(0, 3, 0).shape == (0, 0)
    assert schedule(0, 3, 1) is None
    assert schedule(4, 4, 0).shape == (0, 16)
    assert max_rounds(1, 5) == 1
    assert max_rounds(4, 1) >= 10**6
    assert_valid(schedule(4, 1, 7), 4, 1, 7)
    with pytest.raises(ValueError):
        schedule(4, 4, -1)
    with pytest.raises(ValueError):
        max_rounds(-1, 3)


def test_repeated_pairs_counts_excess_meetings():
    one = np.array([[0, 0, 1, 1, 2, 2]])
    assert repeated_pairs(one) == 0
    assert repeated_pairs(np.vstack([one, one])) == 3
    assert repeated_pairs(np.vstack([one, one, one])) == 6
    assert repeated_pairs(np.array([[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]])) == 2
    assert repeated_pairs(np.zeros((0, 5), dtype=int)) == 0


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int64, st.tuples(st.integers(1, 5), st.integers(1, 9)), elements=st.integers(0, 3)))
def test_repeated_pairs_matches_direct_count(sched):
    expected = sum(n - 1 for n in meetings(sched).values())
    assert repeated_pairs(sched) == expected


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 14), st.integers(1, 9), st.data())
def test_any_prefix_of_any_small_shape_is_valid(groups, size, data):
    best = max_rounds(groups, size)
    rounds = data.draw(st.integers(0, min(best, 25)))
    assert_valid(schedule(groups, size, rounds), groups, size, rounds)


@pytest.mark.parametrize(("p", "k"), [(2, 2), (2, 3), (3, 2), (2, 4), (5, 2), (3, 3), (2, 5), (7, 2)])
def test_finite_field_axioms(p, k):
    field = con._field(p, k)
    q = p**k
    x = np.arange(q)
    add = field.add(x[:, None], x[None, :])
    mul = field.mul(x[:, None], x[None, :])
    # abelian group of characteristic p, commutative multiplication, no zero divisors
    assert all(sorted(row) == list(range(q)) for row in add.tolist())
    assert np.array_equal(add, add.T) and np.array_equal(mul, mul.T)
    total = np.zeros(q, dtype=np.int64)
    for _ in range(p):
        total = field.add(total, x)
    assert not total.any()
    assert np.array_equal(mul[1], x) and not mul[0].any()
    assert all(sorted(row) == list(range(1, q)) for row in mul[1:, 1:].tolist())
    # associativity and distributivity on all triples
    a, b, c = np.meshgrid(x, x, x, indexing="ij")
    assert np.array_equal(field.mul(field.mul(a, b), c), field.mul(a, field.mul(b, c)))
    assert np.array_equal(field.mul(a, field.add(b, c)), field.add(field.mul(a, b), field.mul(a, c)))
