"""Definitions widgets: reads for the page, the definition card, the sign-off and
proposal forms. Controls show only to people allowed to use them; the refusal itself
happens in metrics/catalog/proposals.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

import ui
from metrics import access, store
from metrics.access import Person
from metrics.catalog import definitions as catalog
from metrics.catalog import glossary, proposals
from metrics.catalog.definitions import CatalogEntry, MetricDefinition
from metrics.catalog.proposals import History, Version
from ui import act  # the shared write-then-rerun helper; pages and ui/glossary.py call it here

BadgeColour = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"]
STATUS_COLOURS: dict[str, BadgeColour] = {
    "agreed": "green",
    "change pending": "orange",
    "due for review": "orange",
    "proposed": "blue",
    "retired": "gray",
}
STATE_LABELS = {
    "in force": "in force",
    "replaced": "agreed, since replaced",
    "open": "awaiting signatures",
    "superseded": "superseded before agreement",
}


plain = ui.literal  # text a person wrote, shown exactly as written


@dataclass(frozen=True)
class CatalogView:
    entries: list[CatalogEntry]
    glossary: dict[str, str]
    people: dict[str, str]  # email -> name
    teams: dict[str, str]
    awaiting: list[Version]
    due: list[CatalogEntry]


def catalog_view(person: Person | None) -> CatalogView:
    with store.connect() as con:
        day = ui.today()
        return CatalogView(
            entries=catalog.entries(con, day),
            glossary=glossary.terms(con),
            people={p.email: p.name for p in access.people(con)},
            teams=catalog.teams(con),
            awaiting=proposals.awaiting(con, person, day),
            due=proposals.owned_due_for_review(con, person, day),
        )


def history(metric_id: str) -> History:
    with store.connect() as con:
        return proposals.history(con, metric_id, ui.today())


def diff(metric_id: str, before: int, after: int) -> list[proposals.FieldChange]:
    with store.connect() as con:
        return proposals.diff(con, metric_id, before, after)


def who(email: str, people: Mapping[str, str]) -> str:
    name = people.get(email)
    return f"{name} ({email})" if name else email


# ---------------------------------------------------------------- the definition card


def terms_help(text: str, terms: Mapping[str, str]) -> str | None:
    found = glossary.terms_in(text, terms)
    if not found:
        return None
    return "\n\n".join(f"**{plain(term)}**: {plain(meaning)}" for term, meaning in found)


def definition_card(entry: CatalogEntry, view: CatalogView) -> None:
    """Everything the definition says, with glossary meanings one hover away."""
    d = entry.definition
    st.markdown("**What it means**")
    st.markdown(plain(d.description), help=terms_help(d.description, view.glossary))
    st.markdown("**How it is calculated**")
    st.markdown(plain(d.calculation), help=terms_help(d.calculation, view.glossary))
    st.table({"Value": facts(d, view)})


def facts(d: MetricDefinition, view: CatalogView) -> dict[str, str]:
    low, high, _ = d.bounds()
    fmt = proposals.format_field
    return {
        "Unit": f"{d.unit} ({d.unit_label})" if d.unit_label else d.unit,
        "Better when": f"{d.direction} is better",
        "Cadence": d.cadence,
        "Target": fmt(d.target),
        "Amber line": fmt(d.amber),
        "Red line": fmt(d.red),
        "Accepted values": _range(low, high),
        "IT owner": who(d.it_owner, view.people),
        "Marketing owner": who(d.marketing_owner, view.people),
        "Data source": d.data_source,
        "Supplied by": view.teams.get(d.supplied_by, d.supplied_by),
        "Revisit on": fmt(d.revisit),
        "Area": d.area.capitalize(),
    }


def _range(low: float | None, high: float | None) -> str:
    fmt = proposals.format_field
    if low is not None and high is not None:
        return f"{fmt(low)} to {fmt(high)}"
    if low is not None:
        return f"{fmt(low)} or more"
    return "any number" if high is None else f"up to {fmt(high)}"


def side_status(v: Version, side: str, people: Mapping[str, str]) -> str:
    signed = v.signature(side)
    label = proposals.SIDE_LABELS[side]
    if signed is not None:
        return f"{label}: signed by {who(signed.signer, people)} on {signed.at:%d %b %Y %H:%M} UTC"
    declines = [d for d in v.declines if d.side == side]
    if declines:
        last = declines[-1]
        return f"{label}: declined by {who(last.signer, people)} on {last.at:%d %b %Y} — “{last.comment}”"
    return f"{label}: awaiting a signature" if v.state == "open" else f"{label}: not signed"


def sign_off(h: History, person: Person | None, view: CatalogView) -> None:
    """The open version, its diff against the version in force, and the sign controls."""
    v = h.open_version
    if v is None:
        st.caption("Nothing awaits signatures for this metric.")
        return
    kind = proposals.KIND_LABELS[v.kind]
    st.markdown(
        f"**Version {v.version}** ({plain(kind)}) proposed by {plain(who(v.proposed_by, view.people))} "
        f"on {v.proposed_at:%d %b %Y}" + (f": “{plain(v.comment)}”" if v.comment else "")
    )
    base = h.entry.version if h.entry.status != "proposed" else None
    if base is not None:
        changes = proposals.diff_definitions(h.version(base).definition, v.definition)
        if v.kind == "retire":
            st.warning("This version retires the metric: once both sides sign, it leaves the board.")
        if changes:
            st.caption(f"What changes against version {base}, which stays in force until both sides sign:")
            st.dataframe(_diff_rows(changes), hide_index=True)
    else:
        st.caption("A new metric: it appears on the board once both sides sign.")
        st.table({"Value": facts(v.definition, view)})
    for side in proposals.SIDES:
        st.markdown(plain(side_status(v, side, view.people)))
    st.caption(f"Content hash signed: `{v.content_hash[:16]}…`")
    for side in proposals.signable_sides(person, v):
        _decision_form(v, side)
    if person is not None and not proposals.signable_sides(person, v) and proposals.sides_for(person):
        acted = v.acted_for(person.email)
        if acted and set(v.awaiting) - acted:
            st.info("You decided for one side of this version; the other side needs another person.")


def _decision_form(v: Version, side: str) -> None:
    label = proposals.SIDE_LABELS[side]
    with st.form(key=f"decide-{side}-{v.metric_id}-{v.version}"):
        st.markdown(f"**Your decision for the {label} side of version {v.version}**")
        comment = st.text_area("Comment (needed to decline)", key=f"decide-comment-{side}", max_chars=2000)
        sign_col, decline_col = st.columns(2)
        sign = sign_col.form_submit_button(f"Sign for {label}", type="primary", key=f"sign-{side}")
        no = decline_col.form_submit_button("Decline", key=f"decline-{side}")
    person = ui.current_person()
    if sign:
        act(
            lambda con: proposals.sign(
                con, person, v.metric_id, v.version, side, content_hash=v.content_hash, comment=comment
            ),
            f"Signed version {v.version} of {v.metric_id} for {label}.",
        )
    if no:
        act(
            lambda con: proposals.decline(
                con, person, v.metric_id, v.version, side, comment, content_hash=v.content_hash
            ),
            f"Declined version {v.version} of {v.metric_id} for {label}; your comment is recorded.",
        )


def _diff_rows(changes: list[proposals.FieldChange]) -> list[dict[str, str]]:
    return [{"Field": c.label, "Before": c.before, "After": c.after} for c in changes]


def history_view(h: History, view: CatalogView) -> None:
    st.dataframe(
        [
            {
                "Version": v.version,
                "Kind": proposals.KIND_LABELS[v.kind],
                "State": STATE_LABELS[v.state] + ("" if v.intact else " (altered after proposal)"),
                "Proposed by": who(v.proposed_by, view.people),
                "Proposed": v.proposed_at,
                "Comment": v.comment or "",
                "IT": _signer(v, "it"),
                "Marketing": _signer(v, "marketing"),
            }
            for v in reversed(h.versions)
        ],
        hide_index=True,
    )
    decisions = [d for v in h.versions for d in v.decisions]
    st.markdown("**Every signature and decline**")
    st.dataframe(
        [
            {
                "When": d.at,
                "Version": d.version,
                "Side": proposals.SIDE_LABELS.get(d.side, d.side),
                "Who": who(d.signer, view.people),
                "Decision": d.decision,
                "Comment": d.comment or "",
                "Covers that version's text": "yes" if d.covers_content else "no",
            }
            for d in sorted(decisions, key=lambda d: d.at, reverse=True)
        ],
        hide_index=True,
    )


def _signer(v: Version, side: str) -> str:
    signed = v.signature(side)
    return f"{signed.signer} · {signed.at:%d %b %Y}" if signed else ""


def compare(h: History) -> None:
    numbers = [v.version for v in h.versions]
    if len(numbers) < 2:
        st.caption("Only one version so far.")
        return
    left, right = st.columns(2)
    base = h.entry.version if h.entry.version in numbers and h.entry.version != numbers[-1] else numbers[-2]
    before = left.selectbox(
        "From version", numbers, index=numbers.index(base), key=f"diff-from-{h.metric_id}"
    )
    after = right.selectbox("To version", numbers, index=len(numbers) - 1, key=f"diff-to-{h.metric_id}")
    changes = ui.run(lambda: diff(h.metric_id, before, after))
    if changes is None:
        return
    if not changes:
        st.caption("These versions say exactly the same.")
    else:
        st.dataframe(_diff_rows(changes), hide_index=True)


def discussion(h: History, person: Person | None, view: CatalogView) -> None:
    for c in reversed(h.comments):
        about = f" on version {c.version}" if c.version else ""
        st.markdown(f"**{plain(who(c.author, view.people))}**{about}, {c.at:%d %b %Y %H:%M} UTC")
        st.markdown(plain(c.body))
    if not h.comments:
        st.caption("No comments yet.")
    if not access.can(person, "comment"):
        return
    with st.form(key=f"comment-{h.metric_id}", clear_on_submit=True):
        body = st.text_area("Add a comment", key="comment-body", max_chars=2000)
        submitted = st.form_submit_button("Post comment", key="comment-submit")
    if submitted:
        version = h.latest.version
        act(
            lambda con: proposals.add_comment(con, ui.current_person(), h.metric_id, body, version),
            "Comment posted.",
        )


# ---------------------------------------------------------------- proposal forms


def definition_fields(prefix: str, base: MetricDefinition | None, view: CatalogView) -> dict[str, Any]:
    """Inputs for every field of a definition, filled from ``base``; returns the values."""
    people = sorted(view.people)
    teams = list(view.teams)

    def pick(label: str, options: list[str] | tuple[str, ...], current: str | None, name: str) -> str:
        values = list(options)
        if current is not None and current not in values:
            values.append(current)
        index = values.index(current) if current in values else 0
        return str(st.selectbox(label, values, index=index, key=f"{prefix}-{name}"))

    values: dict[str, Any] = {}
    if base is None:
        values["id"] = st.text_input(
            "Id (permanent: lowercase letters, digits and _)", key=f"{prefix}-id", max_chars=40
        )
    values["name"] = st.text_input(
        "Name", value=base.name if base else "", key=f"{prefix}-name", max_chars=40
    )
    values["description"] = st.text_area(
        "What it means", value=base.description if base else "", key=f"{prefix}-description"
    )
    values["calculation"] = st.text_area(
        "How it is calculated", value=base.calculation if base else "", key=f"{prefix}-calculation"
    )
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        values["unit"] = pick("Unit", tuple(catalog.UNIT_BOUNDS), base.unit if base else None, "unit")
    with c2:
        values["unit_label"] = st.text_input(
            "Unit label", value=base.unit_label if base else "", key=f"{prefix}-unit_label", max_chars=20
        )
    with c3:
        values["direction"] = pick(
            "Better when", catalog.DIRECTIONS, base.direction if base else None, "direction"
        )
    with c4:
        values["cadence"] = pick("Cadence", catalog.CADENCES, base.cadence if base else None, "cadence")
    c1, c2, c3 = st.columns(3)
    for column, name, label in (
        (c1, "target", "Target"),
        (c2, "amber", "Amber line"),
        (c3, "red", "Red line"),
    ):
        with column:
            values[name] = st.number_input(
                label, value=getattr(base, name) if base else 0.0, format="%g", key=f"{prefix}-{name}"
            )
    c1, c2 = st.columns(2)
    for column, name, label in (
        (c1, "min_value", "Lowest accepted value (optional)"),
        (c2, "max_value", "Highest accepted value (optional)"),
    ):
        with column:
            values[name] = st.number_input(
                label, value=getattr(base, name) if base else None, format="%g", key=f"{prefix}-{name}"
            )
    c1, c2, c3 = st.columns(3)
    with c1:
        values["area"] = pick("Area", catalog.AREAS, base.area if base else None, "area")
    with c2:
        values["it_owner"] = pick("IT owner", people, base.it_owner if base else None, "it_owner")
    with c3:
        values["marketing_owner"] = pick(
            "Marketing owner", people, base.marketing_owner if base else None, "marketing_owner"
        )
    c1, c2, c3 = st.columns(3)
    with c1:
        values["data_source"] = st.text_input(
            "Data source", value=base.data_source if base else "", key=f"{prefix}-data_source", max_chars=200
        )
    with c2:
        values["supplied_by"] = pick(
            "Supplied by (team)", teams, base.supplied_by if base else None, "supplied_by"
        )
    with c3:
        values["revisit"] = st.date_input(
            "Revisit on",
            value=base.revisit if base else ui.today() + dt.timedelta(days=365),
            key=f"{prefix}-revisit",
        )
    return values


def propose_change_form(h: History, view: CatalogView) -> None:
    base = h.latest
    st.caption(
        f"Starts from version {base.version}. Saving makes a new version; version "
        f"{h.entry.version} stays in force until one IT and one marketing approver sign the new one."
    )
    with st.form(key=f"propose-change-{h.metric_id}-{base.version}"):
        values = definition_fields(f"chg-{h.metric_id}-{base.version}", base.definition, view)
        comment = st.text_area("Why this change?", key=f"chg-comment-{h.metric_id}", max_chars=2000)
        submitted = st.form_submit_button("Propose this version", type="primary", key="propose-change-submit")
    if submitted:
        act(
            lambda con: proposals.propose_change(con, ui.current_person(), h.metric_id, values, comment),
            f"Proposed a new version of {h.metric_id}. It needs an IT and a marketing signature.",
        )


def retire_form(h: History) -> None:
    st.caption(
        "Retiring takes the metric off the board once both sides sign. Its versions, "
        "signatures and values are kept."
    )
    with st.form(key=f"retire-{h.metric_id}"):
        reason = st.text_area("Why retire it?", key=f"retire-reason-{h.metric_id}", max_chars=2000)
        submitted = st.form_submit_button("Propose retiring this metric", key="retire-submit")
    if submitted:
        act(
            lambda con: proposals.propose_retirement(con, ui.current_person(), h.metric_id, reason),
            f"Proposed retiring {h.metric_id}. It needs an IT and a marketing signature.",
        )


def propose_new_form(view: CatalogView) -> None:
    with st.form(key="propose-new", clear_on_submit=False):
        values = definition_fields("new", None, view)
        comment = st.text_area("Why this metric?", key="new-comment", max_chars=2000)
        submitted = st.form_submit_button("Propose this metric", type="primary", key="propose-new-submit")
    if submitted:
        act(
            lambda con: proposals.propose_new(con, ui.current_person(), values, comment),
            f"Proposed {values.get('id')}. It appears on the board once both sides sign.",
        )
