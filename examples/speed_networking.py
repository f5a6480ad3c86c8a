"""A speed-networking mixer: 60 guests at 15 tables of 4 for 8 rounds, new table-mates in
every round, no two guests of one industry at a table, roles mixed fairly, two guests
arriving late and two leaving early.

    python examples/speed_networking.py

The guest list is invented, made by a fixed random seed, so every run plans the same tables.
"""

# --8<-- [start:guests]
from __future__ import annotations

import itertools
import random

import teamkit as tk

ROUNDS = [f"round-{r}" for r in range(1, 9)]
TABLES = 15
#: How many guests come from each industry, and hold each role; both add up to 60.
INDUSTRIES = {"tech": 14, "finance": 12, "health": 10, "education": 9, "public sector": 8, "retail": 7}
ROLES = {"founder": 12, "manager": 20, "specialist": 20, "student": 8}
FIRST = ["Ana", "Ben", "Cato", "Dina", "Emil", "Fay", "Gil", "Hugo", "Iris", "Jon", "Kai", "Lea"]
LAST = ["Arden", "Basso", "Coll", "Dunn", "Egan", "Frey", "Gale", "Holm", "Ives", "Joss"]
#: Guest id -> the round they arrive at (absent before it), and the round they leave after.
ARRIVES = {"g07": "round-3", "g18": "round-2"}
LEAVES = {"g33": "round-6", "g44": "round-7"}


def guests(seed: int = 3) -> list[tk.Participant]:
    """The invented guest list: an industry and a role for each of 60 guests."""
    rng = random.Random(seed)
    names = rng.sample([f"{a} {b}" for a, b in itertools.product(FIRST, LAST)], 60)
    industries = [value for value, count in INDUSTRIES.items() for _ in range(count)]
    roles = [value for value, count in ROLES.items() for _ in range(count)]
    rng.shuffle(industries)
    rng.shuffle(roles)
    return [tk.Participant(f"g{k + 1:02d}", names[k], {"industry": industries[k], "role": roles[k]}) for k in range(60)]


# --8<-- [end:guests]
# --8<-- [start:build]
def build() -> tk.ProblemData:
    model = tk.Model("Spring networking mixer")
    model.add_participants(guests())
    for round_id in ROUNDS:
        # Fifteen tables, whoever is in the room: 58 guests make 13 tables of 4 and 2 of 3.
        model.add_session(round_id, num_teams=TABLES)
    for guest, round_id in ARRIVES.items():
        model.arrives(guest, round_id)
    for guest, round_id in LEAVES.items():
        model.leaves(guest, round_id)
    model.add_constraint(tk.Spread("industry"))  # no two guests of one industry at a table
    model.add_constraint(tk.Balance("role"))  # every role its fair share of every table
    model.add_constraint(tk.MeetAtMost(1))  # nobody sits with the same guest twice
    return model.data()


# --8<-- [end:build]
# --8<-- [start:main]
def main() -> tk.Result:
    problem = build()
    result = tk.solve(problem, time_limit=10, seed=1)
    print(result.summary())
    print(tk.check(problem, result.plan).summary())
    return result


# --8<-- [end:main]
if __name__ == "__main__":
    main()
