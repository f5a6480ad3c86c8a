"""What teams do in a session: roles their members hold, stations they rotate through, and
the staff who run the stations.

A session may have ``slots`` (:attr:`teamkit.Session.slots`): in every slot each team is at
exactly one :class:`Station`, or, in the session's plenary slots, at none. A station holds
at most ``capacity`` teams per slot and keeps a team for ``duration`` consecutive slots. A
station with ``staff > 0`` needs that many :class:`Instructor` s in every slot in which it
receives a team; an instructor is at one station per slot.

Every team of a session in which a :class:`Role` applies has ``per_team`` holders of it,
chosen among its eligible members; nobody holds two roles in one session.

These are data; the rules over them (who may go where, how often one may lead) are
constraints in :mod:`teamkit.constraints`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from teamkit._frozen import FrozenMap
from teamkit.exceptions import ModelError


def _name(kind: str) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ModelError(f"a {kind} {attribute.name} must be a non-empty string, got {value!r}")

    return check


def _whole(minimum: int) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            what = "a positive whole number" if minimum == 1 else "a whole number, zero or more"
            label = getattr(instance, "name", None) or getattr(instance, "id", "")
            raise ModelError(
                f"{type(instance).__name__.lower()} {label!r}: {attribute.name} must be {what}, got {value!r}"
            )

    return check


def _optional_ids(value: Iterable[str] | str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _value_sets(value: Mapping[str, Any] | None) -> Mapping[str, tuple[Any, ...]]:
    """``{"echelon": "IV.a"}`` or ``{"echelon": ["IV.a", "IV.b"]}`` as attribute -> values."""
    out: dict[str, tuple[Any, ...]] = {}
    for attribute, values in dict(value or {}).items():
        if isinstance(values, (str, int, float, bool)):
            values = (values,)
        out[str(attribute)] = tuple(values)
    return FrozenMap(out)


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return FrozenMap(dict(value or {}))


def matches(attributes: Mapping[str, Any], wanted: Mapping[str, tuple[Any, ...]]) -> bool:
    """Whether ``attributes`` hold one of the wanted values for every attribute in ``wanted``.

    Values compare as given, and also as text, so that ``"1"`` in an event file matches the
    number 1 read from a spreadsheet."""
    for attribute, values in wanted.items():
        value = attributes.get(attribute)
        if value is None:
            return False
        if value not in values and str(value) not in {str(v) for v in values}:
            return False
    return True


@attrs.frozen
class Role:
    """A role that members of every team hold in each session (leader, note-taker...).

    Attributes:
        name: the role's name, unique in the problem.
        per_team: holders per team and session (exactly this many).
        eligible: who may hold it, as attribute -> allowed values; a participant is eligible
            when they match every entry. ``None``: anyone.
        people: who may hold it, as a list of participant ids (combined with ``eligible``:
            both must allow the person). ``None``: anyone.
        max_turns: the most times one person holds it over the event (``1``: nobody leads
            twice). ``None``: no limit.
        sessions: the ids of the sessions that have the role; ``None``: every session.

    Example: ``Role("leader", max_turns=1)``.
    """

    name: str = attrs.field(validator=_name("role"))
    per_team: int = attrs.field(default=1, kw_only=True, validator=_whole(1))
    eligible: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict, kw_only=True, converter=_value_sets)
    people: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, converter=_optional_ids)
    max_turns: int | None = attrs.field(default=None, kw_only=True, validator=_whole(1))
    sessions: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, converter=_optional_ids)

    def applies_to(self, session_id: str) -> bool:
        """Whether teams hold this role in session ``session_id``."""
        return self.sessions is None or session_id in self.sessions

    def allows(self, participant_id: str, attributes: Mapping[str, Any]) -> bool:
        """Whether the participant may hold the role."""
        if self.people is not None and participant_id not in self.people:
            return False
        return matches(attributes, self.eligible)


def _closed_slots(value: Iterable[Any] | None) -> tuple[tuple[str, int], ...]:
    out = []
    for item in value or ():
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise ModelError(f"a closed slot is a (session id, slot number) pair, got {item!r}")
        session, slot = item
        try:
            out.append((str(session), int(slot)))
        except (TypeError, ValueError):
            raise ModelError(f"a closed slot is a (session id, slot number) pair, got {item!r}") from None
    return tuple(out)


@attrs.frozen
class Station:
    """An exercise station teams rotate through.

    Attributes:
        name: unique in the problem; plans and timetables name stations by it.
        capacity: teams it holds at once (in one slot).
        duration: consecutive slots a team spends there.
        attributes: any facts, such as ``{"where": "outdoor", "intensity": "high"}``; rules
            such as :class:`~teamkit.AvoidStations` select stations by them.
        sessions: the ids of the sessions in which it is open; ``None``: all of them.
        closed: ``(session id, slot number)`` pairs in which it is closed (slots count from 1).
        staff: instructors it needs in a slot in which it receives teams.
    """

    name: str = attrs.field(validator=_name("station"))
    capacity: int = attrs.field(default=1, kw_only=True, validator=_whole(0))
    duration: int = attrs.field(default=1, kw_only=True, validator=_whole(1))
    attributes: Mapping[str, Any] = attrs.field(factory=dict, kw_only=True, converter=_frozen_mapping)
    sessions: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, converter=_optional_ids)
    closed: tuple[tuple[str, int], ...] = attrs.field(default=(), kw_only=True, converter=_closed_slots)
    staff: int = attrs.field(default=0, kw_only=True, validator=_whole(0))

    def __attrs_post_init__(self) -> None:
        if self.capacity == 0:
            raise ModelError(
                f"station {self.name!r}: capacity 0 means it can never receive a team; "
                "remove it, or close it in some sessions with sessions=[...] or closed=[...]"
            )

    def open_in(self, session_id: str, slot: int) -> bool:
        """Whether it is open in slot ``slot`` (from 1) of the session."""
        if self.sessions is not None and session_id not in self.sessions:
            return False
        return (session_id, slot) not in self.closed


@attrs.frozen
class Instructor:
    """A person who runs stations (an instructor, a facilitator).

    Attributes:
        id: unique among instructors.
        name: the display name; the id when empty.
        stations: the stations they can run; ``None``: any.
        sessions: the sessions they work in; ``None``: all of them.
    """

    id: str = attrs.field(validator=_name("instructor"))
    name: str = ""
    stations: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, converter=_optional_ids)
    sessions: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, converter=_optional_ids)

    def __attrs_post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.id)

    def can_run(self, station: str, session_id: str) -> bool:
        """Whether this instructor may run ``station`` in session ``session_id``."""
        if self.sessions is not None and session_id not in self.sessions:
            return False
        return self.stations is None or station in self.stations
