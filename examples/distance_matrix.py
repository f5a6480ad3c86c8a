"""Diverse groups from a distance matrix: 24 participants of a workshop answered six survey
questions on a 1-5 scale; the groups of four should be as different inside as possible (the
Maximally Diverse Grouping Problem), with one person from each of the four schools in every
group.

    python examples/distance_matrix.py
"""

from __future__ import annotations

# --8<-- [start:survey]
import numpy as np

import teamkit as tk

#: The survey: 1 = "not at all like me" ... 5 = "very much like me".
QUESTIONS = [
    "I plan ahead",
    "I speak up first",
    "I check the details",
    "I take risks",
    "I like to lead",
    "I come up with new ideas",
]
SCHOOLS = ["North", "South", "East", "West"]


def survey(n: int = 24, seed: int = 2025) -> tuple[list[str], list[str], np.ndarray]:
    """The participants' ids, their schools, and their answers as an ``n x 6`` array (made up
    here, reproducibly; a real survey comes from a spreadsheet)."""
    rng = np.random.default_rng(seed)
    ids = [f"S{k + 1:02d}" for k in range(n)]
    schools = [SCHOOLS[k % len(SCHOOLS)] for k in range(n)]
    answers = rng.integers(1, 6, size=(n, len(QUESTIONS)))
    return ids, schools, answers


def euclidean(answers: np.ndarray) -> np.ndarray:
    """The ``n x n`` matrix of Euclidean distances between the rows of ``answers``."""
    x = answers.astype(float)
    return np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=-1))


# --8<-- [end:survey]
# --8<-- [start:build]
def build(one_per_school: bool = True) -> tk.ProblemData:
    ids, schools, answers = survey()
    model = tk.Model("Workshop groups")
    for pid, school in zip(ids, schools):
        model.add_participant(pid, attributes={"school": school})
    model.add_session("groups", team_size=4)
    # As different as possible: maximise the sum of distances within the groups. The rows of
    # the matrix follow the order in which the participants were added.
    model.add_constraint(tk.Diversity(distances=euclidean(answers)))
    if one_per_school:
        model.add_constraint(tk.Spread("school"))  # hard: never two from one school in a group
    return model.data()


# --8<-- [end:build]
# --8<-- [start:main]
def main(time_limit: float = 2.0) -> tk.Result:
    problem = build()
    result = tk.solve(problem, time_limit=time_limit, seed=1)
    print(result.summary())
    report = tk.check(problem, result.plan)
    print(f"sum of distances within the groups: {-report.objective:.2f}")
    for team, metrics in zip(result.plan.sessions[0].teams, report.teams):
        print(f"  group {team.number}: {', '.join(team.members)}  diversity {metrics.diversity:.2f}")
    return result


# --8<-- [end:main]
if __name__ == "__main__":
    main()
