"""OKR widgets: objective cards with progress bars, key-result trends with their target,
acceptance and check-in forms, the objective form (to create or edit), withdrawal with a
confirmation, the withdrawn list, and the wins feed (for any page).

Every text a person typed is shown through ``plain`` (markdown characters escaped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui
from metrics import access, config, periods, store
from metrics.access import Person
from metrics.board import status
from metrics.okrs import objectives as okrs
from metrics.okrs import progress, wins
from ui import act  # the shared write-then-rerun helper; pages and ui/glossary.py call it here

STATUS_BADGES = {
    progress.ON_TRACK: ":green-badge[● On track]",
    progress.AT_RISK: ":orange-badge[▲ At risk]",
    progress.OFF_TRACK: ":red-badge[■ Off track]",
    progress.NO_DATA: ":gray-badge[○ No data yet]",
}
TREND_PERIODS = {"weekly": 26, "monthly": 12, "quarterly": 8}


plain = ui.literal  # text a person wrote, shown exactly as written


# ---------------------------------------------------------------- data, cached on the file


@st.cache_resource(max_entries=16, show_spinner=False)
def _evaluated(path: str, fingerprint: tuple[int, ...], day: dt.date) -> list[okrs.ObjectiveProgress]:
    with store.connect(Path(path), read_only=True) as con:
        return okrs.evaluate(con, day)


def objectives() -> list[okrs.ObjectiveProgress]:
    """Every objective's progress today, recomputed only when the database file changes."""
    path = config.database_path()
    return _evaluated(str(path), store.data_fingerprint(path), ui.today())


@st.cache_resource(max_entries=16, show_spinner=False)
def _histories(
    path: str, fingerprint: tuple[int, ...], metric_ids: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    with store.connect(Path(path), read_only=True) as con:
        return okrs.histories(con, metric_ids)


def histories(metric_ids: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    path = config.database_path()
    return _histories(str(path), store.data_fingerprint(path), metric_ids)


def names() -> dict[str, str]:
    return {p.email: p.name for p in ui.active_people()}


# ---------------------------------------------------------------- an objective


def _share(value: float | None) -> str:
    return "no data yet" if value is None else f"{value:.0%}"


def owners_line(o: okrs.Objective, people: Mapping[str, str]) -> str:
    it, marketing = people.get(o.it_owner, o.it_owner), people.get(o.marketing_owner, o.marketing_owner)
    return f"IT owner {plain(it)} · marketing owner {plain(marketing)} · {o.period.label} ({o.period.dates})"


def trend_figure(k: progress.KeyResultProgress, history: pd.DataFrame, start: dt.date) -> go.Figure:
    """The metric's recent values with the baseline, the target line and the objective's window."""
    d = k.definition
    first = periods.shift(periods.period_start(start, d.cadence), d.cadence, -TREND_PERIODS[d.cadence])
    shown = history[history["period_start"] >= first]
    figure = go.Figure(
        go.Scatter(
            x=list(shown["period_start"]),
            y=list(shown["value"]),
            mode="lines+markers",
            line={"color": "#33415c", "width": 1.8},
            marker={"size": 4},
            name=d.name,
            hovertemplate="%{x|%d %b %Y}: %{y:,.4~g}<extra></extra>",
        )
    )
    figure.add_hline(y=k.spec.target, line={"color": "#1b7f3b", "dash": "dash"}, annotation_text="target")
    figure.add_hline(y=k.spec.baseline, line={"color": "#8a94a6", "dash": "dot"}, annotation_text="baseline")
    figure.add_vrect(x0=start, x1=k.spec.due, fillcolor="#5b8def", opacity=0.06, line_width=0)
    figure.update_layout(height=220, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False)
    figure.update_xaxes(tickformat="%b %y")
    return figure


def key_result(k: progress.KeyResultProgress, history: pd.DataFrame, start: dt.date) -> None:
    d, spec = k.definition, k.spec
    kind = "hold at or better than" if k.is_guardrail else "from"
    goal = (
        f"{kind} {status.format_value(spec.target, d)}"
        if k.is_guardrail
        else f"{kind} {status.format_value(spec.baseline, d)} to {status.format_value(spec.target, d)}"
    )
    name, bar, badge = st.columns([3, 3, 1.3], vertical_alignment="center")
    name.markdown(f"**{plain(d.name)}** · {plain(goal)} by {spec.due:%d %b %Y}")
    now = "no value in the objective's period yet"
    if k.current is not None and k.current_period is not None:
        now = f"now {status.format_value(k.current, d)} ({periods.label(k.current_period, d.cadence)})"
    bar.progress(k.progress or 0.0, text=f"{_share(k.progress)} of the way · {now}")
    badge.markdown(
        STATUS_BADGES[k.status] + (" :gray-badge[stale]" if k.stale and k.current is not None else "")
    )
    with st.expander(f"Trend of {plain(d.name)} with its target", icon=":material/show_chart:"):
        st.plotly_chart(trend_figure(k, history, start), config={"displayModeBar": False})


def objective_card(op: okrs.ObjectiveProgress, people: Mapping[str, str], person: Person | None) -> None:
    o = op.objective
    with st.container(border=True):
        head, badge = st.columns([6, 1.3], vertical_alignment="center")
        head.subheader(plain(o.title), anchor=False)
        badge.markdown(STATUS_BADGES[op.status] if o.accepted else ":blue-badge[Awaiting acceptance]")
        st.caption(owners_line(o, people))
        st.progress(
            op.progress or 0.0,
            text=f"Objective progress {_share(op.progress)} · {op.elapsed:.0%} of the period gone",
        )
        found = histories(tuple(k.spec.metric_id for k in op.key_results))
        for k in op.key_results:
            key_result(k, found[k.spec.metric_id], o.start)
        if op.last_check_in is not None:
            c = op.last_check_in
            st.caption(
                f":material/forum: Last check-in {c.at:%d %b %Y}, {plain(people.get(c.author, c.author))}: "
                f"confidence {c.confidence}/10 — {plain(c.note)}"
            )
        elif o.accepted:
            st.caption("No check-in yet.")
        if not o.accepted:
            waiting = ", ".join(plain(people.get(o.owner(s), o.owner(s))) for s in o.awaiting)
            st.caption(f"Counts once both owners accept. Waiting for: {waiting}.")
        owner_actions(o, person)
        manage_actions(o, person)


def owner_actions(o: okrs.Objective, person: Person | None) -> None:
    """Accept (while awaited) and check in (once accepted), for the objective's owners only."""
    if person is None or not access.can(person, "manage_okrs") or not o.sides_of(person.email):
        return
    if any(s in o.awaiting for s in o.sides_of(person.email)):
        if st.button("Accept this objective", key=f"accept-{o.objective_id}", type="primary"):
            act(lambda con: okrs.accept(con, person, o.objective_id), f"You accepted “{plain(o.title)}”.")
        return
    if not o.accepted:
        return
    with st.popover("Check in", icon=":material/forum:"), st.form(f"check-in-{o.objective_id}"):
        confidence = st.slider("Confidence we will make it", 1, 10, 6, key=f"confidence-{o.objective_id}")
        note = st.text_area("Note", max_chars=okrs.MAX_NOTE, key=f"note-{o.objective_id}")
        if st.form_submit_button("Save check-in"):
            act(lambda con: okrs.check_in(con, person, o.objective_id, confidence, note), "Check-in saved.")


# ---------------------------------------------------------------- editing and withdrawing

#: Session keys naming the objective whose edit form or withdrawal question is open.
EDITING, WITHDRAWING = "okr-editing", "okr-withdrawing"


def _open(panel: str, objective_id: int) -> None:
    _close()
    st.session_state[panel] = objective_id


def _close() -> None:
    for panel in (EDITING, WITHDRAWING):
        st.session_state.pop(panel, None)


def _close_after(write: Callable[[store.Connection], object]) -> Callable[[store.Connection], None]:
    """``write``, then close the open panel (only once the write went through)."""

    def write_and_close(con: store.Connection) -> None:
        write(con)
        _close()

    return write_and_close


def manage_actions(o: okrs.Objective, person: Person | None) -> None:
    """Edit and withdraw, for people who manage OKRs; okrs.save and okrs.withdraw check again."""
    if person is None or not access.can(person, "manage_okrs"):
        return
    key = o.objective_id
    with st.container(horizontal=True):
        st.button("Edit", key=f"edit-{key}", icon=":material/edit:", on_click=_open, args=(EDITING, key))
        st.button(
            "Withdraw",
            key=f"withdraw-{key}",
            icon=":material/archive:",
            type="tertiary",
            on_click=_open,
            args=(WITHDRAWING, key),
        )
    if st.session_state.get(EDITING) == key:
        ui.run(lambda: objective_form(person, o))
    elif st.session_state.get(WITHDRAWING) == key:
        confirm_withdrawal(o, person)


def confirm_withdrawal(o: okrs.Objective, person: Person) -> None:
    st.warning(
        f"Withdraw {plain(o.title)}? It leaves the list; its history is kept.", icon=":material/archive:"
    )
    with st.container(horizontal=True):
        confirmed = st.button("Yes, withdraw", key=f"confirm-withdraw-{o.objective_id}", type="primary")
        st.button("Cancel", key=f"cancel-withdraw-{o.objective_id}", on_click=_close)
    if confirmed:
        act(
            _close_after(lambda con: okrs.withdraw(con, person, o.objective_id)),
            f"“{plain(o.title)}” was withdrawn: it no longer shows in the list, and its history is kept.",
        )


def withdrawn_objectives() -> list[okrs.Objective]:
    with store.connect() as con:
        return [o for o in okrs.objectives(con, include_withdrawn=True) if o.withdrawn]


def withdrawn_list(people: Mapping[str, str]) -> None:
    """Withdrawn objectives, read only: who withdrew each and when."""
    found = ui.run(withdrawn_objectives)
    if found is None:
        return
    st.subheader("Withdrawn objectives", anchor=False)
    if not found:
        st.caption("No objective has been withdrawn.")
    for o in found:
        with st.container(border=True):
            st.markdown(f"**{plain(o.title)}** :gray-badge[Withdrawn]")
            by = people.get(o.saved_by, o.saved_by)
            st.caption(f"{owners_line(o, people)} · withdrawn by {plain(by)} on {o.saved_at:%d %b %Y}")


# ---------------------------------------------------------------- the objective form: create or edit

NEW_KEY_RESULTS = 3  # rows a new objective starts with


def objective_form(person: Person, base: okrs.Objective | None = None) -> None:
    """Title, period, two owners and 2-5 key results on agreed metrics: empty to create an
    objective, or filled from ``base``'s revision in force to edit it (saved as a new revision)."""
    day = ui.today()
    with store.connect() as con:
        owners = {
            side: {p.email: f"{p.name} ({p.email})" for p in okrs.owner_choices(con, side)}
            for side in okrs.SIDES
        }
        metrics = {e.definition.id: e.definition.name for e in okrs.metric_choices(con, day)}
    if not metrics:
        st.info("Key results use agreed metrics, and no metric is agreed yet.")
        return
    initial = okrs.draft_of(base) if base else _blank_draft(day, owners)
    prefix = f"okr-{base.objective_id}-r{base.revision}-" if base else ""
    count = st.number_input(
        "Number of key results",
        okrs.MIN_KEY_RESULTS,
        okrs.MAX_KEY_RESULTS,
        len(initial.key_results) or NEW_KEY_RESULTS,
        key=f"{prefix}okr-count" if base else "new-okr-count",
    )
    with st.form(f"{prefix}objective" if base else "new-objective"):
        draft = draft_inputs(prefix, initial, int(count), owners, metrics, day)
        with st.container(horizontal=True):
            submitted = st.form_submit_button(
                "Save as a new revision" if base else "Create objective", type="primary"
            )
            if base:
                st.form_submit_button("Cancel", on_click=_close)
    if submitted:
        save_draft(person, draft, base, day)


def _blank_draft(day: dt.date, owners: Mapping[str, Mapping[str, str]]) -> okrs.ObjectiveDraft:
    """Where a new objective starts: this quarter, the first possible owner of each side, no key result."""
    it, marketing = (next(iter(owners[side]), "") for side in okrs.SIDES)
    return okrs.ObjectiveDraft("", okrs.default_period(day).label, it, marketing, ())


def save_draft(person: Person, draft: okrs.ObjectiveDraft, base: okrs.Objective | None, day: dt.date) -> None:
    if base is None:
        act(
            lambda con: okrs.save(con, person, draft, today=day),
            "Objective created. Both owners now accept it.",
        )
        return
    title = " ".join(draft.title.split())
    if replace(draft, title=title) == okrs.draft_of(base):
        st.info("Nothing changed, so no new revision was saved; the owners' acceptances stand.")
        return
    act(
        _close_after(lambda con: okrs.save(con, person, draft, base.objective_id, day)),
        f"Saved “{plain(title)}” as a new revision. It is awaiting both owners' acceptance again "
        "and counts once both have accepted it.",
    )


def draft_inputs(
    prefix: str,
    initial: okrs.ObjectiveDraft,
    count: int,
    owners: Mapping[str, Mapping[str, str]],
    metrics: Mapping[str, str],
    day: dt.date,
) -> okrs.ObjectiveDraft:
    """The form's fields, filled from ``initial``; ``count`` key-result rows. Returns what is entered."""
    title = st.text_input(
        "Objective",
        value=initial.title,
        max_chars=okrs.MAX_TITLE,
        placeholder="Grow repeat customers without risking uptime",
        key=f"{prefix}okr-title",
    )
    period_col, it_col, mk_col = st.columns(3)
    quarter = okrs.default_period(day)
    periods_offered = {p: p for p in (quarter.label, quarter.shifted(1).label)}
    with period_col:
        period = _choose("Period", periods_offered, initial.period, f"{prefix}okr-period")
    with it_col:
        it_owner = _choose("IT owner", owners["it"], initial.it_owner, f"{prefix}okr-it-owner")
    with mk_col:
        marketing_owner = _choose(
            "Marketing owner", owners["marketing"], initial.marketing_owner, f"{prefix}okr-mk-owner"
        )
    last_day = okrs.parse_period(initial.period).end - dt.timedelta(days=1)
    rows = _rows(initial.key_results, count, list(metrics), last_day)
    specs = tuple(key_result_inputs(prefix, i, spec, metrics) for i, spec in enumerate(rows))
    return okrs.ObjectiveDraft(title, period, it_owner, marketing_owner, specs)


def _choose(label: str, options: Mapping[str, str], current: str, key: str) -> str:
    """A selectbox over ``options`` (value -> label) starting at ``current``, offered even if
    no longer among the options (a past period, a departed owner: saving then says why not)."""
    values = list(options)
    if current not in values:
        values.insert(0, current)
    return str(
        st.selectbox(
            label, values, index=values.index(current), format_func=lambda v: options.get(v, v), key=key
        )
    )


def _rows(
    initial: tuple[progress.KeyResultSpec, ...], count: int, metric_ids: list[str], last_day: dt.date
) -> list[progress.KeyResultSpec]:
    """The first ``count`` initial key results, then blank rows, each on a metric not used yet."""
    rows = list(initial[:count])
    spare = [m for m in metric_ids if m not in {r.metric_id for r in rows}] or metric_ids
    blanks = range(count - len(rows))
    return rows + [progress.KeyResultSpec(spare[j % len(spare)], 0.0, 0.0, last_day) for j in blanks]


def key_result_inputs(
    prefix: str, i: int, spec: progress.KeyResultSpec, metrics: Mapping[str, str]
) -> progress.KeyResultSpec:
    metric_col, base_col, target_col, due_col = st.columns([3, 1.5, 1.5, 1.5])
    with metric_col:
        metric = _choose(f"Key result {i + 1}: metric", metrics, spec.metric_id, f"{prefix}kr-metric-{i}")
    baseline = base_col.number_input(
        "Baseline", value=float(spec.baseline), format="%g", key=f"{prefix}kr-baseline-{i}"
    )
    target = target_col.number_input(
        "Target", value=float(spec.target), format="%g", key=f"{prefix}kr-target-{i}"
    )
    due = due_col.date_input("Due", value=spec.due, key=f"{prefix}kr-due-{i}")
    return progress.KeyResultSpec(metric, baseline, target, due)


# ---------------------------------------------------------------- wins


@st.cache_resource(max_entries=8, show_spinner=False)
def _feed(path: str, fingerprint: tuple[int, ...], day: dt.date, limit: int) -> list[wins.Win]:
    with store.connect(Path(path), read_only=True) as con:
        return wins.feed(con, day, limit=limit)


def wins_feed(limit: int = 6) -> None:
    """The newest wins, each credited to both teams. One line on any page: ``ui.okrs.wins_feed()``."""
    path = config.database_path()
    found = ui.run(lambda: _feed(str(path), store.data_fingerprint(path), ui.today(), limit))
    if found is None:
        return
    if not found:
        st.caption("No wins yet: a key result reaching its target or a metric back on target shows here.")
        return
    for w in found:
        st.markdown(
            f":material/celebration: **{plain(w.text)}** · {w.last_day:%d %b %Y} · credit: {plain(w.credit)}"
        )
