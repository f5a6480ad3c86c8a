"""Counting arguments that prove a request impossible before any search.

Each check returns sentences with the arithmetic, in the user's terms. They are sufficient
conditions only: passing them does not prove a plan exists.
"""

from __future__ import annotations

from teamkit.constraints import Apart, Hierarchy, MeetAtMost, NoIsolation, Pin, Spread, Together
from teamkit.engine.meetings import partner_counts, scope_of
from teamkit.model import ProblemData, is_missing


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
                    f"{name}: every team of session {sa!r} has at least {smallest} people who also attend "
                    f"{sb!r}; meeting at most once, they need {smallest} different teams there, but {sb!r} "
                    f"has {lb.num_teams}. Use more, smaller teams, or make the rule soft"
                ]
    return []


def _value_counts(problem: ProblemData, present: set[int], attribute: str) -> dict:
    counts: dict = {}
    for i in sorted(present):
        value = problem.participants[i].get(attribute)
        if not is_missing(value):
            counts[value] = counts.get(value, 0) + 1
    return counts
