"""The constraint kinds: one small frozen class per kind.

Every constraint is *hard* (a plan that breaks it is infeasible) or *soft* (breaking it costs
``weight`` times its penalty in the objective, which teamkit minimises). Which one is a
property of the constraint, not a different class::

    Spread("unit")                         # hard: at most one per unit in a team
    Spread("unit", hard=False, weight=5)   # soft: each extra member costs 5

``sessions`` limits a constraint to some sessions (by session id); ``None`` means every
session. The formulas below use, for one session: ``T`` teams, team ``t`` with members
``M_t`` and size ``s_t = |M_t|``; ``n`` people present; ``c_v`` the number present with value
``v`` of the attribute, and ``c_tv`` those of them in team ``t``.

Penalties are what the independent checker (:func:`teamkit.check`) reports; a hard
constraint is met exactly when its penalty is zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from teamkit.activities import _value_sets
from teamkit.exceptions import ModelError


def _optional_str_tuple(value: Iterable[str] | str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _str_tuple(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _not_a_number(instance: Any, attribute: attrs.Attribute, value: Any) -> ModelError:
    return ModelError(f"{type(instance).__name__}: {attribute.name} must be a number, got {value!r}")


def _positive(instance: Any, attribute: attrs.Attribute, value: float) -> None:
    try:
        ok = value > 0
    except TypeError:  # text or None where a number belongs
        raise _not_a_number(instance, attribute, value) from None
    if not ok:
        raise ModelError(f"{type(instance).__name__}: {attribute.name} must be positive, got {value!r}")


def _non_negative(instance: Any, attribute: attrs.Attribute, value: float) -> None:
    try:
        ok = value is None or value >= 0
    except TypeError:
        raise _not_a_number(instance, attribute, value) from None
    if not ok:
        raise ModelError(f"{type(instance).__name__}: {attribute.name} must be zero or more, got {value!r}")


def _whole(minimum: int) -> Any:
    """A validator for a count or a team number: a whole number, at least ``minimum`` (a
    fraction such as 1.5 would reach the solver as a bound it cannot use)."""
    at_least = _positive if minimum > 0 else _non_negative

    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ModelError(f"{type(instance).__name__}: {attribute.name} must be a whole number, got {value!r}")
        at_least(instance, attribute, value)

    return check


@attrs.frozen(kw_only=True)
class Constraint:
    """Common options of every constraint kind.

    Attributes:
        hard: if true (the default), every plan must satisfy the constraint.
        weight: for a soft constraint, the cost of one unit of penalty.
        sessions: the ids of the sessions it applies to; ``None`` means all of them.
        label: a name for reports; by default one is made from the constraint's fields.
    """

    kind: ClassVar[str] = "constraint"
    #: Whether the constraint spans sessions (counted over the whole event) rather than
    #: holding in each session on its own.
    across_sessions: ClassVar[bool] = False
    #: What the constraint is about: ``"teams"`` (who is in which team), ``"roles"`` (who
    #: holds which role) or ``"stations"`` (which team is at which station, who runs it).
    stage: ClassVar[str] = "teams"

    hard: bool = True
    weight: float = attrs.field(default=1.0, validator=_positive)
    sessions: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_str_tuple)
    label: str | None = None

    @property
    def name(self) -> str:
        """The label, or a short description such as ``spread(unit<=1)``."""
        return self.label or self._describe()

    def _describe(self) -> str:  # pragma: no cover - every kind overrides it
        return self.kind

    def applies_to(self, session_id: str) -> bool:
        """Whether the rule holds in session ``session_id`` (every session when ``sessions`` is ``None``)."""
        return self.sessions is None or session_id in self.sessions


@attrs.frozen
class Spread(Constraint):
    """At most ``max_per_team`` members of a team share a value of ``attribute``.

    Penalty: ``sum_t sum_v max(0, c_tv - max_per_team)``. Participants without a value
    (empty or missing) are not counted: "at most one per urban village" says nothing of the
    people who belong to none. ``values`` limits the rule to some values.

    Examples: ``Spread("unit")`` keeps two people of the same agency out of one team;
    ``Spread("fitness", values=["limited"])``: at most one member with limited fitness.
    """

    kind: ClassVar[str] = "spread"

    attribute: str
    max_per_team: int = attrs.field(default=1, validator=_whole(1))
    values: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_str_tuple)

    def counts(self, value: Any) -> bool:
        """Whether members with this value are counted."""
        return self.values is None or value in self.values or str(value) in self.values

    def _describe(self) -> str:
        which = "" if self.values is None else "=" + "|".join(map(str, self.values))
        return f"spread({self.attribute}{which}<={self.max_per_team})"


@attrs.frozen
class Balance(Constraint):
    """Every value of ``attribute`` gets its fair share of every team.

    The fair share of value ``v`` in team ``t`` is ``c_v * s_t / n``; the count must lie in
    ``[floor(share) - tolerance, ceil(share) + tolerance]``. Missing values count as a value
    of their own ("no district"), so the people with a value are balanced too.

    Penalty: the sum over teams and values of the distance of ``c_tv`` to that interval.

    Example: with 121 women among 301 people in teams of 10 and 11, every team has 4 or 5.
    """

    kind: ClassVar[str] = "balance"

    attribute: str
    tolerance: int = attrs.field(default=0, validator=_whole(0))

    def _describe(self) -> str:
        extra = f"±{self.tolerance}" if self.tolerance else ""
        return f"balance({self.attribute}{extra})"


@attrs.frozen
class NoIsolation(Constraint):
    """A value of ``attribute`` present in a team appears at least ``min_count`` times.

    Only the values in ``values`` are checked (all values when ``None``); missing values
    never. Penalty: ``sum_t sum_v (min_count - c_tv)`` over the cells with
    ``0 < c_tv < min_count``.

    Example: ``NoIsolation("gender", values=["P"])``: no team has a lone woman.
    """

    kind: ClassVar[str] = "no_isolation"

    attribute: str
    min_count: int = attrs.field(default=2, validator=_whole(1))
    values: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_str_tuple)

    def _describe(self) -> str:
        which = "" if self.values is None else "=" + "|".join(map(str, self.values))
        return f"no_isolation({self.attribute}{which}>={self.min_count})"


@attrs.frozen
class NumericBalance(Constraint):
    """Team means of a numeric ``attribute`` close to the mean ``mu`` of everyone present.

    Hard: every team mean lies within ``tolerance`` of ``mu`` (a tolerance is required).
    Penalty (soft): ``sum_t max(0, |mean_t - mu| - tolerance)^2``, with tolerance 0 when
    unset, so the soft form pulls every team mean towards ``mu``. With ``spread=True`` it
    also adds ``sum_t (sd_t - sigma)^2``: team standard deviations close to that of everyone
    present. Members without a value are left out of the means.

    Example: ``NumericBalance("age", hard=False)``: mean ages as equal as possible.
    """

    kind: ClassVar[str] = "numeric_balance"

    attribute: str
    tolerance: float | None = attrs.field(default=None, validator=_non_negative)
    spread: bool = False

    def __attrs_post_init__(self) -> None:
        if self.hard and self.tolerance is None:
            raise ModelError(
                f"{self._describe()}: a hard numeric balance needs a tolerance "
                "(for example tolerance=1.0), or make it soft with hard=False"
            )

    def _describe(self) -> str:
        tol = "" if self.tolerance is None else f"±{self.tolerance:g}"
        return f"numeric_balance({self.attribute}{tol})"


def _matrix(value: Any) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return value  # type: ignore[return-value]  # pair mappings are resolved by the model
    array = np.array(value, dtype=float)
    array.flags.writeable = False
    return array


def _same_distances(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    return a == b


@attrs.frozen
class Diversity(Constraint):
    """Maximise the sum of within-team pairwise distances (Maximally Diverse Grouping).

    Objective term: ``-weight * sum_t sum_{i<j in M_t} d(i, j)``; it is always soft.

    ``distances`` is either an ``n x n`` symmetric matrix whose rows follow the participants
    in the order they were added (or the order of ``ids``), or a mapping ``{(id_a, id_b): d}``
    (missing pairs are 0). Alternatively, ``attributes`` derives the distance: for a
    categorical attribute 1 when two values differ; for a numeric one the squared difference
    divided by the squared range of that attribute, so that each attribute weighs at most 1.

    Example: ``Diversity(distances=D)`` with ``D`` from survey answers (Euclidean distances
    between answer vectors): groups as different inside as possible;
    ``Diversity(attributes=["unit", "age"])`` derives the distances from the roster.
    """

    kind: ClassVar[str] = "diversity"

    distances: Any = attrs.field(default=None, converter=_matrix, eq=attrs.cmp_using(eq=_same_distances))
    attributes: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_str_tuple)
    ids: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_str_tuple)
    hard: bool = False

    def __attrs_post_init__(self) -> None:
        if self.hard:
            raise ModelError("diversity is an objective and cannot be hard: use hard=False")
        if (self.distances is None) == (self.attributes is None):
            raise ModelError("diversity needs exactly one of distances= or attributes=")

    def _describe(self) -> str:
        if self.attributes is not None:
            return f"diversity({','.join(map(str, self.attributes))})"
        return "diversity(distances)"


@attrs.frozen
class Together(Constraint):
    """All ``members`` are in the same team.

    Penalty: the number of member pairs that are in different teams.

    Example: ``Together(["P03", "P04"])``: two students who share a project topic.
    """

    kind: ClassVar[str] = "together"

    members: tuple[str, ...] = attrs.field(converter=_str_tuple)

    def __attrs_post_init__(self) -> None:
        if len(self.members) < 2:
            raise ModelError(f"together needs at least two members, got {list(self.members)}")

    def _describe(self) -> str:
        return f"together({','.join(map(str, self.members))})"


@attrs.frozen
class Apart(Constraint):
    """No two of ``members`` share a team.

    Penalty: the number of member pairs that share a team.

    Example: ``Apart(["P07", "P12"])``: two people who should not work together.
    """

    kind: ClassVar[str] = "apart"

    members: tuple[str, ...] = attrs.field(converter=_str_tuple)

    def __attrs_post_init__(self) -> None:
        if len(self.members) < 2:
            raise ModelError(f"apart needs at least two members, got {list(self.members)}")

    def _describe(self) -> str:
        return f"apart({','.join(map(str, self.members))})"


@attrs.frozen
class Pin(Constraint):
    """``participant`` is in team number ``team`` (numbered from 1).

    ``session``: the session id, or ``None`` for every session the participant attends.
    Penalty: 1 for each session in which the participant is elsewhere.

    Example: ``Pin("ASN0001", 1, session="d1-evening")``: the host of the opening evening
    in team 1.
    """

    kind: ClassVar[str] = "pin"

    participant: str
    team: int = attrs.field(validator=_whole(1))
    session: str | None = None

    def _describe(self) -> str:
        where = f"@{self.session}" if self.session else ""
        return f"pin({self.participant}->team {self.team}{where})"


@attrs.frozen
class Hierarchy(Constraint):
    """Nobody shares a team with their direct superior.

    ``attribute`` names the column holding each participant's superior's id (empty for
    none). With ``levels=2`` the superior's superior is kept apart too, and so on.
    Penalty: the number of (participant, superior) pairs that share a team.

    Example: ``Hierarchy("supervisor_id")``: a village head is never in a team with the
    district head they report to.
    """

    kind: ClassVar[str] = "hierarchy"

    attribute: str = "supervisor_id"
    levels: int = attrs.field(default=1, validator=_whole(1))

    def _describe(self) -> str:
        return f"hierarchy({self.attribute})" if self.levels == 1 else f"hierarchy({self.attribute},{self.levels})"


@attrs.frozen
class MeetAtMost(Constraint):
    """No pair of participants shares a team more than ``times`` times over the event.

    This constraint spans sessions: it counts *meetings*, where two people meet once in
    every block of sessions in which they share a team (a block is a session, or a run of
    sessions that keep the same teams, see :attr:`Session.keep_teams`). ``sessions``
    limits which sessions count.

    Penalty: ``sum_{pairs} max(0, meetings - times)``.

    Example: ``MeetAtMost(1)``: nobody shares a team with the same person twice (the
    Social Golfer Problem).
    """

    kind: ClassVar[str] = "meet_at_most"
    across_sessions: ClassVar[bool] = True

    times: int = attrs.field(default=1, validator=_whole(1))

    def _describe(self) -> str:
        return f"meet_at_most({self.times})"


@attrs.frozen
class AvoidRepeats(Constraint):
    """As few repeated meetings as possible: meet new people in every session.

    Spans sessions, counting meetings like :class:`MeetAtMost`. Always soft.
    Penalty: ``sum_{pairs} max(0, meetings - 1) ** power``; with the default ``power=2`` a
    pair meeting three times costs 4, more than two pairs meeting twice (1 each), so the
    repeats are spread thin.

    Example: ``AvoidRepeats()`` when ``MeetAtMost(1)`` cannot hold (eight rounds of tables of
    four for 20 people): the fewest repeats, spread over as many pairs as possible.
    """

    kind: ClassVar[str] = "avoid_repeats"
    across_sessions: ClassVar[bool] = True

    power: int = attrs.field(default=2, validator=_positive)
    hard: bool = False

    def __attrs_post_init__(self) -> None:
        if self.hard:
            raise ModelError("avoid_repeats is an objective and cannot be hard: use MeetAtMost for a hard limit")

    def _describe(self) -> str:
        return "avoid_repeats" if self.power == 2 else f"avoid_repeats(^{self.power})"


@attrs.frozen
class Reach(Constraint):
    """Everyone meets people of at least ``at_least`` different values of ``attribute``
    over the event (for example, colleagues from at least 20 agencies).

    Spans sessions. The values counted are those of the people a participant shared a team
    with (their own value counts only through others who hold it); missing values never
    count. Always soft. Penalty: ``sum_i max(0, at_least - reach_i)``.
    """

    kind: ClassVar[str] = "reach"
    across_sessions: ClassVar[bool] = True

    attribute: str
    at_least: int = attrs.field(validator=_positive)
    hard: bool = False

    def __attrs_post_init__(self) -> None:
        if self.hard:
            raise ModelError("reach is an objective and cannot be hard: use hard=False")

    def _describe(self) -> str:
        return f"reach({self.attribute}>={self.at_least})"


@attrs.frozen
class RoleShare(Constraint):
    """Participants with ``attribute`` in ``values`` hold at least their share of a role's
    turns over the event.

    With ``g`` of the ``n`` participants in the group and ``R`` turns of the role in all
    (teams times sessions times ``per_team``), the group's share is ``floor(R * g / n)``
    turns, or ``floor(R * at_least)`` when ``at_least`` (a fraction) is given.

    Penalty: the turns the group is short of its share.

    Example: ``RoleShare("leader", "echelon", ["IV.a", "IV.b"])``: the lower echelons lead
    at least as often as their numbers say.
    """

    kind: ClassVar[str] = "role_share"
    across_sessions: ClassVar[bool] = True
    stage: ClassVar[str] = "roles"

    role: str
    attribute: str
    values: tuple[str, ...] = attrs.field(converter=_str_tuple)
    at_least: float | None = None

    def __attrs_post_init__(self) -> None:
        if self.at_least is not None and not 0 <= self.at_least <= 1:
            raise ModelError(f"role_share: at_least is a fraction between 0 and 1, got {self.at_least!r}")

    def share(self, turns: int, group: int, participants: int) -> int:
        """The turns the group must hold, of ``turns`` in all."""
        if self.at_least is not None:
            return int(turns * self.at_least + 1e-9)
        return turns * group // max(1, participants)

    def _describe(self) -> str:
        return f"role_share({self.role}:{self.attribute}={'|'.join(map(str, self.values))})"


@attrs.frozen
class FairTurns(Constraint):
    """Role turns spread as evenly as the numbers allow.

    With ``R`` turns of ``role`` (of every role when ``None``) over the event and ``e``
    people eligible for it, nobody should hold more than ``ceil(R / e)``. Always soft.
    Penalty: ``sum_i max(0, turns_i - ceil(R / e))``.

    Example: ``FairTurns("leader")``: 72 leader turns among 60 people, so nobody leads more
    than twice and as few as possible lead twice.
    """

    kind: ClassVar[str] = "fair_turns"
    across_sessions: ClassVar[bool] = True
    stage: ClassVar[str] = "roles"

    role: str | None = None
    hard: bool = False

    def __attrs_post_init__(self) -> None:
        if self.hard:
            raise ModelError("fair_turns is an objective and cannot be hard: use Role(max_turns=...) for a limit")

    def _describe(self) -> str:
        return f"fair_turns({self.role or 'all roles'})"


@attrs.frozen
class RolePin(Constraint):
    """``participant`` holds ``role`` in ``session``. Penalty: 1 when they do not.

    Example: ``RolePin("ASN0042", "leader", "d2-morning")``: they lead their team on day 2."""

    kind: ClassVar[str] = "role_pin"
    stage: ClassVar[str] = "roles"

    participant: str
    role: str
    session: str

    def _describe(self) -> str:
        return f"role_pin({self.participant}:{self.role}@{self.session})"


@attrs.frozen
class AvoidStations(Constraint):
    """A team with a member matching ``who`` never goes to a station matching ``stations``.

    Both are attribute -> allowed values, of participants and of stations:
    ``AvoidStations(who={"fitness": "limited"}, stations={"intensity": "high"})``.
    Penalty: one per matching member for each slot spent at a matching station.

    Example: the one above keeps a team with a member of limited fitness away from every
    high-intensity station.
    """

    kind: ClassVar[str] = "avoid_stations"
    stage: ClassVar[str] = "stations"

    who: Mapping[str, tuple[Any, ...]] = attrs.field(converter=_value_sets)
    stations: Mapping[str, tuple[Any, ...]] = attrs.field(converter=_value_sets)

    def __attrs_post_init__(self) -> None:
        if not self.who or not self.stations:
            raise ModelError("avoid_stations needs both who={attribute: values} and stations={attribute: values}")

    def _describe(self) -> str:
        who = ",".join(f"{a}={'|'.join(map(str, v))}" for a, v in self.who.items())
        where = ",".join(f"{a}={'|'.join(map(str, v))}" for a, v in self.stations.items())
        return f"avoid_stations({who} -> {where})"


@attrs.frozen
class ExerciseOnce(Constraint):
    """Nobody does the same station twice within one day (``per="day"``, sessions grouped by
    :attr:`Session.day`; a session without a day is a day of its own) or within the whole
    event (``per="event"``).

    Spans sessions, counting participants, who change teams between sessions.
    Penalty: ``sum over participants, stations and days (or the event) of max(0, visits - 1)``,
    where a visit is one stay at a station, however many slots it lasts.

    Examples: ``ExerciseOnce("day")`` (hard); ``ExerciseOnce("event", hard=False)``: as few
    exercises repeated over the event as possible.
    """

    kind: ClassVar[str] = "exercise_once"
    across_sessions: ClassVar[bool] = True
    stage: ClassVar[str] = "stations"

    per: str = "day"

    def __attrs_post_init__(self) -> None:
        if self.per not in ("day", "event"):
            raise ModelError(f"exercise_once: per must be 'day' or 'event', got {self.per!r}")

    def _describe(self) -> str:
        return f"exercise_once(per {self.per})"


@attrs.frozen
class StaffPin(Constraint):
    """Instructor ``instructor`` runs ``station`` in ``session`` (in slot ``slot``, or in
    every slot when ``None``). Penalty: one per slot in which they do not.

    Example: ``StaffPin("instructor-03", "Jembatan Tali", "d2-morning")``: the rope-bridge
    specialist runs it all morning."""

    kind: ClassVar[str] = "staff_pin"
    stage: ClassVar[str] = "stations"

    instructor: str
    station: str
    session: str
    slot: int | None = None

    def _describe(self) -> str:
        slot = "" if self.slot is None else f"#{self.slot}"
        return f"staff_pin({self.instructor}:{self.station}@{self.session}{slot})"


@attrs.frozen
class StationPin(Constraint):
    """Team number ``team`` (from 1) of ``session`` is at ``station``: in slot ``slot`` (from
    1), or, when ``slot`` is ``None``, in some slot of the session.

    With a slot, the team must be at the station *in* that slot, however its visit is laid
    out: a station lasting two slots whose visit starts in the slot before also covers it.
    Without one, the team must visit the station once in the session, in any slot; the solver
    chooses when. Penalty: 1 when the team is not there (as the plan lists it).

    Hard pins are how a hand-made part of a plan is kept when the rest is solved again, so
    the model refuses pins that cannot hold: a team the session does not have, a plenary
    slot, a station closed then, and hard pins that put one team at two stations in a slot,
    send it to one station twice in a session, or put more teams at a station than it holds.
    Like every constraint's, ``sessions`` scopes it: a pin whose session is outside it never
    applies.

    Example: ``StationPin(2, "raft building", "d2-morning", slot=3)``.
    """

    kind: ClassVar[str] = "station_pin"
    stage: ClassVar[str] = "stations"

    team: int = attrs.field(validator=_whole(1))
    station: str
    session: str
    slot: int | None = None

    def _describe(self) -> str:
        slot = "" if self.slot is None else f"#{self.slot}"
        return f"station_pin(team {self.team}:{self.station}@{self.session}{slot})"


#: Every constraint kind by its ``kind`` name, as used in event files and plan files.
CONSTRAINT_KINDS: dict[str, type[Constraint]] = {
    cls.kind: cls
    for cls in (
        Spread,
        Balance,
        NoIsolation,
        NumericBalance,
        Diversity,
        Together,
        Apart,
        Pin,
        Hierarchy,
        MeetAtMost,
        AvoidRepeats,
        Reach,
        RoleShare,
        FairTurns,
        RolePin,
        AvoidStations,
        ExerciseOnce,
        StaffPin,
        StationPin,
    )
}


def fair_share_bounds(count: int, size: int, present: int, tolerance: int = 0) -> tuple[int, int]:
    """The ``[low, high]`` count of a value with ``count`` of ``present`` people in a team of ``size``."""
    # Integer arithmetic: a share of exactly 4 must not become 3.999... and be floored to 3.
    low = count * size // present
    high = -(-count * size // present)
    return max(0, low - tolerance), high + tolerance
