"""Counting arguments that prove a request impossible before any search.

Each check returns sentences with the arithmetic, in the user's terms. They are sufficient
conditions only: passing them does not prove a plan exists.

Besides the teams, they count what the activities need: teams against the stations open in a
slot, instructors against the staffed stations the teams must use, role holders against the
eligible people, the teams that must avoid some stations against the other stations, and the
slots a person spends at stations in a day against the stations they may still do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any

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
    Spread,
    Together,
)
from teamkit.engine.meetings import partner_counts, scope_of
from teamkit.model import ProblemData, Session, is_missing, station_slots


def precheck(problem: ProblemData) -> tuple[str, ...]:
    """Every impossibility that simple counting proves, as sentences (empty if none)."""
    found: list[str] = []
    for k, session in enumerate(problem.sessions):
        layout = problem.layout(k)
        present = set(layout.present)
        T = layout.num_teams
        biggest = max(b for _, b in layout.sizes)
        where = f"session {session.id!r}"
        hard = [
            (c, name)
            for c, name in zip(problem.constraints, problem.constraint_names())
            if c.hard and c.applies_to(session.id)
        ]
        pins: dict[int, tuple[int, str]] = {}
        for c, name in hard:
            if isinstance(c, Pin) and (c.session in (None, session.id)):
                i = problem.index(c.participant)
                if i in present:
                    if i in pins and pins[i][0] != c.team:
                        found.append(
                            f"{where}: {pins[i][1]} and {name} pin {c.participant!r} to teams {pins[i][0]} and {c.team}"
                        )
                    pins[i] = (c.team, name)
        for c, name in hard:
            if isinstance(c, Spread):
                counts = _value_counts(problem, present, c.attribute)
                for value, count in counts.items():
                    if c.counts(value) and count > c.max_per_team * T:
                        found.append(
                            f"{where}: {name} allows at most {c.max_per_team} per team, but {count} people "
                            f"present have {c.attribute}={value!r} and there are only {T} teams "
                            f"(room for {c.max_per_team * T})"
                        )
            elif isinstance(c, NoIsolation):
                counts = _value_counts(problem, present, c.attribute)
                for value, count in counts.items():
                    wanted = c.values is None or value in c.values or str(value) in c.values
                    if wanted and 0 < count < c.min_count:
                        found.append(
                            f"{where}: {name} needs at least {c.min_count} people with {c.attribute}={value!r} "
                            f"in any team that has one, but only {count} are present"
                        )
            elif isinstance(c, Together):
                members = [problem.index(m) for m in c.members if problem.index(m) in present]
                if len(members) > biggest:
                    found.append(
                        f"{where}: {name} puts {len(members)} people in one team, but teams hold at most {biggest}"
                    )
                teams = {pins[i][0] for i in members if i in pins}
                if len(teams) > 1:
                    found.append(f"{where}: {name} holds people pinned to different teams {sorted(teams)}")
            elif isinstance(c, (Apart, Hierarchy)):
                if isinstance(c, Apart):
                    group = [problem.index(m) for m in c.members if problem.index(m) in present]
                    if len(group) > T:
                        found.append(f"{where}: {name} needs {len(group)} different teams, but there are only {T}")
                for a, b in problem.pairs(c):
                    if a in pins and b in pins and pins[a][0] == pins[b][0] and a in present and b in present:
                        pa, pb = problem.participants[a].id, problem.participants[b].id
                        found.append(
                            f"{where}: {name} keeps {pa!r} and {pb!r} apart, but {pins[a][1]} and {pins[b][1]} "
                            f"put both in team {pins[a][0]}"
                        )
    found.extend(_meetings(problem))
    found.extend(_stations(problem))
    found.extend(_roles(problem))
    found.extend(_exercise_once(problem))
    return tuple(found)


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
        found.append(
            f"{name}: {who!r} has {needed[i]} team-mate places over {blocks} rounds of teams, but only "
            f"{reachable[i]} other people attend with them, and each may be met at most {times} "
            f"({c.times} x {reachable[i]} = {c.times * reachable[i]} < {needed[i]}); "
            f"{affected} participant(s) are in this position. Use fewer sessions or smaller teams, "
            "raise times, or make the rule soft (or use avoid_repeats) to get the fewest repeats instead"
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
                return [
                    (
                        f"{name}: every team of session {sa!r} has at least {smallest} people who also attend "
                        f"{sb!r}; meeting at most once, they need {smallest} different teams there, but {sb!r} "
                        f"has {lb.num_teams}. Use more, smaller teams, or make the rule soft"
                    )
                ]
    return []


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
            if open_then:
                found.append(
                    f"{where}, {_slots_text(group)}: {_n(T, 'team')} but the stations open then hold only "
                    f"{_n(_capacity(open_then), 'team')} at once ({_listing(open_then)})"
                )
            else:
                found.append(f"{where}, {_slots_text(group)}: {_n(T, 'team')} but no station is open then")
        found.extend(_staff(problem, session, T, opened))
        for c, name in named:
            if isinstance(c, AvoidStations) and c.hard and c.applies_to(session.id) and len(c.who) == 1:
                found.extend(_avoided(problem, k, c, name, named, opened))
    return found


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
        found.append(
            f"session {session.id!r}, {_slots_text(group)}: {_n(T, 'team')} need at least "
            f"{_n(need, 'instructor')} at once, but {who} ({how})"
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
    if m <= min(per_team, biggest):
        needed, why = 1, "at least 1 team holds one of them"
    elif per_team <= biggest:
        needed = min(T, -(-m // per_team))
        fit = "fits" if per_team == 1 else "fit"
        why = f"at most {per_team} of them {fit} in one team ({', '.join(used)}), so at least {needed} teams hold one"
    else:
        needed = min(T, -(-m // biggest))
        why = f"a team has at most {biggest} members, so at least {needed} teams hold one"
    who = _values_text(c.who)
    where_to = _values_text(c.stations)
    allowed = {
        slot: tuple(s for s in stations if not matches(s.attributes, c.stations)) for slot, stations in opened.items()
    }
    # Where no open station matches, the rule takes nothing away: any shortage there is the
    # stations' capacity, reported as such.
    short = [
        slot for slot in station_slots(session) if allowed[slot] != opened[slot] and _capacity(allowed[slot]) < needed
    ]
    found = []
    for group, rest in _by_value(short, allowed):
        people = "person" if m == 1 else "people"
        head = (
            f"session {session.id!r}, {_slots_text(group)}: {name} keeps the {m} {people} present with {who} "
            f"away from stations with {where_to}; {why}, but "
        )
        if rest:
            found.append(
                head + f"the stations open then without {where_to} hold only {_n(_capacity(rest), 'team')} "
                f"at once ({_listing(rest)})"
            )
        else:
            found.append(head + f"no station without {where_to} is open then")
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
                if size == 1:
                    r = group[0]
                    found.append(
                        f"session {session.id!r}: role {r.name!r} needs {seats} holders ({r.per_team} in each of "
                        f"{_n(T, 'team')}), but {only} eligible"
                    )
                else:
                    parts = " + ".join(str(T * r.per_team) for r in group)
                    found.append(
                        f"session {session.id!r}: roles {_and(repr(r.name) for r in group)} need {seats} holders "
                        f"together ({parts}) and nobody holds two roles in one session, but {only} eligible "
                        "for any of them"
                    )
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
    return [sentence]


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
            found.append(f"{name}: {scope}{who} at a station in {slots} slots, but {offer}")
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
