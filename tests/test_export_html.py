"""The printable HTML pages: their structure against the views they are built on, escaping,
self-containment, determinism and times; then the pages in a real (headless) browser, printed
to PDF with one page per team card and per agenda."""

from __future__ import annotations

import datetime as dt
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

import teamkit as tk
from teamkit import views
from teamkit.export.printable import PAGES, html_files
from teamkit.plan import Plan, SessionPlan

# -- a small solved event ----------------------------------------------------------------------

HOSTILE_NAME = "<script>alert(1)</script>"
#: An id that would end an HTML attribute and add an element if it were not escaped.
HOSTILE_ID = 'p07"><img src=x onerror=alert(2)>'
HOSTILE_STATION = 'Tower "<b>" & co'
TZ = "Asia/Jakarta"


def event(*, times: bool = True) -> tk.ProblemData:
    """12 people (one with a script for a name, one with an id that breaks out of an
    attribute) in 3 teams of 4 over two sessions: two station slots in the morning, two and a
    plenary in the afternoon; two stations of two teams with an instructor each; a leader in
    every team."""
    m = tk.Model("Field day <b>&amp;</b>", timezone=TZ)
    for i in range(12):
        pid = HOSTILE_ID if i == 7 else f"p{i:02d}"
        name = HOSTILE_NAME if i == 3 else f"Person {i:02d}"
        m.add_participant(pid, name, attributes={"unit": f"u{i % 4}"})
    clock = {"slot_minutes": 50, "break_minutes": 10} if times else {}
    m.add_session(
        "s1",
        name="Morning",
        team_size=4,
        day="d1",
        slots=2,
        start=dt.datetime(2025, 5, 15, 8) if times else None,
        **clock,
    )
    m.add_session(
        "s2",
        name="Afternoon",
        team_size=4,
        day="d1",
        slots=3,
        plenary=[3],
        start=dt.datetime(2025, 5, 15, 13, 30) if times else None,
        **clock,
    )
    m.add_station("Rope bridge", capacity=2, staff=1)
    m.add_station(HOSTILE_STATION, capacity=2, staff=1)
    m.add_instructor("i1", "Ibu Sari")
    m.add_instructor("i2")
    m.add_role("leader", max_turns=1)
    m.add_constraint(tk.Spread("unit"))
    return m.data()


def untimed(problem: tk.ProblemData) -> tk.ProblemData:
    """The same problem with no session times (and no time zone)."""
    sessions = [attrs.evolve(s, start=None, slot_minutes=None, break_minutes=0) for s in problem.sessions]
    return problem.replace(sessions=sessions, timezone=None)


@pytest.fixture(scope="module")
def solved() -> tuple[tk.ProblemData, tk.Result]:
    problem = event()
    result = tk.solve(problem, time_limit=10, seed=1)
    assert result.feasible, result.summary()
    report = tk.check(problem, result.plan)
    assert report.feasible and report.hard_violations == 0, report.summary()
    return problem, result


@pytest.fixture(scope="module")
def pages(solved) -> dict[str, bytes]:
    problem, result = solved
    return html_files(problem, result.plan, result=result)


# -- a small tree of the HTML, enough to query by class and read text ---------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@attrs.define
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = attrs.field(factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, cls: str | None = None, tag: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (cls is None or cls in n.classes) and (tag is None or n.tag == tag)]

    def find(self, cls: str | None = None, tag: str | None = None) -> Node:
        found = self.find_all(cls, tag)
        assert found, f"no {tag or ''}.{cls or ''} in <{self.tag} {self.attrs}>"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs_):
        node = Node(tag, dict(attrs_))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        # Close up to the matching element; the pages are well formed, so this is exact.
        for k in range(len(self.stack) - 1, 0, -1):
            if self.stack[k].tag == tag:
                del self.stack[k:]
                return
        raise AssertionError(f"stray </{tag}>")

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(document: bytes) -> Node:
    builder = _TreeBuilder()
    builder.feed(document.decode("utf-8"))
    builder.close()
    assert builder.stack == [builder.root], f"unclosed elements: {[n.tag for n in builder.stack[1:]]}"
    return builder.root


def clean(text: str) -> str:
    return " ".join(text.split())


# -- structure -----------------------------------------------------------------------------------


def test_four_linked_pages(pages):
    assert set(pages) == set(PAGES) == {"index.html", "team-cards.html", "agendas.html", "timetables.html"}
    for name, document in pages.items():
        assert document.startswith(b"<!DOCTYPE html>"), name
        assert b'<meta charset="utf-8">' in document
        parse(document)
    links = {a.attrs["href"] for a in parse(pages["index.html"]).find_all(tag="a")}
    assert links == {"team-cards.html", "agendas.html", "timetables.html"}


def test_index_shows_sessions_and_the_checks_figures(solved, pages):
    problem, result = solved
    report = tk.check(problem, result.plan)
    index = parse(pages["index.html"])
    assert clean(index.find(tag="h1").text()) == problem.name
    rows = index.find("sessions").find(tag="tbody").find_all(tag="tr")
    assert [r.attrs["data-session"] for r in rows] == ["s1", "s2"]
    figures = {
        clean(r.find(tag="th").text()): clean(r.find(tag="td").text())
        for r in index.find("figures").iter()
        if r.tag == "tr"
    }
    assert figures["Hard constraints"] == "all met"
    assert figures["Hard violation amount"] == "0"
    assert figures["Repeated meetings"] == str(report.meetings.repeated_pairs)
    assert figures["Teams over all sessions"] == "6"
    assert figures["Exercises repeated within a day"] == str(report.activities.repeats_within_day)
    solve = clean(index.find("solve").text())
    assert result.status.value in solve and "runtime" not in solve.lower()


def test_one_team_card_per_team_matching_the_rosters(solved, pages):
    problem, result = solved
    cards = parse(pages["team-cards.html"]).find_all("team-card")
    rows = views.rosters(problem, result.plan)
    assert len(cards) == len(rows) == sum(len(sp.teams) for sp in result.plan.sessions) == 6
    for card, row in zip(cards, rows):
        assert (card.attrs["data-session"], card.attrs["data-team"]) == (row.session, str(row.team))
        assert clean(card.find("team-number").text()) == f"Team {row.team}"
        assert clean(card.find("session-name").text()) == row.session_name
        members = card.find("members").find(tag="tbody").find_all(tag="tr")
        assert [
            (m.attrs["data-participant"], clean(m.find("name").text()), clean(m.find("role").text())) for m in members
        ] == [(m.id, m.name, m.role or "") for m in row.members]
        session = problem.sessions[problem.session_index(row.session)]
        route = card.find("route").find(tag="tbody").find_all(tag="tr")
        expected = ["Plenary" if j in session.plenary else row.stations[j - 1] for j in range(1, session.slots + 1)]
        assert [clean(r.find("station").text()) for r in route] == expected


def test_every_participant_has_one_agenda_matching_the_view(solved, pages):
    problem, result = solved
    agendas = parse(pages["agendas.html"]).find_all("agenda")
    assert [a.attrs["data-participant"] for a in agendas] == [p.id for p in problem.participants]
    names = {p.id: p.name for p in problem.participants}
    for person, page in zip(problem.participants, agendas):
        assert clean(page.find("name").text()) == person.name
        assert clean(page.find("pid").text()) == person.id
        rows = views.agenda(problem, result.plan, person.id)
        shown = []
        for block in page.find_all("agenda-session"):
            role = block.find_all("role")
            teammates = [clean(li.text()) for li in block.find("mates").find_all(tag="li")]
            for tr in block.find("slots").find_all(tag="tr"):
                station = clean(tr.find("station").text())
                shown.append(
                    (
                        block.attrs["data-session"],
                        int(tr.attrs["data-slot"]),
                        int(clean(block.find("team").text())),
                        clean(role[0].text()) if role else None,
                        None if station == "Plenary" else station,
                        teammates,
                    )
                )
        assert shown == [(r.session, r.slot, r.team, r.role, r.station, [names[t] for t in r.teammates]) for r in rows]


def test_station_timetables_match_the_view(solved, pages):
    problem, result = solved
    tables = parse(pages["timetables.html"]).find_all("timetable")
    assert [t.attrs["data-station"] for t in tables] == [s.name for s in problem.stations]
    names = {i.id: i.name for i in problem.instructors}
    shown = []
    for table in tables:
        for block in table.find_all("timetable-session"):
            for tr in block.find(tag="tbody").find_all(tag="tr"):
                teams = tuple(int(clean(t.text())) for t in tr.find_all("team"))
                staff = clean(tr.find("instructors").text())
                shown.append(
                    (table.attrs["data-station"], block.attrs["data-session"], int(tr.attrs["data-slot"]), teams, staff)
                )
    expected = [
        (
            r.station,
            r.session,
            r.slot,
            r.teams,
            ", ".join(names[i] if names[i] == i else f"{names[i]} ({i})" for i in r.instructors),
        )
        for r in views.timetable(problem, result.plan)
    ]
    assert shown == expected
    # Every station slot that receives teams shows the instructor running it.
    assert all(row[4] for row in shown if row[3])


# -- safety --------------------------------------------------------------------------------------


def test_untrusted_text_is_escaped(pages):
    for name, document in pages.items():
        text = document.decode("utf-8")
        assert "<script" not in text, name
        assert "<img" not in text and "onerror=alert(2)>" not in text, name
        assert "<b>" not in text, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["agendas.html"].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["team-cards.html"].decode()
    assert 'data-participant="p07&#34;&gt;&lt;img src=x onerror=alert(2)&gt;"' in pages["agendas.html"].decode()
    # The event name is shown as written, markup and all: "&amp;" stays text.
    assert "Field day &lt;b&gt;&amp;amp;&lt;/b&gt;" in pages["index.html"].decode()


def test_no_external_assets(pages):
    for name, document in pages.items():
        text = document.decode("utf-8")
        for banned in ("http://", "https://", "url(", "@import", "<link", "<script", "<iframe"):
            assert banned not in text, (name, banned)
        for node in parse(document).iter():
            assert "src" not in node.attrs, (name, node.tag)
            if "href" in node.attrs:
                assert node.attrs["href"] in PAGES, (name, node.attrs["href"])
        assert len(re.findall(r"<style>", text)) == 1


def test_same_input_same_bytes(solved, pages):
    problem, result = solved
    again = html_files(event(), Plan(list(result.plan.sessions)), result=result)
    assert again == pages
    assert html_files(problem, result.plan) == html_files(problem, result.plan)


# -- times ---------------------------------------------------------------------------------------


def test_times_are_shown_with_the_sessions_date(pages):
    index = pages["index.html"].decode()
    assert index.count(TZ) == 1
    assert "Thu 15 May 2025, 08:00\u201309:50" in index
    # The afternoon: two 50-minute slots 10 minutes apart, then the plenary.
    assert "Thu 15 May 2025, 13:30\u201316:20" in index
    cards = parse(pages["team-cards.html"]).find_all("team-card")
    morning = cards[0]
    assert clean(morning.find("when").text()) == "Thu 15 May 2025, 08:00\u201309:50"
    assert [clean(t.text()) for t in morning.find_all("time")] == ["08:00\u201308:50", "09:00\u201309:50"]
    agenda = parse(pages["agendas.html"]).find("agenda")
    assert [clean(t.text()) for t in agenda.find_all("time")] == [
        "08:00\u201308:50",
        "09:00\u201309:50",
        "13:30\u201314:20",
        "14:30\u201315:20",
        "15:30\u201316:20",
    ]
    assert "08:00\u201308:50" in pages["timetables.html"].decode()
    for name in ("team-cards.html", "agendas.html", "timetables.html"):
        assert TZ not in pages[name].decode()


def test_starts_with_a_zone_are_shown_in_the_events_zone(solved):
    problem, result = solved
    utc = [
        attrs.evolve(s, start=s.start.replace(tzinfo=dt.timezone(dt.timedelta(hours=7))).astimezone(dt.UTC))
        for s in problem.sessions
    ]
    files = html_files(problem.replace(sessions=utc), result.plan)
    assert "Thu 15 May 2025, 08:00\u201309:50" in files["index.html"].decode()
    # Without an event time zone they are shown as written, with their offset named once.
    files = html_files(problem.replace(sessions=utc, timezone=None), result.plan)
    index = files["index.html"].decode()
    assert "Thu 15 May 2025, 01:00\u201302:50" in index and index.count("UTC+00:00") == 1


def test_without_times_nothing_breaks(solved):
    problem, result = solved
    files = html_files(untimed(problem), result.plan)
    assert set(files) == set(PAGES)
    for name, document in files.items():
        text = document.decode()
        assert "May 2025" not in text and TZ not in text and "Times are in" not in text, name
        parse(document)
    cards = parse(files["team-cards.html"]).find_all("team-card")
    assert len(cards) == 6
    assert not cards[0].find_all("time") and not cards[0].find_all("when")
    assert [clean(th.text()) for th in cards[0].find("route").find_all(tag="th")] == ["Slot", "Station", "Instructor"]
    assert len(parse(files["agendas.html"]).find_all("agenda")) == 12


def test_a_faulty_plan_is_shown_with_its_violations(solved):
    problem, result = solved
    # Nobody leads in the first session: a "roles" fault in every team.
    first = result.plan.sessions[0]
    leaderless = SessionPlan(first.session, [attrs.evolve(t, roles={}) for t in first.teams], staff=first.staff)
    plan = Plan([leaderless, *result.plan.sessions[1:]])
    report = tk.check(problem, plan)
    assert not report.feasible
    index = parse(html_files(problem, plan)["index.html"])
    assert len(index.find("violations").find_all(tag="li")) == len(report.violations)
    figures = clean(index.find("figures").text())
    assert f"{len(report.violations)} violations" in figures
    assert not index.find_all("solve")


# -- in a browser ------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
#: CI sets this: there a missing browser is a failure, not a reason to skip.
REQUIRE_BROWSER = os.environ.get("TEAMKIT_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

browser_test = pytest.mark.skipif(
    not CHROMIUM.exists() and not REQUIRE_BROWSER,
    reason=f"no browser at {CHROMIUM} (apt-get install chromium); set TEAMKIT_REQUIRE_BROWSER=1 to make this fail",
)


@pytest.fixture(scope="module")
def browser():
    # Reached without a browser only when TEAMKIT_REQUIRE_BROWSER=1 (else the mark skips).
    if not CHROMIUM.exists():
        pytest.fail(f"TEAMKIT_REQUIRE_BROWSER=1 but there is no browser at {CHROMIUM}")
    if REQUIRE_BROWSER:
        from playwright.sync_api import sync_playwright
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


@browser_test
def test_pages_in_a_browser_print_one_card_and_one_agenda_per_page(solved, pages, browser, tmp_path):
    problem, _ = solved
    for name, document in pages.items():
        (tmp_path / name).write_bytes(document)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto((tmp_path / "team-cards.html").as_uri())
    card = page.locator(".team-card").first
    assert card.is_visible()
    assert "Person 00" in page.locator('.team-card:has([data-participant="p00"])').first.inner_text()
    assert any(HOSTILE_NAME in text for text in page.locator(".team-card").all_inner_texts())
    assert page.locator(".team-card").count() == 6
    shot = tmp_path / "team-cards.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    page.pdf(path=str(tmp_path / "team-cards.pdf"), format="A4")
    assert pdf_pages(tmp_path / "team-cards.pdf") == 6

    page.goto((tmp_path / "agendas.html").as_uri())
    agenda = page.locator(".agenda").first
    assert agenda.is_visible()
    assert "Person 00" in agenda.inner_text()
    assert page.locator(".agenda").count() == problem.num_participants
    page.pdf(path=str(tmp_path / "agendas.pdf"), format="A4")
    assert pdf_pages(tmp_path / "agendas.pdf") == problem.num_participants

    page.goto((tmp_path / "timetables.html").as_uri())
    assert page.locator(".timetable").first.is_visible()
    page.pdf(path=str(tmp_path / "timetables.pdf"), format="A4")
    assert pdf_pages(tmp_path / "timetables.pdf") == len(problem.stations)

    # The links between the pages work from the files, and nothing was fetched from elsewhere.
    page.goto((tmp_path / "index.html").as_uri())
    page.click("text=Agendas")
    assert page.url.endswith("/agendas.html")
    assert all(url.startswith("file://") for url in requests), requests
    assert dialogs == []  # the hostile name did not run
    page.close()
