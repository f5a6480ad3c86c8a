"""The tabu walk of :mod:`teamkit.engine.mdgp`, compiled with numba.

It makes exactly the moves of the numpy walk (``mdgp._walk_numpy``) on the same tables: the
same float32 swap gains added in the same order, the same first-best tie-breaking, the same
float64 updates. Only the cost differs: numpy pays a fixed toll of a dozen calls per
iteration, which dominates at a hundred people, and builds the full ``n x n`` table of swap
gains, where this loop visits each pair of people in different teams once, on the fly.
``tests/test_engine_mdgp.py`` checks that both walks return the same plan.

Import this module only through :func:`teamkit.engine.mdgp.compiled_walk`, which falls back
to numpy when numba is missing or fails.
"""

from __future__ import annotations

import numba
import numpy as np

_NEG32 = np.float32(-np.inf)

#: Why :func:`walk` returned: the iterations asked for are done, the episode stalled (the
#: caller kicks), or the best plan has not improved for ``patience`` iterations.
DONE, STALLED, CONVERGED = 0, 1, 2


@numba.njit(cache=True, nogil=True)
def _shift(D, G, group, i, a, b, value):  # pragma: no cover - compiled
    value += G[i, b] - G[i, a]
    for k in range(G.shape[0]):
        G[k, a] -= D[i, k]
    for k in range(G.shape[0]):
        G[k, b] += D[i, k]
    group[i] = b
    return value


@numba.njit(cache=True, nogil=True)
def _exchange(Dp2, elem, pos, p, q):  # pragma: no cover - compiled
    if p == q:
        return
    i = elem[p]
    j = elem[q]
    elem[p] = j
    elem[q] = i
    pos[i] = q
    pos[j] = p
    n = Dp2.shape[0]
    for k in range(n):
        x = Dp2[p, k]
        Dp2[p, k] = Dp2[q, k]
        Dp2[q, k] = x
    for k in range(n):
        x = Dp2[k, p]
        Dp2[k, p] = Dp2[k, q]
        Dp2[k, q] = x


@numba.njit(cache=True, nogil=True)
def walk(  # pragma: no cover - compiled
    D,
    Dp2,
    G,
    group,
    size,
    low,
    high,
    elem,
    pos,
    start,
    block,
    until,
    tenures,
    best,
    it,
    end,
    value,
    best_value,
    last_gain,
    stale,
    patience,
    restart_after,
    eps,
    flexible,
    move_every,
):
    """Iterations ``it`` to ``end`` of the tabu walk; see ``mdgp._walk_numpy`` for the
    arguments and the result ``(it, value, best_value, last_gain, stale, why)``."""
    n, m = G.shape
    Mp = np.empty((n, m), dtype=np.float32)  # move gains, position order, own team -inf
    MpT = np.empty((m, n), dtype=np.float32)  # the same, transposed, tabu people -inf
    while it <= end:
        if it - last_gain > patience:
            return it, value, best_value, last_gain, stale, CONVERGED
        for p in range(n):
            i = elem[p]
            own = G[i, group[i]]
            tabu = until[i] > it
            for t in range(m):
                v = _NEG32 if t == group[i] else np.float32(G[i, t] - own)
                Mp[p, t] = v
                MpT[t, p] = _NEG32 if tabu else v
        need = best_value - value + eps
        bi = -1
        bj = -1
        gain = -np.inf
        # Aspiration: the best swap of a tabu person, taken if it beats the best plan.
        ag = _NEG32
        ai = -1
        aq = -1
        for i in range(n):
            if until[i] <= it:
                continue
            p = pos[i]
            a = block[p]
            for q in range(n):
                b = block[q]
                if b == a:
                    continue
                s = (Mp[q, a] + Mp[p, b]) + Dp2[p, q]
                if s > ag:
                    ag = s
                    ai = i
                    aq = q
        if ai >= 0 and np.float64(ag) > need:
            gain = np.float64(ag)
            bi = ai
            bj = elem[aq]
        else:
            # The best swap of two people not tabu; the table is symmetric, so the pairs
            # p < q in row order meet the first best where numpy's argmax does.
            sg = _NEG32
            sp = -1
            sq = -1
            for p in range(n):
                if until[elem[p]] > it:
                    continue
                a = block[p]
                Dr = Dp2[p]
                Ma = MpT[a]
                for b in range(a + 1, m):
                    c = Mp[p, b]
                    for q in range(start[b], start[b + 1]):
                        s = (Ma[q] + c) + Dr[q]
                        if s > sg:
                            sg = s
                            sp = p
                            sq = q
            if sp >= 0:
                gain = np.float64(sg)
                bi = elem[sp]
                bj = elem[sq]
        mb = -1
        if flexible and it % move_every == 0:
            mg = -np.inf
            mi = -1
            for i in range(n):
                gi = group[i]
                if until[i] > it or size[gi] <= low[gi]:
                    continue
                own = G[i, gi]
                for t in range(m):
                    if t == gi or size[t] >= high[t]:
                        continue
                    v = G[i, t] - own
                    if v > mg:
                        mg = v
                        mi = i
                        mb = t
            if mi >= 0 and mg > max(gain, eps):
                gain = mg
                bi = mi
                bj = -1
            else:
                mb = -1
        if gain == -np.inf:
            until[:] = 0  # every swap is tabu (a handful of people): forget the tabu list
            it += 1
            continue
        tenure = tenures[it % tenures.shape[0]]
        if mb < 0:
            a = group[bi]
            b = group[bj]
            value = _shift(D, G, group, bi, a, b, value)
            value = _shift(D, G, group, bj, b, a, value)
            _exchange(Dp2, elem, pos, pos[bi], pos[bj])
            until[bj] = it + tenure
        else:
            a = group[bi]
            value = _shift(D, G, group, bi, a, mb, value)
            size[a] -= 1
            size[mb] += 1
            p = pos[bi]
            if a < mb:
                for g in range(a, mb):
                    last = start[g + 1] - 1
                    _exchange(Dp2, elem, pos, p, last)
                    p = last
                    start[g + 1] -= 1
            else:
                for g in range(a, mb, -1):
                    first = start[g]
                    _exchange(Dp2, elem, pos, p, first)
                    p = first
                    start[g] += 1
            for g in range(m):
                for q in range(start[g], start[g + 1]):
                    block[q] = g
        until[bi] = it + tenure
        if value > best_value + eps:
            best[:] = group
            best_value = value
            last_gain = it
            stale = 0
        else:
            stale += 1
        it += 1
        if stale > restart_after:
            return it, value, best_value, last_gain, stale, STALLED
    return it, value, best_value, last_gain, stale, DONE
