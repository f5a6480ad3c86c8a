"""Exact constructions for the Social Golfer Problem (SGP).

The SGP (CSPLib prob010) asks for ``w`` rounds in which ``g * s`` players are split into ``g``
groups of ``s`` so that no two players share a group twice. A schedule here is an int array of
shape ``(w, g * s)``: entry ``[r, i]`` is the group (``0..g-1``) of player ``i`` in round ``r``.
Every pair of players meets at most once, so a player meets ``s - 1`` new people per round and
``w <= (g*s - 1) // (s - 1)`` (the counting bound, :func:`counting_bound`).

Search-based SGP solvers (e.g. Triska & Musliu, "An effective greedy heuristic for the Social
Golfer Problem", Annals of Operations Research 194, 2012) are strong but still fail on many
instances that design theory settles outright. This module collects such constructions; the
references for the facts used are CSPLib prob010 and Colbourn & Dinitz (eds.), *Handbook of
Combinatorial Designs*, 2nd ed., 2007 (chapters on finite geometries, MOLS and transversal
designs, Kirkman triple systems, resolvable designs and difference families).

1. **Finite fields.** ``GF(q)``, ``q = p^k``, with elements ``0..q-1`` read as polynomials over
   ``GF(p)`` (base-``p`` digits are the coefficients). For ``k >= 2`` the first monic polynomial
   of degree ``k`` (in a fixed order) whose quotient ring has no zero divisors is used, which
   makes the quotient a field; addition and multiplication tables are built with numpy.

2. **Affine / transversal rounds.** Let ``R`` be a ring of order ``g`` (a field, or a product of
   the fields of the prime-power factors of ``g``, with componentwise arithmetic as in
   MacNeish's product construction). Players are labelled ``(a, b)`` with ``a`` in a set ``A``
   of ``s`` row labels and ``b`` in ``R``; in the round of slope ``t`` player ``(a, b)`` plays in
   group ``b + a*t``. Every group gets one player of each row, and ``(a, b)``, ``(a', b')``
   share a group in rounds ``t`` and ``t'`` only if ``(a - a')(t - t') = 0``. So any set ``T`` of
   slopes with ``(a - a')(t - t') != 0`` for distinct labels and distinct slopes works. Two
   choices are used: rows injective on every factor ``q_i >= s`` and slopes running over those
   factors (``prod(q_i >= s)`` rounds: ``q`` rounds for a prime power ``q >= s``, ``g`` rounds
   when all factors are ``>= s``); or slopes with all components distinct (``min q_i`` rounds for
   any ``s <= g``, the MOLS from MacNeish's theorem).

3. **Splitting the rows.** Players of one row never meet in those rounds. When ``s`` divides
   ``g`` each row (``g`` players) is cut into ``g/s`` groups of ``s`` by a schedule for the
   smaller instance ``(g/s, s)``, applied to all rows in the same round so each round still has
   ``g`` groups. With ``s = g = q`` this adds the one round that completes the affine plane
   (``q + 1`` rounds); with ``s = 2`` and ``g = 2^k`` it reaches the ``2g - 1`` bound;
   ``AG(n, 3)`` (``g = 3^(n-1)``, ``s = 3``) comes out as a Kirkman triple system with
   ``(3g - 1)/2`` rounds; ``16-4`` gets ``16 + 5 = 21`` rounds, ``8-4`` gets ``8 + 1 = 9``.
   For ``s = g`` with ``g`` not a prime power it gives rows, columns and ``min q_i - 1`` MOLS:
   ``min q_i + 1`` rounds (3 for ``g = 6`` or ``10``).

4. **Round-robin.** For ``s = 2`` the circle method (a 1-factorization of ``K_{2g}``) gives the
   bound ``2g - 1``.

5. **Designs with a cyclic automorphism.** For a few shapes (Kirkman triple systems KTS(15),
   KTS(21), KTS(33), KTS(39), KTS(51); nearly Kirkman triple systems NKTS(18), NKTS(24),
   NKTS(30), NKTS(36), NKTS(48); resolvable ``(28, 4, 1)`` and ``(40, 4, 1)`` designs; 7 rounds
   of ``6-4``) a schedule is searched for that is invariant under ``Z_n`` acting on the points
   as a union of orbits, as in the 1-rotational and difference-family constructions of
   resolvable designs. ``Z_n`` moves a "base" round (invariant under a subgroup ``H``) to
   ``n/|H|`` rounds, and two players meet at most once overall exactly when the pairs of the
   base rounds fall into distinct ``Z_n``-orbits of pairs, one ``H``-orbit each, and no pair
   is fixed by a translation outside ``H``. Finding base rounds is an exact cover problem
   (points once per base round, pair orbits at most once) solved by Knuth's Algorithm X on
   bitsets, deterministically and with a node budget. The parameters per shape are listed in
   ``_ORBIT_SPECS``; the designs themselves are computed, never stored.

6. **Disjoint union.** Schedules for ``(g1, s)`` and ``(g2, s)`` side by side give ``(g1 + g2,
   s)`` with the smaller number of rounds (e.g. ``10-3`` from two ``5-3`` schedules: 7 rounds).

:func:`max_rounds` takes the best of whatever applies; if nothing does, one round (any
partition) is always possible, and for ``s > g`` that is optimal: a second round would need
two players from one of the ``g`` first-round groups in the same group again.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator

import numpy as np

from teamkit.engine.meetings import team_pairs

__all__ = ["counting_bound", "max_rounds", "repeated_pairs", "schedule"]

#: Rounds reported when groups of one make every number of rounds possible.
_UNBOUNDED = 2**31 - 1

#: Largest ``p^k`` (``k >= 2``) whose ``q x q`` tables are built; prime fields need no tables.
_MAX_TABLE_FIELD = 1024

#: Disjoint unions are only searched up to this many groups (the search is quadratic in ``g``).
_MAX_UNION_GROUPS = 512

#: Node budget of the exact-cover search (the listed shapes need fewer than 10^5 nodes).
_SEARCH_BUDGET = 2_000_000


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def counting_bound(groups: int, size: int) -> int:
    """``floor((g*s - 1) / (s - 1))``: a player meets ``s - 1`` new players per round.

    For ``size == 1`` nobody ever meets, so the bound is a large number; with no players (or
    a non-positive shape) it is 0.
    """
    g, s = _shape(groups, size)
    if g < 1 or s < 1:
        return 0
    if s == 1:
        return _UNBOUNDED
    return (g * s - 1) // (s - 1)


def max_rounds(groups: int, size: int) -> int:
    """Rounds the best construction here gives for this shape.

    0 when there is no player; otherwise at least 1 (any partition is a first round); a large
    number for ``size == 1``. :func:`schedule` delivers exactly this many rounds.
    """
    g, s = _shape(groups, size)
    if g < 1 or s < 1:
        return 0
    if s == 1:
        return _UNBOUNDED
    return _best(g, s)[0]


def schedule(groups: int, size: int, rounds: int) -> np.ndarray | None:
    """A ``(rounds, groups*size)`` array of group numbers with no pair of players meeting twice.

    None if ``rounds > max_rounds(groups, size)``. The same arguments always give the same
    array; a fresh array is returned on each call.
    """
    g, s = _shape(groups, size)
    w = operator.index(rounds)
    if w < 0:
        raise ValueError(f"rounds must be >= 0, got {w}")
    if w > max_rounds(g, s):
        return None
    if w == 0:
        return np.zeros((0, g * s), dtype=np.int64)
    if s == 1:
        return np.tile(np.arange(g, dtype=np.int64), (w, 1))
    out = _build(g, s, w)
    assert out.shape == (w, g * s)
    return out


def repeated_pairs(schedule: np.ndarray) -> int:
    """Sum over pairs of players of ``max(0, meetings - 1)``, counted from the array alone."""
    sched = np.asarray(schedule)
    if sched.ndim != 2:
        raise ValueError(f"schedule must be 2-D (rounds, players), got shape {sched.shape}")
    if sched.size == 0:
        return 0
    if not np.issubdtype(sched.dtype, np.integer):
        raise ValueError("schedule must hold integer group numbers")
    if sched.min() < 0:
        raise ValueError("group numbers must be >= 0")
    # Pairs as sorted keys, round by round: linear in players x rounds, never players^2.
    players = sched.shape[1]
    keys = np.concatenate([team_pairs(np.asarray(row, dtype=np.int64), players) for row in sched])
    _, counts = np.unique(keys, return_counts=True)
    return int((counts - 1).sum())


def _shape(groups: int, size: int) -> tuple[int, int]:
    g, s = operator.index(groups), operator.index(size)
    if g < 0 or s < 0:
        raise ValueError(f"groups and size must be >= 0, got {g} and {s}")
    return g, s


# ---------------------------------------------------------------------------------------------
# Arithmetic: factorization, GF(q), products of fields
# ---------------------------------------------------------------------------------------------


def _prime_powers(n: int) -> list[tuple[int, int]]:
    """``n`` as ``[(p, k), ...]`` with ``n = prod p^k``, primes ascending."""
    out = []
    p = 2
    while p * p <= n:
        if n % p == 0:
            k = 0
            while n % p == 0:
                n //= p
                k += 1
            out.append((p, k))
        p += 1
    if n > 1:
        out.append((n, 1))
    return out


class _Field:
    """``GF(p^k)`` on the integers ``0..q-1`` (base-``p`` digits = polynomial coefficients)."""

    def __init__(self, p: int, k: int) -> None:
        self.p, self.k, self.q = p, k, p**k
        self.modulus: tuple[int, ...] | None = None  # low-to-high coefficients, monic x^k omitted
        self._add = self._mul = None
        if k > 1:
            self._build_tables()

    def add(self, x, y):
        if self.k == 1:
            return (np.asarray(x) + np.asarray(y)) % self.p
        return self._add[x, y]

    def mul(self, x, y):
        if self.k == 1:
            return (np.asarray(x) * np.asarray(y)) % self.p
        return self._mul[x, y]

    def _build_tables(self) -> None:
        p, k, q = self.p, self.k, self.q
        weights = p ** np.arange(k)
        digits = (np.arange(q)[:, None] // weights) % p  # (q, k)
        add = np.zeros((q, q), dtype=np.int32)
        for e in range(k):  # digit by digit keeps memory at q*q
            add += (((digits[:, None, e] + digits[None, :, e]) % p) * weights[e]).astype(np.int32)
        # scale[c, y] = c*y for a scalar c in GF(p)
        scale = np.stack([((c * digits) % p) @ weights for c in range(p)]).astype(np.int32)
        # Monic candidates x^k + c_{k-1} x^{k-1} + ... + c_0 in a fixed order; c_0 != 0 (else x
        # divides). A finite commutative ring without zero divisors is a field, so the first
        # candidate whose multiplication table has no zero off row/column 0 is irreducible.
        for code in range(q):
            coeffs = tuple(int(d) for d in digits[code])
            if coeffs[0] == 0:
                continue
            reduce_top = int(((-np.array(coeffs)) % p) @ weights)  # x^k as a lower polynomial
            # times_x[y] = x*y: shift the digits up, fold the top digit back with reduce_top
            shifted = (np.arange(q) % (q // p)) * p
            times_x = add[shifted, scale[digits[:, k - 1], reduce_top]]
            mul = np.zeros((q, q), dtype=np.int32)
            power = np.arange(q)  # x^e * y for all y
            for e in range(k):
                mul = add[mul, scale[digits[:, e][:, None], power[None, :]]]
                power = times_x[power]
            if (mul[1:, 1:] != 0).all():
                self.modulus, self._add, self._mul = coeffs, add, mul
                return
        raise AssertionError(f"no irreducible polynomial of degree {k} over GF({p})")


@functools.cache
def _field(p: int, k: int) -> _Field:
    return _Field(p, k)


class _Ring:
    """The product of the fields ``GF(q_i)`` over the prime-power factors of ``g``.

    Elements are ``0..g-1`` in mixed radix (component ``i`` is digit ``i`` of radix ``q_i``);
    addition and multiplication are componentwise.
    """

    def __init__(self, order: int) -> None:
        self.order = order
        self.fields = [_field(p, k) for p, k in _prime_powers(order)]
        self.sizes = [f.q for f in self.fields]
        self.radix = [math.prod(self.sizes[:i]) for i in range(len(self.sizes))]

    def split(self, x) -> list[np.ndarray]:
        x = np.asarray(x)
        return [(x // r) % q for r, q in zip(self.radix, self.sizes)]

    def join(self, parts) -> np.ndarray:
        return sum(np.asarray(c) * r for c, r in zip(parts, self.radix))

    def add(self, x, y) -> np.ndarray:
        return self.join(f.add(a, b) for f, a, b in zip(self.fields, self.split(x), self.split(y)))

    def mul(self, x, y) -> np.ndarray:
        return self.join(f.mul(a, b) for f, a, b in zip(self.fields, self.split(x), self.split(y)))


def _ring_available(g: int) -> bool:
    return all(k == 1 or p**k <= _MAX_TABLE_FIELD for p, k in _prime_powers(g))


# ---------------------------------------------------------------------------------------------
# Affine / transversal rounds (items 2-3 of the module docstring)
# ---------------------------------------------------------------------------------------------


def _affine_count(g: int, s: int) -> int:
    """How many slopes the better of the two row/slope choices gives (0 if none applies)."""
    if g < 2 or s > g or not _ring_available(g):
        return 0
    sizes = [p**k for p, k in _prime_powers(g)]
    by_factor = math.prod(q for q in sizes if q >= s)  # empty product 1 = a single round
    return max(by_factor, min(sizes))


def _affine_labels(g: int, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Row labels ``A`` (``s`` ring elements) and slopes ``T`` for :func:`_affine_count`."""
    ring = _Ring(g)
    sizes = ring.sizes
    big = [i for i, q in enumerate(sizes) if q >= s]
    if big and math.prod(sizes[i] for i in big) >= min(sizes):
        # Rows differ in every factor q_i >= s, slopes range over exactly those factors: two
        # distinct slopes differ in some factor where the two rows also differ.
        rows = ring.join([np.arange(s) % q for q in sizes])
        grids = np.meshgrid(*[np.arange(sizes[i]) for i in big], indexing="ij")
        parts = [np.zeros(grids[0].size, dtype=np.int64) for _ in sizes]
        for i, grid in zip(big, grids):
            parts[i] = grid.ravel()
        slopes = ring.join(parts)
    else:
        # Slopes differ in every component (their differences are units), rows are any s
        # distinct elements: MacNeish's MOLS.
        m = min(sizes)
        rows = np.arange(s)
        slopes = ring.join([np.arange(m) for _ in sizes])
    return np.asarray(rows, dtype=np.int64), np.sort(np.asarray(slopes, dtype=np.int64))


def _affine_rounds(g: int, s: int, count: int) -> np.ndarray:
    """The first ``count`` slope rounds; player ``i*g + b`` is row ``i``, column ``b``."""
    ring = _Ring(g)
    rows, slopes = _affine_labels(g, s)
    b = np.arange(g)
    out = np.empty((count, s * g), dtype=np.int64)
    for r, t in enumerate(slopes[:count]):
        out[r] = ring.add(b[None, :], ring.mul(rows, t)[:, None]).ravel()
    return out


# ---------------------------------------------------------------------------------------------
# Round-robin for pairs (item 4)
# ---------------------------------------------------------------------------------------------


def _circle_rounds(g: int, count: int) -> np.ndarray:
    """Circle method: player ``2g-1`` stays put, the others rotate around ``Z_{2g-1}``."""
    n = 2 * g - 1
    out = np.empty((count, 2 * g), dtype=np.int64)
    offsets = np.arange(1, g)
    for r in range(count):
        out[r, n] = 0
        out[r, r] = 0
        out[r, (r + offsets) % n] = offsets
        out[r, (r - offsets) % n] = offsets
    return out


# ---------------------------------------------------------------------------------------------
# Designs with a cyclic automorphism (item 5)
# ---------------------------------------------------------------------------------------------

#: (groups, size) -> (n, orbit sizes, base rounds, stabilizer order h). Z_n acts on the points
#: as a union of orbits of the given sizes (each divides n; size 1 = a fixed point); each base
#: round is invariant under the subgroup of order h and gives n/h rounds. h = 2 is the
#: 1-rotational construction of Kirkman triple systems.
_ORBIT_SPECS: dict[tuple[int, int], tuple[int, tuple[int, ...], int, int]] = {
    (5, 3): (7, (7, 7, 1), 1, 1),  # KTS(15), Kirkman's schoolgirls: 7 rounds
    (6, 3): (4, (4, 4, 4, 4, 1, 1), 2, 1),  # NKTS(18): 8 rounds
    (7, 3): (5, (5, 5, 5, 5, 1), 2, 1),  # KTS(21): 10 rounds
    (8, 3): (11, (11, 11, 1, 1), 1, 1),  # NKTS(24): 11 rounds
    (10, 3): (14, (14, 14, 1, 1), 1, 1),  # NKTS(30): 14 rounds
    (11, 3): (32, (32, 1), 1, 2),  # KTS(33): 16 rounds
    (12, 3): (17, (17, 17, 1, 1), 1, 1),  # NKTS(36): 17 rounds
    (13, 3): (19, (19, 19, 1), 1, 1),  # KTS(39): 19 rounds
    (16, 3): (23, (23, 23, 1, 1), 1, 1),  # NKTS(48): 23 rounds
    (17, 3): (50, (50, 1), 1, 2),  # KTS(51): 25 rounds
    (6, 4): (7, (7, 7, 7, 1, 1, 1), 1, 1),  # 24 players, 7 rounds (the counting bound)
    (7, 4): (9, (9, 9, 9, 1), 1, 1),  # resolvable (28, 4, 1) design: 9 rounds
    (10, 4): (39, (39, 1), 1, 3),  # resolvable (40, 4, 1) design: 13 rounds
}


def _orbit_rounds_count(g: int, s: int) -> int:
    spec = _ORBIT_SPECS.get((g, s))
    return 0 if spec is None else spec[2] * spec[0] // spec[3]


@functools.cache
def _orbit_base(
    n: int, sizes: tuple[int, ...], s: int, classes: int, stab: int
) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Base rounds (blocks of point ids) of a ``Z_n``-invariant schedule, see item 5; () if none.

    Round ``(c, t)``, ``0 <= t < n/stab``, is base round ``c`` translated by ``t``. A pair whose
    orbit is fixed by a translation outside the stabilizer ``H`` would meet in two rounds, so
    it is excluded; every other ``Z_n``-orbit of pairs may occur in the base rounds as one
    ``H``-orbit of pairs at most (then its pairs are met once each over the rounds).
    """
    offsets = list(itertools.accumulate((0,) + sizes[:-1]))
    orbit = [i for i, z in enumerate(sizes) for _ in range(z)]
    local = [x for z in sizes for x in range(z)]
    v = len(orbit)
    shift = [[offsets[orbit[p]] + (local[p] + t) % sizes[orbit[p]] for p in range(v)] for t in range(n)]
    stabilizer = [k * (n // stab) for k in range(stab)]

    def moved(pair: tuple[int, int], t: int) -> tuple[int, int]:
        a, b = shift[t][pair[0]], shift[t][pair[1]]
        return (a, b) if a < b else (b, a)

    # key[p][q]: the Z_n-orbit of the pair (-1: excluded); sub[p][q]: its H-orbit
    key = [[-1] * v for _ in range(v)]
    sub = [[-1] * v for _ in range(v)]
    done = [[False] * v for _ in range(v)]
    num_keys = pairs_available = 0
    for pair in itertools.combinations(range(v), 2):
        if done[pair[0]][pair[1]]:
            continue
        fixing = {t for t in range(n) if moved(pair, t) == pair}
        members = {moved(pair, t) for t in range(n)}
        k = -1
        if fixing <= set(stabilizer):
            k, num_keys, pairs_available = num_keys, num_keys + 1, pairs_available + len(members)
        for a, b in members:
            done[a][b] = done[b][a] = True
            key[a][b] = key[b][a] = k
            least = min(moved((a, b), t) for t in stabilizer)
            sub[a][b] = sub[b][a] = least[0] * v + least[1]

    # A base round may be translated freely, so the block of the first fixed point can be
    # taken to hold point 0 of the first full orbit (or no point of that orbit at all).
    fixed = next((offsets[i] for i, z in enumerate(sizes) if z == 1), None)
    full = next((i for i, z in enumerate(sizes) if z == n), None)

    def allowed(block: tuple[int, ...]) -> bool:
        if fixed is None or full is None or fixed not in block:
            return True
        lo = offsets[full]
        inside = [p for p in block if lo <= p < lo + n]
        return not inside or lo in inside

    # Rows: H-orbits of blocks, given by their least block; two pairs of one orbit of blocks
    # may share a Z_n-orbit only by being H-images of each other.
    rows: list[tuple[tuple[tuple[int, ...], ...], list[int]]] = []

    def extend(block: list[int], owner: dict[int, int]) -> None:
        if len(block) == s:
            images = sorted({tuple(sorted(shift[t][p] for p in block)) for t in stabilizer})
            points = [p for b in images for p in b]
            if images[0] == tuple(block) and len(set(points)) == len(points) and allowed(images[0]):
                rows.append((tuple(images), sorted(owner)))
            return
        for p in range((block[-1] + 1) if block else 0, v - (s - len(block) - 1)):
            grown = dict(owner)
            for q in block:
                k = key[q][p]
                if k < 0 or grown.setdefault(k, sub[q][p]) != sub[q][p]:
                    break
            else:
                extend(block + [p], grown)

    extend([], {})
    rounds = classes * n // stab
    pairs_needed = rounds * (v // s) * (s * (s - 1) // 2)
    if pairs_needed > pairs_available:
        return ()
    # Columns: (base round, point) exactly once; pair orbits at most once, or exactly once when
    # the counts say every pair must be met (then they prune as primary columns).
    cover = [
        [c * v + p for b in blocks for p in b] + [classes * v + k for k in keys]
        for c in range(classes)
        for blocks, keys in rows
    ]
    primary = classes * v + (num_keys if pairs_needed == pairs_available else 0)
    chosen = _exact_cover(cover, classes * v + num_keys, primary, _SEARCH_BUDGET)
    if chosen is None:
        return ()
    base: list[list[tuple[int, ...]]] = [[] for _ in range(classes)]
    for r in sorted(chosen):
        base[r // len(rows)].extend(rows[r % len(rows)][0])
    return tuple(tuple(sorted(b)) for b in base)


def _exact_cover(rows: list[list[int]], columns: int, primary: int, budget: int) -> list[int] | None:
    """Knuth's Algorithm X on Python-int bitsets of rows.

    Columns ``0..primary-1`` must be covered exactly once, the others at most once. The column
    with the fewest live rows is branched on (ties: lowest index), rows in index order, so the
    result is deterministic. None if there is no cover or the node budget runs out.
    """
    col_rows = [0] * columns
    for r, cols in enumerate(rows):
        for c in cols:
            col_rows[c] |= 1 << r
    if any(col_rows[c] == 0 for c in range(primary)):
        return None
    row_cols = [frozenset(cols) for cols in rows]
    chosen: list[int] = []
    nodes = 0

    def search(live: int, open_cols: list[int]) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            raise _BudgetExceeded
        if not open_cols:
            return True
        best, best_col = -1, -1
        for c in open_cols:
            n = (col_rows[c] & live).bit_count()
            if best < 0 or n < best:
                best, best_col = n, c
                if n <= 1:
                    break
        candidates = col_rows[best_col] & live
        while candidates:
            low = candidates & -candidates
            candidates ^= low
            r = low.bit_length() - 1
            kill = 0
            for c in rows[r]:
                kill |= col_rows[c]
            chosen.append(r)
            if search(live & ~kill, [c for c in open_cols if c not in row_cols[r]]):
                return True
            chosen.pop()
        return False

    try:
        found = search((1 << len(rows)) - 1, list(range(primary)))
    except _BudgetExceeded:
        return None
    return chosen if found else None


class _BudgetExceeded(Exception):
    pass


def _orbit_rounds(g: int, s: int, count: int) -> np.ndarray:
    n, sizes, classes, stab = _ORBIT_SPECS[(g, s)]
    base = _orbit_base(n, sizes, s, classes, stab)
    if not base:
        raise RuntimeError(f"the Z_{n} search for {g}-{s} found no design")
    offsets = list(itertools.accumulate((0,) + sizes[:-1]))
    orbit = np.array([i for i, z in enumerate(sizes) for _ in range(z)])
    local = np.array([x for z in sizes for x in range(z)])
    start = np.array(offsets)[orbit]
    modulus = np.array(sizes)[orbit]
    out = np.empty((count, g * s), dtype=np.int64)
    for r in range(count):
        c, t = divmod(r, n // stab)
        group_of = np.empty(g * s, dtype=np.int64)
        for label, block in enumerate(base[c]):
            group_of[list(block)] = label
        # round (c, t) puts point p where base round c put the point p - t
        out[r] = group_of[start + (local - t) % modulus]
    return out


# ---------------------------------------------------------------------------------------------
# Planning: best construction per shape, then building it
# ---------------------------------------------------------------------------------------------


def _best(g: int, s: int) -> tuple[int, tuple]:
    """(rounds, recipe) of the best construction for ``g`` groups of ``s >= 2``."""
    if g <= _MAX_UNION_GROUPS:
        for smaller in range(s, g):  # fill the cache bottom-up: no deep recursion
            _best_cached(smaller, s)
    return _best_cached(g, s)


@functools.cache
def _best_cached(g: int, s: int) -> tuple[int, tuple]:
    options: list[tuple[int, tuple]] = [(1, ("single",))]
    if s > g:
        return options[0]  # optimal: see the module docstring
    if s == 2:
        options.append((2 * g - 1, ("circle",)))
    slopes = _affine_count(g, s)
    if slopes:
        split = _best(g // s, s)[0] if g % s == 0 else 0
        options.append((slopes + split, ("affine", slopes, split)))
    orbit = _orbit_rounds_count(g, s)
    if orbit:
        options.append((orbit, ("orbit",)))
    if g <= _MAX_UNION_GROUPS and g >= 2 * s:
        parts = np.array([_best_cached(h, s)[0] for h in range(s, g - s + 1)])
        both = np.minimum(parts, parts[::-1])
        h = int(np.argmax(both))
        options.append((int(both[h]), ("union", s + h)))
    # max keeps the first of equals: direct constructions win ties over unions
    return max(options, key=lambda o: o[0])


def _build(g: int, s: int, count: int) -> np.ndarray:
    rounds, recipe = _best(g, s)
    assert count <= rounds
    kind = recipe[0]
    if kind == "single":
        return np.repeat(np.arange(g, dtype=np.int64), s)[None, :].repeat(count, axis=0)
    if kind == "circle":
        return _circle_rounds(g, count)
    if kind == "orbit":
        return _orbit_rounds(g, s, count)
    if kind == "affine":
        slopes = recipe[1]
        head = _affine_rounds(g, s, min(count, slopes))
        if count <= slopes:
            return head
        # Rows (players i*g .. i*g+g-1) are cut by one sub-schedule, row i using groups
        # i*(g/s) .. (i+1)*(g/s)-1, so all rows are split in the same rounds.
        sub = _build(g // s, s, count - slopes)  # (count - slopes, g) labels 0..g/s-1
        tail = (sub[:, None, :] + (np.arange(s) * (g // s))[None, :, None]).reshape(count - slopes, s * g)
        return np.concatenate([head, tail])
    if kind == "union":
        first = recipe[1]
        left = _build(first, s, count)
        right = _build(g - first, s, count) + first
        return np.concatenate([left, right], axis=1)
    raise AssertionError(kind)
