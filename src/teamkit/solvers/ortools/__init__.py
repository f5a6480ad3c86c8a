"""The only package that talks to OR-Tools CP-SAT."""

from teamkit.solvers.ortools.session import SessionOutcome, improve_session

__all__ = ["SessionOutcome", "improve_session"]
