"""The typeface the PDFs are drawn in: DejaVu Sans when its TrueType files are found, else Helvetica.

fpdf2's built-in Helvetica covers Latin-1 only, so "Łukasz Żółć", "Nguyễn Thị Hà" or a note saying
"≥ 5 % — on track →" would lose characters. Debian's ``fonts-dejavu-core`` installs DejaVu Sans in
``/usr/share/fonts/truetype/dejavu/``; ``SCORECARD_PDF_FONT_DIR`` may name another folder with the
same files. fpdf2 embeds only the glyphs a document uses. Without the files the PDFs fall back to
Helvetica: each document's typographic signs spelled in ASCII, anything else outside Latin-1 as '?'.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TTFFont

from metrics import config

log = logging.getLogger(__name__)

FAMILY = "DejaVu"
FALLBACK_FAMILY = "Helvetica"
FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
_KEPT_CONTROLS = frozenset(map(ord, "\n\r\t"))  # multi_cell breaks lines on these itself
_warned: set[Path] = set()


@dataclass(frozen=True)
class Typeface:
    """The family to ``set_font`` and how text must be written for it."""

    family: str
    plain: Mapping[int, str]  # signs spelled in ASCII when only Latin-1 can be drawn
    covered: frozenset[int] | None = None  # code points every loaded style draws; None = Latin-1 only

    @property
    def is_unicode(self) -> bool:
        return self.covered is not None

    def text(self, value: str) -> str:
        """``value`` as it can be drawn: unchanged where the font has the glyph, else '?'."""
        if self.covered is None:
            return value.translate(self.plain).encode("latin-1", "replace").decode("latin-1")
        known = self.covered
        return "".join(c if ord(c) in known or ord(c) in _KEPT_CONTROLS else "?" for c in value)


def font_dir() -> Path:
    return Path(config.setting("SCORECARD_PDF_FONT_DIR")).expanduser()


def font_files(folder: Path, styles: str) -> dict[str, Path] | None:
    """The TrueType file of each wanted style ("" regular, "B" bold, "I" italic), or None if one is missing."""
    wanted = {style: folder / FILES[style] for style in ("", *styles)}
    return wanted if all(path.is_file() for path in wanted.values()) else None


def install(pdf: FPDF, styles: str, plain: Mapping[int, str]) -> Typeface:
    """Load DejaVu Sans in ``styles`` into ``pdf`` if its files are found, else fall back to Helvetica."""
    folder = font_dir()
    files = font_files(folder, styles)
    if files is None:
        _say_falling_back(folder)
        return Typeface(FALLBACK_FAMILY, plain)
    for style, path in files.items():
        pdf.add_font(FAMILY, style, path)
    return Typeface(FAMILY, plain, frozenset.intersection(*(_glyphs(pdf, style) for style in files)))


def _glyphs(pdf: FPDF, style: str) -> frozenset[int]:
    """The code points the loaded DejaVu ``style`` has a glyph for."""
    font = pdf.fonts[FAMILY.lower() + style]
    return frozenset(font.cmap) if isinstance(font, TTFFont) else frozenset()


def _say_falling_back(folder: Path) -> None:
    if folder not in _warned:  # once per folder and process, not on every PDF
        _warned.add(folder)
        log.warning(
            "No DejaVu Sans in %s (install fonts-dejavu-core or set SCORECARD_PDF_FONT_DIR): "
            "PDFs use Helvetica, characters outside Latin-1 become '?'",
            folder,
        )
