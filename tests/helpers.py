"""Small problem builders shared by the tests (kept tiny so CP-SAT and the search are fast)."""

from __future__ import annotations

from pathlib import Path

import teamkit as tk

#: The small MDGPLIB instances kept with the tests.
MDGP_DATA = Path(__file__).parent / "data" / "mdgplib"
#: Exact optima of instance 01 of each small MDGPLIB set (exhaustive search, published with the data).
MDGP_OPTIMA = {
    "Geo_n010_ss_01": 3660.67,
    "Geo_n010_ds_01": 3864.69,
    "Geo_n012_ss_01": 716.46,
    "Geo_n012_ds_01": 807.68,
    "RanInt_n010_ss_01": 1292,
    "RanInt_n010_ds_01": 1325,
    "RanInt_n012_ss_01": 985,
    "RanInt_n012_ds_01": 1059,
    "RanReal_n010_ss_01": 1427.85,
    "RanReal_n010_ds_01": 1437.81,
    "RanReal_n012_ss_01": 956.43,
    "RanReal_n012_ds_01": 1050.35,
}


def people_model(rows: list[dict], **session) -> tk.Model:
    m = tk.Model()
    for k, row in enumerate(rows):
        row = dict(row)
        pid = row.pop("id", f"p{k:02d}")
        m.add_participant(pid, attributes=row)
    m.add_session("s1", **(session or {"team_size": 3}))
    return m


def solve_and_check(problem: tk.ProblemData, **options) -> tuple[tk.Result, tk.CheckReport]:
    """Solves, then verifies the plan with the independent checker, and cross-checks the
    engine's objective against the checker's."""
    options.setdefault("time_limit", 10)
    result = tk.solve(problem, **options)
    assert result.plan is not None, result.summary()
    report = tk.check(problem, result.plan)
    if result.feasible:
        assert report.feasible, report.summary()
        assert result.objective is not None
        assert abs(result.objective - report.objective) <= 1e-6 * max(1.0, abs(report.objective))
    return result, report


def golfers(groups: int, size: int, rounds: int, *rules: tk.Constraint) -> tk.ProblemData:
    """The Social Golfer Problem's layout: groups x size people ``p01``..., ``rounds``
    sessions ``r1``... of teams of exactly ``size``, and the given rules."""
    m = tk.Model(name=f"{groups}-{size}-{rounds}")
    for i in range(groups * size):
        m.add_participant(f"p{i + 1:02d}")
    for r in range(rounds):
        m.add_session(f"r{r + 1}", team_size=size, remainder="exact")
    for c in rules:
        m.add_constraint(c)
    return m.data()


def pair_meetings(plan: tk.Plan) -> dict[tuple[str, str], int]:
    """How often each pair shares a team, counted here straight from the plan's teams (every
    session its own block)."""
    counts: dict[tuple[str, str], int] = {}
    for session in plan.sessions:
        for team in session.teams:
            members = sorted(team.members)
            for a, first in enumerate(members):
                for second in members[a + 1 :]:
                    counts[first, second] = counts.get((first, second), 0) + 1
    return counts
