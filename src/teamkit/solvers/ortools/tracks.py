"""CP-SAT for the *tracks* of a day: a plan of which stations each part of the people may
use in each session of the day, so that nobody can do an exercise twice that day whatever
teams they are in.

The people present all day are split into a few tracks, each with a fixed number of teams.
In each session a track gets a set of stations; a track's sets are disjoint over the day, so
any team formed within a track, on any route within its set, keeps the day's rule. The
model gives each track, per slot, a share of every station's capacity that seats all its
teams; each station receives a team at most once per session; instructors suffice; teams
holding a member barred from some stations find room elsewhere; a track with a team pinned
to a station has that station, with room for the team in the pinned slot. Then a second
model splits the people into the tracks so that every team can still be balanced, spread
and staffed with role holders within its track, preferring for each person the track whose
stations they did least on other days.
"""

from __future__ import annotations

import attrs
import numpy as np
from ortools.sat.python import cp_model

from teamkit.solvers.ortools.session import _solver, run


@attrs.frozen
class TrackRequest:
    """The stations of a day's sessions, as arrays over stations ``S``; per session ``k``,
    ``open[k]`` is ``(S, L_k)`` over its station slots."""

    teams: tuple[int, ...]  # (G,) teams of each track
    capacity: np.ndarray  # (S,)
    staff: np.ndarray  # (S,) instructors a station needs in a slot it receives teams
    open: tuple[np.ndarray, ...]  # per session (S, L_k) bool
    instructors: tuple[int, ...]  # per session: instructors who may work then
    #: (stations barred (S,) bool, teams holding a barred person per track (G,))
    barred: tuple[tuple[np.ndarray, tuple[int, ...]], ...] = ()
    #: Hard station pins, as (session position in the day, track of the pinned team,
    #: station, slot index or -1 for any slot): the track's set for that session holds the
    #: station, with room in that slot for the pinned teams.
    pins: tuple[tuple[int, int, int, int], ...] = ()


@attrs.frozen
class TrackPlan:
    """``allowed[k]``: ``(G, S)`` the stations each track may use in session ``k``."""

    allowed: tuple[np.ndarray, ...]


def plan_tracks(req: TrackRequest, *, seconds: float, seed: int) -> TrackPlan | None:
    """Station sets per track and session meeting the conditions above, with as many
    stations per set as possible (room for routes); ``None`` when there are none (or none
    were found in time). ``seconds`` is CP-SAT's deterministic time, so that runs repeat;
    the wall clock may take up to five times as long on a busy machine."""
    G, S = len(req.teams), len(req.capacity)
    model = cp_model.CpModel()
    x = {
        (g, k, s): model.new_bool_var(f"x[{g},{k},{s}]")
        for g in range(G)
        for k in range(len(req.open))
        for s in range(S)
    }
    for g in range(G):
        for s in range(S):
            model.add_at_most_one(x[g, k, s] for k in range(len(req.open)))
    room = []  # visits to spare for the teams holding barred people
    for k, open_ in enumerate(req.open):
        L = open_.shape[1]
        share = {}
        for g in range(G):
            for s in range(S):
                if not open_[s].any():
                    model.add(x[g, k, s] == 0)
                    continue
                for l in range(L):
                    if open_[s, l]:
                        share[g, s, l] = model.new_int_var(0, int(min(req.capacity[s], req.teams[g])), "")
                        model.add(share[g, s, l] == 0).only_enforce_if(x[g, k, s].Not())
                # A team visits a station at most once in a session; a station barred to some
                # people, only by the teams holding none of them.
                may_visit = req.teams[g] - max((counts[g] for where, counts in req.barred if where[s]), default=0)
                model.add(sum(share.get((g, s, l), 0) for l in range(L)) <= max(0, may_visit))
            for l in range(L):
                model.add(sum(share.get((g, s, l), 0) for s in range(S)) == req.teams[g])
                for where, counts in req.barred:
                    allowed = [share[g, s, l] for s in range(S) if not where[s] and (g, s, l) in share]
                    model.add(sum(allowed) >= counts[g])
            for where, counts in req.barred:
                if counts[g]:
                    # The teams holding a barred person visit L stations they may do, each
                    # at most once: those stations must take counts[g] * L visits.
                    visits = []
                    for s in range(S):
                        if where[s] or not any((g, s, l) in share for l in range(L)):
                            continue
                        v = model.new_int_var(0, counts[g], "")
                        model.add(v <= sum(share.get((g, s, l), 0) for l in range(L)))
                        visits.append(v)
                    model.add(sum(visits) >= counts[g] * L)
                    room.append(sum(visits) - counts[g] * L)
        _pin_tracks(model, req, k, x, share)
        for s in range(S):
            for l in range(L):
                here = [share[g, s, l] for g in range(G) if (g, s, l) in share]
                if here:
                    model.add(sum(here) <= int(req.capacity[s]))
        # Instructors: a station that receives teams in a slot needs its staff.
        for l in range(L):
            need = []
            for s in range(S):
                here = [share[g, s, l] for g in range(G) if (g, s, l) in share]
                if here and req.staff[s] > 0:
                    used = model.new_bool_var("")
                    model.add(sum(here) == 0).only_enforce_if(used.Not())
                    need.append(int(req.staff[s]) * used)
            if need:
                model.add(sum(need) <= req.instructors[k])
    # Room for routes: stations in each set, and spare visits where barred people can go.
    model.maximize(sum(x.values()) + sum(room))
    solver = _solver(5 * seconds, seed, 1, deterministic=seconds)
    status = run(solver, model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    allowed = tuple(
        np.array([[solver.boolean_value(x[g, k, s]) for s in range(S)] for g in range(G)], dtype=bool)
        for k in range(len(req.open))
    )
    return TrackPlan(allowed)


def _pin_tracks(model: cp_model.CpModel, req: TrackRequest, k: int, x: dict, share: dict) -> None:
    """Session ``k``'s pins: a pinned station is in the set of its team's track, whose share
    of it has a place for every team of the track pinned there (in the pinned slot, or in
    the session when the pin names no slot)."""
    in_session: dict[tuple[int, int], int] = {}
    in_slot: dict[tuple[int, int, int], int] = {}
    for kk, g, s, l in req.pins:
        if kk != k:
            continue
        model.add(x[g, k, s] == 1)
        in_session[g, s] = in_session.get((g, s), 0) + 1
        if l >= 0:
            in_slot[g, s, l] = in_slot.get((g, s, l), 0) + 1
    L = req.open[k].shape[1]
    for (g, s), count in in_session.items():
        model.add(sum(share.get((g, s, l), 0) for l in range(L)) >= count)
    for (g, s, l), count in in_slot.items():
        model.add(share.get((g, s, l), 0) >= count)


@attrs.frozen
class SplitRequest:
    """People ``m`` into tracks ``G``: ``size[g]`` = (fewest, most) people of track ``g``;
    each quota is (people (m,) bool, fewest (G,), most (G,)): how many of those people each
    track must hold; ``cost[p, g]``: what putting person ``p`` in track ``g`` costs."""

    size: tuple[tuple[int, int], ...]
    quotas: tuple[tuple[np.ndarray, tuple[int, ...], tuple[int, ...]], ...]
    cost: np.ndarray  # (m, G)
    fixed: tuple[tuple[int, int], ...] = ()  # (person, track)


def split_people(req: SplitRequest, *, seconds: float, seed: int) -> np.ndarray | None:
    """``(m,)``: the track of each person, quotas broken as little as possible; ``None``
    when no split was found in time (``seconds`` as for :func:`plan_tracks`)."""
    m, G = req.cost.shape
    model = cp_model.CpModel()
    y = {(p, g): model.new_bool_var("") for p in range(m) for g in range(G)}
    for p in range(m):
        model.add_exactly_one(y[p, g] for g in range(G))
    for g, (low, high) in enumerate(req.size):
        model.add_linear_constraint(sum(y[p, g] for p in range(m)), low, high)
    objective = []
    scaled = np.rint(req.cost * 10).astype(np.int64)
    # A person outside a quota costs more than all the costs together: a track that is not a
    # fair sample leaves teams that cannot be balanced, which no preference is worth.
    quota_weight = int(scaled.max(axis=1, initial=0).clip(min=0).sum()) + 1
    for people, fewest, most in req.quotas:
        members = np.flatnonzero(people)
        for g in range(G):
            count = sum(y[int(p), g] for p in members)
            over = model.new_int_var(0, len(members), "")
            under = model.new_int_var(0, len(members), "")
            model.add(count - over <= most[g])
            model.add(count + under >= fewest[g])
            objective.append(quota_weight * (over + under))
    for p, g in req.fixed:
        model.add(y[p, g] == 1)
    objective.extend(int(scaled[p, g]) * y[p, g] for p in range(m) for g in range(G) if scaled[p, g])
    model.minimize(sum(objective))
    solver = _solver(5 * seconds, seed, 1, deterministic=seconds)
    status = run(solver, model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return np.array([next(g for g in range(G) if solver.boolean_value(y[p, g])) for p in range(m)], dtype=np.int64)
