"""Project teams for a class: 32 students in 8 teams of 4, formed afresh for each of three
projects, with scores balanced, nobody the only one of their gender or home language in a
team, a free time every team shares, two pairs kept apart, one pair together for the first
project, and nobody in a team with the same classmate twice.

    python examples/classroom_projects.py

The class is invented, made by a fixed random seed, so every run plans the same teams.
"""

# --8<-- [start:roster]
from __future__ import annotations

import random

import teamkit as tk

PROJECTS = ["project-1", "project-2", "project-3"]
#: Invented first names, one per student.
NAMES = [
    "Ada", "Bram", "Chidi", "Dana", "Eli", "Farah", "Gus", "Hana",
    "Ivo", "Jun", "Kira", "Luca", "Mina", "Noor", "Otto", "Pia",
    "Quinn", "Rafa", "Sami", "Tess", "Uma", "Vik", "Wren", "Xavi",
    "Yara", "Zeb", "Aiko", "Bodhi", "Cleo", "Dev", "Esme", "Femi",
]  # fmt: skip
#: How many students have each value; the counts add up to 32, the order is shuffled.
GENDERS = {"F": 14, "M": 18}
LANGUAGES = {"English": 22, "Spanish": 6, "Arabic": 4}
#: When a student can meet their team outside class: most at both times, some at one only.
FREE = {"both": 25, "lunch only": 4, "after school only": 3}


def roster(seed: int = 7) -> list[tk.Participant]:
    """The invented class: gender, home language, a score out of 100 and free times."""
    rng = random.Random(seed)

    def shuffled(counts: dict[str, int]) -> list[str]:
        values = [value for value, count in counts.items() for _ in range(count)]
        rng.shuffle(values)
        return values

    genders, languages, free = shuffled(GENDERS), shuffled(LANGUAGES), shuffled(FREE)
    students = []
    for k, name in enumerate(NAMES):
        score = min(100, max(35, round(rng.gauss(70, 12))))
        attributes = {"gender": genders[k], "language": languages[k], "score": score, "free": free[k]}
        students.append(tk.Participant(f"s{k + 1:02d}", name, attributes))
    return students


# --8<-- [end:roster]
# --8<-- [start:build]
def build() -> tk.ProblemData:
    model = tk.Model("Class 9B project teams")
    students = model.add_participants(roster())
    for project in PROJECTS:
        model.add_session(project, team_size=4)

    # Every team's mean score within 2 points of the class mean.
    model.add_constraint(tk.NumericBalance("score", tolerance=2.0))
    # Nobody the only girl (or boy) in a team, nor the only speaker of a home language that
    # is not the class's main one.
    model.add_constraint(tk.NoIsolation("gender"))
    model.add_constraint(tk.NoIsolation("language", values=["Spanish", "Arabic"]))

    # A team needs a time when all its members are free: never a lunch-only student with an
    # after-school-only one (the others are free at both times).
    lunch = [s.id for s in students if s.attributes["free"] == "lunch only"]
    after = [s.id for s in students if s.attributes["free"] == "after school only"]
    for a in lunch:
        for b in after:
            model.add_constraint(tk.Apart([a, b], label=f"free-time({a},{b})"))

    # The teacher's lists: two pairs who should not work together, and two students who
    # proposed the first project's topic together.
    model.add_constraint(tk.Apart(["s03", "s11"]))
    model.add_constraint(tk.Apart(["s08", "s21"]))
    model.add_constraint(tk.Together(["s05", "s14"], sessions=["project-1"]))

    # New team-mates for every project.
    model.add_constraint(tk.MeetAtMost(1))
    return model.data()


# --8<-- [end:build]
# --8<-- [start:main]
def main() -> tk.Result:
    problem = build()
    result = tk.solve(problem, time_limit=10, seed=1)
    print(result.summary())
    report = tk.check(problem, result.plan)
    print()
    print(report.summary())
    students = {p.id: p for p in problem.participants}
    for session in result.plan.sessions:
        print(f"\n{session.session}")
        for team in session.teams:
            names = ", ".join(students[m].name for m in team.members)
            print(f"  team {team.number}: {names}")
    return result


# --8<-- [end:main]
if __name__ == "__main__":
    main()
