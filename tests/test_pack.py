"""The board pack: the same numbers as the board, in a PDF and an offline HTML file; frozen packs never change."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from metrics import access, store
from metrics.board import commentary
from metrics.board import view as board
from metrics.errors import InputRejected, PermissionDenied
from metrics.packs import gather as pack
from metrics.seed import okrs as okr_demo
from tests.conftest import TODAY
from tests.known import W47_HEADLINE, W47_SHOWN
from tests.values import add_values

KNOWN = tuple(W47_SHOWN.values())


def _pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def _pages_as_png(path: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def _latest_week_pack(con: store.Connection, fmt: str) -> bytes:
    return pack.build(pack.gather(con, TODAY, board.latest_period(TODAY)), fmt)


def test_the_pdf_pages_render_and_carry_the_boards_numbers(con: store.Connection, tmp_path: Path) -> None:
    path = tmp_path / "pack.pdf"
    path.write_bytes(_latest_week_pack(con, "pdf"))
    pngs = _pages_as_png(path, tmp_path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert len(pngs) == pages >= 11  # cover, board, 7 areas, notes and sign-off, appendix
    for png in pngs[:3]:
        with Image.open(png) as image:
            darkest, lightest = image.convert("L").getextrema()
            assert int(darkest) < 100 < int(lightest), f"{png.name} looks blank"  # type: ignore[arg-type]
    cover, board_page = _pdf_text(path, 1), _pdf_text(path, 3)
    assert "Board pack 2026-W47" in cover and "Numbers as known on 23 Nov 2026" in cover
    assert W47_HEADLINE in cover
    for value in KNOWN:
        assert value in board_page, value
    everything = _pdf_text(path)
    assert "Sign-off status" in everything and "Dana Okafor" in everything  # people by name, not address
    assert "Appendix: definitions" in everything and "Glossary" in everything


def test_the_html_pack_is_offline_and_says_the_same(con: store.Connection) -> None:
    html = _latest_week_pack(con, "html").decode("utf-8")
    for value in (*KNOWN, W47_HEADLINE, "Numbers as known on <b>23 Nov 2026</b>"):
        assert value in html, value
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html
    sources = re.findall(r'src="([^"]*)"', html)
    assert sources and all(src.startswith("data:image/svg+xml;base64,") for src in sources)  # drawn inside


def test_owner_notes_appear_escaped_in_both_formats(con: store.Connection, tmp_path: Path) -> None:
    sam = access.require_person(con, "sam.marketing@example.com")
    commentary.write(
        con, sam, "sessions", dt.date(2026, 11, 16), "Teasers <script>alert(1)</script> went live"
    )
    html = _latest_week_pack(con, "html").decode("utf-8")
    assert "Teasers &lt;script&gt;alert(1)&lt;/script&gt; went live" in html
    path = tmp_path / "notes.pdf"
    path.write_bytes(_latest_week_pack(con, "pdf"))
    assert "Teasers <script>alert(1)</script> went live" in " ".join(_pdf_text(path).split())


def test_a_quarter_pack_shows_the_quarter(con: store.Connection, tmp_path: Path) -> None:
    data = pack.gather(con, TODAY, board.parse_period("2026-Q3"))
    path = tmp_path / "q3.pdf"
    path.write_bytes(pack.build(data, "pdf"))
    text = _pdf_text(path, 3)
    sessions = data.view.tile("sessions")
    assert sessions is not None
    assert f"{sessions.latest:,.0f}" in text and "average of 13 weeks" in text
    assert "Error budget left" in text


def test_a_frozen_pack_never_changes(con: store.Connection) -> None:
    priya = access.require_person(con, "priya.cio@example.com")
    period = board.parse_period("2026-Q3")
    stored = pack.freeze(con, priya, period, TODAY)
    assert {p.format for p in stored} == {"pdf", "html"}
    pdf = next(p for p in stored if p.format == "pdf")
    _, before = pack.frozen_content(con, pdf.pack_id)
    assert hashlib.sha256(before).hexdigest() == pdf.sha256
    # New numbers land for the quarter; the frozen pack stays as it was, a fresh build differs.
    add_values(
        con,
        [("sessions", dt.date(2026, 9, 28), 1.0)],
        uploaded_by="uma.upload@example.com",
        file_name="late.csv",
    )
    _, after = pack.frozen_content(con, pdf.pack_id)
    assert after == before
    assert pack.build(pack.gather(con, TODAY, period), "pdf") != before
    with pytest.raises(InputRejected, match="already frozen"):
        pack.freeze(con, priya, period, TODAY)


@pytest.mark.parametrize(
    ("email", "period", "error"),
    [
        ("bea.board@example.com", "2026-Q3", PermissionDenied),
        ("dana.it@example.com", "2026-Q3", PermissionDenied),
        ("priya.cio@example.com", "2026-Q4", InputRejected),  # not closed yet
    ],
)
def test_freezing_is_for_executives_at_period_close(
    con: store.Connection, email: str, period: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        pack.freeze(con, access.require_person(con, email), board.parse_period(period), TODAY)
    assert pack.frozen(con) == []


def test_the_command_line_builds_freezes_lists_and_hands_back_packs(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from metrics.cli import main as cli

    out = tmp_path / "q3.pdf"
    assert cli.main(["pack", "--period", "2026-Q3", "--out", str(out)]) == 0
    assert "208,061" in _pdf_text(out, 3)  # Q3's average week of sessions
    assert cli.main(["pack", "--period", "2026-Q3", "--out", str(tmp_path / "q3.html")]) == 0
    assert "<script" not in (tmp_path / "q3.html").read_text(encoding="utf-8")
    assert cli.main(["freeze-pack", "--period", "2026-Q3", "--user", "bea.board@example.com"]) == 2
    assert cli.main(["freeze-pack", "--period", "2026-Q3", "--user", "priya.cio@example.com"]) == 0
    assert cli.main(["freeze-pack", "--period", "2026-Q3", "--user", "priya.cio@example.com"]) == 1
    capsys.readouterr()
    assert cli.main(["packs"]) == 0
    listing = capsys.readouterr().out
    assert "2026-Q3" in listing and "pdf" in listing and "html" in listing
    pack_id = int(next(line for line in listing.splitlines() if " pdf " in line).split()[0])
    copy = tmp_path / "copy.pdf"
    assert cli.main(["packs", "--get", str(pack_id), "--out", str(copy)]) == 0
    assert copy.read_bytes() == out.read_bytes()  # built from the same numbers, byte for byte
    assert cli.main(["pack", "--period", "2026-Q9", "--out", str(out)]) == 1


def test_the_command_line_loads_events_or_lists_every_bad_cell(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from metrics.cli import main as cli

    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,title\n2026-11-01,release,ok\n2026-02-30,party,\n", encoding="utf-8")
    assert cli.main(["events", str(bad), "--user", "priya.cio@example.com"]) == 1
    errors = capsys.readouterr().err
    assert "line 3, column date: '2026-02-30' - not a date" in errors
    assert "line 3, column kind: 'party'" in errors and "line 3, column title: ''" in errors
    good = tmp_path / "good.csv"
    good.write_text("date,kind,title,metric_ids\n2026-11-01,release,ok,sessions\n", encoding="utf-8")
    assert cli.main(["events", str(good), "--user", "bea.board@example.com"]) == 2
    assert cli.main(["events", str(good), "--user", "priya.cio@example.com"]) == 0
    assert "1 event(s) added" in capsys.readouterr().out


def test_a_pack_without_values_still_builds_and_says_so(con: store.Connection, tmp_path: Path) -> None:
    con.execute("UPDATE uploads SET retracted_at = now(), retracted_by = 'alex.admin@example.com'")
    data = pack.gather(con, TODAY, board.latest_period(TODAY))
    assert data.view.counts["no data"] == 24
    path = tmp_path / "empty.pdf"
    path.write_bytes(pack.build(data, "pdf"))
    assert "24 no data" in _pdf_text(path, 1)
    assert "No values yet" in _pdf_text(path, 4)
    assert "No data" in pack.build(data, "html").decode("utf-8")


def test_the_pack_opens_with_an_executive_summary(con: store.Connection, tmp_path: Path) -> None:
    sam = access.require_person(con, "sam.marketing@example.com")
    commentary.write(con, sam, "sessions", dt.date(2026, 11, 16), "Teasers went live early")
    view = board.view(con, TODAY)
    # worked out here from the tiles, not by the summary: the largest relative change first
    changes = {
        t.definition.name: abs(t.latest - t.previous) / abs(t.previous)
        for t in view.tiles
        if t.latest is not None and t.previous and t.latest != t.previous
    }
    biggest = max(changes, key=changes.__getitem__)
    off = [t.definition.name for t in view.tiles if t.word == "off target"]
    assert "Unreviewed SaaS tools" in off
    html = _latest_week_pack(con, "html").decode("utf-8")
    summary = html[html.index("<h2>Executive summary</h2>") : html.index("<h2>The board</h2>")]
    moved = re.findall(r"<li>([^<]*)</li>", summary.split("Needs attention")[0])
    assert len(moved) == 5 and moved[0].startswith(f"{biggest}: ")
    attention = summary.split("Needs attention")[1].split("Owners")[0]
    assert all(f"{name}: " in attention and "off target" in attention for name in off)
    assert attention.index(off[0]) < attention.index("to watch")  # off target first
    assert "Teasers went live early" in summary and "Sam Lindqvist" in summary
    path = tmp_path / "pack.pdf"
    path.write_bytes(_latest_week_pack(con, "pdf"))
    page_two = " ".join(_pdf_text(path, 2).split())
    assert (
        "Executive summary" in page_two
        and f"{biggest}:" in page_two
        and "Teasers went live early" in page_two
    )


def test_the_pack_shows_the_shared_okrs_and_the_wins_of_the_period(
    con: store.Connection, tmp_path: Path
) -> None:
    titles = [title for title, *_ in okr_demo.DEMO_OBJECTIVES]
    html = _latest_week_pack(con, "html").decode("utf-8")
    okrs_part = html[html.index("<h2>Shared OKRs</h2>") : html.index("<h2>Owners' notes</h2>")]
    for title in titles:
        assert f"<h3>{title} (2026-Q4)</h3>" in okrs_part, title
    assert "IT Dana Okafor, marketing Sam Lindqvist" in okrs_part  # owners by name
    # each objective's bar is as long as the share it prints
    for share, width in re.findall(
        r"(\d+)% of the way · <b>[a-z ]+</b></p><div class=\"bar\"[^>]*><span style=\"width: (\d+)%",
        okrs_part,
    ):
        assert share == width
    assert len(re.findall(r'class="bar"', okrs_part)) == len(titles)
    # The demo's sessions were short of target in 2026-W46 and back on target in W47: the week's win.
    w46, w47 = (
        board.view(con, TODAY, board.parse_period(label)).tile("sessions")
        for label in ("2026-W46", "2026-W47")
    )
    assert w46 is not None and w47 is not None and (w46.word, w47.word) == ("near target", "on target")
    wins_part = okrs_part.split("<h2>Wins of the period</h2>")[1]
    assert "Website sessions is back on target" in wins_part and "22 Nov 2026" in wins_part
    path = tmp_path / "pack.pdf"
    path.write_bytes(_latest_week_pack(con, "pdf"))
    text = " ".join(_pdf_text(path).split())
    assert "Shared OKRs" in text and all(title in text for title in titles)
    assert "Wins of the period • Website sessions is back on target" in text


def test_pack_charts_have_a_dated_axis_and_the_pdf_its_build_day(
    con: store.Connection, tmp_path: Path
) -> None:
    path = tmp_path / "pack.pdf"
    path.write_bytes(_latest_week_pack(con, "pdf"))
    week = board.latest_period(TODAY)  # 2026-W47: the newest point of a weekly trend
    first = week.start - dt.timedelta(weeks=pack.TREND_POINTS - 1)  # 52 weekly points back
    awareness = " ".join(_pdf_text(path, 4).split())
    assert f"{first:%d %b %Y}" in awareness and f"{week.start:%d %b %Y}" in awareness
    html = _latest_week_pack(con, "html").decode("utf-8")
    assert f'<div class="axis"><span>{first:%d %b %Y}</span><span>{week.start:%d %b %Y}</span></div>' in html
    assert f"/CreationDate (D:{TODAY:%Y%m%d}".encode() in path.read_bytes()  # the day it was built
    later = pack.build(pack.gather(con, TODAY + dt.timedelta(days=3), week), "pdf")
    assert f"/CreationDate (D:{TODAY + dt.timedelta(days=3):%Y%m%d}".encode() in later
