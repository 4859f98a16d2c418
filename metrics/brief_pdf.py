"""The weekly brief as a PDF (fpdf2: pure Python, no browser or system library needed).

fpdf2's built-in Helvetica covers Latin-1 only; the few typographic characters the
brief itself uses are spelled in ASCII, and anything else outside Latin-1 becomes '?'
rather than failing the export. Shipping a TTF would lift that limit.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.enums import XPos, YPos

if TYPE_CHECKING:
    from metrics.brief import Brief

_ASCII = str.maketrans(
    {"→": "->", "—": "-", "–": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'", "·": "-"}
)
INK = (33, 41, 60)
MUTED = (107, 114, 128)


def latin1(text: str) -> str:
    return text.translate(_ASCII).encode("latin-1", errors="replace").decode("latin-1")


def render(brief: Brief) -> bytes:
    document = FPDF(format="A4")
    document.set_title(latin1(brief.title))
    document.set_author("Shared Scorecard")
    # A fixed creation date (the day made) keeps the bytes of one brief reproducible.
    document.set_creation_date(dt.datetime.combine(brief.made_on, dt.time(), tzinfo=dt.UTC))
    document.set_auto_page_break(auto=True, margin=15)
    document.add_page()
    document.set_text_color(*INK)
    document.set_font("Helvetica", "B", 16)
    document.multi_cell(0, 8, latin1(brief.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.set_font("Helvetica", "", 9)
    document.set_text_color(*MUTED)
    document.multi_cell(
        0,
        5,
        f"Made on {brief.made_on:%d %b %Y} from the values in force.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    for section in brief.sections:
        document.ln(3)
        document.set_text_color(*INK)
        document.set_font("Helvetica", "B", 12)
        document.multi_cell(0, 7, latin1(section.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        document.set_font("Helvetica", "", 10)
        if not section.lines:
            document.set_text_color(*MUTED)
            document.multi_cell(0, 5, latin1(section.empty), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for line in section.lines:
            document.multi_cell(0, 5, latin1(f"- {line}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(document.output())
