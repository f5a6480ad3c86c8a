"""Counting arguments that prove a request impossible before any search.

Each conflict found is two lines: a sentence with the arithmetic, in the user's terms, then
what could be relaxed (``relax one of: spread(unit<=1), the team sizes of session 's1'``),
naming only the rules and the data the argument used, so that relaxing any one of them
removes that reason. The checks are sufficient conditions only: passing them does not prove a
plan exists.

Within a session they count people against teams: values against the teams a spread leaves
room in, and the people that hard together rules and pins join into one team against the
size of that team, the rules that keep people apart, and the pins that send them elsewhere.
Besides the teams, they count what the activities need: teams against the stations open in a
slot, instructors against the staffed stations the teams must use, the visits the teams need
in a session (never twice at one station) against what the stations can take, role holders
against the eligible people (and against the teams those people can be spread over), role
pins against one role a session and ``max_turns``, the teams that must avoid some stations
against the other stations, and the slots a person spends at stations in a day against the
stations they may still do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import combinations
from typing import Any, NamedTuple

from teamkit.activities import Role, Station, matches
from teamkit.constraints import (
    Apart,
    AvoidStations,
    Constraint,
    ExerciseOnce,
    Hierarchy,
    MeetAtMost,
    NoIsolation,
    Pin,
    RolePin,
    Spread,
    Together,
)
from teamkit.engine.meetings import partner_counts, scope_of
from teamkit.model import ProblemData, Session, is_missing, station_slots, visit_starts

#: How many participant ids a sentence lists before it says "and N more".
_MAX_IDS = 6


def precheck(problem: ProblemData) -> tuple[str, ...]:
    """Every impossibility that simple counting proves (empty if none): for each, the
    sentence that proves it and the line that says what could be relaxed."""
    found: list[str] = []
    for k in range(len(problem.sessions)):
        found.extend(_session(problem, k))
    found.extend(_meetings(problem))
    found.extend(_stations(problem))
    found.extend(_roles(problem))
    found.extend(_role_pins(problem))
    found.extend(_exercise_once(problem))
    return tuple(found)


def relax_line(items: Iterable[str]) -> str:
    """The line that follows a conflict: the rules (by name) and the data any one of which,
    relaxed, removes it. One wording for the pre-checks and the conflict search alike."""
    unique = list(dict.fromkeys(items))
    return ("relax: " if len(unique) == 1 else "relax one of: ") + ", ".join(unique)


def _say(sentence: str, *relax: str) -> list[str]:
    return [sentence, relax_line(relax)]


def _hard_rules(problem: ProblemData, session: Session) -> list[tuple[Constraint, str]]:
    return [
        (c, name)
        for c, name in zip(problem.constraints, problem.constraint_names())
        if c.hard and c.applies_to(session.id)
    ]


def _session(problem: ProblemData, k: int) -> list[str]:
    """One session's people against its teams."""
    session = problem.sessions[k]
    layout = problem.layout(k)
    present = set(layout.present)
    T = layout.num_teams
    where = f"session {session.id!r}"
    sizes = f"the team sizes of {where}"
    hard = _hard_rules(problem, session)
    found: list[str] = []
    pins: dict[int, tuple[int, str]] = {}
    for c, name in hard:
        if isinstance(c, Pin) and (c.session in (None, session.id)):
            i = problem.index(c.participant)
            if i in present:
                if i in pins and pins[i][0] != c.team:
                    found += _say(
                        f"{where}: {pins[i][1]} and {name} pin {c.participant!r} to teams {pins[i][0]} and {c.team}",
                        pins[i][1],
                        name,
                    )
                pins.setdefault(i, (c.team, name))
    found.extend(_joined_conflicts(problem, k, hard))
    for c, name in hard:
        if isinstance(c, Spread):
            counts = _value_counts(problem, present, c.attribute)
            for value, count in counts.items():
                if c.counts(value) and count > c.max_per_team * T:
                    found += _say(
                        f"{where}: {name} allows at most {c.max_per_team} per team, but {count} people "
                        f"present have {c.attribute}={value!r} and there are only {T} teams "
                        f"(room for {c.max_per_team * T})",
                        name,
                        sizes,
                    )
        elif isinstance(c, NoIsolation):
            counts = _value_counts(problem, present, c.attribute)
            for value, count in counts.items():
                wanted = c.values is None or value in c.values or str(value) in c.values
                if wanted and 0 < count < c.min_count:
                    found += _say(
                        f"{where}: {name} needs at least {c.min_count} people with {c.attribute}={value!r} "
                        f"in any team that has one, but only {count} are present",
                        name,
                    )
        elif isinstance(c, Apart):
            group = [problem.index(m) for m in c.members if problem.index(m) in present]
            if len(group) > T:
                found += _say(
                    f"{where}: {name} needs {len(group)} different teams, but there are only {T}", name, sizes
                )
    return found


# -- people that rules join into one team ----------------------------------------------------


class _Link(NamedTuple):
    """A hard rule that joins people into one team (``team`` is ``None``: a together rule)
    or ties one person to a team (a pin, ``team`` counted from 0)."""

    name: str
    people: tuple[int, ...]
    team: int | None


class _Groups:
    """The people of a session that some links join into one team (each group keyed by a
    representative), and the teams the pins among them name."""

    def __init__(self, links: Iterable[_Link]) -> None:
        self._parent: dict[int, int] = {}
        links = list(links)
        for link in links:
            if link.team is None:
                first = self.of(link.people[0])
                for i in link.people[1:]:
                    self._parent[self.of(i)] = first
        self.teams: dict[int, set[int]] = {}
        for link in links:
            if link.team is not None:
                self.teams.setdefault(self.of(link.people[0]), set()).add(link.team)
        self.members: dict[int, list[int]] = {}
        for i in list(self._parent):
            self.members.setdefault(self.of(i), []).append(i)
        for g in self.teams:
            self.members.setdefault(g, [g])

    def of(self, i: int) -> int:
        """The representative of ``i``'s group (``i`` itself when no link names them)."""
        root = i
        while self._parent.get(root, root) != root:
            root = self._parent[root]
        while i != root:
            self._parent[i], i = root, self._parent.get(i, i)
        self._parent.setdefault(root, root)
        return root

    def size(self, g: int) -> int:
        return len(self.members.get(g, [g]))

    def team(self, g: int) -> int | None:
        """The one team the group is pinned to; ``None`` when none (or several)."""
        teams = self.teams.get(g, set())
        return next(iter(teams)) if len(teams) == 1 else None

    def place(self, i: int) -> tuple[str, int]:
        """Where ``i`` goes as far as the links say: their pinned team, else their group."""
        g = self.of(i)
        t = self.team(g)
        return ("team", t) if t is not None else ("group", g)

    def load(self, t: int) -> list[int]:
        """The people that pins send to team ``t``, with everyone joined to them."""
        return sorted(i for g, teams in self.teams.items() if teams == {t} for i in self.members[g])


def _fewest(links: list[_Link], conflict: Callable[[list[_Link]], bool]) -> list[_Link]:
    """An irreducible subset of ``links`` that still conflicts: each link is dropped in turn
    when the conflict holds without it, so every link named is needed."""
    kept = list(links)
    for link in list(kept):
        trial = [other for other in kept if other is not link]
        if conflict(trial):
            kept = trial
    return kept


def _session_links(problem: ProblemData, k: int, hard: list[tuple[Constraint, str]]) -> list[_Link]:
    """The hard together rules and pins of session ``k``, over the people present (a person
    pinned twice keeps their first pin: the clash itself is reported on its own)."""
    session = problem.sessions[k]
    present = set(problem.layout(k).present)
    links: list[_Link] = []
    pinned: set[int] = set()
    for c, name in hard:
        if isinstance(c, Together):
            members = tuple(i for i in (problem.index(m) for m in c.members) if i in present)
            if len(members) > 1:
                links.append(_Link(name, members, None))
        elif isinstance(c, Pin) and c.session in (None, session.id):
            i = problem.index(c.participant)
            if i in present and i not in pinned:
                pinned.add(i)
                links.append(_Link(name, (i,), c.team - 1))
    return links


def _joined_conflicts(problem: ProblemData, k: int, hard: list[tuple[Constraint, str]]) -> list[str]:
    """Hard together rules and pins against the teams: a group larger than any team, a group
    pinned to two teams, a team that pins fill beyond its size, and people kept apart whom
    the links put in one team. Each names the fewest links that make it."""
    session = problem.sessions[k]
    layout = problem.layout(k)
    where = f"session {session.id!r}"
    sizes = f"the team sizes of {where}"
    biggest = max(b for _, b in layout.sizes)
    # The most people one team can take when every other team gets at least its smallest
    # size: with team sizes of their own, the largest team's maximum may be out of reach.
    n, lows = len(layout.present), sum(a for a, _ in layout.sizes)
    room = max(min(b, n - (lows - a)) for a, b in layout.sizes)
    ids = [p.id for p in problem.participants]
    links = _session_links(problem, k, hard)
    if not links:
        return []
    found: list[str] = []
    groups = _Groups(links)

    def inside(g: int) -> list[_Link]:
        return [link for link in links if groups.of(link.people[0]) == g]

    split = False
    for g, teams in groups.teams.items():
        if len(teams) < 2:
            continue
        split = True
        named = _fewest(inside(g), lambda sub: any(len(t) > 1 for t in _Groups(sub).teams.values()))
        joins = [link for link in named if link.team is None]
        tied = [link for link in named if link.team is not None]
        numbers = sorted(link.team + 1 for link in tied)
        if len(joins) == 1:
            sentence = f"{where}: {joins[0].name} holds people pinned to different teams {numbers}"
        else:
            people = _ids([ids[link.people[0]] for link in tied])
            sentence = (
                f"{where}: {_and(link.name for link in joins)} keep {people} in one team, but "
                f"{_and(link.name for link in tied)} pin them to teams {_and(map(str, numbers))}"
            )
        found += _say(sentence, *(link.name for link in named))
    too_big = False
    for g in groups.members:
        if groups.size(g) <= room:
            continue
        too_big = True
        joins = [link for link in inside(g) if link.team is None]
        named = _fewest(joins, lambda sub: max(map(len, _Groups(sub).members.values()), default=1) > room)
        count = max(map(len, _Groups(named).members.values()))
        why = (
            f"teams hold at most {biggest}"
            if room == biggest
            else f"with {n} people present and every other team at its smallest size, no team can take more than {room}"
        )
        found += _say(
            f"{where}: {_and(link.name for link in named)} {_put(named)} {count} people in one team, but {why}",
            *(link.name for link in named),
            sizes,
        )
    if not (split or too_big):  # a team's load is only told apart from those two on its own
        for t, (low, high) in enumerate(layout.sizes):
            cap = min(high, n - (lows - low))
            if len(groups.load(t)) <= cap:
                continue
            named = _fewest(
                [link for link in links if groups.team(groups.of(link.people[0])) == t],
                lambda sub, t=t, cap=cap: len(_Groups(sub).load(t)) > cap,
            )
            count = len(_Groups(named).load(t))
            why = (
                f"which holds at most {high}"
                if cap == high
                else f"which can take at most {cap} while every other team gets its smallest size"
            )
            found += _say(
                f"{where}: {_and(link.name for link in named)} put {count} people in team {t + 1}, {why}",
                *(link.name for link in named),
                sizes,
            )
    present = set(layout.present)
    for c, name in hard:
        if not isinstance(c, (Apart, Hierarchy)):
            continue
        for a, b in problem.pairs(c):
            if a not in present or b not in present:
                continue
            if groups.place(a) != groups.place(b):
                continue

            def together(sub: list[_Link], a: int = a, b: int = b) -> bool:
                g = _Groups(sub)
                return g.place(a) == g.place(b)

            named = _fewest([link for link in links if groups.place(link.people[0]) == groups.place(a)], together)
            final = _Groups(named)
            where_to = "one team" if final.of(a) == final.of(b) else f"team {final.team(final.of(a)) + 1}"
            whom = (
                f"{ids[a]!r} and their superior {ids[b]!r}"
                if isinstance(c, Hierarchy)
                else f"{ids[a]!r} and {ids[b]!r}"
            )
            found += _say(
                f"{where}: {name} keeps {whom} apart, but {_and(link.name for link in named)} put both in {where_to}",
                name,
                *(link.name for link in named),
            )
    return found


def _meetings(problem: ProblemData) -> list[str]:
    """A hard meeting limit against the team-mates everyone must have: with ``P`` team-mate
    places over the event and ``N`` other people to fill them, meeting each at most ``k``
    times needs ``P <= k * N``."""
    found = []
    for c, name in zip(problem.constraints, problem.constraint_names()):
        if not (isinstance(c, MeetAtMost) and c.hard):
            continue
        needed, reachable = partner_counts(problem, scope_of(problem, c))
        short = needed - c.times * reachable
        if short.max() <= 0:
            continue
        i = int(short.argmax())
        who = problem.participants[i].id
        blocks = sum(1 for block in problem.blocks() if any(i in problem.layout(k).present for k in block))
        times = "once" if c.times == 1 else f"{c.times} times"
        affected = int((short > 0).sum())
        found += _say(
            f"{name}: {who!r} has {needed[i]} team-mate places over {blocks} rounds of teams, but only "
            f"{reachable[i]} other people attend with them, and each may be met at most {times} "
            f"({c.times} x {reachable[i]} = {c.times * reachable[i]} < {needed[i]}); "
            f"{affected} participant(s) are in this position. Use fewer sessions or smaller teams, "
            "raise times, or make the rule soft (or use avoid_repeats) to get the fewest repeats instead",
            name,
            "the team sizes",
            "the number of sessions",
        )
    for c, name in zip(problem.constraints, problem.constraint_names()):
        if isinstance(c, MeetAtMost) and c.hard and c.times == 1:
            found.extend(_spread_out(problem, c, name))
    return found


def _spread_out(problem: ProblemData, c: MeetAtMost, name: str) -> list[str]:
    """Meeting at most once: the members of a team must all be in different teams in every
    other round of teams, so that round needs at least as many teams as the team has members
    who attend it."""
    scope = scope_of(problem, c)
    firsts = [block[0] for block in problem.blocks() if scope is None or block[0] in scope]
    for a in firsts:
        for b in firsts:
            if a == b:
                continue
            la, lb = problem.layout(a), problem.layout(b)
            missing = len(set(la.present) - set(lb.present))
            smallest = min(low for low, _ in la.sizes) - missing
            if smallest > lb.num_teams:
                sa, sb = problem.sessions[a].id, problem.sessions[b].id
                return _say(
                    f"{name}: every team of session {sa!r} has at least {smallest} people who also attend "
                    f"{sb!r}; meeting at most once, they need {smallest} different teams there, but {sb!r} "
                    f"has {lb.num_teams}. Use more, smaller teams, or make the rule soft",
                    name,
                    f"the team sizes of sessions {sa!r} and {sb!r}",
                )
    return []


def _put(rules: Sequence[Any]) -> str:
    """The verb after a list of rules: one rule puts, several put."""
    return "puts" if len(rules) == 1 else "put"


def _ids(people: Sequence[str]) -> str:
    """``'p00', 'p01' and 'p02'``, or the first few and how many more."""
    shown = [repr(p) for p in people[:_MAX_IDS]]
    if len(people) > _MAX_IDS:
        return ", ".join(shown) + f" and {len(people) - _MAX_IDS} more"
    return _and(shown)


def _value_counts(problem: ProblemData, present: set[int], attribute: str) -> dict:
    counts: dict = {}
    for i in sorted(present):
        value = problem.participants[i].get(attribute)
        if not is_missing(value):
            counts[value] = counts.get(value, 0) + 1
    return counts


# -- stations, staff, roles and exercises ----------------------------------------------------


def _stations(problem: ProblemData) -> list[str]:
    """Per session and station slot, every team is at one open station: the teams against
    the capacity of the stations open then, against the instructors that staffed stations
    need, and, under a hard avoid_stations, the teams holding the people it protects against
    the stations they may use."""
    found: list[str] = []
    if not problem.stations:
        return found
    named = list(zip(problem.constraints, problem.constraint_names()))
    for k, session in enumerate(problem.sessions):
        slots = station_slots(session)
        if not slots:
            continue
        layout = problem.layout(k)
        T = layout.num_teams
        where = f"session {session.id!r}"
        opened = {slot: tuple(s for s in problem.stations if s.open_in(session.id, slot)) for slot in slots}
        # Capacity is per slot: a station of any duration holds at most `capacity` teams in each slot.
        short = [slot for slot in slots if _capacity(opened[slot]) < T]
        for group, open_then in _by_value(short, opened):
            relax = (f"the stations open in {_slots_text(group)} of {where}", f"the team sizes of {where}")
            if open_then:
                found += _say(
                    f"{where}, {_slots_text(group)}: {_n(T, 'team')} but the stations open then hold only "
                    f"{_n(_capacity(open_then), 'team')} at once ({_listing(open_then)})",
                    *relax,
                )
            else:
                found += _say(f"{where}, {_slots_text(group)}: {_n(T, 'team')} but no station is open then", *relax)
        staff = _staff(problem, session, T, opened)
        found.extend(staff)
        if not short and not staff:
            found.extend(_visits(problem, session, T))
        for c, name in named:
            if isinstance(c, AvoidStations) and c.hard and c.applies_to(session.id) and len(c.who) == 1:
                found.extend(_avoided(problem, k, c, name, named, opened))
    return found


def _visits(problem: ProblemData, session: Session, T: int) -> list[str]:
    """Every team fills every station slot of the session, and a station receives a team at
    most once in a session: the visits the teams need against those the stations can take,
    each at most its capacity in every slot it can be visited in, at most once per team, and
    none where no instructor of the session may run a station that needs one."""
    slots = station_slots(session)
    need = T * len(slots)
    takes: list[tuple[Station, int, str]] = []
    unstaffed = False
    for station in problem.stations:
        covered = {a + i for a in visit_starts(station, session) for i in range(station.duration)}
        by_capacity, by_teams = station.capacity * len(covered), T * station.duration
        if not covered:
            continue
        able = sum(1 for i in problem.instructors if i.can_run(station.name, session.id))
        if station.staff > able:
            unstaffed = True
            who = f"only {able} who works then may" if able else "no instructor who works then may"
            takes.append((station, 0, f"needs {_n(station.staff, 'instructor')}, {who} run it"))
        elif by_teams <= by_capacity:
            takes.append((station, by_teams, "once per team"))
        else:
            takes.append((station, by_capacity, f"capacity {station.capacity} in each of {_n(len(covered), 'slot')}"))
    total = sum(units for _, units, _ in takes)
    if total >= need:
        return []
    lasting = any(s.duration > 1 for s, _, _ in takes)
    unit = "slots at stations" if lasting else "visits"
    which = "; ".join(f"{s.name}: {units}, {why}" for s, units, why in takes) or "no station can be visited"
    return _say(
        f"session {session.id!r}: {_n(T, 'team')} at a station in each of its {_n(len(slots), 'station slot')}, "
        f"never twice at the same one, need {need} {unit}, but the stations take at most {total} ({which})",
        f"the stations open in session {session.id!r}",
        *([f"the instructors of session {session.id!r}"] if unstaffed else []),
        f"the team sizes of session {session.id!r}",
    )


def _staff(problem: ProblemData, session: Session, T: int, opened: dict[int, tuple[Station, ...]]) -> list[str]:
    """Teams need staffed stations once the stations without instructors are full: the fewest
    instructors that hold the rest (a smallest-cost cover of the open staffed stations) against
    the instructors of the session who can run any of them, each at one station per slot."""
    slots = station_slots(session)
    short: dict[int, tuple[int, int, tuple[Station, ...], int]] = {}
    for slot in slots:
        staffed = [s for s in opened[slot] if s.staff > 0]
        # Staff is needed in a slot in which a station receives teams. For a station that
        # keeps a team several slots that is surely so when the team arrives, and every team
        # arrives in the session's first station slot; later slots with such a station are
        # left out.
        if not staffed or (slot != slots[0] and any(s.duration > 1 for s in staffed)):
            continue
        free = _capacity(s for s in opened[slot] if s.staff == 0)
        if free >= T:
            continue
        cover = _fewest_staff(staffed, T - free)
        if cover is None:  # the stations cannot hold every team: reported as capacity
            continue
        need = sum(s.staff for s in cover)
        able = sum(1 for i in problem.instructors if any(i.can_run(s.name, session.id) for s in staffed))
        if need > able:
            short[slot] = (free, need, cover, able)
    found = []
    for group, (free, need, cover, able) in _by_value(list(short), short):
        which = _and(f"{s.name} ({_n(s.staff, 'instructor')}, {_n(s.capacity, 'team')})" for s in cover)
        how = (
            f"stations that need no instructor hold only {_n(free, 'team')}; for the other {T - free}, the staffed "
            f"stations with the fewest instructors in all: {which}"
            if free
            else f"the staffed stations that hold them with the fewest instructors in all: {which}"
        )
        who = (
            f"only {able} who {'works' if able == 1 else 'work'} in that session can run a staffed station open then"
            if able
            else "no instructor who works in that session can run a staffed station open then"
        )
        found += _say(
            f"session {session.id!r}, {_slots_text(group)}: {_n(T, 'team')} need at least "
            f"{_n(need, 'instructor')} at once, but {who} ({how})",
            f"the instructors of session {session.id!r}",
            f"the stations open in {_slots_text(group)} of session {session.id!r}",
            f"the team sizes of session {session.id!r}",
        )
    return found


def _fewest_staff(stations: Sequence[Station], teams: int) -> tuple[Station, ...] | None:
    """Stations that hold at least ``teams`` teams with the fewest instructors in all (exact:
    a 0/1 knapsack over the teams held), or ``None`` when all of them hold fewer."""
    best: list[tuple[int, tuple[Station, ...]] | None] = [None] * (teams + 1)
    best[0] = (0, ())
    for station in stations:
        for held in range(teams, -1, -1):
            here = best[held]
            if here is None:
                continue
            to = min(teams, held + station.capacity)
            there = best[to]
            if there is None or here[0] + station.staff < there[0]:
                best[to] = (here[0] + station.staff, (*here[1], station))
    return None if best[teams] is None else best[teams][1]


def _avoided(
    problem: ProblemData,
    k: int,
    c: AvoidStations,
    name: str,
    named: list[tuple[Constraint, str]],
    opened: dict[int, tuple[Station, ...]],
) -> list[str]:
    """A hard avoid_stations on one attribute: the people it protects fill at least
    ``ceil(m / K)`` teams, where ``K`` is the most of them a team can hold (by the hard spreads
    on that attribute, or the largest team), and those teams need stations that do not match
    in every slot."""
    session = problem.sessions[k]
    layout = problem.layout(k)
    T = layout.num_teams
    biggest = max(b for _, b in layout.sizes)
    ((attribute, _),) = c.who.items()
    groups: dict[Any, int] = {}
    for i in layout.present:
        p = problem.participants[i]
        if matches(p.attributes, c.who):
            groups[p.get(attribute)] = groups.get(p.get(attribute), 0) + 1
    m = sum(groups.values())
    if not m:
        return []
    spreads = [
        (s, s_name)
        for s, s_name in named
        if isinstance(s, Spread) and s.hard and s.applies_to(session.id) and s.attribute == attribute
    ]
    per_team = 0
    used: list[str] = []
    for value, count in groups.items():
        limits = [(s.max_per_team, s_name) for s, s_name in spreads if not is_missing(value) and s.counts(value)]
        limit = min(limits, default=None)
        if limit is not None and limit[0] < count:
            per_team += limit[0]
            if limit[1] not in used:
                used.append(limit[1])
        else:
            per_team += count
    # How many teams hold a protected person, and what that count rests on besides the rule
    # (to relax instead of it): the sizes alone first, then the spreads, which need more
    # rules but may need more teams. The first count that proves a shortage is reported.
    counts: list[tuple[int, str, list[str]]] = []
    if m <= biggest:
        counts.append((1, "at least 1 team holds one of them", []))
    else:
        needed = min(T, -(-m // biggest))
        why = f"a team has at most {biggest} members, so at least {needed} teams hold one"
        counts.append((needed, why, [f"the team sizes of session {session.id!r}"]))
    if used and per_team < min(m, biggest):
        needed = min(T, -(-m // per_team))
        fit = "fits" if per_team == 1 else "fit"
        why = f"at most {per_team} of them {fit} in one team ({', '.join(used)}), so at least {needed} teams hold one"
        counts.append((needed, why, used))
    who = _values_text(c.who)
    where_to = _values_text(c.stations)
    slots = station_slots(session)
    allowed = {
        slot: tuple(s for s in stations if not matches(s.attributes, c.stations)) for slot, stations in opened.items()
    }
    # Where no open station matches, the rule takes nothing away: any shortage there is the
    # stations' own, reported as such.
    if all(allowed[slot] == opened[slot] for slot in slots):
        return []
    people = "person" if m == 1 else "people"
    found: list[str] = []
    for needed, why, basis in counts:
        short = [slot for slot in slots if allowed[slot] != opened[slot] and _capacity(allowed[slot]) < needed]
        for group, rest in _by_value(short, allowed):
            head = (
                f"session {session.id!r}, {_slots_text(group)}: {name} keeps the {m} {people} present with {who} "
                f"away from stations with {where_to}; {why}, but "
            )
            relax = (name, *basis, f"the stations open in {_slots_text(group)} of session {session.id!r}")
            if rest:
                found += _say(
                    head + f"the stations open then without {where_to} hold only {_n(_capacity(rest), 'team')} "
                    f"at once ({_listing(rest)})",
                    *relax,
                )
            else:
                found += _say(head + f"no station without {where_to} is open then", *relax)
        if found:
            return found
        # Over the session: such a team is at an allowed station in every station slot and
        # visits each station once, for its duration; a station holds `capacity` teams a slot.
        usable = {s.name: s for slot in slots for s in allowed[slot]}
        open_slots = {n: sum(1 for slot in slots if any(s.name == n for s in allowed[slot])) for n in usable}
        offered = sum(min(needed * s.duration, s.capacity * open_slots[n]) for n, s in usable.items())
        total = needed * len(slots)
        if offered < total:
            teams = "that team needs" if needed == 1 else f"those {needed} teams need"
            visits = ", ".join(n + (f" ({s.duration} slots)" if s.duration > 1 else "") for n, s in usable.items())
            return _say(
                f"session {session.id!r}, {_slots_text(slots)}: {name} keeps the {m} {people} present with {who} "
                f"away from stations with {where_to}; {why}, and {teams} a station without {where_to} in each "
                f"of the {len(slots)} station slots, going to each station once, but those stations ({visits}) "
                f"offer only {offered} of the {total} slots needed",
                name,
                *basis,
                f"the stations open in session {session.id!r}",
            )
    return found


#: Role sets are checked together (nobody holds two roles in one session) up to this many roles.
_MAX_ROLES_TOGETHER = 8


def _roles(problem: ProblemData) -> list[str]:
    """Role holders against eligible people: per session, the seats of a set of roles against
    the people present eligible for any of them (nobody holds two roles in a session); over
    the event, the turns of a role with ``max_turns`` against what its eligible people may hold."""
    found: list[str] = []
    for k, session in enumerate(problem.sessions):
        roles = [r for r in problem.roles if r.applies_to(session.id)]
        if not roles:
            continue
        T = problem.layout(k).num_teams
        people = [problem.participants[i] for i in problem.layout(k).present]
        eligible = {r.name: {p.id for p in people if r.allows(p.id, p.attributes)} for r in roles}
        failed: list[set[str]] = []
        largest = len(roles) if len(roles) <= _MAX_ROLES_TOGETHER else 1
        for size in range(1, largest + 1):
            for group in combinations(roles, size):
                names = {r.name for r in group}
                if any(f <= names for f in failed):
                    continue
                seats = T * sum(r.per_team for r in group)
                can = len(set().union(*(eligible[r.name] for r in group)))
                if can >= seats:
                    continue
                failed.append(names)
                only = f"only {can} people present are" if can != 1 else "only 1 person present is"
                if not can:
                    only = "nobody present is"
                sizes = f"the team sizes of session {session.id!r}"
                if size == 1:
                    r = group[0]
                    found += _say(
                        f"session {session.id!r}: role {r.name!r} needs {seats} holders ({r.per_team} in each of "
                        f"{_n(T, 'team')}), but {only} eligible",
                        f"who is eligible for role {r.name!r}",
                        sizes,
                    )
                else:
                    parts = " + ".join(str(T * r.per_team) for r in group)
                    found += _say(
                        f"session {session.id!r}: roles {_and(repr(r.name) for r in group)} need {seats} holders "
                        f"together ({parts}) and nobody holds two roles in one session, but {only} eligible "
                        "for any of them",
                        f"who is eligible for roles {' or '.join(repr(r.name) for r in group)}",
                        sizes,
                    )
        if not failed:
            found.extend(_spread_over(problem, k, roles, eligible))
    for role in problem.roles:
        if role.max_turns is not None:
            found.extend(_turns(problem, role))
    return found


def _turns(problem: ProblemData, role: Role) -> list[str]:
    """Over the event, each eligible person holds a role at most ``max_turns`` times, and at
    most once in each of its sessions they attend."""
    assert role.max_turns is not None
    ks = [k for k, s in enumerate(problem.sessions) if role.applies_to(s.id)]
    if not ks:
        return []
    teams = [problem.layout(k).num_teams for k in ks]
    total = role.per_team * sum(teams)
    present = [set(problem.layout(k).present) for k in ks]
    attended = [
        sum(1 for p in present if i in p)
        for i, person in enumerate(problem.participants)
        if role.allows(person.id, person.attributes)
    ]
    attended = [a for a in attended if a]
    turns = sum(min(role.max_turns, a) for a in attended)
    if turns >= total:
        return []
    e = len(attended)
    limit = "at most once each" if role.max_turns == 1 else f"at most {role.max_turns} times each"
    tail = (
        f": {turns} turns in all"
        if turns == e * role.max_turns
        else f", and fewer when they miss some of its sessions: {turns} turns in all"
    )
    who = "the 1 eligible person who attends" if e == 1 else f"the {e} eligible people who attend"
    teams_text = " + ".join(map(str, teams))
    sentence = (
        f"role {role.name!r}: {total} turns over the event ({role.per_team} per team in {teams_text} teams), "
        f"but {who} its sessions may hold it {limit}{tail}"
    )
    return _say(sentence, f"max_turns of role {role.name!r}", f"who is eligible for role {role.name!r}")


def _spread_over(problem: ProblemData, k: int, roles: list[Role], eligible: dict[str, set[str]]) -> list[str]:
    """Every team needs a holder of each role, so the people eligible for it must be spread
    over all the teams; hard together rules and pins that put them in fewer teams make that
    impossible, however many they are."""
    session = problem.sessions[k]
    T = problem.layout(k).num_teams
    links = _session_links(problem, k, _hard_rules(problem, session))
    if T < 2 or not links:
        return []
    found: list[str] = []
    for role in roles:
        people = [problem.index(pid) for pid in sorted(eligible[role.name], key=problem.index)]

        def places(sub: list[_Link], people: list[int] = people) -> int:
            groups = _Groups(sub)
            return len({groups.place(i) for i in people})

        held = places(links)
        if held >= T:
            continue
        groups = _Groups(links)
        mine = {groups.place(i) for i in people}
        named = _fewest([link for link in links if groups.place(link.people[0]) in mine], lambda sub: places(sub) < T)
        held = places(named)
        ids = _ids([problem.participants[i].id for i in people])
        found += _say(
            f"session {session.id!r}: role {role.name!r} needs holders in each of {T} teams, but "
            f"{_and(link.name for link in named)} {_put(named)} the {len(people)} people present who are "
            f"eligible for it ({ids}) in at most {_n(held, 'team')}",
            *(link.name for link in named),
            f"who is eligible for role {role.name!r}",
        )
    return found


def _role_pins(problem: ProblemData) -> list[str]:
    """Hard role pins against the rules of roles: one role per person and session, at most
    ``max_turns`` turns per person, and ``per_team`` holders per team (pinned holders whom
    together rules or pins put in one team)."""
    found: list[str] = []
    pins = [(c, name) for c, name in zip(problem.constraints, problem.constraint_names()) if isinstance(c, RolePin)]
    pins = [(c, name) for c, name in pins if c.hard and c.applies_to(c.session)]
    if not pins:
        return found
    held: dict[tuple[str, str], tuple[RolePin, str]] = {}
    for c, name in pins:
        other = held.setdefault((c.participant, c.session), (c, name))
        if other[0].role != c.role:
            found += _say(
                f"{other[1]} and {name} give {c.participant!r} two roles in session {c.session!r}, but nobody "
                "holds two roles in one session",
                other[1],
                name,
            )
    for role in problem.roles:
        if role.max_turns is None:
            continue
        # The first pin of each session a person is pinned to the role in.
        by_person: dict[str, dict[str, str]] = {}
        for c, name in pins:
            if c.role == role.name:
                by_person.setdefault(c.participant, {}).setdefault(c.session, name)
        for pid, by_session in by_person.items():
            if len(by_session) <= role.max_turns:
                continue
            named = list(by_session.values())[: role.max_turns + 1]
            turns = "once" if role.max_turns == 1 else f"{role.max_turns} times"
            found += _say(
                f"{_and(named)} make {pid!r} {role.name} in {len(named)} sessions, but role {role.name!r} may be "
                f"held at most {turns} by one person (max_turns={role.max_turns})",
                *named,
                f"max_turns of role {role.name!r}",
            )
    for k, session in enumerate(problem.sessions):
        links = _session_links(problem, k, _hard_rules(problem, session))
        if not links:
            continue
        groups = _Groups(links)
        for role in problem.roles:
            if not role.applies_to(session.id):
                continue
            mine = [(c, name) for c, name in pins if c.role == role.name and c.session == session.id]
            by_place: dict[tuple[str, int], list[tuple[int, str]]] = {}
            for c, name in mine:
                i = problem.index(c.participant)
                by_place.setdefault(groups.place(i), []).append((i, name))
            for place, holders in by_place.items():
                if len(holders) <= role.per_team:
                    continue
                holders = holders[: role.per_team + 1]
                people = [i for i, _ in holders]

                def shared(sub: list[_Link], people: list[int] = people) -> bool:
                    g = _Groups(sub)
                    return len({g.place(i) for i in people}) == 1

                named = _fewest([link for link in links if groups.place(link.people[0]) == place], shared)
                ids = _and(repr(problem.participants[i].id) for i in people)
                seats = f"{role.per_team} {role.name}" if role.per_team == 1 else f"{role.per_team} {role.name}s"
                found += _say(
                    f"{_and(name for _, name in holders)} make {ids} {role.name} in session {session.id!r}, but "
                    f"{_and(link.name for link in named)} {_put(named)} them in one team, and a team has {seats}",
                    *(name for _, name in holders),
                    *(link.name for link in named),
                )
    return found


def _exercise_once(problem: ProblemData) -> list[str]:
    """A hard exercise_once: a person is at a station in every station slot of the sessions
    they attend, a visit lasts the station's duration, and no station may be visited twice in
    the day (or the event), so those slots need stations whose durations add up to them."""
    found: list[str] = []
    for c, name in zip(problem.constraints, problem.constraint_names()):
        if not (isinstance(c, ExerciseOnce) and c.hard):
            continue
        groups = problem.days() if c.per == "day" else (tuple(range(len(problem.sessions))),)
        for group in groups:
            ks = [k for k in group if c.applies_to(problem.sessions[k].id) and station_slots(problem.sessions[k])]
            if not ks:
                continue
            present = [set(problem.layout(k).present) for k in ks]
            patterns: dict[tuple[int, ...], int] = {}
            for i in range(problem.num_participants):
                pattern = tuple(k for k, p in zip(ks, present) if i in p)
                if pattern:
                    patterns[pattern] = patterns.get(pattern, 0) + 1
            worst: tuple[int, tuple[int, ...], int, list[Station]] | None = None
            for pattern, count in patterns.items():
                slots = sum(len(station_slots(problem.sessions[k])) for k in pattern)
                usable = [
                    s
                    for s in problem.stations
                    if any(
                        s.open_in(problem.sessions[k].id, t)
                        for k in pattern
                        for t in station_slots(problem.sessions[k])
                    )
                ]
                if slots > sum(s.duration for s in usable) and (worst is None or count > worst[0]):
                    worst = (count, pattern, slots, usable)
            if worst is None:
                continue
            count, pattern, slots, usable = worst
            day = problem.sessions[group[0]].day
            scope = "over the event, " if c.per == "event" else (f"on day {day!r}, " if day is not None else "")
            sessions = _and(repr(problem.sessions[k].id) for k in pattern)
            who = (
                f"1 person attends session{'s' if len(pattern) > 1 else ''} {sessions} and is"
                if count == 1
                else f"{count} people attend session{'s' if len(pattern) > 1 else ''} {sessions} and are"
            )
            them = "them" if len(pattern) > 1 else "it"
            twice = "in a day" if c.per == "day" else "in the event"
            covered = sum(s.duration for s in usable)
            if not usable:
                offer = f"no station is open in {them}"
            else:
                listing = ", ".join(s.name + (f" ({s.duration} slots)" if s.duration > 1 else "") for s in usable)
                offer = (
                    f"only {_n(len(usable), 'different station')} {'is' if len(usable) == 1 else 'are'} open "
                    f"in {them} ({listing}) and nobody may do one twice {twice}"
                )
                if covered != len(usable):
                    offer += f", so their visits cover at most {covered} slots"
            when = scope.rstrip(", ") if scope else f"in session {problem.sessions[group[0]].id!r}"
            found += _say(
                f"{name}: {scope}{who} at a station in {slots} slots, but {offer}",
                name,
                f"the stations open {when}",
                f"the station slots of session{'s' if len(pattern) > 1 else ''} "
                + " and ".join(repr(problem.sessions[k].id) for k in pattern),
            )
    return found


def _capacity(stations: Iterable[Station]) -> int:
    return sum(s.capacity for s in stations)


def _listing(stations: Iterable[Station]) -> str:
    """``Menara Koran 6, Kapal Karam 6``: station names with their capacities."""
    return ", ".join(f"{s.name} {s.capacity}" for s in stations)


def _by_value(keys: list[int], value_of: Any) -> list[tuple[list[int], Any]]:
    """``keys`` grouped by equal ``value_of[key]``, in order of first appearance."""
    groups: list[tuple[list[int], Any]] = []
    for key in keys:
        for members, value in groups:
            if value == value_of[key]:
                members.append(key)
                break
        else:
            groups.append(([key], value_of[key]))
    return groups


def _slots_text(slots: Sequence[int]) -> str:
    """``slot 1``, ``slots 1 and 3``, ``slots 1, 2 and 4``."""
    return f"slot {slots[0]}" if len(slots) == 1 else f"slots {_and(map(str, slots))}"


def _and(words: Iterable[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _values_text(values: Any) -> str:
    """``fitness=limited``, as the constraint names write attribute values."""
    return ",".join(f"{a}={'|'.join(map(str, v))}" for a, v in values.items())
