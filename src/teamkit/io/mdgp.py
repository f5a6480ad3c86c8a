"""Reader for MDGPLIB instances of the Maximally Diverse Grouping Problem.

Format: a header ``n m ss|ds a1 b1 ... am bm`` (the size range of each of the m groups), then
one line ``i j d`` per pair ``i < j`` (0-based).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from teamkit.constraints import Diversity
from teamkit.exceptions import RosterError
from teamkit.model import Model, ProblemData


def read_mdgp(path: str | Path) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The distance matrix and the (low, high) size of every group."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    head = lines[0].split()
    try:
        n, m = int(head[0]), int(head[1])
        bounds = [(int(head[3 + 2 * g]), int(head[4 + 2 * g])) for g in range(m)]
    except (IndexError, ValueError):
        raise RosterError(f"{path}: line 1 is not 'n m ss|ds a1 b1 ...': {lines[0]!r}") from None
    D = np.zeros((n, n))
    for number, line in enumerate(lines[1:], start=2):
        parts = line.split()
        if not parts:
            continue
        try:
            i, j, d = int(parts[0]), int(parts[1]), float(parts[2])
            D[i, j] = D[j, i] = d
        except (IndexError, ValueError):
            raise RosterError(f"{path}: line {number} is not 'i j d': {line!r}") from None
    return D, bounds


def mdgp_problem(path: str | Path) -> ProblemData:
    """An MDGPLIB instance as a teamkit problem: elements ``e0..e{n-1}``, one session with
    the instance's group sizes, and a diversity objective over its distances."""
    D, bounds = read_mdgp(path)
    model = Model(name=Path(path).stem)
    for i in range(len(D)):
        model.add_participant(f"e{i}")
    model.add_session("groups", team_sizes=bounds)
    model.add_constraint(Diversity(distances=D))
    return model.data()
