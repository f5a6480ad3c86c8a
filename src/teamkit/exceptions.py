"""Exceptions and warnings raised by teamkit.

Every error a person can cause derives from :class:`TeamkitError` *and* from the builtin
that fits it (``ValueError`` for bad data), so callers may catch either.
"""

from __future__ import annotations


class TeamkitError(Exception):
    """Base class of every error teamkit raises on purpose."""


class ModelError(TeamkitError, ValueError):
    """The problem is malformed: an unknown id, a duplicate, sizes that cannot add up.

    Raised when the model is built, never in the middle of a solve. The message names the
    offending participant, session or constraint.
    """


class RosterError(TeamkitError, ValueError):
    """A roster file cannot be read: it names the file and, where it can, the line."""


class EventFileError(TeamkitError, ValueError):
    """An event file is malformed: it names the file and the key or table at fault."""


class PlanFileError(TeamkitError, ValueError):
    """A plan file cannot be read or does not fit the problem it is checked against."""


class ExportError(TeamkitError, ValueError):
    """A plan cannot be exported as asked, e.g. calendars for sessions that have no times."""


class ProblemTooLarge(TeamkitError, MemoryError):
    """The problem would need more memory than the machine has: refused before solving.

    Attributes:
        estimate: bytes the solve was expected to need (:func:`teamkit.limits.estimate_memory`).
        available: bytes of memory available when it was refused.
    """

    def __init__(self, message: str, *, estimate: int, available: int) -> None:
        super().__init__(message)
        self.estimate = estimate
        self.available = available


class SolverError(TeamkitError, RuntimeError):
    """The solver failed in a way that is a bug in teamkit, not in the input."""


class TeamkitWarning(UserWarning):
    """Advice: something is allowed but probably not what was meant."""
