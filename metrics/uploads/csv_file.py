"""The uploaded file itself, checked before any parsing: size, text, UTF-8, header, row count.

The bytes are read once, in chunks, whether they sit in memory (the page) or on
disk (the command line, which never loads a large file whole): one pass hashes
them, checks UTF-8, counts rows and compresses the copy that is kept.

Problems are plain dicts (line, column, value, rule, reason), the shape every
report in ``metrics.ingest`` uses.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

from metrics import config

REQUIRED_COLUMNS = ("metric_id", "period_start", "value")
OPTIONAL_COLUMNS = ("segment", "note")
_BINARY_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")

Problem = dict[str, object]

#: The longest line accepted, checked before parsing. The longest legal row (an id, a date, a
#: number, a 100-character segment and a 500-character note, every character 4 bytes and quoted)
#: is under 3 KB; a line far beyond that is a broken export, and DuckDB's reader cannot be
#: trusted with it (a 40 MB line made it drop the row, or stop with an internal error).
MAX_LINE_BYTES = 64 * 1024
# A line over the cap covers at least one whole aligned window of half the cap with no line end
# in it, so only such windows (found by memchr, at once for ordinary files) are looked at closely.
_WINDOW = MAX_LINE_BYTES // 2


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=config.max_upload_bytes(),
            max_rows=config.max_rows(),
        )


def problem(line: int | None, column: str, value: str, rule: str, reason: str) -> dict[str, object]:
    return {"line": line, "column": column, "value": value, "rule": rule, "reason": reason}


CHUNK = 1 << 20
HEAD = 8192  # enough to tell a spreadsheet or archive from text, and to hold the header row
PACKING = "zstd"  # how kept originals are compressed (uploads.original_encoding)


def pack(data: bytes) -> bytes:
    """Compress bytes to keep (a metric CSV shrinks about 25 times)."""
    return zstandard.ZstdCompressor(level=3).compress(data)


def unpack(blob: bytes, encoding: str) -> bytes:
    """The original bytes of a kept copy."""
    if encoding == "identity":
        return blob
    if encoding != PACKING:
        raise ValueError(f"unknown encoding of a kept file: {encoding!r}")
    return zstandard.ZstdDecompressor().decompressobj().decompress(blob)


@dataclass
class Received:
    """One uploaded file, read once: its hash, its row count, a compressed copy to keep
    (None when it is over the size cap) and the problems found before any parsing."""

    size: int
    limits: Limits
    head: bytes = b""
    sha256: str = ""
    rows: int = 0
    long_line: tuple[int, int] | None = None  # (line, bytes) of the first line over MAX_LINE_BYTES
    packed: bytes | None = None
    names: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def absorb(self, contents: Contents) -> None:
        """Take in what ``read_through`` found (on the thread that reads these fields)."""
        if self.sha256:
            return
        self.sha256, self.packed = contents.sha256, contents.packed
        if contents.bad_utf8 is not None:
            self.names, self.problems = _inspect(self.head, self, contents.bad_utf8, self.limits)


@dataclass(frozen=True)
class Contents:
    """The whole file's hash, its compressed copy (None over the size cap) and its first
    byte that is not UTF-8 (line, offset, byte), if any."""

    sha256: str
    packed: bytes | None
    bad_utf8: tuple[int, int, bytes] | None


def _chunks(source: bytes | Path) -> Iterator[bytes]:
    if isinstance(source, Path):
        with source.open("rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
        return
    for start in range(0, len(source), CHUNK):
        yield source[start : start + CHUNK]


def _head(source: bytes | Path) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as file:
            return file.read(HEAD)
    return source[:HEAD]


class _Reader:
    """Hash, UTF-8 check (with the line of a bad byte) and compression, fed chunk by chunk."""

    def __init__(self, size: int, keep: bool) -> None:
        self.digest = hashlib.sha256()
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.packer = zstandard.ZstdCompressor(level=3).compressobj(size=size) if keep else None
        self.packed: list[bytes] = []
        self.newlines = 0
        self.offset = 0
        self.bad_utf8: tuple[int, int, bytes] | None = None  # (line, offset, byte)

    def feed(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        if self.packer is not None:
            self.packed.append(self.packer.compress(chunk))
        if self.bad_utf8 is None:
            try:
                self.decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = exc.start - len(self.decoder.getstate()[0])
                line = self.newlines + chunk.count(b"\n", 0, max(at, 0)) + 1
                self.bad_utf8 = (line, self.offset + at, chunk[at : at + 1] if at >= 0 else b"")
            self.newlines += chunk.count(b"\n")  # only needed to place a bad byte
        self.offset += len(chunk)

    def finish(self) -> None:
        if self.bad_utf8 is None:
            try:
                self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.bad_utf8 = (self.newlines + 1, self.offset, b"")
        if self.packer is not None:
            self.packed.append(self.packer.flush())


def first_look(source: bytes | Path, limits: Limits) -> Received:
    """What must pass before any parsing: size, the first bytes, the header row and the row count.

    Cheap (one count of line ends); ``read_through`` does the rest and may run
    beside the parsing, since a failure it finds stops the upload before commit.
    """
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    received = Received(size=size, limits=limits, head=_head(source))
    newlines, last_byte, carried = 0, b"", 0  # carried: bytes of the line a chunk ended inside
    for chunk in _chunks(source):
        if received.long_line is None:
            received.long_line = _long_line(chunk, newlines, carried)
        first_end, last_end = chunk.find(b"\n"), chunk.rfind(b"\n")
        carried = carried + len(chunk) if first_end < 0 else len(chunk) - last_end - 1
        newlines += chunk.count(b"\n")
        last_byte = chunk[-1:] or last_byte
    if received.long_line is None and carried > MAX_LINE_BYTES:  # the last line, with no line end
        received.long_line = (newlines + 1, carried)
    unterminated_last_line = last_byte not in {b"", b"\n"}
    received.rows = max(0, newlines + unterminated_last_line - 1)
    received.names, received.problems = _inspect(received.head, received, None, limits)
    return received


def _long_line(chunk: bytes, newlines_before: int, carried: int) -> tuple[int, int] | None:
    """(line, bytes) of the first line in this chunk over MAX_LINE_BYTES, counting the part of
    it that ``carried`` bytes of earlier chunks began; None when there is none."""
    first_end = chunk.find(b"\n")
    opening = (first_end if first_end >= 0 else len(chunk)) + carried
    if opening > MAX_LINE_BYTES:
        return newlines_before + 1, opening
    for window in range(0, len(chunk) - _WINDOW + 1, _WINDOW):
        if chunk.find(b"\n", window, window + _WINDOW) >= 0:
            continue
        begins = chunk.rfind(b"\n", 0, window) + 1
        ends = chunk.find(b"\n", window + _WINDOW)
        if begins == 0 or ends < 0:
            continue  # the opening line (measured above) or one running on (the next chunk measures it)
        if ends - begins > MAX_LINE_BYTES:
            return newlines_before + chunk.count(b"\n", 0, begins) + 1, ends - begins
    return None


def read_through(source: bytes | Path, size: int, limits: Limits) -> Contents:
    """Hash, check UTF-8 and compress in one pass. Touches nothing shared: safe on another thread."""
    reader = _Reader(size, keep=size <= limits.max_bytes)
    for chunk in _chunks(source):
        reader.feed(chunk)
    reader.finish()
    packed = b"".join(reader.packed) if reader.packer is not None else None
    return Contents(reader.digest.hexdigest(), packed, reader.bad_utf8)


def receive(source: bytes | Path, limits: Limits) -> Received:
    """Read an upload and run every check that comes before parsing.

    A file over the size cap is hashed but not kept; every other file is kept
    compressed, so a rejected file can be checked again later.
    """
    received = first_look(source, limits)
    received.absorb(read_through(source, received.size, limits))
    return received


def _header_names(first_line: str) -> list[str]:
    return [name.strip().lower() for name in next(csv.reader([first_line]), [])]


def _inspect(
    head: bytes, received: Received, bad_utf8: tuple[int, int, bytes] | None, limits: Limits
) -> tuple[list[str], list[Problem]]:
    if received.size > limits.max_bytes:
        size = f"{received.size / 1024 / 1024:.1f} MB"
        cap = f"{limits.max_bytes / 1024 / 1024:g} MB"
        return [], [problem(None, "file", size, "file_too_large", f"the file is larger than {cap}")]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [], [problem(1, "file", "", "not_utf8", "the file must be UTF-8 (this one is UTF-16)")]
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return [], [
            problem(
                None,
                "file",
                "",
                "not_text",
                "this is not a CSV text file (a spreadsheet or archive?); save it as CSV UTF-8",
            )
        ]
    if bad_utf8 is not None:
        line, _offset, byte = bad_utf8
        return [], [
            problem(line, "file", repr(byte)[2:-1], "not_utf8", "the file must be UTF-8 (this byte is not)")
        ]
    header_end = head.find(b"\n")
    if header_end < 0 and received.size > len(head):
        return [], [problem(1, "header", "", "no_header", f"the header row is longer than {HEAD:,} bytes")]
    first_bytes = head[: header_end if header_end >= 0 else len(head)]
    first_line = first_bytes.decode("utf-8-sig", errors="replace").rstrip("\r")
    if not first_line.strip():
        return [], [
            problem(
                1,
                "header",
                "",
                "no_header",
                "the first line must be the header row "
                f"({', '.join(REQUIRED_COLUMNS)}, optionally {', '.join(OPTIONAL_COLUMNS)})",
            )
        ]
    if received.long_line is not None:
        line, _length = received.long_line
        return [], [
            problem(
                line,
                "row",
                f"over {MAX_LINE_BYTES:,} bytes",
                "line_too_long",
                f"the line is longer than {MAX_LINE_BYTES // 1024} KB; a metric CSV row is far shorter "
                f"(a note is at most 500 characters): a line this long is a broken export",
            )
        ]
    rows = received.rows
    if rows > limits.max_rows:
        return [], [
            problem(
                None,
                "file",
                f"{rows:,} rows",
                "too_many_rows",
                f"the file has more than {limits.max_rows:,} data rows",
            )
        ]
    try:
        names, problems = _check_header(_header_names(first_line))
    except csv.Error:
        return [], [
            problem(
                1,
                "header",
                "",
                "unreadable_csv",
                "the file cannot be read as CSV: lines must end with LF or CRLF",
            )
        ]
    if not problems and rows == 0:
        return names, [no_rows()]
    return names, problems


def rows_unaccounted(path: Path, lines: int, read: int) -> Problem:
    """The file's data lines and the rows read from it differ: refuse, naming the first line
    that opens a quoted value running on past its line end (the usual cause), if any."""
    line = _first_open_quote(path)
    where = f"; a quoted value opens on line {line} and runs on past the end of that line" if line else ""
    return problem(
        line,
        "file",
        f"{lines:,} lines, {read:,} rows",
        "rows_unaccounted",
        f"the file has {lines:,} data lines but {read:,} rows could be read from them{where}; "
        "every line must be one row, so nothing was stored",
    )


def rows_accounted(path: Path, lines: int, read: int) -> bool:
    """Does every data line of the file stand for a row read? Empty lines are no rows (the CSV
    reader skips them); they are counted only when the plain count differs."""
    return read == lines or read == lines - _blank_lines(path)


def _blank_lines(path: Path) -> int:
    """Empty lines after the header."""
    with path.open("rb") as file:
        next(file, None)
        return sum(1 for line in file if line in (b"\n", b"\r\n", b"\r"))


def _first_open_quote(path: Path) -> int | None:
    """The first line with an odd number of double quotes (a quoted value left open), if any."""
    with path.open("rb") as file:
        for number, line in enumerate(file, start=1):
            if line.count(b'"') % 2:
                return number
    return None


def no_rows() -> Problem:
    return problem(None, "file", "", "no_rows", "the file has a header row but no data rows")


def _check_header(names: list[str]) -> tuple[list[str], list[dict[str, object]]]:
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    if not set(names) & set(known):
        return names, [
            problem(
                1,
                "header",
                ",".join(names)[:80],
                "no_header",
                "the first line must be the header "
                f"row ({', '.join(REQUIRED_COLUMNS)}, optionally {', '.join(OPTIONAL_COLUMNS)})",
            )
        ]
    problems = [
        problem(1, name, name, "missing_column", "this required column is missing")
        for name in REQUIRED_COLUMNS
        if name not in names
    ]
    problems += [
        problem(1, name, name, "duplicate_column", "this column appears more than once")
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    problems += [
        problem(
            1,
            name or "(blank)",
            name,
            "unknown_column",
            f"not a column of the metric CSV (expected {', '.join(known)})",
        )
        for name in names
        if name not in known
    ]
    return names, problems
