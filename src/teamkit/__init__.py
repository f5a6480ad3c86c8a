"""teamkit: plan team-building events with mixed teams, on OR-Tools CP-SAT."""

from teamkit.activities import Instructor, Role, Station
from teamkit.checker import CheckReport, Violation, check
from teamkit.constraints import (
    Apart,
    AvoidRepeats,
    AvoidStations,
    Balance,
    Constraint,
    Diversity,
    ExerciseOnce,
    FairTurns,
    Hierarchy,
    MeetAtMost,
    NoIsolation,
    NumericBalance,
    Pin,
    Reach,
    RolePin,
    RoleShare,
    Spread,
    StaffPin,
    Together,
)
from teamkit.exceptions import (
    EventFileError,
    ModelError,
    PlanFileError,
    RosterError,
    SolverError,
    TeamkitError,
    TeamkitWarning,
)
from teamkit.model import Model, Participant, ProblemData, Session
from teamkit.plan import Plan, SessionPlan, StaffSlot, Team
from teamkit.result import Result, Status
from teamkit.solve import Progress, solve

__version__ = "0.1.0"

__all__ = [
    "Apart",
    "AvoidRepeats",
    "AvoidStations",
    "Balance",
    "CheckReport",
    "Constraint",
    "Diversity",
    "EventFileError",
    "ExerciseOnce",
    "FairTurns",
    "Hierarchy",
    "Instructor",
    "MeetAtMost",
    "Model",
    "ModelError",
    "NoIsolation",
    "NumericBalance",
    "Participant",
    "Pin",
    "Plan",
    "PlanFileError",
    "ProblemData",
    "Progress",
    "Reach",
    "Result",
    "Role",
    "RolePin",
    "RoleShare",
    "RosterError",
    "Session",
    "SessionPlan",
    "SolverError",
    "Spread",
    "StaffPin",
    "StaffSlot",
    "Station",
    "Status",
    "Team",
    "TeamkitError",
    "TeamkitWarning",
    "Together",
    "Violation",
    "check",
    "solve",
]
