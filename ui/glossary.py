"""Glossary widgets: the terms, the "speak the same language" check, the edit forms."""

from __future__ import annotations

import streamlit as st

import ui
from metrics import store
from metrics.catalog import glossary
from ui import current_person


def terms() -> dict[str, str]:
    with store.connect() as con:
        return glossary.terms(con)


def language_check() -> list[glossary.MissingTerm]:
    with store.connect() as con:
        return glossary.language_check(con)


def edit_form() -> None:
    """Add a term or change one's meaning."""
    with st.form(key="glossary-edit", clear_on_submit=True):
        st.markdown("**Add a term or change its meaning**")
        term = st.text_input(
            "Term or acronym, exactly as definitions write it", key="glossary-term", max_chars=40
        )
        meaning = st.text_area(
            "Meaning in plain words (an acronym starts with the words it stands for)",
            key="glossary-meaning",
            max_chars=glossary.MEANING_LIMIT,
        )
        submitted = st.form_submit_button("Save term", type="primary", key="glossary-save")
    if submitted:
        ui.act(
            lambda con: glossary.set_term(con, current_person(), term, meaning),
            f"Saved “{term.strip()}” in the glossary.",
        )


def remove_form(known: dict[str, str]) -> None:
    with st.form(key="glossary-remove"):
        term = st.selectbox("Remove a term", list(known), index=None, key="glossary-remove-term")
        submitted = st.form_submit_button("Remove term", key="glossary-remove-submit")
    if submitted and term:
        ui.act(
            lambda con: glossary.remove_term(con, current_person(), term),
            f"Removed “{term}” from the glossary (the audit log keeps what it said).",
        )
