"""Plots of a plan: who met whom, how fair the teams are, how many new contacts each session
makes, and how full the stations are.

Each plot has a small data function that returns plain numpy arrays and tuples, so the
numbers can be tested and reused by other outputs; they need numpy only:

- :func:`meeting_counts` — participants x participants, the meetings of every pair;
- :func:`balance_counts` — per team of a session, the count of each value of an attribute,
  with its fair share;
- :func:`new_contacts` — per session, the pairs meeting for the first time, and the ideal;
- :func:`station_load` — per station and slot of a session, the teams there and the capacity.

The plot functions draw them with matplotlib, the optional ``plot`` extra
(``pip install "teamkit[plot]"``), imported only when a plot is drawn:
:func:`meeting_heatmap`, :func:`balance_plot`, :func:`new_contacts_plot`,
:func:`station_load_plot`; :func:`save_plots` writes them all as PNG files, and
:func:`plot_files` and :func:`png_bytes` give the bytes for other outputs. They build :class:`matplotlib.figure.Figure` objects directly, never through ``pyplot``, so they
need no display and leave pyplot's global state alone.

Like :mod:`teamkit.views`, the data functions read the plan as it is written; the counts
follow the conventions of :func:`teamkit.check` (only members who attend a session count in
it), and where the checker computes a number (new contacts, station load) it is taken from
the checker's report.

Example::

    from teamkit.plots import meeting_counts, save_plots

    counts = meeting_counts(problem, result.plan)   # counts[i, j]: meetings of i and j
    save_plots(problem, result.plan, "plots")       # meetings.png, new-contacts.png, ...
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from teamkit._text import did_you_mean
from teamkit.checker import check
from teamkit.constraints import Balance, fair_share_bounds
from teamkit.exceptions import ModelError
from teamkit.export._safe import file_stem
from teamkit.io.plan_json import existing_outputs, write_files
from teamkit.model import AttributeValue, ProblemData, is_missing, station_slots
from teamkit.plan import Plan

if TYPE_CHECKING:  # pragma: no cover - for type checkers only; matplotlib is optional
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: How ``pip`` installs what the plots need.
INSTALL_HINT = 'pip install "teamkit[plot]"'
#: The resolution of the PNG files :func:`save_plots` writes.
DPI = 100
#: Without Balance rules, :func:`save_plots` plots this many categorical attributes.
DEFAULT_BALANCE_PLOTS = 3
#: An attribute with more distinct values than this (a unit, a name) is not plotted by default.
MAX_CATEGORIES = 12
#: Up to this many participants, the heatmap labels every row and column with a name.
MAX_NAMED_PARTICIPANTS = 40
#: How a missing attribute value is labelled.
NO_VALUE = "(none)"


# -- the data -----------------------------------------------------------------------------------
class BalanceCounts(NamedTuple):
    """The makeup of the teams of one session by one attribute.

    Attributes:
        session: the session id.
        attribute: the attribute.
        values: its values among the people present, numbers first, then text, and ``None``
            (no value) last; people without a value form a group of their own, as in
            :class:`~teamkit.Balance`.
        teams: the team numbers.
        counts: ``counts[t, v]``, the members of team ``teams[t]`` with value ``values[v]``.
        low, high: the fair share of every cell, ``[floor(c_v s_t / n) - tol, ceil(c_v s_t
            / n) + tol]`` with ``c_v`` people with the value among the ``n`` present, team
            size ``s_t`` and the tolerance of the session's Balance rule on the attribute (0
            without one).
    """

    session: str
    attribute: str
    values: tuple[AttributeValue, ...]
    teams: tuple[int, ...]
    counts: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @property
    def fair(self) -> np.ndarray:
        """``fair[t, v]``: whether the cell is within its fair share."""
        return (self.low <= self.counts) & (self.counts <= self.high)


class NewContacts(NamedTuple):
    """New contacts session by session.

    Attributes:
        sessions: the session ids, in order.
        new: per session, the pairs who share a team for the first time in it.
        cumulative: the running total of ``new``: the pairs who have met by the end of the
            session.
        ideal: per session, the pairs who share a team in it: the new contacts it would
            make if everyone met only new people.
        ideal_cumulative: the running total of ``ideal``, at most ``possible``.
        possible: the pairs among everyone who attends some session: more contacts than
            this the event can never make.
    """

    sessions: tuple[str, ...]
    new: np.ndarray
    cumulative: np.ndarray
    ideal: np.ndarray
    ideal_cumulative: np.ndarray
    possible: int


class StationLoad(NamedTuple):
    """How full the stations are in each station slot of one session.

    Attributes:
        session: the session id.
        stations: the stations open in some station slot of the session, in the problem's
            order, then any other station the plan sends a team to.
        slots: the station slots (from 1; plenary slots left out).
        load: ``load[s, j]``, the teams at ``stations[s]`` in slot ``slots[j]``.
        capacity: ``capacity[s, j]``, the teams it can hold then: 0 when closed, and for a
            station the problem does not know.
    """

    session: str
    stations: tuple[str, ...]
    slots: tuple[int, ...]
    load: np.ndarray
    capacity: np.ndarray

    @property
    def over(self) -> np.ndarray:
        """``over[s, j]``: the teams beyond capacity (0 where the station is not overfull)."""
        return np.maximum(self.load - self.capacity, 0)


def meeting_counts(problem: ProblemData, plan: Plan) -> np.ndarray:
    """How often each pair of participants meets over the event: ``counts[i, j]`` for the
    participants at positions ``i`` and ``j`` of ``problem.participants``.

    Two people meet when they share a team in a session they both attend. Sessions that keep
    the previous teams form one block with it (:meth:`ProblemData.blocks`), and a pair meets
    once per block, as :func:`teamkit.check` and :class:`~teamkit.MeetAtMost` count. The
    matrix is symmetric with a zero diagonal; with every session its own block, its upper
    triangle sums to the pairs met, counted once per session.

    Example: ``meeting_counts(problem, plan).max() <= 1`` holds for a plan that meets
    ``MeetAtMost(1)``.
    """
    assignment = plan.to_assignment(problem)
    n = problem.num_participants
    counts = np.zeros((n, n), dtype=np.int64)
    for block in problem.blocks():
        together = np.zeros((n, n), dtype=bool)
        for k in block:
            together |= _together(problem, k, assignment)
        counts += together
    np.fill_diagonal(counts, 0)
    return counts


def balance_counts(problem: ProblemData, plan: Plan, attribute: str, session: str | int | None = None) -> BalanceCounts:
    """The count of every value of ``attribute`` in every team of one session (its id or
    position; the first session by default), with the fair share of each count.

    Counts use the members who attend the session; the fair shares use everyone present,
    as :class:`~teamkit.Balance` and :func:`teamkit.check` do.

    Example: ``balance_counts(problem, plan, "gender").fair.all()`` holds for a plan that
    meets ``Balance("gender")``.
    """
    _require_attribute(problem, attribute)
    k = _session_position(problem, session)
    assignment = plan.to_assignment(problem)
    sid = problem.sessions[k].id
    present = problem.layout(k).present
    vals = _values(problem, attribute)
    overall: dict[AttributeValue, int] = {}
    for i in present:
        overall[vals[i]] = overall.get(vals[i], 0) + 1
    values = tuple(sorted(overall, key=_value_order))
    column = {v: c for c, v in enumerate(values)}
    teams = plan.sessions[k].teams
    counts = np.zeros((len(teams), len(values)), dtype=np.int64)
    for i in present:
        t = int(assignment[k, i])
        if t >= 0:
            counts[t, column[vals[i]]] += 1
    tolerances = [
        c.tolerance
        for c in problem.constraints
        if isinstance(c, Balance) and c.attribute == attribute and c.applies_to(sid)
    ]
    # The tightest rule on the attribute sets the band; without one, the plain fair share.
    tolerance = min(tolerances, default=0)
    low = np.zeros_like(counts)
    high = np.zeros_like(counts)
    for t, size in enumerate(counts.sum(axis=1)):
        for v, value in enumerate(values):
            low[t, v], high[t, v] = fair_share_bounds(overall[value], int(size), len(present), tolerance)
    return BalanceCounts(
        session=sid,
        attribute=attribute,
        values=values,
        teams=tuple(team.number for team in teams),
        counts=counts,
        low=low,
        high=high,
    )


def new_contacts(problem: ProblemData, plan: Plan) -> NewContacts:
    """New contacts session by session: the pairs meeting for the first time (from
    :func:`teamkit.check`), their running total, and the ideal where everyone meets only
    new people.

    ``new.sum()`` is the number of different pairs who met over the event. A session that
    keeps the previous teams makes new contacts only among people joining a team; its
    ``ideal`` still counts every pair in its teams.

    Example::

        contacts = new_contacts(problem, plan)
        print(dict(zip(contacts.sessions, contacts.new.tolist())))   # {'day1': 1350, 'day2': 1350}
    """
    report = check(problem, plan)
    assignment = plan.to_assignment(problem)
    sessions = tuple(s.id for s in problem.sessions)
    new = np.array([report.meetings.new_contacts[sid] for sid in sessions], dtype=np.int64)
    ideal = np.array(
        [int(np.triu(_together(problem, k, assignment), 1).sum()) for k in range(len(sessions))], dtype=np.int64
    )
    attending = len({i for k in range(len(sessions)) for i in problem.layout(k).present})
    possible = attending * (attending - 1) // 2
    return NewContacts(
        sessions=sessions,
        new=new,
        cumulative=np.cumsum(new),
        ideal=ideal,
        ideal_cumulative=np.minimum(np.cumsum(ideal), possible),
        possible=possible,
    )


def station_load(problem: ProblemData, plan: Plan, session: str | int | None = None) -> StationLoad:
    """The teams at every station in every station slot of one session (its id or position;
    by default the first session with station slots), against the station's capacity, as
    :func:`teamkit.check` counts them (a station that keeps a team two slots counts it in
    both).

    Raises ``ValueError`` when the problem has no stations or the session no station slots.

    Example: ``(station_load(problem, plan, "morning").over == 0).all()`` holds for a plan
    that :func:`teamkit.check` finds feasible.
    """
    if not problem.stations:
        raise ValueError("the problem has no stations, so there is no station load to show")
    with_slots = [k for k, s in enumerate(problem.sessions) if station_slots(s)]
    if session is None:
        if not with_slots:
            raise ValueError("no session of the problem has station slots, so teams are at no station")
        k = with_slots[0]
    else:
        k = _session_position(problem, session)
    current = problem.sessions[k]
    slots = station_slots(current)
    if not slots:
        named = [problem.sessions[j].id for j in with_slots]
        raise ValueError(
            f"session {current.id!r} has no station slots, so teams are at no station in it; "
            f"sessions with stations: {named}"
        )
    report = check(problem, plan)
    assert report.activities is not None  # the problem has stations
    per_slot = [report.activities.station_load[(current.id, j)] for j in slots]
    known = {st.name: st for st in problem.stations}
    seen = list(dict.fromkeys(name for here in per_slot for name in here))
    # The problem's stations in its order, then any station only the plan names, as first seen.
    names = [st.name for st in problem.stations if st.name in seen] + [name for name in seen if name not in known]
    load = np.array([[here.get(name, 0) for here in per_slot] for name in names], dtype=np.int64).reshape(
        len(names), len(slots)
    )
    capacity = np.array(
        [
            [known[name].capacity if name in known and known[name].open_in(current.id, j) else 0 for j in slots]
            for name in names
        ],
        dtype=np.int64,
    ).reshape(len(names), len(slots))
    return StationLoad(session=current.id, stations=tuple(names), slots=slots, load=load, capacity=capacity)


# -- the plots ----------------------------------------------------------------------------------
def meeting_heatmap(problem: ProblemData, plan: Plan, *, ax: Axes | None = None, order: str | None = None) -> Figure:
    """A heatmap of :func:`meeting_counts`: one row and one column per participant, each
    cell coloured by how often the pair shares a team (the diagonal is left blank).

    ``order`` names an attribute to sort the participants by (in roster order within a
    value), so that structure shows: with ``order="unit"``, a block on the diagonal is the
    people of one unit, and an empty block says they never meet, as ``Spread("unit")``
    wants. Lines then mark where each value starts, and the ticks name the values.

    Draws on ``ax`` when given (and returns its figure); otherwise on a new figure.

    Example: ``meeting_heatmap(problem, plan, order="district").savefig("meetings.png")``.
    """
    mpl = _matplotlib()
    counts = meeting_counts(problem, plan)
    positions = list(range(problem.num_participants))
    groups: list[tuple[str, int, int]] = []  # (label, first position, end) in the sorted order
    if order is not None:
        _require_attribute(problem, order)
        vals = _values(problem, order)
        positions.sort(key=lambda i: _value_order(vals[i]))
        for p, i in enumerate(positions):
            label = _label(vals[i])
            if groups and groups[-1][0] == label:
                groups[-1] = (label, groups[-1][1], p + 1)
            else:
                groups.append((label, p, p + 1))
    shown = counts[np.ix_(positions, positions)]
    fig, ax = _figure_and_axes(mpl, ax, (8.0, 7.0))
    top = max(1, int(shown.max()))
    cmap = mpl.colormaps["Blues"].resampled(top + 1).with_extremes(bad="0.85")
    norm = mpl.colors.BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)
    image = ax.imshow(
        np.ma.masked_where(np.eye(len(positions), dtype=bool), shown),
        cmap=cmap,
        norm=norm,
        interpolation="nearest",
    )
    bar = ax.figure.colorbar(image, ax=ax, ticks=range(top + 1))
    bar.set_label("meetings (teams shared over the event)")
    if order is not None:
        # Lines and labels where each value starts; with very many values they would be a blur.
        if len(groups) <= MAX_NAMED_PARTICIPANTS:
            for _, start, _ in groups[1:]:
                ax.axhline(start - 0.5, color="0.3", linewidth=0.6)
                ax.axvline(start - 0.5, color="0.3", linewidth=0.6)
            centres = [(start + end - 1) / 2 for _, start, end in groups]
            labels = [label for label, _, _ in groups]
            ax.set_xticks(centres, labels, rotation=90, fontsize="small")
            ax.set_yticks(centres, labels, fontsize="small")
        else:
            ax.set_xticks([])
            ax.set_yticks([])
        axis = f"participants by {order}"
    elif len(positions) <= MAX_NAMED_PARTICIPANTS:
        names = [problem.participants[i].name for i in positions]
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize="small")
        ax.set_yticks(range(len(names)), names, fontsize="small")
        axis = "participant"
    else:
        ax.set_xticks([])
        ax.set_yticks([])
        axis = "participants (roster order)"
    ax.set_xlabel(axis)
    ax.set_ylabel(axis)
    ax.set_title(_titled(problem, "Who shared a team with whom"))
    return fig


def balance_plot(
    problem: ProblemData, plan: Plan, attribute: str, *, session: str | int | None = None, ax: Axes | None = None
) -> Figure:
    """Stacked bars of :func:`balance_counts`: one bar per team of a session (the first by
    default), one block per value of ``attribute``.

    The bracket beside each block, in the block's colour, spans its fair share measured
    from the block's bottom: the block's top should end within it. A block outside its fair
    share is edged in red and its bracket drawn in red, so a value missing from a team where
    it belongs shows too.

    Example: ``balance_plot(problem, plan, "gender", session="day1").savefig("gender.png")``.
    """
    mpl = _matplotlib()
    data = balance_counts(problem, plan, attribute, session)
    fig, ax = _figure_and_axes(mpl, ax, (max(6.0, 1.5 + 0.45 * len(data.teams)), 4.8))
    _draw_balance(mpl, ax, problem, data)
    return fig


def new_contacts_plot(problem: ProblemData, plan: Plan, *, ax: Axes | None = None) -> Figure:
    """Bars of the new contacts each session makes (:func:`new_contacts`), the pairs in its
    teams behind them (the ideal, if everyone met only new people), and both running
    totals as lines. The gap between a bar and its outline is the pairs who meet again.

    Example: ``new_contacts_plot(problem, plan).savefig("new-contacts.png")``.
    """
    mpl = _matplotlib()
    data = new_contacts(problem, plan)
    fig, ax = _figure_and_axes(mpl, ax, (max(6.0, 2.0 + 1.0 * len(data.sessions)), 4.8))
    names = {s.id: s.name for s in problem.sessions}
    x = np.arange(len(data.sessions))
    ax.bar(x, data.ideal, width=0.7, fill=False, edgecolor="0.4", linestyle="--", label="ideal: only new people")
    bars = ax.bar(x, data.new, width=0.7, color="tab:blue", label="new contacts")
    ax.bar_label(bars, [str(v) if v else "" for v in data.new], label_type="center", color="white", fontsize="small")
    ax.plot(x, data.cumulative, marker="o", color="tab:orange", label="met so far")
    ax.plot(x, data.ideal_cumulative, linestyle="--", color="0.4", label="ideal so far")
    if data.ideal_cumulative.size and data.ideal_cumulative[-1] >= data.possible:
        ax.axhline(data.possible, color="0.6", linewidth=0.8, linestyle=":", label="every pair met")
    ax.set_xticks(x, [names[sid] for sid in data.sessions], rotation=30, ha="right")
    ax.set_xlabel("session")
    ax.set_ylabel("pairs of people")
    ax.set_title(_titled(problem, "New contacts per session"))
    ax.legend(loc="upper left", fontsize="small")
    return fig


def station_load_plot(
    problem: ProblemData, plan: Plan, *, session: str | int | None = None, ax: Axes | None = None
) -> Figure:
    """Bars of :func:`station_load`: per station, one bar per station slot of a session (by
    default the first with station slots) with the teams there, inside an outline showing
    the station's capacity in that slot (none when it is closed). A bar beyond capacity is
    red.

    Raises ``ValueError`` when the problem has no stations or the session no station slots.

    Example: ``station_load_plot(problem, plan, session="morning").savefig("load.png")``.
    """
    mpl = _matplotlib()
    data = station_load(problem, plan, session)
    width = max(6.0, 2.0 + 0.5 * len(data.stations) * max(1, len(data.slots)) ** 0.5)
    fig, ax = _figure_and_axes(mpl, ax, (width, 5.0))
    _draw_station_load(mpl, ax, problem, data)
    return fig


def save_plots(
    problem: ProblemData, plan: Plan, directory: str | os.PathLike[str], *, force: bool = False
) -> list[Path]:
    """Writes the plots of ``plan`` as PNG files into ``directory``, all or nothing, and
    returns their paths:

    - ``meetings.png``: :func:`meeting_heatmap`;
    - ``balance-<attribute>.png``: :func:`balance_plot` of every attribute with a Balance
      rule (in the first session it applies to), or without one, of the first
      categorical attributes (text with a few values);
    - ``new-contacts.png``: :func:`new_contacts_plot`;
    - ``station-load-<session>.png``: :func:`station_load_plot` of every session with
      station slots, when the problem has stations.

    Every file is drawn before any is written; they are written into a temporary folder
    beside ``directory`` and then moved in. Without ``force`` an existing file is never
    replaced: :class:`FileExistsError` is raised before anything is written. The same plan
    gives the same bytes (the files carry no date or version).

    Example: ``save_plots(problem, result.plan, "plots", force=True)``.
    """
    _matplotlib()  # before any work: without matplotlib, say so at once
    plots = _plot_makers(problem, plan)
    if not force:  # before drawing, which is the slow part
        clash = existing_outputs(directory, list(plots))
        if clash:
            raise FileExistsError(
                f"{', '.join(map(str, clash))} already exist{'s' if len(clash) == 1 else ''}; "
                "nothing was written (use --force to overwrite)"
            )
    return write_files(directory, {name: png_bytes(draw()) for name, draw in plots.items()}, force=force)


def plot_files(problem: ProblemData, plan: Plan) -> dict[str, bytes]:
    """The files :func:`save_plots` writes, as ``{file name: PNG bytes}``, for outputs that
    put them elsewhere (an archive, a web page, a folder of exports).

    Example: ``sorted(plot_files(problem, plan))`` gives ``['meetings.png', ...]``.
    """
    _matplotlib()
    return {name: png_bytes(draw()) for name, draw in _plot_makers(problem, plan).items()}


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes, with no date or software version in them, so that the same
    figure gives the same bytes.

    Example: ``Path("meetings.png").write_bytes(png_bytes(meeting_heatmap(problem, plan)))``.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


# -- drawing ------------------------------------------------------------------------------------
def _draw_balance(mpl: Any, ax: Axes, problem: ProblemData, data: BalanceCounts) -> None:
    x = np.arange(len(data.teams))
    palette = mpl.colormaps["tab20" if len(data.values) > 10 else "tab10"]
    fair = data.fair
    # Brackets stand beside the bar, one step apart per value, so that each sits next to its
    # block and two brackets never hide each other.
    step = min(0.06, 0.3 / max(1, len(data.values)))
    bottom = np.zeros(len(data.teams), dtype=np.int64)
    handles = []
    for v, value in enumerate(data.values):
        colour = mpl.colors.to_rgb("0.75" if value is None else palette(v % palette.N))
        edges = ["white" if ok else "red" for ok in fair[:, v]]
        widths = [0.5 if ok else 2.0 for ok in fair[:, v]]
        bars = ax.bar(
            x,
            data.counts[:, v],
            width=0.5,
            bottom=bottom,
            color=colour,
            edgecolor=edges,
            linewidth=widths,
            label=_label(value),
        )
        handles.append(bars)
        lows, highs = bottom + data.low[:, v], bottom + data.high[:, v]
        for ok, bracket in ((True, tuple(0.6 * c for c in colour)), (False, "red")):
            chosen = fair[:, v] == ok
            if chosen.any():
                ax.errorbar(
                    x[chosen] + 0.3 + step * v,
                    (lows[chosen] + highs[chosen]) / 2,
                    yerr=(highs[chosen] - lows[chosen]) / 2,
                    fmt="none",
                    ecolor=bracket,
                    elinewidth=1.2,
                    capsize=2.5,
                )
        bottom = bottom + data.counts[:, v]
    handles.append(mpl.lines.Line2D([], [], color="black", marker="_", markersize=8, label="fair share (bracket)"))
    if not fair.all():
        handles.append(mpl.lines.Line2D([], [], color="red", linewidth=2.0, label="outside fair share"))
    session = problem.sessions[problem.session_index(data.session)]
    ax.set_xticks(x, [str(t) for t in data.teams])
    ax.set_xlim(-0.6, len(data.teams) - 0.4 + step * len(data.values))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("team")
    ax.set_ylabel("members")
    ax.set_title(_titled(problem, f"{data.attribute} per team, {session.name}"))
    ax.legend(handles=handles, title=data.attribute, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")


def _draw_station_load(mpl: Any, ax: Axes, problem: ProblemData, data: StationLoad) -> None:
    x = np.arange(len(data.stations))
    slots = len(data.slots)
    width = 0.8 / max(1, slots)
    palette = mpl.colormaps["tab10"]
    for j, slot in enumerate(data.slots):
        offset = (j - (slots - 1) / 2) * width
        ax.bar(
            x + offset,
            data.capacity[:, j],
            width=width,
            fill=False,
            edgecolor="0.3",
            linewidth=0.8,
            label="capacity" if j == 0 else None,
        )
        colours = ["red" if over else palette(j % palette.N) for over in data.over[:, j]]
        ax.bar(x + offset, data.load[:, j], width=width * 0.8, color=colours, label=f"slot {slot}")
    session = problem.sessions[problem.session_index(data.session)]
    ax.set_xticks(x, list(data.stations), rotation=35, ha="right", fontsize="small")
    ax.set_xlabel("station")
    ax.set_ylabel("teams")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(_titled(problem, f"Station load, {session.name}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")


# -- helpers ------------------------------------------------------------------------------------
def _matplotlib() -> Any:
    """matplotlib, or an ImportError saying how to install it."""
    try:
        import matplotlib
        import matplotlib.colors
        import matplotlib.figure
        import matplotlib.lines
    except ImportError as e:
        raise ImportError(f"teamkit's plots need matplotlib, which is not installed: {INSTALL_HINT}") from e
    return matplotlib


def _figure_and_axes(mpl: Any, ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = mpl.figure.Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _titled(problem: ProblemData, title: str) -> str:
    return f"{title}\n{problem.name}" if problem.name else title


def _together(problem: ProblemData, k: int, assignment: np.ndarray) -> np.ndarray:
    """``out[i, j]``: whether ``i`` and ``j`` attend session ``k`` and share a team in it
    (the diagonal set for everyone placed)."""
    row = np.full(problem.num_participants, -1)
    present = list(problem.layout(k).present)
    # People placed in a session they are absent from meet nobody in it, as in the checker.
    row[present] = assignment[k, present]
    placed = row >= 0
    return (row[:, None] == row[None, :]) & placed[:, None] & placed[None, :]


def _values(problem: ProblemData, attribute: str) -> list[AttributeValue]:
    return [None if is_missing(p.get(attribute)) else p.get(attribute) for p in problem.participants]


def _value_order(value: AttributeValue) -> tuple[int, Any]:
    """Numbers first (by size), then text, then no value; values of mixed kinds never compare."""
    if value is None:
        return (2, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def _label(value: AttributeValue) -> str:
    return NO_VALUE if value is None else str(value)


def _require_attribute(problem: ProblemData, attribute: str) -> None:
    names = problem.attribute_names()
    if attribute not in names:
        raise ModelError(f"no participant has attribute {attribute!r}{did_you_mean(attribute, sorted(names))}")


def _session_position(problem: ProblemData, session: str | int | None) -> int:
    if session is None:
        return 0
    if isinstance(session, int) and not isinstance(session, bool):
        if not 0 <= session < len(problem.sessions):
            raise IndexError(f"session {session} is out of range: the problem has {len(problem.sessions)} sessions")
        return session
    return problem.session_index(session)


def _balance_attributes(problem: ProblemData) -> list[tuple[str, int]]:
    """The attributes :func:`save_plots` draws, each with the session it is drawn for."""
    out: dict[str, int] = {}
    for c in problem.constraints:
        if isinstance(c, Balance) and c.attribute not in out:
            k = next((k for k, s in enumerate(problem.sessions) if c.applies_to(s.id)), 0)
            out[c.attribute] = k
    if out:
        return list(out.items())
    names = list(dict.fromkeys(name for p in problem.participants for name in p.attributes))
    chosen = []
    for name in names:
        values = {v for v in _values(problem, name) if v is not None}
        # Text with a few values is a category; numbers, ids and names are not.
        if 2 <= len(values) <= MAX_CATEGORIES and all(isinstance(v, str) for v in values):
            chosen.append((name, 0))
        if len(chosen) == DEFAULT_BALANCE_PLOTS:
            break
    return chosen


def _plot_makers(problem: ProblemData, plan: Plan) -> dict[str, Callable[[], Figure]]:
    """The files :func:`save_plots` writes, by name, each with the function that draws it."""
    plots: dict[str, Callable[[], Figure]] = {}

    def add(stem: str, draw: Callable[[], Figure]) -> None:
        name = f"{stem}.png"
        number = 2
        while name in plots:  # two ids that differ only in characters a file name cannot hold
            name = f"{stem}-{number}.png"
            number += 1
        plots[name] = draw

    add("meetings", lambda: meeting_heatmap(problem, plan))
    for attribute, k in _balance_attributes(problem):
        add(
            f"balance-{file_stem(attribute, 'attribute')}",
            lambda a=attribute, k=k: balance_plot(problem, plan, a, session=k),
        )
    add("new-contacts", lambda: new_contacts_plot(problem, plan))
    if problem.stations:
        for k, session in enumerate(problem.sessions):
            if station_slots(session):
                add(
                    f"station-load-{file_stem(session.id, 'session')}",
                    lambda k=k: station_load_plot(problem, plan, session=k),
                )
    return plots


__all__ = [
    "BalanceCounts",
    "NewContacts",
    "StationLoad",
    "balance_counts",
    "balance_plot",
    "meeting_counts",
    "meeting_heatmap",
    "new_contacts",
    "new_contacts_plot",
    "plot_files",
    "png_bytes",
    "save_plots",
    "station_load",
    "station_load_plot",
]
