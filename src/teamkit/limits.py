"""How much memory a solve will need, estimated before it starts.

:func:`teamkit.solve` and :func:`teamkit.repair` refuse a problem whose estimate exceeds the
memory the machine has available, with :class:`~teamkit.exceptions.ProblemTooLarge` naming
the estimate and its parts, rather than failing (or swapping for hours) halfway through.

What grows is known from the engine's data structures, and the constants below were
measured (``benchmarks/limits.py`` prints the estimate beside the measured peak):

- the interpreter with numpy and OR-Tools loaded, and the solver's working space:
  :data:`BASE_BYTES`;
- per person per session (assignments, team tables, meetings, CP-SAT neighbourhoods):
  :data:`PLACE_BYTES`;
- per distance matrix (``Diversity(distances=...)``): the engine takes the rows and columns
  of the people present in each session, ``8 n^2`` bytes a copy, one copy per session
  planned at a time (all of them at once when the sessions are linked by meeting rules), and
  the diversity search of a session holds up to three more ``n x n`` tables;
- the compiled diversity search, where numba is installed (the ``fast`` extra) and a session
  can go to that search (only diversity rules over distances, at most
  :data:`~teamkit.engine.mdgp.MAX_PEOPLE` people): :data:`COMPILED_SEARCH_BYTES`;
- the whole-event annealing (:mod:`teamkit.engine.event_anneal`), where numba is installed
  and the event fits it: numba and LLVM as above, and its ``n x n`` table of meetings,
  :data:`MEETING_BYTES` a pair.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from teamkit.constraints import Diversity
from teamkit.engine import event_anneal, mdgp, numba_kernels
from teamkit.exceptions import ProblemTooLarge
from teamkit.model import ProblemData

MIB = 1024**2
GIB = 1024**3
#: Interpreter, numpy, OR-Tools and the fixed part of the search (measured: 93-110 MiB peak
#: for small problems; kept above it).
BASE_BYTES = 160 * MIB
#: Per person per session (measured: 478 MiB peak for 20,000 people over 6 sessions, about
#: 3.2 KiB per place above the base; kept above it).
PLACE_BYTES = 4 * 1024
#: Bytes of one distance in a copy of a matrix.
DISTANCE_BYTES = 8
#: Extra ``n x n`` tables of the diversity search of one session, in distances' worth
#: (measured: one session of 4,000 people peaks at four copies of the matrix above the
#: problem's own, one taken from it and three more in the search).
DIVERSITY_SEARCH_COPIES = 3
#: numba and LLVM, loaded for the compiled diversity search (measured: 131 MiB above the base
#: when loaded from numba's cache, 185 MiB the first time, when it compiles; kept above it).
COMPILED_SEARCH_BYTES = 200 * MIB
#: Bytes per pair of people of the annealing's table of meetings (16-bit counts).
MEETING_BYTES = 2


@attrs.frozen
class MemoryEstimate:
    """The memory a solve is expected to need at its peak.

    Attributes:
        total: bytes, the sum of ``parts``.
        parts: bytes per cause, in words (``"people in sessions"``, ...).
    """

    total: int
    parts: Mapping[str, int]

    def describe(self) -> str:
        """The total and its parts, in GiB or MiB."""
        parts = "; ".join(f"{name}: {_size(value)}" for name, value in self.parts.items())
        return f"about {_size(self.total)} ({parts})"


def _size(n: float) -> str:
    return f"{n / GIB:.1f} GiB" if n >= GIB else f"{n / MIB:.0f} MiB"


def estimate_memory(problem: ProblemData) -> MemoryEstimate:
    """The peak memory :func:`teamkit.solve` is expected to need for ``problem`` (see the
    module docstring for what is counted)."""
    S = len(problem.sessions)
    present = [len(problem.layout(k).present) for k in range(S)]
    parts: dict[str, int] = {"interpreter and solver": BASE_BYTES}
    parts["people in sessions"] = PLACE_BYTES * sum(present)
    linked = problem.spans_sessions or bool(problem.stations)
    largest = max(present, default=0)
    names = problem.constraint_names()
    for name, c in zip(names, problem.constraints):
        if not isinstance(c, Diversity) or c.distances is None:
            continue
        copies = sum(present) if linked else largest  # rows: n per session held at once
        per_copy = DISTANCE_BYTES * largest
        parts[f"distances of {name}"] = per_copy * copies + DIVERSITY_SEARCH_COPIES * per_copy * largest
    if _compiled_search_may_run(problem, present):
        parts["compiled diversity search"] = COMPILED_SEARCH_BYTES
    if numba_kernels.installed() and event_anneal.unfit(problem) is None:
        n = problem.num_participants
        parts["whole-event annealing"] = COMPILED_SEARCH_BYTES + MEETING_BYTES * n * n
    return MemoryEstimate(total=sum(parts.values()), parts=parts)


def _compiled_search_may_run(problem: ProblemData, present: list[int]) -> bool:
    """Whether the compiled diversity search may load: numba is there, every rule is a
    diversity over distances (as :func:`teamkit.engine.mdgp.applies` asks of a session), and
    some session is small enough for that search."""
    return (
        bool(problem.constraints)
        and all(isinstance(c, Diversity) and c.distances is not None for c in problem.constraints)
        and any(2 <= m <= mdgp.MAX_PEOPLE for m in present)
        and numba_kernels.installed()
    )


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (``MemAvailable`` on Linux, else the
    physical memory), or ``None`` where neither can be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(problem: ProblemData, what: str = "solving") -> MemoryEstimate:
    """Raises :class:`~teamkit.exceptions.ProblemTooLarge` when the estimate for ``problem``
    exceeds the memory available; returns the estimate otherwise."""
    estimate = estimate_memory(problem)
    available = available_memory()
    if available is not None and estimate.total > available:
        raise ProblemTooLarge(
            f"{what} this problem would need {estimate.describe()}, more than the "
            f"{_size(available)} of memory available; plan it in parts (fewer people or "
            "sessions per solve), or on a machine with more memory",
            estimate=estimate.total,
            available=available,
        )
    return estimate
