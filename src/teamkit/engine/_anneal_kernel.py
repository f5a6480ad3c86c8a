"""The whole-event annealing of :mod:`teamkit.engine.event_anneal`, compiled with numba.

The state is the members of every team of every session with station slots (``team``,
``(K, n)``) and the set of stations each team visits in its session (``sets``, ``(K, T, S)``
of 0/1, as many as the session's slots). Everything else is counted from those two by
:func:`setup` and kept up to date move by move by :func:`walk`: who met whom, each person's
visits to each station (over the event and per day), each team's count of every value of
every balance and spread rule, the people of the avoid rule in each team and whether its set
holds an avoided station, and each station's load per session.

Import this module only through :func:`teamkit.engine.event_anneal.kernel`, which leaves the
event to the sequential planner when numba is missing or fails.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Indices into the ``counters`` array :func:`walk` reads and writes: rules broken, exercises
#: repeated over the event, and repeats of the best state that breaks no rule (-1: none yet).
BROKEN, REPEATS, BEST_REPEATS = 0, 1, 2
#: Indices into the ``scores`` array: the objective (repeats plus the weighted soft numeric
#: balances, in units of one repeat), and that of the best state that breaks no rule.
OBJECTIVE, BEST_OBJECTIVE = 0, 1


@numba.njit(cache=True, nogil=True)
def seed(value):  # pragma: no cover - compiled
    """Seeds numba's own generator, which :func:`walk` draws from."""
    np.random.seed(value)


@numba.njit(cache=True, nogil=True)
def _price(count, low, high):  # pragma: no cover - compiled
    return max(0, count - high) + max(0, low - count)


@numba.njit(cache=True, nogil=True)
def _numeric(total, count, mu, tolerance):  # pragma: no cover - compiled
    """A team's soft numeric balance penalty from the sum and count of its members' values."""
    if count == 0:
        return 0.0
    excess = max(0.0, abs(total / count - mu) - tolerance)
    return excess * excess


@numba.njit(cache=True, nogil=True)
def _nth(sets, k, t, nth):  # pragma: no cover - compiled
    """The ``nth`` station (in index order) of team ``t``'s set in session ``k``."""
    for s in range(sets.shape[2]):
        if sets[k, t, s]:
            if nth == 0:
                return s
            nth -= 1
    return -1


@numba.njit(cache=True, nogil=True)
def _change_delta(members, visits, today, d, k, t, old, new):  # pragma: no cover - compiled
    """(repeats, same-day visits) that team ``t`` of session ``k`` (on day ``d``, or -1)
    adds by going to station ``new`` instead of ``old``."""
    d_rep = 0
    d_day = 0
    for x in range(members.shape[2]):
        q = members[k, t, x]
        d_rep += max(0, visits[q, old] - 2) - max(0, visits[q, old] - 1)
        d_rep += max(0, visits[q, new]) - max(0, visits[q, new] - 1)
        if d >= 0:
            c = today[d, q, old]
            d_day += max(0, c - 2) - max(0, c - 1)
            c = today[d, q, new]
            d_day += max(0, c) - max(0, c - 1)
    return d_rep, d_day


@numba.njit(cache=True, nogil=True)
def _banned_after(sets, avoid_stations, k, t, old, new):  # pragma: no cover - compiled
    """Whether team ``t``'s set holds an avoided station once ``new`` replaces ``old``."""
    for s in range(sets.shape[2]):
        if avoid_stations[s] and ((sets[k, t, s] and s != old) or s == new):
            return 1
    return 0


@numba.njit(cache=True, nogil=True)
def _change(members, visits, today, d, sets, k, t, old, new):  # pragma: no cover - compiled
    """Team ``t`` of session ``k`` goes to station ``new`` instead of ``old``."""
    for x in range(members.shape[2]):
        q = members[k, t, x]
        visits[q, old] -= 1
        visits[q, new] += 1
        if d >= 0:
            today[d, q, old] -= 1
            today[d, q, new] += 1
    sets[k, t, old] = 0
    sets[k, t, new] = 1


@numba.njit(cache=True, nogil=True)
def setup(
    team, sets, day, days, bal_code, bal_low, bal_high, spr_code, spr_most, spr_values, avoid_people,
    avoid_stations, related, meet_once, num_val, num_has, num_mu, num_tol, num_weight,
):  # fmt: skip  # pragma: no cover - compiled
    """The counts of the state ``team``, ``sets``; returns them with ``counters`` and
    ``scores`` (see :data:`BROKEN` and :data:`OBJECTIVE`).

    ``num_val``, ``num_has`` ``(N, n)``: each person's value of each soft numeric balance
    (0 when missing) and whether they have one; ``num_mu``, ``num_tol``, ``num_weight``
    ``(N,)``: the mean of everyone, the tolerance, and the weight against one repeat."""
    K, T, S = sets.shape
    n = team.shape[1]
    G = n // T
    B, V = bal_low.shape
    P = spr_code.shape[0]
    members = np.zeros((K, T, G), dtype=np.int64)
    place = np.zeros((K, n), dtype=np.int64)
    met = np.zeros((n, n), dtype=np.int16)
    visits = np.zeros((n, S), dtype=np.int64)
    today = np.zeros((days, n, S), dtype=np.int64)
    bcount = np.zeros((B, K, T, V), dtype=np.int64)
    scount = np.zeros((P, K, T, spr_values), dtype=np.int64)
    barred = np.zeros((K, T), dtype=np.int64)  # people of the avoid rule in the team
    banned = np.zeros((K, T), dtype=np.int64)  # whether the team's set holds an avoided station
    load = np.zeros((K, S), dtype=np.int64)
    N = num_val.shape[0]
    num_sum = np.zeros((N, K, T))
    num_cnt = np.zeros((N, K, T), dtype=np.int64)
    for k in range(K):
        fill = np.zeros(T, dtype=np.int64)
        for q in range(n):
            t = team[k, q]
            members[k, t, fill[t]] = q
            place[k, q] = fill[t]
            fill[t] += 1
            for b in range(B):
                bcount[b, k, t, bal_code[b, q]] += 1
            for r in range(P):
                if spr_code[r, q] >= 0:
                    scount[r, k, t, spr_code[r, q]] += 1
            barred[k, t] += avoid_people[q]
            for c in range(N):
                num_sum[c, k, t] += num_val[c, q]
                num_cnt[c, k, t] += num_has[c, q]
            for s in range(S):
                if sets[k, t, s]:
                    visits[q, s] += 1
                    if day[k] >= 0:
                        today[day[k], q, s] += 1
        for t in range(T):
            for s in range(S):
                if sets[k, t, s]:
                    load[k, s] += 1
                    if avoid_stations[s]:
                        banned[k, t] = 1
            for x in range(G):
                for y in range(G):
                    if x != y:
                        met[members[k, t, x], members[k, t, y]] += 1
    broken = 0
    for k in range(K):
        for t in range(T):
            for b in range(B):
                for v in range(V):
                    broken += _price(bcount[b, k, t, v], bal_low[b, v], bal_high[b, v])
            for r in range(P):
                for v in range(spr_values):
                    broken += max(0, scount[r, k, t, v] - spr_most[r])
            broken += barred[k, t] * banned[k, t]
        for q in range(n):
            for z in related[q]:
                if z > q and team[k, z] == team[k, q]:
                    broken += 1
    if meet_once:
        for i in range(n):
            for j in range(i + 1, n):
                broken += max(0, met[i, j] - 1)
    repeats = 0
    for q in range(n):
        for s in range(S):
            repeats += max(0, visits[q, s] - 1)
            for d in range(days):
                broken += max(0, today[d, q, s] - 1)
    objective = float(repeats)
    for c in range(N):
        for k in range(K):
            for t in range(T):
                objective += num_weight[c] * _numeric(num_sum[c, k, t], num_cnt[c, k, t], num_mu[c], num_tol[c])
    counters = np.array([broken, repeats, -1], dtype=np.int64)
    scores = np.array([objective, np.inf])
    return members, place, met, visits, today, bcount, scount, barred, banned, load, num_sum, num_cnt, counters, scores


@numba.njit(cache=True, nogil=True)
def walk(
    first, last, total, schedule, team, sets, capacity, slots, open_, day, bal_code, bal_low, bal_high, spr_code,
    spr_most, avoid_people, avoid_stations, related, meet_once, strict, members, place, met, visits, today, bcount, scount,
    barred, banned, load, num_sum, num_cnt, counters, scores, best_team, best_sets, num_val, num_has, num_mu, num_tol,
    num_weight,
):  # fmt: skip  # pragma: no cover - compiled
    """Moves ``first`` to ``last - 1`` of ``total``; the state and the counts change in
    place, and ``best_team``, ``best_sets`` take every state that breaks no rule with fewer
    repeats than the best before it.

    ``schedule`` is (price of a broken rule against one repeat at the start, at the end,
    temperature at the start, at the end, share of the moves that swap two people); each
    moves linearly with ``move / total``, so that a run cut in chunks is the same run.
    With ``strict``, no move breaks the avoid rule (someone it names at a station it names)
    or a spread rule: the start must break none of them.
    """
    price_start, price_end, hot, cold, swap_share = schedule
    K, T, S = sets.shape
    n = team.shape[1]
    G = n // T
    B = bal_low.shape[0]
    P = spr_code.shape[0]
    N = num_val.shape[0]
    broken = counters[BROKEN]
    repeats = counters[REPEATS]
    best_repeats = counters[BEST_REPEATS]
    objective = scores[OBJECTIVE]
    best_objective = scores[BEST_OBJECTIVE]
    for move in range(first, last):
        progress = move / total
        temperature = hot + (cold - hot) * progress
        price = price_start + (price_end - price_start) * progress
        k = np.random.randint(K)
        if np.random.random() < swap_share:
            # Swap two people of session k between their teams.
            q = np.random.randint(n)
            r = np.random.randint(n)
            a = team[k, q]
            b2 = team[k, r]
            if a == b2:
                continue
            d_rep = 0
            d_broken = 0
            d_kept = 0  # the avoid and spread rules: with ``strict``, no swap may break them
            d_day = 0
            d_num = 0.0
            for s in range(S):
                d = sets[k, b2, s] - sets[k, a, s]
                if d != 0:
                    d_rep += max(0, visits[q, s] + d - 1) - max(0, visits[q, s] - 1)
                    d_rep += max(0, visits[r, s] - d - 1) - max(0, visits[r, s] - 1)
                    if day[k] >= 0:
                        c = today[day[k], q, s]
                        d_day += max(0, c + d - 1) - max(0, c - 1)
                        c = today[day[k], r, s]
                        d_day += max(0, c - d - 1) - max(0, c - 1)
            for side in range(2):
                t = a if side == 0 else b2
                out = q if side == 0 else r
                into = r if side == 0 else q
                if meet_once:
                    for x in range(G):
                        j = members[k, t, x]
                        if j != out:
                            d_broken += (1 if met[into, j] >= 1 else 0) - (1 if met[out, j] >= 2 else 0)
                for b in range(B):
                    vo = bal_code[b, out]
                    vi = bal_code[b, into]
                    if vo != vi:
                        co = bcount[b, k, t, vo]
                        ci = bcount[b, k, t, vi]
                        d_broken += _price(co - 1, bal_low[b, vo], bal_high[b, vo]) - _price(
                            co, bal_low[b, vo], bal_high[b, vo]
                        )
                        d_broken += _price(ci + 1, bal_low[b, vi], bal_high[b, vi]) - _price(
                            ci, bal_low[b, vi], bal_high[b, vi]
                        )
                for rr in range(P):
                    vo = spr_code[rr, out]
                    vi = spr_code[rr, into]
                    if vo != vi:
                        if vo >= 0:
                            c = scount[rr, k, t, vo]
                            d_kept += max(0, c - 1 - spr_most[rr]) - max(0, c - spr_most[rr])
                        if vi >= 0:
                            c = scount[rr, k, t, vi]
                            d_kept += max(0, c + 1 - spr_most[rr]) - max(0, c - spr_most[rr])
                d_kept += (avoid_people[into] - avoid_people[out]) * banned[k, t]
                for c in range(N):
                    if num_val[c, into] != num_val[c, out] or num_has[c, into] != num_has[c, out]:
                        was = num_sum[c, k, t]
                        was_count = num_cnt[c, k, t]
                        now = was - num_val[c, out] + num_val[c, into]
                        now_count = was_count - num_has[c, out] + num_has[c, into]
                        d_num += num_weight[c] * (
                            _numeric(now, now_count, num_mu[c], num_tol[c])
                            - _numeric(was, was_count, num_mu[c], num_tol[c])
                        )
                for z in related[out]:
                    if z >= 0 and team[k, z] == t:
                        d_broken -= 1
                for z in related[into]:
                    if z >= 0 and z != out and team[k, z] == t:
                        d_broken += 1
            if strict and d_kept > 0:
                continue
            d_broken += d_kept + d_day
            change = d_rep + d_num + price * d_broken
            if change > 0 and np.random.random() >= math.exp(-change / temperature):
                continue
            for s in range(S):
                d = sets[k, b2, s] - sets[k, a, s]
                if d != 0:
                    visits[q, s] += d
                    visits[r, s] -= d
                    if day[k] >= 0:
                        today[day[k], q, s] += d
                        today[day[k], r, s] -= d
            for side in range(2):
                t = a if side == 0 else b2
                out = q if side == 0 else r
                into = r if side == 0 else q
                for x in range(G):
                    j = members[k, t, x]
                    if j != out:
                        met[out, j] -= 1
                        met[j, out] -= 1
                        met[into, j] += 1
                        met[j, into] += 1
                for b in range(B):
                    bcount[b, k, t, bal_code[b, out]] -= 1
                    bcount[b, k, t, bal_code[b, into]] += 1
                for rr in range(P):
                    if spr_code[rr, out] >= 0:
                        scount[rr, k, t, spr_code[rr, out]] -= 1
                    if spr_code[rr, into] >= 0:
                        scount[rr, k, t, spr_code[rr, into]] += 1
                barred[k, t] += avoid_people[into] - avoid_people[out]
                for c in range(N):
                    num_sum[c, k, t] += num_val[c, into] - num_val[c, out]
                    num_cnt[c, k, t] += num_has[c, into] - num_has[c, out]
            pq = place[k, q]
            pr = place[k, r]
            members[k, a, pq] = r
            members[k, b2, pr] = q
            place[k, q] = pr
            place[k, r] = pq
            team[k, q] = b2
            team[k, r] = a
        else:
            # Change one station of a team's set for session k: for a station with room, or
            # for one of another team's set, which takes this one in exchange (the loads stay,
            # so full stations can change hands too).
            t = np.random.randint(T)
            old = _nth(sets, k, t, np.random.randint(slots[k]))
            u = -1
            if np.random.random() < 0.5:
                new = np.random.randint(S)
                if sets[k, t, new] or not open_[k, new] or load[k, new] >= slots[k] * capacity[new]:
                    continue
            else:
                u = np.random.randint(T)
                if u == t:
                    continue
                new = _nth(sets, k, u, np.random.randint(slots[k]))
                if sets[k, t, new] or sets[k, u, old]:
                    continue
            d_num = 0.0
            d_rep, d_day = _change_delta(members, visits, today, day[k], k, t, old, new)
            now_banned = _banned_after(sets, avoid_stations, k, t, old, new)
            d_avoid = barred[k, t] * (now_banned - banned[k, t])
            u_banned = 0
            if u >= 0:
                u_rep, u_day = _change_delta(members, visits, today, day[k], k, u, new, old)
                u_banned = _banned_after(sets, avoid_stations, k, u, new, old)
                d_rep += u_rep
                d_day += u_day
                d_avoid += barred[k, u] * (u_banned - banned[k, u])
            if strict and d_avoid > 0:
                continue
            d_broken = d_avoid + d_day
            change = d_rep + price * d_broken
            if change > 0 and np.random.random() >= math.exp(-change / temperature):
                continue
            _change(members, visits, today, day[k], sets, k, t, old, new)
            banned[k, t] = now_banned
            if u >= 0:
                _change(members, visits, today, day[k], sets, k, u, new, old)
                banned[k, u] = u_banned
            else:
                load[k, old] -= 1
                load[k, new] += 1
        repeats += d_rep
        broken += d_broken
        objective += d_rep + d_num
        if broken == 0 and objective < best_objective - 1e-9:
            best_objective = objective
            best_repeats = repeats
            best_team[:] = team
            best_sets[:] = sets
    counters[BROKEN] = broken
    counters[REPEATS] = repeats
    counters[BEST_REPEATS] = best_repeats
    scores[OBJECTIVE] = objective
    scores[BEST_OBJECTIVE] = best_objective
