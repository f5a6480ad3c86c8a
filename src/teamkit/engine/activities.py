"""Stations and roles seen by the engine: what a plan's stations cost, what they make a
person cost in a team, and the requests for the CP-SAT station and role models.

A session's stations are a *route* per team: ``route[t, l]`` is the station (an index into
``problem.stations``) of team ``t`` in the session's ``l``-th station slot. A person visits
the stations of their team's route. Rules over people (not the same exercise twice in a day,
no high intensity for some) then become, with routes fixed, a cost per (person, team) for
forming teams, and, with teams fixed, a cost per (team, station) for routing them.
"""

from __future__ import annotations

import math

import numpy as np

from teamkit.activities import matches
from teamkit.constraints import (
    AvoidStations,
    Constraint,
    ExerciseOnce,
    FairTurns,
    RolePin,
    RoleShare,
    Spread,
    StaffPin,
    StationPin,
)
from teamkit.engine.compiled import CompiledConstraint
from teamkit.engine.golfer import StationVisits
from teamkit.engine.tracks import TRACK_SECONDS, DayTracks, day_tracks
from teamkit.model import ProblemData, station_slots
from teamkit.solvers.ortools.roles import RoleRequest
from teamkit.solvers.ortools.stations import StationPlan, StationRequest

#: In a designed route, the cost of a station that a share of the people present already did
#: today or on another day (under a soft rule), and that later sessions today will need.
DESIGN_TODAY = 10.0
DESIGN_EVENT = 2.0
DESIGN_LATER = 10.0
#: Label of the forming cost that keeps people in the teams of their day's track.
TRACKS = "station tracks"


class Activities:
    """Station state of an event (routes and staff per session) and the rules over it."""

    def __init__(self, problem: ProblemData) -> None:
        self.problem = problem
        n, S = problem.num_participants, len(problem.stations)
        self.S = S
        self.names = problem.constraint_names()
        self.capacity = np.array([s.capacity for s in problem.stations], dtype=np.int64)
        self.duration = np.array([s.duration for s in problem.stations], dtype=np.int64)
        self.staff_need = np.array([s.staff for s in problem.stations], dtype=np.int64)
        self.slots: list[tuple[int, ...]] = [station_slots(s) if S else () for s in problem.sessions]
        self.open: list[np.ndarray] = [
            np.array(
                [[st.open_in(session.id, slot) for slot in self.slots[k]] for st in problem.stations], dtype=bool
            ).reshape(S, len(self.slots[k]))
            for k, session in enumerate(problem.sessions)
        ]
        # Rules with their position among the problem's constraints, which keys penalties.
        self.avoid: list[tuple[int, AvoidStations, np.ndarray, np.ndarray]] = []
        self.once: list[tuple[int, ExerciseOnce, list[tuple[int, ...]]]] = []
        for index, c in enumerate(problem.constraints):
            if isinstance(c, AvoidStations):
                people = np.array([matches(p.attributes, c.who) for p in problem.participants], dtype=bool)
                where = np.array([matches(s.attributes, c.stations) for s in problem.stations], dtype=bool)
                self.avoid.append((index, c, people, where))
            elif isinstance(c, ExerciseOnce):
                units = problem.days() if c.per == "day" else (tuple(range(len(problem.sessions))),)
                scoped = [tuple(k for k in unit if c.applies_to(problem.sessions[k].id)) for unit in units]
                self.once.append((index, c, [u for u in scoped if u]))
        # Station pins by session, as (rule's position, team index, station, slot index or
        # -1 for any slot); only those whose own session is in their scope apply.
        self.pins: list[list[tuple[int, StationPin, int, int, int]]] = [[] for _ in problem.sessions]
        names = [st.name for st in problem.stations]
        for index, c in enumerate(problem.constraints):
            if isinstance(c, StationPin) and c.applies_to(c.session):
                k = problem.session_index(c.session)
                slot = -1 if c.slot is None else self.slots[k].index(c.slot)
                self.pins[k].append((index, c, c.team - 1, names.index(c.station), slot))
        self.routes: list[np.ndarray | None] = [None] * len(problem.sessions)
        self.staff: list[tuple[tuple[int, int, int], ...]] = [()] * len(problem.sessions)
        # For designed routes: each person present's group and the witness's seats per
        # (group, team), which the greedy start of team forming follows.
        self.seating: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(problem.sessions)
        self._group_of: list[np.ndarray | None] = [None] * len(problem.sessions)
        self._n = n
        # Day plans (teamkit.engine.tracks), by session; days already considered.
        self.tracks: dict[int, DayTracks] = {}
        self._days_planned: set[tuple[int, ...]] = set()

    # -- what a plan does ------------------------------------------------------------------
    @property
    def shapes_teams(self) -> bool:
        """Whether station rules make some people cost more in some teams."""
        return bool(self.avoid or self.once) and any(self.slots)

    def has_slots(self, k: int) -> bool:
        return bool(self.slots[k])

    def team_visits(self, k: int) -> np.ndarray:
        """``(T, S)``: whether team ``t`` of session ``k`` visits station ``s``."""
        T = self.problem.layout(k).num_teams
        out = np.zeros((T, self.S), dtype=bool)
        route = self.routes[k]
        if route is not None:
            for t in range(T):
                stations = route[t][route[t] >= 0]
                out[t, stations] = True
        return out

    def person_visits(self, k: int, assignment: np.ndarray) -> np.ndarray:
        """``(n, S)`` 0/1: the stations each participant visits in session ``k``."""
        out = np.zeros((self._n, self.S), dtype=np.int64)
        if self.routes[k] is None:
            return out
        teams = assignment[k]
        present = teams >= 0
        out[present] = self.team_visits(k)[teams[present]]
        return out

    def done_elsewhere(self, unit: tuple[int, ...], k: int, assignment: np.ndarray, present: np.ndarray) -> np.ndarray:
        """``(m, S)``: whether each person present in session ``k`` visits each station in
        the other sessions of ``unit`` (a day, or the event)."""
        done = np.zeros((len(present), self.S), dtype=bool)
        for kk in unit:
            if kk != k:
                done |= self.person_visits(kk, assignment)[present] > 0
        return done

    def penalties(self, assignment: np.ndarray) -> dict[int, float]:
        """Each station rule's penalty (unweighted) for the plan as it stands, by the rule's
        position among the problem's constraints."""
        out: dict[int, float] = {}
        visits = [self.person_visits(k, assignment) for k in range(len(self.problem.sessions))]
        for index, _c, units in self.once:
            total = 0
            for unit in units:
                counts = sum(visits[k] for k in unit)
                total += int(np.maximum(counts - 1, 0).sum())
            out[index] = float(total)
        for index, c, people, where in self.avoid:
            total = 0
            for k, session in enumerate(self.problem.sessions):
                route = self.routes[k]
                if route is None or not c.applies_to(session.id):
                    continue
                bad_slots = (where[np.maximum(route, 0)] & (route >= 0)).sum(axis=1)  # per team
                matching = np.bincount(assignment[k][people & (assignment[k] >= 0)], minlength=len(route))
                total += int((bad_slots * matching).sum())
            out[index] = float(total)
        for index, c in enumerate(self.problem.constraints):
            if isinstance(c, StaffPin):
                out[index] = float(self._staff_pin_misses(c))
            elif isinstance(c, StationPin):
                out[index] = 0.0  # a pin outside its own scope never applies
        for k, pins in enumerate(self.pins):
            for index, _c, t, s, l in pins:
                out[index] = 0.0 if self._pin_holds(k, t, s, l) else 1.0
        return out

    def _pin_holds(self, k: int, t: int, s: int, l: int) -> bool:
        """Whether team ``t`` of session ``k`` is at station ``s`` in station slot ``l``
        (in any slot when ``l`` is -1) as the routes stand."""
        route = self.routes[k]
        if route is None:
            return False
        return bool(np.any(route[t] == s)) if l < 0 else int(route[t, l]) == s

    def _staff_pin_misses(self, c: StaffPin) -> int:
        k = self.problem.session_index(c.session)
        slots = self.slots[k]
        wanted = range(len(slots)) if c.slot is None else [slots.index(c.slot)]
        j = [i.id for i in self.problem.instructors].index(c.instructor)
        s = [st.name for st in self.problem.stations].index(c.station)
        held = set(self.staff[k])
        return sum(1 for l in wanted if (l, s, j) not in held)

    def visit_term(self, assignment: np.ndarray) -> StationVisits | None:
        """The "not the same exercise twice" rules as a term of the all-sessions search, the
        routes as they stand; ``None`` without such rules."""
        if not self.once:
            return None
        units = [(unit, c.hard, c.weight) for _index, c, scoped in self.once for unit in scoped]
        visits = [self.team_visits(k) if self.routes[k] is not None else None for k in range(len(self.routes))]
        return StationVisits(visits, units, assignment)

    # -- forming teams with the routes fixed -----------------------------------------------
    def team_costs(self, k: int, assignment: np.ndarray, present: np.ndarray) -> list[CompiledConstraint]:
        """Session ``k``'s station rules as costs per (person present, team), the routes of
        ``k`` and everything in the other sessions fixed."""
        route = self.routes[k]
        if route is None:
            return []
        session = self.problem.sessions[k]
        visits_here = self.team_visits(k).astype(np.int64)  # (T, S)
        out: list[CompiledConstraint] = []
        for index, c, units in self.once:
            for unit in units:
                if k not in unit:
                    continue
                done = self.done_elsewhere(unit, k, assignment, present).astype(np.int64)
                cost = done @ visits_here.T  # (m, T): stations of the route done elsewhere
                out.append(CompiledConstraint(c, self.names[index], {"cost": cost.astype(float)}))
        for index, c, people, where in self.avoid:
            if not c.applies_to(session.id):
                continue
            bad_slots = (where[np.maximum(route, 0)] & (route >= 0)).sum(axis=1).astype(float)  # (T,)
            cost = np.outer(people[present].astype(float), bad_slots)
            out.append(CompiledConstraint(c, self.names[index], {"cost": cost}))
        if k in self.tracks:
            outside = self._track_forbidden(k, present).astype(np.int64) @ visits_here.T
            out.append(CompiledConstraint(Constraint(label=TRACKS), TRACKS, {"cost": outside.astype(float)}))
        if self.seating[k] is not None and out:
            group_of, seats = self.seating[k]
            label = "station seating"
            out.append(CompiledConstraint(Constraint(hard=False, label=label), label, {"quota": (group_of, seats)}))
        return out

    # -- routing teams ---------------------------------------------------------------------
    def request(self, k: int, assignment: np.ndarray, formed: bool) -> StationRequest:
        """Session ``k``'s station problem, the other sessions as in ``assignment``. When
        session ``k``'s teams are ``formed``, the costs are those of their members; when
        not, the routes are designed for teams still to be formed, from what the people
        present did in other sessions and what later sessions today will need."""
        problem = self.problem
        session = problem.sessions[k]
        layout = problem.layout(k)
        T, S = layout.num_teams, self.S
        present = np.asarray(layout.present, dtype=np.int64)
        forbidden = np.zeros((T, S), dtype=np.int64)
        cost = np.zeros((T, S))
        if formed:
            teams = assignment[k]
            for _index, c, units in self.once:
                for unit in units:
                    if k not in unit:
                        continue
                    done = self.done_elsewhere(unit, k, assignment, present).astype(np.int64)
                    per_team = np.zeros((T, S), dtype=np.int64)
                    np.add.at(per_team, teams[present], done)
                    if c.hard:
                        forbidden += per_team
                    else:
                        cost += c.weight * per_team
            for _index, c, people, where in self.avoid:
                if not c.applies_to(session.id):
                    continue
                matching = np.bincount(teams[present][people[present]], minlength=T)
                per_team = np.outer(matching, where * self.duration)
                if c.hard:
                    forbidden += per_team
                else:
                    cost += c.weight * per_team
            if k in self.tracks:
                np.add.at(forbidden, teams[present], self._track_forbidden(k, present).astype(np.int64))
        else:
            groups, limits = self._groups(k, assignment, present)
            m = max(1, len(present))
            for _index, c, units in self.once:
                for unit in units:
                    if k not in unit:
                        continue
                    done = np.zeros(S)
                    for kk in unit:
                        if kk != k and self.routes[kk] is not None:
                            done += (self.person_visits(kk, assignment)[present] > 0).sum(axis=0)
                    # A hard rule is kept by the seating witness (see _groups); a soft one
                    # is a cost in proportion to the people it would touch.
                    if not c.hard:
                        cost += (DESIGN_TODAY if c.per == "day" else DESIGN_EVENT) * done / m
                    if c.per == "day":
                        cost += DESIGN_LATER * self._later_pressure(k, unit)
            if k not in self.tracks:
                # Stations some people must avoid cost a little, in proportion to those
                # people: where capacity allows, more routes then suit them, and the team
                # forming has room to keep them apart. (Tracks reserve that room themselves.)
                for _index, c, people, where in self.avoid:
                    if c.hard and c.applies_to(session.id):
                        cost += DESIGN_EVENT * people[present].mean() * where

        can_run = np.array(
            [[i.can_run(st.name, session.id) for st in problem.stations] for i in problem.instructors], dtype=bool
        ).reshape(len(problem.instructors), S)
        pins = []
        ids = [i.id for i in problem.instructors]
        names = [st.name for st in problem.stations]
        for c in problem.constraints:
            if isinstance(c, StaffPin) and c.session == session.id:
                wanted = self.slots[k] if c.slot is None else (c.slot,)
                for slot in wanted:
                    pins.append(
                        (ids.index(c.instructor), names.index(c.station), self.slots[k].index(slot), c.hard, c.weight)
                    )
        station_pins = tuple((t, s, l, c.hard, c.weight) for _index, c, t, s, l in self.pins[k])
        return StationRequest(
            teams=T,
            slots=self.slots[k],
            capacity=self.capacity,
            duration=self.duration,
            open=self.open[k],
            staff=self.staff_need,
            can_run=can_run,
            forbidden=forbidden,
            cost=cost,
            staff_pins=tuple(pins),
            station_pins=station_pins,
            groups=tuple(groups) if not formed else (),
            group_limits=tuple(limits) if not formed else (),
            team_high=np.array([b for _, b in layout.sizes], dtype=np.int64),
            allowed=None if formed or k not in self.tracks else self.tracks[k].allowed[k][self.tracks[k].team_track],
        )

    def _groups(
        self, k: int, assignment: np.ndarray, present: np.ndarray
    ) -> tuple[list[tuple[np.ndarray, int, int]], list[tuple[tuple[int, ...], int]]]:
        """People present grouped by the stations they must avoid in session ``k`` (done
        earlier today under a hard rule, or barred by a hard avoid rule), with how many of a
        group one team may take: people who already shared a team may not meet again under
        a hard meet-at-most-once rule, so a group of former team-mates spreads one per team."""
        session = self.problem.sessions[k]
        avoid = self.forbidden(k, assignment, present)
        barred = np.zeros(len(present), dtype=bool)
        limit = None
        for _index, c, people, _where in self.avoid:
            if c.hard and c.applies_to(session.id):
                barred |= people[present]
                limit = min(limit or 10**9, self._most_per_team(c, k))
        avoid &= self.open[k].any(axis=1)  # only stations open now matter
        meet_once = any(
            getattr(c, "times", None) == 1 and c.hard and c.kind == "meet_at_most" for c in self.problem.constraints
        )
        keys: dict[tuple, list[int]] = {}
        for local in range(len(present)):
            keys.setdefault((avoid[local].tobytes(), bool(barred[local])), []).append(local)
        group_of = np.zeros(len(present), dtype=np.int64)
        for g, members in enumerate(keys.values()):
            group_of[members] = g
        self._group_of[k] = group_of
        high = max(b for _, b in self.problem.layout(k).sizes)
        groups, barred_groups = [], []
        for (_key, is_barred), members in keys.items():
            most = high
            if meet_once:
                # former team-mates in the other sessions of today cannot share a team again
                origins = [len({int(assignment[kk, present[i]]) for i in members}) for kk in self._today(k)]
                most = max(1, min(origins)) if origins else high
            if is_barred and limit is not None:
                most = min(most, limit)
                barred_groups.append(len(groups))
            groups.append((avoid[members[0]].copy(), len(members), int(min(most, len(members)))))
        limits = [(tuple(barred_groups), limit)] if barred_groups and limit is not None else []
        return groups, limits

    def forbidden(self, k: int, assignment: np.ndarray, present: np.ndarray, tracks: bool = True) -> np.ndarray:
        """``(m, S)``: the stations each person present may not do in session ``k`` under the
        hard rules, the other sessions as in ``assignment``, and, with ``tracks``, outside
        their track of the day."""
        session = self.problem.sessions[k]
        out = np.zeros((len(present), self.S), dtype=bool)
        for _index, c, units in self.once:
            for unit in units:
                if c.hard and k in unit:
                    out |= self.done_elsewhere(unit, k, assignment, present)
        for _index, c, people, where in self.avoid:
            if c.hard and c.applies_to(session.id):
                out[people[present]] |= where
        if tracks and k in self.tracks:
            out |= self._track_forbidden(k, present)
        return out

    def _track_forbidden(self, k: int, present: np.ndarray) -> np.ndarray:
        """``(m, S)``: the stations the day's tracks keep each present person from in
        session ``k`` (:meth:`DayTracks.forbidden`): none once every other session of the
        day has its routes."""
        day = self.tracks[k]
        last = all(self.routes[kk] is not None for kk in day.sessions if kk != k)
        return day.forbidden(k, present, last=last)

    def plan_day(self, k: int, assignment: np.ndarray, seed: int, seconds: float = TRACK_SECONDS) -> None:
        """Tracks for session ``k``'s day (:mod:`teamkit.engine.tracks`), once, before any
        session of the day has stations: what other days did so far is their history."""
        units = [u for _index, c, scoped in self.once if c.hard and c.per == "day" for u in scoped if k in u]
        if not units:
            return
        sessions = tuple(kk for kk in units[0] if self.slots[kk])
        if sessions in self._days_planned or any(self.routes[kk] is not None for kk in sessions):
            return
        self._days_planned.add(sessions)
        history = np.zeros((self._n, self.S), dtype=np.int64)
        for kk in range(len(self.problem.sessions)):
            if kk not in sessions:
                history += self.person_visits(kk, assignment)
        barred = [(people, where, self._most_per_team(c, k)) for _index, c, people, where in self.avoid if c.hard]
        found = day_tracks(self.problem, sessions, self.open, barred, history, seed=seed, seconds=seconds)
        if found is not None:
            for kk in found.sessions:
                self.tracks[kk] = found

    def drop_tracks(self, k: int) -> None:
        """The sessions of session ``k``'s day not yet routed go without tracks."""
        day = self.tracks.get(k)
        if day is not None:
            for kk in day.sessions:
                if self.routes[kk] is None:
                    del self.tracks[kk]

    def single_slot(self, k: int) -> np.ndarray:
        """``(T,)``: whether a team's route may be exchanged slot by slot with other teams':
        every station of it lasts one slot, and no hard station pin holds it in place (an
        exchange would move the team away from its pinned station)."""
        route = self.routes[k]
        out = (self.duration[np.maximum(route, 0)] == 1).all(axis=1)
        for _index, c, t, _s, _l in self.pins[k]:
            if c.hard:
                out[t] = False
        return out

    def _today(self, k: int) -> list[int]:
        """The other sessions of session ``k``'s day that already have teams."""
        for unit in self.problem.days():
            if k in unit:
                return [kk for kk in unit if kk != k and self.routes[kk] is not None]
        return []

    def _later_pressure(self, k: int, unit: tuple[int, ...]) -> np.ndarray:
        """For each station, the share of the capacity of today's later, not yet routed
        slots that it provides: using it now takes it away from the people then."""
        pressure = np.zeros(self.S)
        for kk in unit:
            if kk <= k or self.routes[kk] is not None:
                continue
            for l in range(len(self.slots[kk])):
                cap = self.capacity * self.open[kk][:, l]
                if cap.sum():
                    pressure += cap / cap.sum()
        return pressure

    def _most_per_team(self, c: AvoidStations, k: int) -> int:
        """How many people matching ``c.who`` a team may hold: the limit of a hard spread on
        that attribute, or the largest team."""
        high = max(b for _, b in self.problem.layout(k).sizes)
        if len(c.who) != 1:
            return high
        attribute, values = next(iter(c.who.items()))
        limits = [
            s.max_per_team
            for s in self.problem.constraints
            if isinstance(s, Spread)
            and s.hard
            and s.attribute == attribute
            and all(s.counts(v) for v in values)
            and s.applies_to(self.problem.sessions[k].id)
        ]
        return min(limits) if limits else high

    def adopt(self, k: int, plan: StationPlan) -> None:
        self.routes[k] = plan.route
        self.staff[k] = plan.staff
        if plan.seating is not None and self._group_of[k] is not None:
            self.seating[k] = (self._group_of[k], plan.seating)

    def hint(self, k: int) -> StationPlan | None:
        """A start for session ``k``'s stations: its own, or, before it has any, those of the
        latest session of the same shape (teams, slots, open stations) on another day, which
        suit teams not yet formed as well (on the same day they would repeat exercises)."""
        if self.routes[k] is not None:
            return StationPlan(self.routes[k], self.staff[k])
        T = self.problem.layout(k).num_teams
        for kk in range(len(self.problem.sessions) - 1, -1, -1):
            route = self.routes[kk]
            if (
                kk != k
                and route is not None
                and self.problem.sessions[kk].day != self.problem.sessions[k].day
                and route.shape == (T, len(self.slots[k]))
                and np.array_equal(self.open[kk], self.open[k])
                and self.slots[kk] == self.slots[k]
            ):
                return StationPlan(route, self.staff[kk])
        return None


# -- roles ---------------------------------------------------------------------------------
def role_cover(problem: ProblemData, k: int, present: np.ndarray) -> list[CompiledConstraint]:
    """For forming session ``k``'s teams: every team needs ``per_team`` members eligible for
    each role that not everyone present may hold."""
    session = problem.sessions[k]
    out = []
    for role in problem.roles:
        if not role.applies_to(session.id):
            continue
        mask = np.array([role.allows(problem.participants[i].id, problem.participants[i].attributes) for i in present])
        if mask.all():
            continue
        label = f"role {role.name}: eligible members"
        out.append(CompiledConstraint(Constraint(label=label), label, {"cover": mask, "need": role.per_team}))
    return out


def role_request(problem: ProblemData, assignment: np.ndarray) -> RoleRequest:
    """The role model of the event, for the teams in ``assignment``."""
    K, n = assignment.shape
    roles = problem.roles
    R = len(roles)
    teams = tuple(
        tuple(np.flatnonzero(assignment[k] == t) for t in range(problem.layout(k).num_teams)) for k in range(K)
    )
    applies = np.array([[r.applies_to(s.id) for r in roles] for s in problem.sessions], dtype=bool).reshape(K, R)
    eligible = np.array(
        [[r.allows(p.id, p.attributes) for p in problem.participants] for r in roles], dtype=bool
    ).reshape(R, n)
    per_team = np.array([r.per_team for r in roles], dtype=np.int64)
    index = {r.name: j for j, r in enumerate(roles)}
    seats = np.array([[problem.layout(k).num_teams * r.per_team for r in roles] for k in range(K)]).reshape(K, R)
    shares, fair, pins = [], [], []
    for c in problem.constraints:
        scope = np.array([c.applies_to(s.id) for s in problem.sessions], dtype=bool)
        if isinstance(c, RoleShare):
            r = index[c.role]
            group = np.array([matches(p.attributes, {c.attribute: c.values}) for p in problem.participants], dtype=bool)
            turns = int((seats[:, r] * applies[:, r] * scope).sum())
            shares.append((r, group, c.share(turns, int(group.sum()), n), scope, c.hard, c.weight))
        elif isinstance(c, FairTurns):
            r = -1 if c.role is None else index[c.role]
            if r < 0:
                turns = int((seats * applies * scope[:, None]).sum())
                able = int(eligible.any(axis=0).sum())
            else:
                turns = int((seats[:, r] * applies[:, r] * scope).sum())
                able = int(eligible[r].sum())
            fair.append((r, math.ceil(turns / max(1, able)), scope, c.weight))
        elif isinstance(c, RolePin):
            pins.append(
                (problem.index(c.participant), index[c.role], problem.session_index(c.session), c.hard, c.weight)
            )
    return RoleRequest(
        teams=teams,
        applies=applies,
        per_team=per_team,
        eligible=eligible,
        max_turns=np.array([r.max_turns or 0 for r in roles], dtype=np.int64),
        shares=tuple(shares),
        fair=tuple(fair),
        pins=tuple(pins),
    )


def role_penalties(
    problem: ProblemData, holders: dict[tuple[int, int, int], list[int]], assignment: np.ndarray
) -> dict[int, float]:
    """Each role rule's penalty (unweighted) by the rule's position among the problem's
    constraints, and hard breaches of eligibility and turn limits under the key ``-1``."""
    req = role_request(problem, assignment)
    R = len(problem.roles)
    n = problem.num_participants
    turns = np.zeros((R, n), dtype=np.int64)
    held_in: dict[tuple[int, int], int] = {}
    for (k, _t, r), people in holders.items():
        for p in people:
            turns[r, p] += 1
            held_in[p, k] = r
    breaches = 0
    for (k, _t, r), people in holders.items():
        breaches += sum(1 for p in people if not req.eligible[r, p])
    for r in range(R):
        if req.max_turns[r]:
            breaches += int(np.maximum(turns[r] - req.max_turns[r], 0).sum())
    out: dict[int, float] = {}
    by_kind: dict[type, list[int]] = {RoleShare: [], FairTurns: [], RolePin: []}
    for index, c in enumerate(problem.constraints):
        if type(c) in by_kind:
            by_kind[type(c)].append(index)
    for index, (r, group, need, scope, _h, _w) in zip(by_kind[RoleShare], req.shares):
        held = sum(1 for (k, _t, rr), people in holders.items() if rr == r and scope[k] for p in people if group[p])
        out[index] = float(max(0, need - held))
    for index, (r, most, scope, _w) in zip(by_kind[FairTurns], req.fair):
        per_person = np.zeros(n, dtype=np.int64)
        for (k, _t, rr), people in holders.items():
            if (r < 0 or rr == r) and scope[k]:
                for p in people:
                    per_person[p] += 1
        out[index] = float(np.maximum(per_person - most, 0).sum())
    for index, (p, r, k, _h, _w) in zip(by_kind[RolePin], req.pins):
        out[index] = 0.0 if held_in.get((p, k)) == r else 1.0
    out[-1] = float(breaches)
    return out
