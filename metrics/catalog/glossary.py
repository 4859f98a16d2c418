"""The glossary: terms and acronyms both sides use, in plain words.

``terms_in`` finds the glossary terms a text uses (the board and definitions show
their meanings on hover); ``missing_acronyms`` is the "speak the same language"
check: descriptions that use an acronym the glossary does not explain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from metrics import access, clock, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.catalog.definitions import MetricDefinition
from metrics.errors import InputRejected, NotFound

TERM_LIMIT = 40
MEANING_LIMIT = 600

#: the fields of a definition the language check reads, with their plain names
CHECKED_FIELDS = {"name": "Name", "description": "Meaning", "calculation": "How it is calculated"}

# An acronym: a word of two or more characters that starts with a capital and has at
# least two capitals in all (NPS, CI/CD, SaaS, 5xx is not one); a trailing plural s is
# allowed (MQLs).
_ACRONYM = re.compile(r"(?<![\w/])([A-Z][A-Za-z0-9/&]*[A-Z0-9])(s?)(?![\w/])")
# Capitalised words that are not acronyms even though they look like one.
_NOT_ACRONYMS = frozenset({"OK"})


def save(con: store.Connection, terms: Mapping[str, str], *, by: str) -> None:
    """Add or replace terms (seeding, and the building block of ``set_term``)."""
    for term, meaning in terms.items():
        store.upsert(
            con, "glossary", {"term": term}, {"meaning": meaning, "updated_by": by, "updated_at": clock.now()}
        )


def terms(con: store.Connection) -> dict[str, str]:
    """Every term and its meaning, alphabetically ignoring case."""
    return catalog.glossary(con)


def _pattern(term: str) -> re.Pattern[str]:
    """A term as a whole word (or words), with an optional plural. A word written in
    lower case matches in any case ('Churn'); a word with a capital matches only as
    written, so 'IT' never matches 'it'."""
    words = [re.escape(w) if any(ch.isupper() for ch in w) else f"(?i:{re.escape(w)})" for w in term.split()]
    body = r"\s+".join(words)
    return re.compile(rf"(?<![\w/]){body}(?:s|es)?(?![\w/])")


def terms_in(text: str, glossary: Mapping[str, str]) -> list[tuple[str, str]]:
    """The glossary terms used in ``text`` as (term, meaning), in order of first use.

    Longer terms win where they overlap ("shadow IT" rather than "IT" inside it);
    each term is listed once.
    """
    taken: list[tuple[int, int]] = []
    found: dict[str, int] = {}
    for term in sorted(glossary, key=lambda t: (-len(t), t)):
        for match in _pattern(term).finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found.setdefault(term, start)
    return [(term, glossary[term]) for term in sorted(found, key=lambda t: (found[t], t))]


def acronyms_in(text: str) -> list[str]:
    """Words in ``text`` that look like acronyms, plural s removed, in order of first use."""
    seen: dict[str, None] = {}
    for match in _ACRONYM.finditer(text):
        word = match.group(1)
        if sum(ch.isupper() for ch in word) >= 2 and word not in _NOT_ACRONYMS:
            seen.setdefault(word, None)
    return list(seen)


def _explained(acronym: str, known: set[str]) -> bool:
    return acronym.upper() in known or (acronym.endswith("s") and acronym[:-1].upper() in known)


@dataclass(frozen=True)
class MissingTerm:
    metric_id: str
    metric_name: str
    field: str
    acronym: str


def missing_acronyms(
    definitions: Iterable[MetricDefinition], glossary: Mapping[str, str]
) -> list[MissingTerm]:
    """Descriptions that use an acronym the glossary does not explain."""
    known = {t.upper() for t in glossary}
    result = []
    for d in definitions:
        for field, label in CHECKED_FIELDS.items():
            for acronym in acronyms_in(getattr(d, field)):
                if not _explained(acronym, known):
                    result.append(MissingTerm(d.id, d.name, label, acronym))
    return result


def language_check(con: store.Connection) -> list[MissingTerm]:
    """The check over every definition in force and every open proposal (not retired ones)."""
    definitions: dict[str, MetricDefinition] = {}
    latest: dict[str, MetricDefinition] = {}
    for row in catalog.version_rows(con):
        latest[row["metric_id"]] = catalog.definition_from_row(row)
    for entry in catalog.entries(con):
        if entry.status == "retired":
            continue
        definitions[f"{entry.definition.id}:{entry.version}"] = entry.definition
        if entry.latest_version != entry.version:
            definitions[f"{entry.definition.id}:latest"] = latest[entry.definition.id]
    unique: dict[tuple[str, str, str], MissingTerm] = {}
    for m in missing_acronyms(definitions.values(), terms(con)):
        unique.setdefault((m.metric_id, m.field, m.acronym), m)
    return list(unique.values())


def _clean_term(term: str) -> str:
    text = " ".join(term.split())
    if not text or len(text) > TERM_LIMIT:
        raise InputRejected(f"A term needs 1 to {TERM_LIMIT} characters.")
    return text


def set_term(con: store.Connection, person: Person | None, term: str, meaning: str) -> str:
    """Add a term or change its meaning; returns 'added' or 'changed'."""
    actor = access.require(person, "edit_glossary")
    clean = _clean_term(term)
    text = " ".join(meaning.split())
    if not text or len(text) > MEANING_LIMIT:
        raise InputRejected(f"A meaning needs 1 to {MEANING_LIMIT} characters of plain words.")
    with store.transaction(con):
        existing = terms(con)
        same = next((t for t in existing if t.lower() == clean.lower()), None)
        if same is not None and same != clean:
            raise InputRejected(f"The glossary already explains {same!r}; change that entry instead.")
        outcome = "changed" if same else "added"
        save(con, {clean: text}, by=actor.email)
        store.audit(
            con,
            actor.email,
            f"glossary_{outcome}",
            clean,
            json.dumps({"before": existing.get(clean), "after": text}),
        )
    return outcome


def remove_term(con: store.Connection, person: Person | None, term: str) -> None:
    """Take a term out of the glossary; the audit log keeps what it said."""
    actor = access.require(person, "edit_glossary")
    with store.transaction(con):
        existing = terms(con)
        if term not in existing:
            raise NotFound(f"The glossary has no term {term!r}.")
        con.execute("DELETE FROM glossary WHERE term = ?", [term])
        store.audit(con, actor.email, "glossary_removed", term, json.dumps({"before": existing[term]}))
