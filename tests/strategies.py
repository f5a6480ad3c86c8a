"""Hypothesis strategies for random problems: the one place they live."""

from __future__ import annotations

from hypothesis import strategies as st

import teamkit as tk


@st.composite
def problems(draw, min_people: int = 4, max_people: int = 12) -> tk.ProblemData:
    n = draw(st.integers(min_people, max_people))
    m = tk.Model()
    for i in range(n):
        m.add_participant(
            f"p{i}",
            attributes={
                "unit": draw(st.sampled_from(["a", "b", "c", "d"])),
                "g": draw(st.sampled_from(["F", "M"])),
                "age": draw(st.integers(20, 60)),
                "boss": "" if i == 0 else draw(st.sampled_from(["", f"p{draw(st.integers(0, i - 1))}"])),
            },
        )
    size = draw(st.integers(2, max(2, n // 2)))
    m.add_session("s1", team_size=size, remainder=draw(st.sampled_from(["larger", "smaller"])))
    hard = st.booleans()
    if draw(st.booleans()):
        m.add_constraint(tk.Spread("unit", max_per_team=draw(st.integers(1, 2)), hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.Balance("g", tolerance=draw(st.integers(0, 1)), hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.NoIsolation("g", values=["F"], hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.NumericBalance("age", hard=False, spread=draw(st.booleans())))
    if draw(st.booleans()):
        m.add_constraint(tk.Hierarchy("boss", hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.Diversity(attributes=["unit", "age"], weight=0.5))
    if draw(st.booleans()):
        m.add_constraint(tk.Apart(["p0", "p1"], hard=draw(hard)))
    if draw(st.booleans()):
        m.add_constraint(tk.Pin(f"p{n - 1}", team=1, hard=draw(hard)))
    return m.data()
