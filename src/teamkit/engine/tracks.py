"""Tracks: the plan of a day whose sessions share a "not the same exercise twice today" rule.

Designing each session's stations for the people's history of the day, session after
session, works while the day is young; by its last sessions most people have done most
stations, the teams must be formed from people who all still lack the same few, and the
search ends with a handful of people who fit no team. A day plan removes the difficulty
instead of searching through it: the people are split into a few *tracks* (two, usually),
each track gets a set of stations per session, disjoint over the day, and every team is
formed within one track. Whatever the teams and routes, nobody then repeats an exercise that
day. (The day's last session to be formed may mix the tracks: by then the day's rule itself
says what each person may still do, see :meth:`DayTracks.forbidden`.) The split keeps each
track a fair sample of the people (so teams within it can still be balanced and spread), and
sends each person to the track whose stations they did least on other days. See
:mod:`teamkit.solvers.ortools.tracks` for the two models.

Tracks apply when the day has at least two sessions with station slots, the same people and
team sizes in each, stations of one slot each, no teams kept from one session to the next,
and no hard pins of people or together rules to honour; otherwise (or when no split into up to
:data:`MAX_TRACKS` tracks fits) the sessions are planned one by one. A hard station pin puts
its station in the set of the pinned team's track.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from teamkit.constraints import Balance, Pin, Spread, StationPin, Together
from teamkit.model import ProblemData, is_missing, station_slots
from teamkit.solvers.ortools.tracks import SplitRequest, TrackRequest, plan_tracks, split_people

#: Tracks tried for a day, from one up: fewer tracks leave more ways to mix people.
MAX_TRACKS = 4
#: CP-SAT's deterministic time for each of the two models, at most.
TRACK_SECONDS = 2.0


@attrs.frozen
class DayTracks:
    """A day's tracks: ``track[i]``: participant ``i``'s track (``-1`` when absent);
    ``team_track[t]``: team ``t``'s track in every session of the day; ``allowed[k]``:
    ``(G, S)`` the stations each track may use in session ``k``."""

    sessions: tuple[int, ...]
    track: np.ndarray
    team_track: np.ndarray
    allowed: dict[int, np.ndarray]

    def forbidden(self, k: int, present: np.ndarray, last: bool = False) -> np.ndarray:
        """``(m, S)``: the stations outside each present person's track in session ``k``;
        none when ``k`` is the ``last`` of the day's sessions to be routed.

        Until then the designs of the sessions to come count on everyone keeping to their
        track, and keeping to it makes a track's people alike (one group each in the
        station design's seating witness). In the last one the day's rule itself says what
        each person may still do, and the teams may mix the tracks: forming them within the
        tracks is far more constrained than the rule needs, each track's people having met
        many of each other earlier in the day."""
        if last:
            return np.zeros((len(present), self.allowed[k].shape[1]), dtype=bool)
        return ~self.allowed[k][self.track[present]]


def day_tracks(
    problem: ProblemData,
    sessions: tuple[int, ...],
    open_: list[np.ndarray],
    barred: list[tuple[np.ndarray, np.ndarray, int]],
    history: np.ndarray,
    *,
    seed: int,
    seconds: float = TRACK_SECONDS,
) -> DayTracks | None:
    """Tracks for the day made of ``sessions`` (the ones with station slots under the day's
    rule), or ``None`` when they do not apply or none were found.

    ``open_[k]``: ``(S, L_k)`` station opening per session; ``barred``: per hard avoid rule,
    (people (n,) bool, stations (S,) bool, most such people per team); ``history``:
    ``(n, S)`` how often each participant did each station on other days, already planned;
    ``seconds``: CP-SAT's deterministic time for each model.
    """
    if len(sessions) < 2 or not _applies(problem, sessions):
        return None
    layout = problem.layout(sessions[0])
    present = np.asarray(layout.present, dtype=np.int64)
    sizes = layout.sizes
    T = layout.num_teams
    instructors = tuple(
        sum(1 for i in problem.instructors if i.sessions is None or problem.sessions[k].id in i.sessions)
        for k in sessions
    )
    for G in range(1, min(MAX_TRACKS, T) + 1):
        teams = tuple(T // G + (1 if g < T % G else 0) for g in range(G))
        team_track = np.repeat(np.arange(G), teams)
        request = TrackRequest(
            teams=teams,
            capacity=np.array([s.capacity for s in problem.stations], dtype=np.int64),
            staff=np.array([s.staff for s in problem.stations], dtype=np.int64),
            open=tuple(open_[k] for k in sessions),
            instructors=instructors,
            barred=tuple(
                (where, tuple(_barred_teams(int(people[present].sum()), most, teams, T)))
                for people, where, most in barred
            ),
            pins=_pins(problem, sessions, team_track),
        )
        found = plan_tracks(request, seconds=seconds, seed=seed)
        if found is None:
            continue
        allowed = dict(zip(sessions, found.allowed))
        if G == 1:
            track = np.full(problem.num_participants, -1, dtype=np.int64)
            track[present] = 0
            return DayTracks(tuple(sessions), track, team_track, allowed)
        split = _split(
            problem, present, sizes, team_track, teams, barred, history, allowed, sessions, open_, seed, seconds
        )
        if split is None:
            continue
        track = np.full(problem.num_participants, -1, dtype=np.int64)
        track[present] = split
        return DayTracks(tuple(sessions), track, team_track, allowed)
    return None


def _applies(problem: ProblemData, sessions: tuple[int, ...]) -> bool:
    first = problem.layout(sessions[0])
    for k in sessions:
        layout = problem.layout(k)
        if layout.sizes != first.sizes or tuple(layout.present) != tuple(first.present):
            return False
        if problem.sessions[k].keep_teams:
            return False
    if any(s.duration > 1 for s in problem.stations):
        return False
    ids = {problem.sessions[k].id for k in sessions}
    for c in problem.constraints:
        if isinstance(c, (Pin, Together)) and c.hard and (c.sessions is None or ids & set(c.sessions)):
            return False
    return True


def _pins(
    problem: ProblemData, sessions: tuple[int, ...], team_track: np.ndarray
) -> tuple[tuple[int, int, int, int], ...]:
    """The day's hard station pins for the track model: a team keeps to its track's
    stations, so the track of a pinned team must hold the pinned station. (Soft pins are
    left to the routes, as costs.)"""
    names = [s.name for s in problem.stations]
    out = []
    for c in problem.constraints:
        if not (isinstance(c, StationPin) and c.hard and c.applies_to(c.session)):
            continue
        k = problem.session_index(c.session)
        if k not in sessions:
            continue
        slot = -1 if c.slot is None else station_slots(problem.sessions[k]).index(c.slot)
        out.append((sessions.index(k), int(team_track[c.team - 1]), names.index(c.station), slot))
    return tuple(out)


def _barred_teams(people: int, most: int, teams: tuple[int, ...], total: int) -> list[int]:
    """Teams holding a barred person, per track, when the barred people are split in
    proportion to the tracks' teams."""
    return [min(t, math.ceil(math.ceil(people * t / total) / max(1, most))) for t in teams]


def _split(
    problem: ProblemData,
    present: np.ndarray,
    sizes: tuple[tuple[int, int], ...],
    team_track: np.ndarray,
    teams: tuple[int, ...],
    barred: list[tuple[np.ndarray, np.ndarray, int]],
    history: np.ndarray,
    allowed: dict[int, np.ndarray],
    sessions: tuple[int, ...],
    open_: list[np.ndarray],
    seed: int,
    seconds: float,
) -> np.ndarray | None:
    G, T, n = len(teams), len(team_track), len(present)
    low = np.array([a for a, _ in sizes])
    high = np.array([b for _, b in sizes])
    size = tuple((int(low[team_track == g].sum()), int(high[team_track == g].sum())) for g in range(G))
    people = [problem.participants[i] for i in present]
    ids = {problem.sessions[k].id for k in sessions}
    quotas: list[tuple[np.ndarray, tuple[int, ...], tuple[int, ...]]] = []

    def values_of(attribute: str) -> list:
        return [None if is_missing(p.get(attribute)) else p.get(attribute) for p in people]

    for c in problem.constraints:
        if not c.hard or (c.sessions is not None and not ids & set(c.sessions)):
            continue
        if isinstance(c, Balance):
            values = values_of(c.attribute)
            for v in dict.fromkeys(values):
                mask = np.array([x == v for x in values])
                count = int(mask.sum())
                fewest = tuple(
                    int(
                        sum(
                            max(0, math.floor(count * low[t] / n) - c.tolerance)
                            for t in np.flatnonzero(team_track == g)
                        )
                    )
                    for g in range(G)
                )
                most = tuple(
                    int(sum(math.ceil(count * high[t] / n) + c.tolerance for t in np.flatnonzero(team_track == g)))
                    for g in range(G)
                )
                quotas.append((mask, fewest, most))
        elif isinstance(c, Spread):
            values = values_of(c.attribute)
            for v in dict.fromkeys(values):
                if v is None or not c.counts(v):
                    continue
                mask = np.array([x == v for x in values])
                if mask.sum() > c.max_per_team:
                    quotas.append((mask, (0,) * G, tuple(c.max_per_team * t for t in teams)))
    for who, _where, most in barred:
        mask = who[present]
        count = int(mask.sum())
        if count:
            quotas.append((mask, (0,) * G, tuple(min(most * t, math.ceil(count * t / T)) for t in teams)))
    for role in problem.roles:
        if not ids & {problem.sessions[k].id for k in sessions if role.applies_to(problem.sessions[k].id)}:
            continue
        mask = np.array([role.allows(p.id, p.attributes) for p in people])
        if not mask.all():
            quotas.append((mask, tuple(role.per_team * t for t in teams), (n,) * G))
    # Expected exercises done again on other days: in session k a person visits L_k of the
    # track's stations, each with the same chance.
    cost = np.zeros((n, G))
    done = history[present]
    for k in sessions:
        L = open_[k].shape[1]
        for g in range(G):
            stations = allowed[k][g]
            if stations.any():
                cost[:, g] += done[:, stations].sum(axis=1) * L / stations.sum()
    found = split_people(SplitRequest(size=size, quotas=tuple(quotas), cost=cost), seconds=seconds, seed=seed)
    return found
