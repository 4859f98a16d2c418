"""The weekly brief as a PDF (fpdf2: pure Python, no browser or system library needed).

It is drawn in DejaVu Sans when ``pdf_fonts`` finds it, so names and notes in any script show
as written. Without it fpdf2's built-in Helvetica covers Latin-1 only: the few typographic
characters the brief itself uses are spelled in ASCII, and anything else outside Latin-1
becomes '?' rather than failing the export.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from metrics import pdf_fonts

if TYPE_CHECKING:
    from metrics.okrs.brief import Brief

_ASCII = str.maketrans(
    {"→": "->", "—": "-", "–": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'", "·": "-"}
)
INK = (33, 41, 60)
MUTED = (107, 114, 128)


def _paragraph(document: FPDF, height: float, text: str) -> None:
    # Ragged right: justifying a line that ends in a long email would stretch its spaces wide.
    document.multi_cell(0, height, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(brief: Brief) -> bytes:
    document = FPDF(format="A4")
    face = pdf_fonts.install(document, "B", _ASCII)
    document.set_title(face.text(brief.title))
    document.set_author("Shared Scorecard")
    # A fixed creation date (the day made) keeps the bytes of one brief reproducible.
    document.set_creation_date(dt.datetime.combine(brief.made_on, dt.time(), tzinfo=dt.UTC))
    document.set_auto_page_break(auto=True, margin=15)
    document.add_page()
    document.set_text_color(*INK)
    document.set_font(face.family, "B", 16)
    _paragraph(document, 8, face.text(brief.title))
    document.set_font(face.family, "", 9)
    document.set_text_color(*MUTED)
    _paragraph(document, 5, f"Made on {brief.made_on:%d %b %Y} from {brief.basis}.")
    for section in brief.sections:
        document.ln(3)
        document.set_text_color(*INK)
        document.set_font(face.family, "B", 12)
        _paragraph(document, 7, face.text(section.title))
        document.set_font(face.family, "", 10)
        if not section.lines:
            document.set_text_color(*MUTED)
            _paragraph(document, 5, face.text(section.empty))
        for line in section.lines:
            _paragraph(document, 5, face.text(f"- {line}"))
    return bytes(document.output())
