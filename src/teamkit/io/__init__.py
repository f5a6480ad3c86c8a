"""Reading and writing teamkit's files: rosters (CSV), event files (TOML), plan and problem
files (JSON) and team lists (CSV), with safe (atomic) writing of outputs."""

from teamkit.io.event import Event, RosterSpec, SolverOptions, load_event
from teamkit.io.event_write import event_files, write_event
from teamkit.io.plan_json import (
    PLAN_FORMAT,
    PLAN_VERSION,
    PROBLEM_FORMAT,
    PROBLEM_VERSION,
    PlanDocument,
    atomic_write_text,
    plan_from_dict,
    plan_to_dict,
    problem_digest,
    problem_document,
    problem_from_dict,
    problem_to_dict,
    read_plan,
    read_plan_document,
    read_problem,
    result_to_dict,
    write_files,
    write_plan,
)
from teamkit.io.roster import COLUMN_TYPES, csv_cell, read_roster, read_roster_text, teams_csv_text

__all__ = [
    "COLUMN_TYPES",
    "PLAN_FORMAT",
    "PLAN_VERSION",
    "PROBLEM_FORMAT",
    "PROBLEM_VERSION",
    "Event",
    "PlanDocument",
    "RosterSpec",
    "SolverOptions",
    "atomic_write_text",
    "csv_cell",
    "event_files",
    "load_event",
    "plan_from_dict",
    "plan_to_dict",
    "problem_digest",
    "problem_document",
    "problem_from_dict",
    "problem_to_dict",
    "read_plan",
    "read_plan_document",
    "read_problem",
    "read_roster",
    "read_roster_text",
    "result_to_dict",
    "teams_csv_text",
    "write_event",
    "write_files",
    "write_plan",
]
