"""The one entry point of the engine: :func:`solve`."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from teamkit.model import ProblemData
from teamkit.result import Result


@attrs.frozen
class Progress:
    """A snapshot passed to the ``progress`` callback during a solve."""

    elapsed: float
    phase: str
    hard_violations: float
    objective: float | None
    bound: float | None = None


def solve(
    problem: ProblemData,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[Progress], None] | None = None,
) -> Result:
    """Plans the teams of every session. (Engine being written.)"""
    raise NotImplementedError
