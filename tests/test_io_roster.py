"""Reading rosters (CSV) and writing team lists."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teamkit.exceptions import RosterError
from teamkit.io.roster import csv_cell, read_roster, read_roster_text, teams_csv_text
from teamkit.model import Participant, ProblemData, Session
from teamkit.plan import Plan, SessionPlan, Team

ROSTER = """\
id,name,gender,age,score,unit,supervisor_id,code
A1,Ana,P,34,1.5,Finance,,007
A2,Budi,L,41,2,Finance,A1,012
A3,Citra,P,,3.25,Health,A1,100
"""


def write(tmp_path, text, name="roster.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# -- reading ----------------------------------------------------------------------------------
def test_reads_participants_with_inferred_types(tmp_path):
    people = read_roster(write(tmp_path, ROSTER))
    assert [p.id for p in people] == ["A1", "A2", "A3"]
    assert [p.name for p in people] == ["Ana", "Budi", "Citra"]
    ana, budi, citra = people
    assert ana.attributes == {
        "gender": "P",
        "age": 34,
        "score": 1.5,
        "unit": "Finance",
        "supervisor_id": None,
        "code": "007",  # a leading zero keeps the column text
    }
    assert isinstance(budi.get("age"), int)
    assert budi.get("score") == 2.0 and isinstance(budi.get("score"), float)
    assert citra.get("age") is None
    assert budi.get("supervisor_id") == "A1"


def test_id_and_name_are_not_attributes(tmp_path):
    (p, *_) = read_roster(write(tmp_path, ROSTER))
    assert "id" not in p.attributes and "name" not in p.attributes
    assert list(p.attributes) == ["gender", "age", "score", "unit", "supervisor_id", "code"]


def test_byte_order_mark_and_crlf_are_accepted(tmp_path):
    people = read_roster(write(tmp_path, "\ufeff" + ROSTER.replace("\n", "\r\n")))
    assert people[0].id == "A1"
    assert people[2].get("code") == "100"


def test_types_override_inference(tmp_path):
    people = read_roster(write(tmp_path, ROSTER), types={"age": "number", "code": "integer", "score": "text"})
    assert people[0].get("age") == 34.0 and isinstance(people[0].get("age"), float)
    assert people[0].get("code") == 7
    assert people[1].get("score") == "2"


def test_other_id_and_name_columns(tmp_path):
    text = "staff,full_name,unit\nS1,Ana A,X\nS2,Budi B,Y\n"
    people = read_roster(write(tmp_path, text), id_column="staff", name_column="full_name")
    assert people[0] == Participant("S1", "Ana A", {"unit": "X"})


def test_without_name_column_names_default_to_ids(tmp_path):
    people = read_roster(write(tmp_path, "id,unit\nA,X\nB,Y\n"))
    assert [p.name for p in people] == ["A", "B"]


def test_cells_are_stripped_and_blank_rows_skipped(tmp_path):
    people = read_roster(write(tmp_path, "id,name,unit\n A , Ana , X \n\n,,\nB,Budi,\n"))
    assert people[0] == Participant("A", "Ana", {"unit": "X"})
    assert people[1].get("unit") is None


def test_negative_and_exponent_numbers(tmp_path):
    people = read_roster(write(tmp_path, "id,delta,x\nA,-3,1e3\nB,+4,-0.5\n"))
    assert people[0].get("delta") == -3 and people[1].get("delta") == 4
    assert people[0].get("x") == 1000.0 and people[1].get("x") == -0.5


def test_read_roster_text():
    people = read_roster_text("id,name\nA,Ana\n")
    assert people == (Participant("A", "Ana"),)


# -- errors -------------------------------------------------------------------------------------
def test_missing_file(tmp_path):
    with pytest.raises(RosterError, match=r"roster file not found: .*nope\.csv"):
        read_roster(tmp_path / "nope.csv")


def test_not_utf8(tmp_path):
    path = write(tmp_path, "id,name\nA,Ana\nB,Jos\u00e9\n", encoding="latin-1")
    with pytest.raises(RosterError) as e:
        read_roster(path)
    message = str(e.value)
    assert "roster.csv" in message and "line 3" in message and "not UTF-8" in message
    assert "byte offset 19" in message


def test_empty_file(tmp_path):
    with pytest.raises(RosterError, match=r"roster\.csv: the roster is empty"):
        read_roster(write(tmp_path, ""))


def test_header_only(tmp_path):
    with pytest.raises(RosterError, match=r"roster\.csv: the roster is empty"):
        read_roster(write(tmp_path, "id,name,unit\n"))


def test_no_id_column_lists_columns_and_suggests(tmp_path):
    with pytest.raises(RosterError) as e:
        read_roster(write(tmp_path, "ID,name,unit\nA,Ana,X\n"))
    message = str(e.value)
    assert "roster.csv: line 1: no 'id' column" in message
    assert "did you mean 'ID'?" in message
    assert "the columns are: ID, name, unit" in message


def test_no_id_column_suggests_close_name(tmp_path):
    with pytest.raises(RosterError, match=r"no 'staff_id' column \(did you mean 'staf_id'\?\)"):
        read_roster(write(tmp_path, "staf_id,name\nA,Ana\n"), id_column="staff_id")


def test_explicit_name_column_must_exist(tmp_path):
    with pytest.raises(RosterError, match=r"no 'full_name' column"):
        read_roster(write(tmp_path, "id,name\nA,Ana\n"), name_column="full_name")


def test_duplicate_header(tmp_path):
    with pytest.raises(RosterError, match=r"roster\.csv: line 1: duplicate column name 'unit' \(columns 3 and 4\)"):
        read_roster(write(tmp_path, "id,name,unit,unit\nA,Ana,X,Y\n"))


def test_unnamed_column(tmp_path):
    with pytest.raises(RosterError, match=r"line 1: column 3 of the header has no name"):
        read_roster(write(tmp_path, "id,name,\nA,Ana,X\n"))


def test_ragged_row(tmp_path):
    text = "id,name,unit\nA,Ana,X\n\nB,Budi\n"
    with pytest.raises(RosterError, match=r"^.*roster\.csv: line 4 has 2 fields, the header has 3$"):
        read_roster(write(tmp_path, text))


def test_line_numbers_count_multiline_cells(tmp_path):
    text = 'id,name,unit\nA,"Ana\nAnwar",X\nB,Budi,Y,Z\n'
    with pytest.raises(RosterError, match=r"line 4 has 4 fields"):
        read_roster(write(tmp_path, text))


def test_empty_id(tmp_path):
    with pytest.raises(RosterError, match=r"roster\.csv: line 3: empty id \(column 'id'\)"):
        read_roster(write(tmp_path, "id,name\nA,Ana\n ,Budi\n"))


def test_duplicate_id_names_both_lines(tmp_path):
    with pytest.raises(RosterError, match=r"roster\.csv: line 4: duplicate id 'A' \(already on line 2\)"):
        read_roster(write(tmp_path, "id,name\nA,Ana\nB,Budi\nA,Anwar\n"))


def test_forced_type_that_does_not_parse(tmp_path):
    text = "id,name,age\nA,Ana,34\nB,Budi,forty\n"
    with pytest.raises(RosterError, match=r"roster\.csv: line 3, column 'age': 'forty' is not a whole number"):
        read_roster(write(tmp_path, text), types={"age": "integer"})
    with pytest.raises(RosterError, match=r"line 3, column 'age': 'forty' is not a number"):
        read_roster(write(tmp_path, text), types={"age": "number"})


def test_types_with_unknown_column(tmp_path):
    with pytest.raises(RosterError, match=r"types names the unknown column 'agee' \(did you mean 'age'\?\)"):
        read_roster(write(tmp_path, ROSTER), types={"agee": "integer"})


def test_types_with_unknown_type(tmp_path):
    with pytest.raises(RosterError, match=r"unknown type 'numbr' for column 'age' \(did you mean 'number'\?\)"):
        read_roster(write(tmp_path, ROSTER), types={"age": "numbr"})  # type: ignore[dict-item]


def test_malformed_csv(tmp_path):
    with pytest.raises(RosterError, match=r"roster\.csv: line 2: malformed CSV"):
        read_roster(write(tmp_path, 'id,name\nA,"Ana"x\n'))


def test_a_folder_is_not_a_roster(tmp_path):
    with pytest.raises(RosterError, match="is a folder"):
        read_roster(tmp_path)


# -- team lists ---------------------------------------------------------------------------------
def test_csv_cell_neutralises_formulas_but_not_numbers():
    assert csv_cell("=SUM(A1:A9)") == "'=SUM(A1:A9)"
    assert csv_cell("+62 812") == "'+62 812"
    assert csv_cell("-x") == "'-x"
    assert csv_cell("@cmd") == "'@cmd"
    assert csv_cell("\tTab") == "'\tTab"
    assert csv_cell("\rCR") == "'\rCR"
    assert csv_cell("-3") == "'-3"  # text that looks like a number stays text
    assert csv_cell(-3) == "-3"
    assert csv_cell(-0.5) == "-0.5"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert csv_cell("Ana") == "Ana"


def test_teams_csv_text():
    people = [
        Participant("A", '=HYPERLINK("http://x")', {"unit": "X", "delta": -3}),
        Participant("B", "Budi", {"unit": "-Y", "delta": 2}),
        Participant("C", "Citra", {"unit": "X", "delta": None, "extra": 1.5}),
    ]
    problem = ProblemData(people, [Session("s1", num_teams=2)])
    plan = Plan([SessionPlan("s1", [Team(1, ["A", "C"]), Team(2, ["B"])])])
    text = teams_csv_text(problem, plan)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["session", "team", "participant_id", "name", "unit", "delta", "extra"]
    assert rows[1] == ["s1", "1", "A", '\'=HYPERLINK("http://x")', "X", "-3", ""]
    assert rows[2] == ["s1", "1", "C", "Citra", "X", "", "1.5"]
    assert rows[3] == ["s1", "2", "B", "Budi", "'-Y", "2", ""]
    assert text.endswith("\r\n") and text.count("\n") == text.count("\r\n") == 4


def test_teams_csv_quotes_line_breaks_in_cells():
    people = [Participant("A", "Ana\rAnwar", {"note": "two\nlines"}), Participant("B", "Budi")]
    problem = ProblemData(people, [Session("s1", num_teams=1)])
    plan = Plan([SessionPlan("s1", [Team(1, ["A", "B"])])])
    rows = list(csv.reader(io.StringIO(teams_csv_text(problem, plan), newline="")))
    assert rows[1] == ["s1", "1", "A", "Ana\rAnwar", "two\nlines"]
    assert len(rows) == 3


_cell_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8)


@given(
    st.lists(
        st.tuples(st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32), _cell_text),
        min_size=1,
        max_size=6,
    )
)
def test_numbers_and_text_survive_a_round_trip(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "n", "x", "t"])
    for k, (n, x, t) in enumerate(rows):
        writer.writerow([f"P{k}", n, repr(float(x)), "t" + t])
    people = read_roster_text(out.getvalue())
    assert [p.get("n") for p in people] == [n for n, _, _ in rows]
    assert [p.get("x") for p in people] == [float(x) for _, x, _ in rows]
    assert [p.get("t") for p in people] == [("t" + t).strip() or None for _, _, t in rows]
