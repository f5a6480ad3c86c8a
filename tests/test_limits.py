"""The memory estimate, and problems refused up front when it exceeds what is available."""

from __future__ import annotations

import numpy as np
import pytest

import teamkit as tk
from teamkit import limits

from .helpers import golfers


def diverse(n: int, sessions: int = 1, linked: bool = False) -> tk.ProblemData:
    rng = np.random.default_rng(0)
    points = rng.random((n, 2))
    D = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    m = tk.Model()
    for i in range(n):
        m.add_participant(f"p{i:03d}")
    for k in range(sessions):
        m.add_session(f"s{k + 1}", team_size=4)
    m.add_constraint(tk.Diversity(distances=D))
    if linked:
        m.add_constraint(tk.MeetAtMost(1, hard=False))
    return m.data()


def test_the_estimate_grows_with_people_sessions_and_distances():
    small = limits.estimate_memory(golfers(4, 4, 2))
    more_sessions = limits.estimate_memory(golfers(4, 4, 8))
    assert more_sessions.total - small.total == limits.PLACE_BYTES * 16 * 6
    assert small.total == sum(small.parts.values())
    one = limits.estimate_memory(diverse(40))
    # One session at a time: one copy of the 40 x 40 matrix and the search's tables.
    search = limits.DIVERSITY_SEARCH_COPIES
    assert one.parts["distances of diversity(distances)"] == (1 + search) * 8 * 40 * 40
    # Sessions linked by a meeting rule are searched all at once: a copy per session.
    linked = limits.estimate_memory(diverse(40, sessions=3, linked=True))
    assert linked.parts["distances of diversity(distances)"] == (3 + search) * 8 * 40 * 40
    assert "MiB" in one.describe()


def test_the_compiled_search_is_counted_once_where_it_can_load(monkeypatch):
    monkeypatch.setenv("TEAMKIT_NUMBA", "0")
    without = limits.estimate_memory(diverse(40))
    assert "compiled diversity search" not in without.parts
    monkeypatch.setattr(limits.numba_kernels, "installed", lambda: True)
    with_it = limits.estimate_memory(diverse(40))
    assert with_it.parts["compiled diversity search"] == limits.COMPILED_SEARCH_BYTES
    assert with_it.total - without.total == limits.COMPILED_SEARCH_BYTES
    # Not where no session goes to that search: no distances, another rule beside them, or
    # more people than it takes.
    assert "compiled diversity search" not in limits.estimate_memory(golfers(4, 4, 2)).parts
    assert "compiled diversity search" not in limits.estimate_memory(diverse(40, sessions=2, linked=True)).parts
    monkeypatch.setattr(limits.mdgp, "MAX_PEOPLE", 39)
    assert "compiled diversity search" not in limits.estimate_memory(diverse(40)).parts


def test_the_whole_event_annealing_is_counted_where_it_can_run(monkeypatch):
    from .test_engine_event_anneal import event

    monkeypatch.setenv("TEAMKIT_NUMBA", "0")
    without = limits.estimate_memory(event())
    assert "whole-event annealing" not in without.parts
    monkeypatch.setenv("TEAMKIT_NUMBA", "1")
    monkeypatch.setattr(limits.numba_kernels, "installed", lambda: True)
    with_it = limits.estimate_memory(event())
    assert with_it.parts["whole-event annealing"] == limits.COMPILED_SEARCH_BYTES + 2 * 40 * 40
    assert with_it.total - without.total == with_it.parts["whole-event annealing"]
    # Not where the event does not fit it (here: a person pinned to a team).
    assert "whole-event annealing" not in limits.estimate_memory(event(tk.Pin("p00", 1, session="s1"))).parts


def test_a_problem_beyond_the_memory_available_is_refused_with_the_estimate(monkeypatch, tmp_path):
    problem = diverse(40, sessions=2, linked=True)
    estimate = limits.estimate_memory(problem)
    monkeypatch.setattr(limits, "available_memory", lambda: estimate.total - 1)
    with pytest.raises(tk.ProblemTooLarge) as error:
        tk.solve(problem, time_limit=5)
    message = str(error.value)
    assert message.startswith("solving this problem would need about ")
    assert "interpreter and solver: 160 MiB" in message
    assert "distances of diversity(distances)" in message
    assert "of memory available; plan it in parts" in message
    assert error.value.estimate == estimate.total and error.value.available == estimate.total - 1
    assert isinstance(error.value, MemoryError) and isinstance(error.value, tk.TeamkitError)
    # Exactly enough is enough.
    monkeypatch.setattr(limits, "available_memory", lambda: estimate.total)
    result = tk.solve(problem, time_limit=5, seed=0)
    assert result.feasible and tk.check(problem, result.plan).feasible


def test_repair_is_refused_up_front_too(monkeypatch):
    problem = golfers(3, 3, 2)
    plan = tk.solve(problem, time_limit=5, seed=0).plan
    monkeypatch.setattr(limits, "available_memory", lambda: 1)
    with pytest.raises(tk.ProblemTooLarge, match=r"^repairing a plan of this problem would need about "):
        tk.repair(problem, plan, time_limit=5)


def test_available_memory_is_read_from_the_machine():
    available = limits.available_memory()
    assert available is None or available > 64 * limits.MIB
