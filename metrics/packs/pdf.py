"""The board pack as a PDF (landscape A4), drawn with fpdf2: text stays text, charts are vector lines.

It is drawn in DejaVu Sans when ``pdf_fonts`` finds it, so names and notes in any script show as
written. Without it the PDF core fonts speak Latin-1 only, so the few typographic signs we use
elsewhere are written in plain equivalents and anything else outside Latin-1 becomes '?'.
"""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from metrics import pdf_fonts
from metrics.board import status
from metrics.board import timeline as events
from metrics.board import view as board
from metrics.catalog import definitions as catalog
from metrics.packs import gather as pack
from metrics.packs.gather import PackData, TileText

_PLAIN = str.maketrans(
    {"—": "-", "–": "-", "→": "->", "✎": "", "⚠": "!", "“": '"', "”": '"', "’": "'", "‘": "'", "…": "..."}
)
_RGB = {key: tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5)) for key, colour in pack.RAG_HEX.items()}
_EVENT_RGB = {"incident": (198, 40, 40), "release": (31, 95, 191), "campaign": (123, 63, 160)}
_GREY = (71, 84, 103)


class _Pack(FPDF):
    def __init__(self, data: PackData) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.data = data
        self.face = pdf_fonts.install(self, "BI", _PLAIN)
        self.set_auto_page_break(auto=True, margin=12)
        self.set_margins(12, 12, 12)
        self.set_title(self.face.text(data.title))
        self.set_creator("Shared Scorecard")
        # The day it was built (a frozen pack keeps its bytes, and so its day); the day, not the
        # second, so two builds of one day from the same data are the same file.
        self.set_creation_date(dt.datetime.combine(data.today, dt.time(), tzinfo=dt.UTC))

    def footer(self) -> None:
        self.set_y(-9)
        self.set_font(self.face.family, size=8)
        self.set_text_color(*_GREY)
        view = self.data.view
        self.cell(
            0,
            5,
            self.face.text(f"{self.data.title} · as known on {view.as_of:%d %b %Y} · page {self.page_no()}"),
        )

    def write_line(self, text: str, size: float = 10, style: str = "", height: float = 5.5) -> None:
        self.set_font(self.face.family, style, size)
        self.set_text_color(31, 41, 55)
        self.multi_cell(0, height, self.face.text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def line_cell(self, w: float, h: float, text: str, smallest: float | None = None) -> None:
        """One line of text in a cell ``w`` mm wide, shrunk down to ``smallest`` pt if given, then cut short."""
        drawn, room, size = self.face.text(text), w - 2 * self.c_margin, self.font_size_pt
        while (
            smallest is not None
            and self.font_size_pt - 0.5 >= smallest
            and self.get_string_width(drawn) > room
        ):
            self.set_font_size(self.font_size_pt - 0.5)
        self.cell(w, h, self.cut(drawn, room))
        self.set_font_size(size)

    def cut(self, drawn: str, room: float) -> str:
        """``drawn`` cut with an ellipsis so that it is at most ``room`` mm wide."""
        if self.get_string_width(drawn) <= room:
            return drawn
        ellipsis = self.face.text("…")
        while drawn and self.get_string_width(drawn + ellipsis) > room:
            drawn = drawn[:-1]
        return drawn.rstrip() + ellipsis

    def heading(self, text: str) -> None:
        self.write_line(text, 16, "B", 9)
        self.ln(1)

    def trend(
        self, data: PackData, metric_id: str, x: float, y: float, w: float, h: float, *, with_events: bool
    ) -> None:
        tile = data.view.tile(metric_id)
        if tile is None:
            return
        geo = pack.chart_geometry(tile, data.view.timeline if with_events else [], w, h)
        if not geo.points:
            self.set_font(self.face.family, size=7)
            self.text(x, y + h / 2, "No values yet")
            return
        self.set_line_width(0.2)
        if geo.target_y is not None:
            self.set_draw_color(138, 148, 166)
            with self.local_context():
                self.set_dash_pattern(1, 1)
                self.line(x, y + geo.target_y, x + w, y + geo.target_y)
        for ex, kind, _ in geo.events:
            self.set_draw_color(*_EVENT_RGB.get(kind, (100, 100, 100)))
            with self.local_context():
                self.set_dash_pattern(0.6, 0.6)
                self.line(x + ex, y, x + ex, y + h)
        if with_events:  # the scale, so a reader can tell a wobble from a fall
            self.set_font(self.face.family, size=6)
            self.set_text_color(*_GREY)
            d = tile.definition
            self.text(x + 0.5, y + 2.5, self.face.text(status.format_value(geo.high, d)))
            self.text(x + 0.5, y + h - 0.5, self.face.text(status.format_value(geo.low, d)))
            if geo.first is not None and geo.last is not None:  # the dated axis
                self.text(x, y + h + 2.8, self.face.text(f"{geo.first:%d %b %Y}"))
                last = self.face.text(f"{geo.last:%d %b %Y}")
                self.text(x + w - self.get_string_width(last), y + h + 2.8, last)
        self.set_draw_color(51, 65, 92)
        self.set_line_width(0.35)
        self.polyline([(x + px, y + py) for px, py in geo.points])
        last_x, last_y = geo.points[-1]
        self.set_fill_color(*_RGB[tile.rag])
        self.ellipse(x + last_x - 0.9, y + last_y - 0.9, 1.8, 1.8, style="F")


def _cover(pdf: _Pack) -> None:
    view = pdf.data.view
    counts = view.counts
    pdf.add_page()
    pdf.ln(30)
    pdf.write_line("Shared Scorecard", 30, "B", 14)
    pdf.write_line(f"Board pack {view.period.label} ({view.period.dates})", 18, "", 10)
    pdf.ln(4)
    pdf.write_line(f"Numbers as known on {view.as_of:%d %b %Y}; later restatements are not applied.", 12)
    pdf.write_line(
        status.count_line(counts),
        12,
    )
    pdf.write_line(f"Prepared {pdf.data.today:%d %b %Y} from the metrics IT and marketing agreed.", 10)


def _tile(pdf: _Pack, text: TileText, x: float, y: float, w: float, h: float) -> None:
    pdf.set_draw_color(208, 213, 221)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, w, h)
    pdf.set_fill_color(*_RGB[text.rag])
    pdf.rect(x, y, 1.6, h, style="F")
    pdf.set_text_color(*_GREY)
    pdf.set_font(pdf.face.family, size=7)
    pdf.set_xy(x + 3, y + 1.5)
    pdf.line_cell(w - 4, 3.5, text.name, smallest=6)
    pdf.set_text_color(17, 24, 39)
    pdf.set_font(pdf.face.family, "B", 13)
    pdf.set_xy(x + 3, y + 5.5)
    pdf.line_cell(w - 4, 6, text.value, smallest=10)
    pdf.set_text_color(*_RGB[text.rag])
    pdf.set_font(pdf.face.family, "B", 7)
    pdf.set_xy(x + 3, y + 12)
    pdf.line_cell(w - 4, 3.5, text.status_word + (f" · {text.flags}" if text.flags else ""), smallest=6)
    pdf.set_text_color(*_GREY)
    pdf.set_font(pdf.face.family, size=6.5)
    board_label = pdf.data.view.period.label
    period = text.period.replace(f"{board_label} · ", "").replace(board_label, "")
    lines = [f"{text.change} vs previous", f"{text.year_change} vs last year", f"target {text.target}"]
    for row, line in enumerate([*lines, period] if period else lines):
        pdf.set_xy(x + 3, y + 15.5 + row * 3)
        pdf.line_cell(w - 4, 3, line, smallest=5.5)
    pdf.trend(pdf.data, text.metric_id, x + 3, y + h - 7.5, w - 6, 6, with_events=False)


def _board(pdf: _Pack, texts: list[TileText]) -> None:
    pdf.add_page()
    pdf.heading(f"The board: {pdf.data.view.period.label}")
    value, word, why = pack.budget_text(pdf.data.view)
    pdf.write_line("Customer journey: " + board.funnel_text(board.funnel(pdf.data.view)), 9)
    pdf.write_line(f"Error budget left: {value} ({word}): {why}", 9)
    pdf.ln(1)
    columns, gap = 6, 2.5
    width = (pdf.epw - gap * (columns - 1)) / columns
    height = 36.0
    top = pdf.get_y()
    for index, text in enumerate(texts):
        row, column = divmod(index, columns)
        _tile(pdf, text, pdf.l_margin + column * (width + gap), top + row * (height + gap), width, height)


def _table(
    pdf: _Pack, header: list[str], widths: list[float], rows: list[list[str]], size: float = 8
) -> None:
    pdf.set_font(pdf.face.family, "B", size)
    pdf.set_text_color(31, 41, 55)
    for title, width in zip(header, widths, strict=True):
        pdf.cell(width, 6, pdf.cut(pdf.face.text(title), width - 2 * pdf.c_margin), border="B")
    pdf.ln(6)
    pdf.set_font(pdf.face.family, size=size)
    for row in rows:
        for cell, width in zip(row, widths, strict=True):
            pdf.line_cell(width, 5.5, cell)
        pdf.ln(5.5)


def _area(pdf: _Pack, area: str, texts: list[TileText]) -> None:
    pdf.add_page()
    pdf.heading(area.capitalize())
    _table(
        pdf,
        ["Metric", "Value", "Status", "vs previous", "vs last year", "Target", "Period"],
        [62, 32, 24, 30, 30, 30, 65],
        [[t.name, t.value, t.status_word, t.change, t.year_change, t.target, t.period] for t in texts],
    )
    pdf.ln(3)
    top = pdf.get_y()
    width, height = (pdf.epw - 8) / 2, 38.0
    for index, text in enumerate(texts):
        row, column = divmod(index, 2)
        x, y = pdf.l_margin + column * (width + 8), top + row * (height + 10)
        pdf.set_xy(x, y)
        pdf.set_font(pdf.face.family, "B", 8)
        pdf.line_cell(width, 4, text.name)
        pdf.trend(pdf.data, text.metric_id, x, y + 5, width, height, with_events=True)
    shown = [e for e in pdf.data.view.timeline if any(e.concerns(t.metric_id) for t in texts)][-4:]
    rows = (len(texts) + 1) // 2
    pdf.set_y(top + rows * (height + 10))
    for event in shown:
        pdf.write_line(
            f"{event.day:%d %b %Y} · {events.KIND_LABELS.get(event.kind, event.kind)}: {event.title}",
            8,
            "",
            4,
        )


def _objectives_and_wins(pdf: _Pack) -> None:
    pdf.add_page()
    pdf.heading("Shared OKRs")
    if not pdf.data.objectives:
        pdf.write_line("No accepted shared objectives ran in this period.", 10)
    for o in pdf.data.objectives:
        pdf.write_line(f"{o.title} ({o.period})", 11, "B", 6)
        pdf.write_line(f"Owners: {o.owners} · {o.progress} · {o.status}", 9, "", 5)
        if o.share is not None:  # a progress bar: the share of the way, filled
            y = pdf.get_y() + 0.5
            pdf.set_fill_color(228, 231, 236)
            pdf.rect(pdf.l_margin, y, 80, 2.2, style="F")
            pdf.set_fill_color(51, 65, 92)
            pdf.rect(pdf.l_margin, y, 80 * o.share, 2.2, style="F")
            pdf.ln(4)
        for line in o.key_results:
            pdf.write_line(f"• {line}", 8.5, "", 4.5)
        pdf.ln(2.5)
    pdf.ln(2)
    pdf.heading("Wins of the period")
    for line in pdf.data.wins or ["No new wins in this period."]:
        pdf.write_line(("• " if pdf.data.wins else "") + line, 9, "", 5)


def _notes_and_signoff(pdf: _Pack) -> None:
    pdf.add_page()
    pdf.heading("Owners' notes")
    if not pdf.data.notes:
        pdf.write_line("No owner notes for this period.", 10)
    for name, label, note in pdf.data.notes:
        pdf.write_line(f"{name} ({label}), {pdf.data.who(note.author)}: {note.body}", 9)
    pdf.ln(4)
    pdf.heading("Sign-off status")
    _table(
        pdf,
        ["Metric", "Version", "Status", "IT", "Marketing", "Signed"],
        [62, 18, 32, 60, 60, 30],
        [
            [
                s.name,
                f"v{s.version}",
                s.status,
                pdf.data.who(s.it_signer),
                pdf.data.who(s.marketing_signer),
                s.signed,
            ]
            for s in pdf.data.signoffs
        ],
    )


def _appendix(pdf: _Pack) -> None:
    pdf.add_page()
    pdf.heading("Appendix: definitions")
    for d in (e.definition for e in pdf.data.entries):
        pdf.write_line(d.name, 10, "B", 5)
        pdf.write_line(d.description, 8, "", 4)
        pdf.write_line(f"How it is calculated: {d.calculation}", 8, "", 4)
        pdf.write_line(
            f"{d.area} · {d.cadence} · {d.direction} is better · target {d.target:g}, amber {d.amber:g}, "
            f"red {d.red:g} · owners {pdf.data.who(d.it_owner)} and {pdf.data.who(d.marketing_owner)}",
            7,
            "I",
            4,
        )
        pdf.ln(1.5)
    pdf.heading("Glossary")
    for term, meaning in pdf.data.glossary.items():
        pdf.write_line(f"{term}: {meaning}", 8, "", 4)


def _summary(pdf: _Pack) -> None:
    found = pack.summary(pdf.data)
    pdf.add_page()
    pdf.heading("Executive summary")
    for title, lines, none in (
        ("What moved most since the period before", found.moved, "Nothing changed since the period before."),
        ("Needs attention", found.attention, "Every measure is on or near its target."),
        ("Owners' commentary", found.commentary, "No owner notes for this period."),
    ):
        pdf.write_line(title, 12, "B", 7)
        for line in lines or [none]:
            pdf.write_line(("• " if lines else "") + line, 9, "", 5)
        pdf.ln(3)


def render(data: PackData) -> bytes:
    pdf = _Pack(data)
    texts = [pack.tile_text(t, data.view.period) for t in data.view.tiles]
    _cover(pdf)
    _summary(pdf)
    _board(pdf, texts)
    for area in catalog.AREAS:
        in_area = [t for t in texts if t.area == area]
        if in_area:
            _area(pdf, area, in_area)
    _objectives_and_wins(pdf)
    _notes_and_signoff(pdf)
    _appendix(pdf)
    return bytes(pdf.output())
