"""The problem: participants, sessions and constraints, built once and then frozen.

:class:`Model` is the mutable builder; :meth:`Model.data` validates everything once and
returns an immutable :class:`ProblemData`, the only thing the solver and the checker read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Union

import attrs
import numpy as np

from teamkit._frozen import FrozenMap
from teamkit._text import did_you_mean
from teamkit.activities import Instructor, Role, Station
from teamkit.constraints import (
    Apart,
    AvoidStations,
    Balance,
    Constraint,
    Diversity,
    ExerciseOnce,
    FairTurns,
    Hierarchy,
    NoIsolation,
    NumericBalance,
    Pin,
    Reach,
    RolePin,
    RoleShare,
    Spread,
    StaffPin,
    StationPin,
    Together,
)
from teamkit.exceptions import ModelError

AttributeValue = Union[str, int, float, bool, None]


def is_missing(value: AttributeValue) -> bool:
    """Whether an attribute value counts as missing: ``None``, NaN or an empty string."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, float) and value != value


def _frozen_mapping(value: Mapping[str, AttributeValue] | None) -> Mapping[str, AttributeValue]:
    if value is not None and not isinstance(value, Mapping):
        raise ModelError(f"attributes must be a mapping of attribute name to value, got {value!r}")
    return FrozenMap(dict(value or {}))


def _whole_numbers(field: str, value: Any, depth: int = 1) -> Any:
    """``value`` (slot numbers, or with ``depth=2`` pairs of sizes) as whole numbers; a
    ``ModelError`` naming ``field`` when they are not."""
    try:
        if depth == 1:
            return tuple(int(x) for x in value)
        return tuple((int(a), int(b)) for a, b in value)
    except (TypeError, ValueError):
        what = "slot numbers" if depth == 1 else "(low, high) pairs of whole numbers"
        raise ModelError(f"{field} must be {what}, got {value!r}") from None


@attrs.frozen(eq=True, hash=False)
class Participant:
    """A person taking part.

    Attributes:
        id: a unique identifier, such as a staff number.
        name: the display name; the id when empty.
        attributes: any facts about the person (text or numbers), by attribute name.
    """

    id: str
    name: str = ""
    attributes: Mapping[str, AttributeValue] = attrs.field(factory=dict, converter=_frozen_mapping)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ModelError(f"a participant id must be a non-empty string, got {self.id!r}")
        for attribute, value in self.attributes.items():
            if not (value is None or isinstance(value, (str, int, float, bool, np.generic))):
                raise ModelError(
                    f"participant {self.id!r}: attribute {attribute!r} must be text, a number, a boolean or "
                    f"None, got {value!r}"
                )
        if not self.name:
            object.__setattr__(self, "name", self.id)

    def get(self, attribute: str) -> AttributeValue:
        """The value of ``attribute``, or ``None`` when the person has none."""
        return self.attributes.get(attribute)


Remainder = Literal["larger", "smaller", "exact"]


@attrs.frozen
class Session:
    """A period in which teams work together (an evening, a morning, a round).

    Give the teams in exactly one way:

    - ``team_size=k`` with ``remainder``: when the people present do not divide by ``k``,
      ``"larger"`` makes fewer teams, some of ``k + 1`` (301 in teams of 10: 30 teams of
      10–11), ``"smaller"`` more teams, some of ``k - 1`` (31 teams of 9–10), and
      ``"exact"`` refuses;
    - ``num_teams=T``: sizes as even as possible; add ``min_size``/``max_size`` to let sizes
      vary within bounds instead;
    - ``min_size``/``max_size`` alone: the fewest teams that respect ``max_size``;
    - ``team_sizes=[(low, high), ...]``: one size range per team.

    ``absent`` lists the ids of participants who do not attend this session (see also
    :meth:`Model.set_absent`, :meth:`Model.arrives` and :meth:`Model.leaves`). ``day`` groups
    sessions into days for rules such as "not the same exercise twice in a day".

    ``slots`` is the number of rotation slots (0: the session has no stations): in each slot
    every team is at one :class:`~teamkit.Station`, except in the ``plenary`` slots (numbers
    from 1), where teams meet together at none.

    ``start`` is when the session begins, with ``slot_minutes`` the length of each slot (of
    the whole session when it has no slots) and ``break_minutes`` the pause between two
    slots; calendars and printed agendas show these times (see :meth:`slot_times`). A
    ``start`` without a time zone is local time where the event is held (the problem's
    ``timezone``).

    ``keep_teams=True`` keeps the teams of the previous session ("home teams" for a day):
    everyone who attends both stays in the same team, and people who were absent before are
    added. Sessions linked this way form one *block*; across-session rules such as
    :class:`~teamkit.MeetAtMost` count one meeting per block, and teams are re-mixed between
    blocks.
    """

    id: str
    name: str = ""
    num_teams: int | None = None
    team_size: int | None = None
    min_size: int | None = None
    max_size: int | None = None
    team_sizes: tuple[tuple[int, int], ...] | None = attrs.field(
        default=None, converter=lambda v: None if v is None else _whole_numbers("team_sizes", v, depth=2)
    )
    remainder: Remainder = "larger"
    absent: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    day: str | None = None
    keep_teams: bool = False
    slots: int = 0
    plenary: tuple[int, ...] = attrs.field(default=(), converter=lambda v: _whole_numbers("plenary", v))
    start: dt.datetime | None = None
    slot_minutes: int | None = None
    break_minutes: int = 0

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ModelError(f"a session id must be a non-empty string, got {self.id!r}")
        if not self.name:
            object.__setattr__(self, "name", self.id)
        for field in ("num_teams", "team_size", "min_size", "max_size"):
            value = getattr(self, field)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                raise ModelError(f"session {self.id!r}: {field} must be a positive whole number, got {value!r}")
        if self.remainder not in ("larger", "smaller", "exact"):
            raise ModelError(
                f"session {self.id!r}: remainder must be 'larger', 'smaller' or 'exact', got {self.remainder!r}"
            )
        ways = [
            self.team_size is not None,
            self.team_sizes is not None,
            self.num_teams is not None or self.min_size is not None or self.max_size is not None,
        ]
        if sum(ways) != 1:
            raise ModelError(
                f"session {self.id!r}: give the teams in exactly one way: team_size, num_teams "
                "(optionally with min_size/max_size), min_size/max_size, or team_sizes"
            )
        if self.num_teams is None and self.team_sizes is None and self.team_size is None:
            if self.max_size is None:
                raise ModelError(f"session {self.id!r}: min_size alone does not say how many teams; add max_size")
        if self.min_size is not None and self.max_size is not None and self.min_size > self.max_size:
            raise ModelError(f"session {self.id!r}: min_size {self.min_size} is larger than max_size {self.max_size}")
        for low, high in self.team_sizes or ():
            if low < 1 or high < low:
                raise ModelError(f"session {self.id!r}: team size range ({low}, {high}) is not 1 <= low <= high")
        if not isinstance(self.slots, int) or isinstance(self.slots, bool) or self.slots < 0:
            raise ModelError(f"session {self.id!r}: slots must be a whole number, zero or more, got {self.slots!r}")
        for slot in self.plenary:
            if not 1 <= slot <= self.slots:
                raise ModelError(f"session {self.id!r}: plenary slot {slot} is not one of its slots 1..{self.slots}")
        if len(set(self.absent)) != len(self.absent):
            raise ModelError(f"session {self.id!r}: a participant is listed as absent twice")
        self._check_times()

    def _check_times(self) -> None:
        where = f"session {self.id!r}"
        if self.start is not None and not isinstance(self.start, dt.datetime):
            raise ModelError(f"{where}: start must be a date and time (e.g. 2025-05-15T19:00), got {self.start!r}")
        for field, low in (("slot_minutes", 1), ("break_minutes", 0)):
            value = getattr(self, field)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                what = "a positive whole number" if low else "a whole number, zero or more"
                raise ModelError(f"{where}: {field} must be {what}, got {value!r}")
        if (self.start is None) != (self.slot_minutes is None):
            missing = "slot_minutes (how long a slot lasts)" if self.slot_minutes is None else "start"
            given = "start" if self.start is not None else "slot_minutes"
            raise ModelError(f"{where}: {given} is given without {missing}; give both or neither")
        if self.break_minutes and self.start is None:
            raise ModelError(f"{where}: break_minutes is given without start and slot_minutes")

    def slot_times(self) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The start and end of every slot, in order (one pair for a session without slots),
        or ``()`` when the session has no ``start``.

        Examples:
            >>> s = Session("am", team_size=5, slots=2, start=dt.datetime(2025, 5, 16, 8), slot_minutes=50, break_minutes=10)
            >>> [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in s.slot_times()]
            [('08:00', '08:50'), ('09:00', '09:50')]
        """
        if self.start is None or self.slot_minutes is None:
            return ()
        length = dt.timedelta(minutes=self.slot_minutes)
        step = length + dt.timedelta(minutes=self.break_minutes)
        return tuple((self.start + k * step, self.start + k * step + length) for k in range(max(self.slots, 1)))

    @property
    def end(self) -> dt.datetime | None:
        """When the session's last slot ends, or ``None`` without a ``start``."""
        times = self.slot_times()
        return times[-1][1] if times else None

    def layout(self, present: int) -> tuple[tuple[int, int], ...]:
        """The size range of every team when ``present`` people attend.

        Raises :class:`ModelError` with the arithmetic when the sizes cannot add up.
        """
        where = f"session {self.id!r}"
        if present <= 0:
            raise ModelError(f"{where}: nobody attends (every participant is absent)")
        if self.team_sizes is not None:
            low = sum(a for a, _ in self.team_sizes)
            high = sum(b for _, b in self.team_sizes)
            if not low <= present <= high:
                raise ModelError(f"{where}: {present} people present, but the team sizes allow {low} to {high} in all")
            return self.team_sizes
        if self.team_size is not None:
            k = self.team_size
            if present < k and self.remainder != "smaller":
                raise ModelError(f"{where}: {present} people present, fewer than one team of {k}")
            if self.remainder == "exact":
                if present % k:
                    raise ModelError(
                        f"{where}: {present} people cannot form teams of exactly {k} "
                        f"({present} = {present // k} x {k} + {present % k}); use remainder='larger' "
                        f"(sizes {k}-{k + 1}) or remainder='smaller' (sizes {k - 1}-{k})"
                    )
                teams = present // k
            elif self.remainder == "larger":
                teams = present // k
            else:
                teams = -(-present // k)
            return _even(present, teams)
        if self.num_teams is not None:
            teams = self.num_teams
            if teams > present:
                raise ModelError(f"{where}: {teams} teams but only {present} people present")
            if self.min_size is None and self.max_size is None:
                return _even(present, teams)
            low = self.min_size or 1
            high = self.max_size or present
            if not teams * low <= present <= teams * high:
                raise ModelError(
                    f"{where}: {present} people cannot form {teams} teams of {low} to {high} "
                    f"(that holds {teams * low} to {teams * high})"
                )
            return ((low, high),) * teams
        assert self.max_size is not None
        low = self.min_size or 1
        teams = -(-present // self.max_size)
        if teams * low > present:
            raise ModelError(
                f"{where}: {present} people cannot form teams of {low} to {self.max_size} "
                f"({teams} teams are needed for the maximum, and they need at least {teams * low})"
            )
        return ((low, self.max_size),) * teams


def check_session_times(sessions: Iterable[Session]) -> None:
    """Raises :class:`ModelError` when timed sessions overlap (a participant cannot be in two
    at once) or mix starts with and without a time zone."""
    timed = [s for s in sessions if s.start is not None]
    if len({s.start.tzinfo is None for s in timed if s.start is not None}) > 1:
        raise ModelError("some session starts have a time zone and others do not; give all or none one")
    timed.sort(key=lambda s: s.start)  # type: ignore[arg-type, return-value]
    for a, b in itertools.pairwise(timed):
        assert a.end is not None and b.start is not None
        if b.start < a.end:
            raise ModelError(
                f"sessions {a.id!r} ({a.start:%Y-%m-%d %H:%M} to {a.end:%H:%M}) and {b.id!r} "
                f"(from {b.start:%Y-%m-%d %H:%M}) overlap in time"
            )


def _even(present: int, teams: int) -> tuple[tuple[int, int], ...]:
    base, extra = divmod(present, teams)
    high = base + (1 if extra else 0)
    return ((base, high),) * teams


@attrs.frozen
class SessionLayout:
    """Derived facts of one session: who attends and the size range of each team."""

    present: tuple[int, ...]  # participant indices, in participant order
    sizes: tuple[tuple[int, int], ...]

    @property
    def num_teams(self) -> int:
        return len(self.sizes)


def station_slots(session: Session) -> tuple[int, ...]:
    """The slot numbers (from 1) of a session in which teams are at stations."""
    return tuple(t for t in range(1, session.slots + 1) if t not in session.plenary)


def visit_starts(station: Station, session: Session) -> tuple[int, ...]:
    """The slots (from 1) of ``session`` in which a visit of ``station`` can begin: it is
    open in that slot and the ones after it for its whole duration, all of them station
    slots in a row (a plenary slot breaks a run)."""
    usable = set(station_slots(session))
    return tuple(
        a
        for a in sorted(usable)
        if all(j in usable and station.open_in(session.id, j) for j in range(a, a + station.duration))
    )


def _as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(eq=False)
class ProblemData:
    """Immutable, validated problem data. Build it with :class:`Model`; change it with
    :meth:`replace`. Validation runs on construction, so data read from a file is checked
    exactly like data built in code.

    ``timezone`` names the time zone where the event is held (``"Asia/Jakarta"``), in which
    session starts without a zone of their own are read; ``None`` leaves them as local
    ("floating") times.
    """

    participants: tuple[Participant, ...] = attrs.field(converter=_as_tuple)
    sessions: tuple[Session, ...] = attrs.field(converter=_as_tuple)
    constraints: tuple[Constraint, ...] = attrs.field(converter=_as_tuple, default=())
    name: str = ""
    roles: tuple[Role, ...] = attrs.field(converter=_as_tuple, default=(), kw_only=True)
    stations: tuple[Station, ...] = attrs.field(converter=_as_tuple, default=(), kw_only=True)
    instructors: tuple[Instructor, ...] = attrs.field(converter=_as_tuple, default=(), kw_only=True)
    timezone: str | None = attrs.field(default=None, kw_only=True)

    _index: Mapping[str, int] = attrs.field(init=False, repr=False)
    _layouts: tuple[SessionLayout, ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", FrozenMap(_check_participants(self.participants)))
        object.__setattr__(self, "_layouts", tuple(self._check_sessions()))
        self._check_times()
        self._check_activities()
        object.__setattr__(self, "constraints", tuple(self._check_constraint(c) for c in self.constraints))
        self._check_pairs()
        self._check_staff_pins()
        self._check_station_pins()

    # -- lookups ---------------------------------------------------------------------------
    @property
    def num_participants(self) -> int:
        """How many participants the problem has."""
        return len(self.participants)

    def index(self, participant_id: str) -> int:
        """The position of a participant; raises ``ModelError`` naming an unknown id."""
        try:
            return self._index[participant_id]
        except KeyError:
            raise ModelError(
                f"unknown participant {participant_id!r}{did_you_mean(participant_id, self._index)}"
            ) from None

    def has_participant(self, participant_id: str) -> bool:
        """Whether ``participant_id`` is on the roster."""
        return participant_id in self._index

    def session_index(self, session_id: str) -> int:
        """The position of session ``session_id``; raises ``ModelError`` naming an unknown id."""
        return _session_position(self.sessions, session_id)

    def layout(self, session: int | str) -> SessionLayout:
        """Who attends session ``session`` (index or id) and the size range of its teams."""
        k = session if isinstance(session, int) else self.session_index(session)
        return self._layouts[k]

    def constraints_for(self, session: int | str) -> tuple[Constraint, ...]:
        """The constraints that apply to one session."""
        sid = self.sessions[session].id if isinstance(session, int) else session
        return tuple(c for c in self.constraints if c.applies_to(sid))

    def constraint_names(self) -> tuple[str, ...]:
        """One unique name per constraint, in order: its ``name``, with ``#2``, ``#3`` added
        to repeats. Reports and breakdowns are keyed by these."""
        names: list[str] = []
        seen: dict[str, int] = {}
        for c in self.constraints:
            seen[c.name] = seen.get(c.name, 0) + 1
            names.append(c.name if seen[c.name] == 1 else f"{c.name}#{seen[c.name]}")
        return tuple(names)

    def blocks(self) -> tuple[tuple[int, ...], ...]:
        """Session indices grouped into blocks: a session and the following ones that keep
        its teams (:attr:`Session.keep_teams`). Across-session rules count one meeting per
        block."""
        blocks: list[list[int]] = []
        for k, session in enumerate(self.sessions):
            if session.keep_teams and blocks:
                blocks[-1].append(k)
            else:
                blocks.append([k])
        return tuple(tuple(b) for b in blocks)

    @property
    def spans_sessions(self) -> bool:
        """Whether any constraint spans sessions, or any session keeps the previous teams:
        then sessions cannot be planned one by one on their own."""
        return any(c.across_sessions for c in self.constraints) or any(s.keep_teams for s in self.sessions)

    def attribute_names(self) -> set[str]:
        """Every attribute name any participant has."""
        names: set[str] = set()
        for p in self.participants:
            names.update(p.attributes)
        return names

    def replace(self, **changes: Any) -> ProblemData:
        """A validated copy with some fields replaced, e.g. ``data.replace(constraints=...)``."""
        return attrs.evolve(self, **changes)

    def pairs(self, constraint: Together | Apart | Hierarchy) -> list[tuple[int, int]]:
        """The participant index pairs a together, apart or hierarchy constraint speaks of."""
        if isinstance(constraint, Hierarchy):
            return self.superiors(constraint)
        idx = [self._index[m] for m in constraint.members]
        return [(a, b) for a in idx for b in idx if a < b]

    def superiors(self, constraint: Hierarchy) -> list[tuple[int, int]]:
        """The (participant, superior) index pairs a hierarchy constraint keeps apart."""
        direct: dict[int, int] = {}
        for i, p in enumerate(self.participants):
            boss = p.get(constraint.attribute)
            if not is_missing(boss):
                direct[i] = self._index[str(boss)]
        pairs = []
        for i in range(len(self.participants)):
            boss = direct.get(i)
            seen = {i}
            for _ in range(constraint.levels):
                if boss is None or boss in seen:
                    break
                pairs.append((i, boss))
                seen.add(boss)
                boss = direct.get(boss)
        return pairs

    # -- validation ------------------------------------------------------------------------
    def _check_times(self) -> None:
        """The time zone is a known one; timed sessions do not overlap (a participant cannot
        be in two at once) and are all local times or all with a time zone."""
        if self.timezone is not None:
            if not isinstance(self.timezone, str) or not self.timezone:
                raise ModelError(f"timezone must be a time zone name such as 'Asia/Jakarta', got {self.timezone!r}")
            try:
                zoneinfo.ZoneInfo(self.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ModelError(
                    f"unknown timezone {self.timezone!r}; use a name from the time zone database, "
                    "such as 'Asia/Jakarta' or 'Europe/Berlin'"
                ) from None
        check_session_times(self.sessions)

    def _check_sessions(self) -> Iterable[SessionLayout]:
        if not self.sessions:
            raise ModelError("the problem has no session: add one with Model.add_session(...)")
        seen: set[str] = set()
        previous: tuple[Session, SessionLayout] | None = None
        for session in self.sessions:
            if session.id in seen:
                raise ModelError(f"duplicate session id {session.id!r}")
            seen.add(session.id)
            absent = set()
            for pid in session.absent:
                if pid not in self._index:
                    raise ModelError(
                        f"session {session.id!r}: absent participant {pid!r} is not on the roster"
                        f"{did_you_mean(pid, self._index)}"
                    )
                absent.add(self._index[pid])
            present = tuple(i for i in range(len(self.participants)) if i not in absent)
            layout = SessionLayout(present=present, sizes=session.layout(len(present)))
            if session.keep_teams:
                if previous is None:
                    raise ModelError(
                        f"session {session.id!r} keeps the teams of the previous session, but it is the first session"
                    )
                if previous[1].num_teams != layout.num_teams:
                    raise ModelError(
                        f"session {session.id!r} keeps the teams of session {previous[0].id!r}, but has "
                        f"{layout.num_teams} teams where {previous[0].id!r} has {previous[1].num_teams}; "
                        "give both the same number of teams (num_teams=...)"
                    )
            previous = (session, layout)
            yield layout

    def _check_activities(self) -> None:
        """Roles, stations and instructors: unique names, known references, and shapes
        that can work (an exercise that fits its session, roles a team can hold)."""
        session_ids = [s.id for s in self.sessions]
        names = self.attribute_names()

        def known_session(what: str, sid: str) -> None:
            if sid not in session_ids:
                raise ModelError(f"{what}: unknown session {sid!r}{did_you_mean(sid, session_ids)}")

        def unique(kind: str, keys: list[str]) -> None:
            seen: set[str] = set()
            for key in keys:
                if key in seen:
                    raise ModelError(f"duplicate {kind} {key!r}")
                seen.add(key)

        unique("role", [r.name for r in self.roles])
        unique("station", [s.name for s in self.stations])
        unique("instructor", [i.id for i in self.instructors])
        for role in self.roles:
            if not isinstance(role, Role):
                raise ModelError(f"not a role: {role!r}")
            what = f"role {role.name!r}"
            for sid in role.sessions or ():
                known_session(what, sid)
            for attribute in role.eligible:
                if attribute not in names:
                    raise ModelError(
                        f"{what}: eligibility names unknown attribute {attribute!r}{did_you_mean(attribute, names)}"
                    )
            for pid in role.people or ():
                if pid not in self._index:
                    raise ModelError(f"{what}: unknown participant {pid!r}{did_you_mean(pid, self._index)}")
            if not any(role.allows(p.id, p.attributes) for p in self.participants):
                raise ModelError(f"{what}: no participant is eligible for it")
        for k, session in enumerate(self.sessions):
            roles = [r for r in self.roles if r.applies_to(session.id)]
            seats = sum(r.per_team for r in roles)
            smallest = min(low for low, _ in self._layouts[k].sizes)
            if roles and seats > smallest:
                listing = ", ".join(f"{r.per_team} {r.name}" for r in roles)
                raise ModelError(
                    f"session {session.id!r}: every team needs {seats} role holders ({listing}), "
                    f"but the smallest team may have only {smallest} members, and nobody holds two roles"
                )
        station_names = [s.name for s in self.stations]
        for station in self.stations:
            if not isinstance(station, Station):
                raise ModelError(f"not a station: {station!r}")
            what = f"station {station.name!r}"
            for sid in station.sessions or ():
                known_session(what, sid)
                session = self.sessions[session_ids.index(sid)]
                if 0 < len(station_slots(session)) < station.duration:
                    raise ModelError(
                        f"{what} takes {station.duration} slots, but session {sid!r} has only "
                        f"{len(station_slots(session))} station slots"
                    )
            for sid, slot in station.closed:
                known_session(what, sid)
                session = self.sessions[session_ids.index(sid)]
                if not 1 <= slot <= session.slots:
                    raise ModelError(
                        f"{what}: closed in slot {slot} of session {sid!r}, which has slots 1..{session.slots}"
                    )
            longest = max((len(station_slots(s)) for s in self.sessions), default=0)
            if station.sessions is None and station.duration > longest:
                raise ModelError(
                    f"{what} takes {station.duration} slots, longer than every session (the longest has {longest})"
                )
        for instructor in self.instructors:
            if not isinstance(instructor, Instructor):
                raise ModelError(f"not an instructor: {instructor!r}")
            what = f"instructor {instructor.id!r}"
            for sid in instructor.sessions or ():
                known_session(what, sid)
            for name in instructor.stations or ():
                if name not in station_names:
                    raise ModelError(f"{what}: unknown station {name!r}{did_you_mean(name, station_names)}")
        if any(s.slots for s in self.sessions) and not self.stations and any(station_slots(s) for s in self.sessions):
            raise ModelError(
                "sessions have station slots but the problem has no station: add stations with "
                "Model.add_station(...), or mark the slots as plenary"
            )

    def role(self, name: str) -> Role:
        """The role called ``name``; ``ModelError`` naming it when unknown."""
        for role in self.roles:
            if role.name == name:
                return role
        known = [r.name for r in self.roles]
        raise ModelError(f"unknown role {name!r}{did_you_mean(name, known)}; roles are {known}")

    def station(self, name: str) -> Station:
        """The station called ``name``; ``ModelError`` naming it when unknown."""
        for station in self.stations:
            if station.name == name:
                return station
        known = [s.name for s in self.stations]
        raise ModelError(f"unknown station {name!r}{did_you_mean(name, known)}")

    def instructor(self, instructor_id: str) -> Instructor:
        """The instructor with id ``instructor_id``; ``ModelError`` naming it when unknown."""
        for instructor in self.instructors:
            if instructor.id == instructor_id:
                return instructor
        known = [i.id for i in self.instructors]
        raise ModelError(f"unknown instructor {instructor_id!r}{did_you_mean(instructor_id, known)}")

    def days(self) -> tuple[tuple[int, ...], ...]:
        """Session indices grouped by :attr:`Session.day`, in order of first appearance; a
        session without a day is a day of its own."""
        groups: dict[object, list[int]] = {}
        for k, session in enumerate(self.sessions):
            key = ("day", session.day) if session.day is not None else ("session", k)
            groups.setdefault(key, []).append(k)
        return tuple(tuple(g) for g in groups.values())

    def _check_attribute(self, constraint: Constraint, attribute: str) -> None:
        names = self.attribute_names()
        if attribute not in names:
            known = ", ".join(sorted(names)) or "none"
            raise ModelError(
                f"constraint {constraint.name}: unknown attribute {attribute!r}"
                f"{did_you_mean(attribute, names)}; the participants have: {known}"
            )

    def _check_participant(self, constraint: Constraint, pid: str) -> None:
        if pid not in self._index:
            raise ModelError(
                f"constraint {constraint.name}: unknown participant {pid!r}{did_you_mean(pid, self._index)}"
            )

    def _check_constraint(self, c: Constraint) -> Constraint:
        if not isinstance(c, Constraint):
            raise ModelError(f"not a constraint: {c!r}")
        known = [s.id for s in self.sessions]
        for sid in c.sessions or ():
            if sid not in known:
                raise ModelError(f"constraint {c.name}: unknown session {sid!r}{did_you_mean(sid, known)}")
        if isinstance(c, (Spread, Balance, NoIsolation, NumericBalance, Hierarchy, Reach)):
            self._check_attribute(c, c.attribute)
        if isinstance(c, NumericBalance):
            for p in self.participants:
                value = p.get(c.attribute)
                if not is_missing(value) and not _is_number(value):
                    raise ModelError(
                        f"constraint {c.name}: participant {p.id!r} has {c.attribute}={value!r}, not a number"
                    )
        if isinstance(c, (Together, Apart)):
            for pid in c.members:
                self._check_participant(c, pid)
            if len(set(c.members)) != len(c.members):
                raise ModelError(f"constraint {c.name}: a member is listed twice")
        if isinstance(c, Pin):
            self._check_participant(c, c.participant)
            sessions = self.sessions if c.session is None else (self.sessions[self.session_index(c.session)],)
            for session in sessions:
                layout = self._layouts[self.sessions.index(session)]
                if c.session is not None and self._index[c.participant] not in layout.present:
                    raise ModelError(
                        f"constraint {c.name}: {c.participant!r} is pinned in session {session.id!r} "
                        "but is absent from it"
                    )
                if c.team > layout.num_teams:
                    raise ModelError(f"constraint {c.name}: session {session.id!r} has only {layout.num_teams} teams")
        if isinstance(c, Hierarchy):
            for p in self.participants:
                boss = p.get(c.attribute)
                if is_missing(boss):
                    continue
                if str(boss) == p.id:
                    raise ModelError(f"constraint {c.name}: participant {p.id!r} is their own superior")
                if str(boss) not in self._index:
                    raise ModelError(
                        f"constraint {c.name}: participant {p.id!r} names superior {boss!r}, who is not on "
                        f"the roster{did_you_mean(str(boss), self._index)}; leave the cell empty for none"
                    )
        if isinstance(c, (RoleShare, FairTurns, RolePin)):
            self._check_role_rule(c)
        if isinstance(c, (AvoidStations, ExerciseOnce, StaffPin, StationPin)):
            self._check_station_rule(c)
        if isinstance(c, Diversity):
            return self._check_diversity(c)
        return c

    def _check_role_rule(self, c: RoleShare | FairTurns | RolePin) -> None:
        if c.role is not None:
            try:
                role = self.role(c.role)
            except ModelError as error:
                raise ModelError(f"constraint {c.name}: {error}") from None
        if isinstance(c, RoleShare):
            self._check_attribute(c, c.attribute)
        if isinstance(c, RolePin):
            self._check_participant(c, c.participant)
            k = self.session_index(c.session)
            if self._index[c.participant] not in self._layouts[k].present:
                raise ModelError(
                    f"constraint {c.name}: {c.participant!r} must be {c.role} in session {c.session!r}, "
                    "but is absent from it"
                )
            if not role.applies_to(c.session):
                raise ModelError(f"constraint {c.name}: session {c.session!r} has no role {c.role!r}")
            p = self.participants[self._index[c.participant]]
            if not role.allows(p.id, p.attributes):
                raise ModelError(f"constraint {c.name}: {c.participant!r} is not eligible for role {c.role!r}")

    def _check_station_rule(self, c: AvoidStations | ExerciseOnce | StaffPin | StationPin) -> None:
        if not self.stations:
            raise ModelError(f"constraint {c.name}: the problem has no stations")
        if isinstance(c, AvoidStations):
            for attribute in c.who:
                self._check_attribute(c, attribute)
            station_attributes = {a for s in self.stations for a in s.attributes}
            for attribute in c.stations:
                if attribute not in station_attributes:
                    raise ModelError(
                        f"constraint {c.name}: no station has attribute {attribute!r}"
                        f"{did_you_mean(attribute, station_attributes)}"
                    )
        if isinstance(c, StaffPin):
            try:
                instructor = self.instructor(c.instructor)
                station = self.station(c.station)
                k = self.session_index(c.session)
            except ModelError as error:
                raise ModelError(f"constraint {c.name}: {error}") from None
            session = self.sessions[k]
            slots = station_slots(session) if c.slot is None else (c.slot,)
            if c.slot is not None and c.slot not in station_slots(session):
                raise ModelError(
                    f"constraint {c.name}: session {c.session!r} has no station slot {c.slot} "
                    f"(its station slots are {list(station_slots(session))})"
                )
            if not instructor.can_run(station.name, session.id):
                raise ModelError(
                    f"constraint {c.name}: {instructor.id!r} cannot run {station.name!r} in {session.id!r}"
                )
            for slot in slots:
                if not station.open_in(session.id, slot):
                    raise ModelError(
                        f"constraint {c.name}: {station.name!r} is closed in slot {slot} of {session.id!r}"
                    )
        if isinstance(c, StationPin):
            self._check_station_pin(c)

    def _check_station_pin(self, c: StationPin) -> None:
        """A pin that could hold on its own: a real team, a station slot of the session, and
        a visit of the station that can cover the slot (open, in consecutive slots)."""
        try:
            station = self.station(c.station)
            k = self.session_index(c.session)
        except ModelError as error:
            raise ModelError(f"constraint {c.name}: {error}") from None
        session = self.sessions[k]
        teams = self._layouts[k].num_teams
        if c.team > teams:
            raise ModelError(f"constraint {c.name}: session {session.id!r} has only {teams} teams")
        if session.slots == 0:
            raise ModelError(
                f"constraint {c.name}: session {session.id!r} has no slots, so teams are at no station in it"
            )
        if not station_slots(session):
            raise ModelError(
                f"constraint {c.name}: every slot of session {session.id!r} is plenary, so teams are at no station in it"
            )
        starts = visit_starts(station, session)
        if c.slot is None:
            if not any(station.open_in(session.id, j) for j in station_slots(session)):
                raise ModelError(
                    f"constraint {c.name}: {station.name!r} is closed in every station slot of {session.id!r}"
                )
            if not starts:
                raise ModelError(
                    f"constraint {c.name}: {station.name!r} cannot receive a team in {session.id!r}: a visit "
                    f"takes {station.duration} consecutive open station slots"
                )
            return
        if isinstance(c.slot, bool) or not isinstance(c.slot, int) or not 1 <= c.slot <= session.slots:
            raise ModelError(
                f"constraint {c.name}: session {session.id!r} has slots 1..{session.slots}, not {c.slot!r}"
            )
        if c.slot in session.plenary:
            raise ModelError(
                f"constraint {c.name}: slot {c.slot} of session {session.id!r} is plenary, when teams are at "
                f"no station (its station slots are {list(station_slots(session))})"
            )
        if not station.open_in(session.id, c.slot):
            raise ModelError(f"constraint {c.name}: {station.name!r} is closed in slot {c.slot} of {session.id!r}")
        if not any(a <= c.slot < a + station.duration for a in starts):
            raise ModelError(
                f"constraint {c.name}: no visit of {station.name!r} ({station.duration} consecutive open station "
                f"slots) covers slot {c.slot} of {session.id!r}"
            )

    def _check_diversity(self, c: Diversity) -> Diversity:
        n = len(self.participants)
        if c.attributes is not None:
            for attribute in c.attributes:
                self._check_attribute(c, attribute)
            return c
        if isinstance(c.distances, Mapping):
            matrix = np.zeros((n, n))
            for key, d in c.distances.items():
                if not (isinstance(key, tuple) and len(key) == 2):
                    raise ModelError(f"constraint {c.name}: distance keys must be (id, id) pairs, got {key!r}")
                a, b = key
                self._check_participant(c, a)
                self._check_participant(c, b)
                i, j = self._index[a], self._index[b]
                matrix[i, j] = matrix[j, i] = float(d)
        else:
            matrix = np.array(c.distances, dtype=float)
            if matrix.shape != (n, n):
                raise ModelError(f"constraint {c.name}: the matrix is {matrix.shape}, but there are {n} participants")
            if c.ids is not None:
                if sorted(c.ids) != sorted(self._index):
                    raise ModelError(f"constraint {c.name}: ids must name every participant once")
                order = [c.ids.index(p.id) for p in self.participants]
                matrix = matrix[np.ix_(order, order)]
        if not np.all(np.isfinite(matrix)):
            raise ModelError(f"constraint {c.name}: the distance matrix holds a value that is not a finite number")
        if not np.allclose(matrix, matrix.T):
            i, j = np.argwhere(~np.isclose(matrix, matrix.T))[0]
            raise ModelError(
                f"constraint {c.name}: the matrix is not symmetric: d({self.participants[i].id}, "
                f"{self.participants[j].id}) = {matrix[i, j]:g} but the reverse is {matrix[j, i]:g}"
            )
        matrix = matrix.copy()
        np.fill_diagonal(matrix, 0.0)
        return attrs.evolve(c, distances=matrix, ids=None)

    def _check_staff_pins(self) -> None:
        """Hard staff pins that put one instructor at two stations in one slot."""
        where: dict[tuple[str, str, int], StaffPin] = {}
        for c in self.constraints:
            if not (isinstance(c, StaffPin) and c.hard):
                continue
            session = self.sessions[self.session_index(c.session)]
            for slot in station_slots(session) if c.slot is None else (c.slot,):
                other = where.get((c.instructor, c.session, slot))
                if other is not None and other.station != c.station:
                    raise ModelError(
                        f"{other.name} and {c.name} put instructor {c.instructor!r} at two stations at once "
                        f"({other.station!r} and {c.station!r}) in slot {slot} of session {c.session!r}"
                    )
                where[(c.instructor, c.session, slot)] = c

    def _check_station_pins(self) -> None:
        """Hard station pins that cannot all hold: one team at two stations in one slot, or
        sent to one station twice in a session, or more teams at a station than it holds."""
        at: dict[tuple[str, int, int], StationPin] = {}
        visits: dict[tuple[str, int, str], StationPin] = {}
        load: dict[tuple[str, str, int], dict[int, StationPin]] = {}
        for c in self.constraints:
            if not (isinstance(c, StationPin) and c.hard and c.applies_to(c.session)) or c.slot is None:
                continue
            where = f"slot {c.slot} of session {c.session!r}"
            other = at.get((c.session, c.team, c.slot))
            if other is not None and other.station != c.station:
                raise ModelError(
                    f"{other.name} and {c.name} put team {c.team} at two stations at once "
                    f"({other.station!r} and {c.station!r}) in {where}"
                )
            at[(c.session, c.team, c.slot)] = c
            # A team visits a station once per session: pinned slots of one station must fit
            # in one visit of it.
            duration = self.station(c.station).duration
            first = visits.get((c.session, c.team, c.station))
            if first is not None and abs(first.slot - c.slot) >= duration:  # type: ignore[operator]
                raise ModelError(
                    f"{first.name} and {c.name} send team {c.team} to {c.station!r} twice in session "
                    f"{c.session!r} (slots {first.slot} and {c.slot}), but a team visits a station once per "
                    f"session and stays {duration} slot{'s' if duration > 1 else ''}"
                )
            visits.setdefault((c.session, c.team, c.station), c)
            here = load.setdefault((c.session, c.station, c.slot), {})
            here[c.team] = c
            capacity = self.station(c.station).capacity
            if len(here) > capacity:
                names = ", ".join(pin.name for pin in here.values())
                raise ModelError(f"{names} put {len(here)} teams at {c.station!r} in {where}, but it holds {capacity}")

    def _check_pairs(self) -> None:
        """Hard together and hard apart on the same pair can never both hold."""
        together: dict[frozenset[int], Constraint] = {}
        for c in self.constraints:
            if isinstance(c, Together) and c.hard:
                for a, b in self.pairs(c):
                    together[frozenset((a, b))] = c
        if not together:
            return
        for c in self.constraints:
            if not (c.hard and isinstance(c, (Apart, Hierarchy))):
                continue
            for a, b in self.pairs(c):
                other = together.get(frozenset((a, b)))
                if other is not None:
                    pa, pb = self.participants[a].id, self.participants[b].id
                    raise ModelError(
                        f"{other.name} and {c.name} both apply to {pa!r} and {pb!r}: they cannot be "
                        "together and apart at once; remove one or make it soft"
                    )


def _session_position(sessions: Iterable[Session], session_id: str) -> int:
    """The index of ``session_id`` among ``sessions``; ``ModelError`` naming it if unknown."""
    known = [s.id for s in sessions]
    if session_id in known:
        return known.index(session_id)
    raise ModelError(f"unknown session {session_id!r}{did_you_mean(session_id, known)}; sessions are {known}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_participants(participants: tuple[Participant, ...]) -> dict[str, int]:
    if not participants:
        raise ModelError("the roster is empty: add at least one participant")
    index: dict[str, int] = {}
    for k, p in enumerate(participants):
        if not isinstance(p, Participant):
            raise ModelError(f"not a participant: {p!r}")
        if p.id in index:
            raise ModelError(f"duplicate participant id {p.id!r} (entries {index[p.id] + 1} and {k + 1})")
        index[p.id] = k
    return index


class Model:
    """Builds a problem step by step; :meth:`data` validates it and freezes it.

    Example::

        m = Model()
        for row in rows:
            m.add_participant(row["id"], name=row["name"], attributes=row)
        m.add_session("day1", team_size=10)
        m.add_constraint(Spread("unit"))
        problem = m.data()
    """

    def __init__(self, name: str = "", *, timezone: str | None = None) -> None:
        self.name = name
        #: The time zone where the event is held (e.g. ``"Asia/Jakarta"``): the zone of
        #: session starts given without one.
        self.timezone = timezone
        self._participants: list[Participant] = []
        self._ids: set[str] = set()
        self._sessions: list[Session] = []
        self._constraints: list[Constraint] = []
        self._roles: list[Role] = []
        self._stations: list[Station] = []
        self._instructors: list[Instructor] = []

    @property
    def participants(self) -> tuple[Participant, ...]:
        """The participants added so far."""
        return tuple(self._participants)

    @property
    def sessions(self) -> tuple[Session, ...]:
        """The sessions added so far."""
        return tuple(self._sessions)

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        """The constraints added so far."""
        return tuple(self._constraints)

    def add_participant(
        self,
        id: str,
        name: str = "",
        attributes: Mapping[str, AttributeValue] | None = None,
    ) -> Participant:
        """Adds one participant and returns it; a duplicate id raises ``ModelError``."""
        return self.add_participants([Participant(id, name, attributes or {})])[0]

    def add_participants(self, participants: Iterable[Participant]) -> list[Participant]:
        """Adds participants (for example from :func:`teamkit.read_roster`) and returns them."""
        added = []
        for p in participants:
            if not isinstance(p, Participant):
                raise ModelError(f"not a participant: {p!r}")
            if p.id in self._ids:
                raise ModelError(f"duplicate participant id {p.id!r}")
            self._ids.add(p.id)
            self._participants.append(p)
            added.append(p)
        return added

    def add_session(self, id: str | None = None, **options: Any) -> Session:
        """Adds a session (see :class:`Session` for the options) and returns it."""
        session = Session(id or f"session-{len(self._sessions) + 1}", **options)
        if any(s.id == session.id for s in self._sessions):
            raise ModelError(f"duplicate session id {session.id!r}")
        self._sessions.append(session)
        return session

    def set_absent(self, participant: str, sessions: Iterable[str]) -> None:
        """Marks ``participant`` absent from each of ``sessions`` (session ids)."""
        wanted = list(sessions)
        known = {s.id for s in self._sessions}
        for sid in wanted:
            if sid not in known:
                raise ModelError(f"unknown session {sid!r}{did_you_mean(sid, known)}; add the session first")
        if participant not in self._ids:
            raise ModelError(f"unknown participant {participant!r}{did_you_mean(participant, self._ids)}")
        for k, session in enumerate(self._sessions):
            if session.id in wanted and participant not in session.absent:
                self._sessions[k] = attrs.evolve(session, absent=(*session.absent, participant))

    def arrives(self, participant: str, session: str) -> None:
        """``participant`` arrives late, at ``session``: absent from every session before it."""
        k = _session_position(self._sessions, session)
        self.set_absent(participant, [s.id for s in self._sessions[:k]])

    def leaves(self, participant: str, session: str) -> None:
        """``participant`` leaves early, after ``session``: absent from every session after it."""
        k = _session_position(self._sessions, session)
        self.set_absent(participant, [s.id for s in self._sessions[k + 1 :]])

    def add_role(self, name: str, **options: Any) -> Role:
        """Adds a role (see :class:`~teamkit.Role` for the options) and returns it."""
        role = Role(name, **options)
        if any(r.name == role.name for r in self._roles):
            raise ModelError(f"duplicate role {role.name!r}")
        self._roles.append(role)
        return role

    def add_station(self, name: str, **options: Any) -> Station:
        """Adds a station (see :class:`~teamkit.Station` for the options) and returns it."""
        station = Station(name, **options)
        if any(s.name == station.name for s in self._stations):
            raise ModelError(f"duplicate station {station.name!r}")
        self._stations.append(station)
        return station

    def add_instructor(self, id: str, name: str = "", **options: Any) -> Instructor:
        """Adds an instructor (see :class:`~teamkit.Instructor`) and returns them."""
        instructor = Instructor(id, name, **options)
        if any(i.id == instructor.id for i in self._instructors):
            raise ModelError(f"duplicate instructor {instructor.id!r}")
        self._instructors.append(instructor)
        return instructor

    def add_constraint(self, constraint: Constraint) -> Constraint:
        """Adds a constraint and returns it."""
        if not isinstance(constraint, Constraint):
            raise ModelError(f"not a constraint: {constraint!r}")
        self._constraints.append(constraint)
        return constraint

    def data(self) -> ProblemData:
        """Validates the model and returns it as immutable :class:`ProblemData`."""
        return ProblemData(
            self._participants,
            self._sessions,
            self._constraints,
            name=self.name,
            roles=self._roles,
            stations=self._stations,
            instructors=self._instructors,
            timezone=self.timezone,
        )
