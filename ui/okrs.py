"""OKR widgets: objective cards with progress bars, key-result trends with their target,
acceptance and check-in forms, the new-objective form, and the wins feed (for any page).

Every text a person typed is shown through ``plain`` (markdown characters escaped).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui
from metrics import access, config, okrs, periods, status, store, wins
from metrics import okr_progress as progress
from metrics.access import Person
from ui import act  # the shared write-then-rerun helper; pages and ui/glossary.py call it here

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")
STATUS_BADGES = {
    progress.ON_TRACK: ":green-badge[● On track]",
    progress.AT_RISK: ":orange-badge[▲ At risk]",
    progress.OFF_TRACK: ":red-badge[■ Off track]",
    progress.NO_DATA: ":gray-badge[○ No data yet]",
}
TREND_PERIODS = {"weekly": 26, "monthly": 12, "quarterly": 8}


def plain(text: object) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


# ---------------------------------------------------------------- data, cached on the file


@st.cache_resource(max_entries=16, show_spinner=False)
def _evaluated(path: str, fingerprint: tuple[int, ...], day: dt.date) -> list[okrs.ObjectiveProgress]:
    with store.connect(Path(path)) as con:
        return okrs.evaluate(con, day)


def objectives() -> list[okrs.ObjectiveProgress]:
    """Every objective's progress today, recomputed only when the database file changes."""
    path = config.database_path()
    return _evaluated(str(path), store.data_fingerprint(path), ui.today())


@st.cache_resource(max_entries=16, show_spinner=False)
def _histories(
    path: str, fingerprint: tuple[int, ...], metric_ids: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    with store.connect(Path(path)) as con:
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
    with st.expander(f"Trend of {d.name} with its target", icon=":material/show_chart:"):
        st.plotly_chart(trend_figure(k, history, start), config={"displayModeBar": False})


def objective_card(op: okrs.ObjectiveProgress, people: Mapping[str, str], person: Person | None) -> None:
    o = op.objective
    with st.container(border=True):
        head, badge = st.columns([6, 1.3], vertical_alignment="center")
        head.subheader(o.title, anchor=False)
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


def owner_actions(o: okrs.Objective, person: Person | None) -> None:
    """Accept (while awaited) and check in (once accepted), for the objective's owners only."""
    if person is None or not access.can(person, "manage_okrs") or not o.sides_of(person.email):
        return
    if any(s in o.awaiting for s in o.sides_of(person.email)):
        if st.button("Accept this objective", key=f"accept-{o.objective_id}", type="primary"):
            act(lambda con: okrs.accept(con, person, o.objective_id), f"You accepted “{o.title}”.")
        return
    if not o.accepted:
        return
    with st.popover("Check in", icon=":material/forum:"), st.form(f"check-in-{o.objective_id}"):
        confidence = st.slider("Confidence we will make it", 1, 10, 6, key=f"confidence-{o.objective_id}")
        note = st.text_area("Note", max_chars=okrs.MAX_NOTE, key=f"note-{o.objective_id}")
        if st.form_submit_button("Save check-in"):
            act(lambda con: okrs.check_in(con, person, o.objective_id, confidence, note), "Check-in saved.")


# ---------------------------------------------------------------- creating


def new_objective_form(person: Person) -> None:
    """Title, period, two owners and 2-5 key results on agreed metrics."""
    with store.connect() as con:
        owners = okrs.owner_choices(con)
        metrics = okrs.metric_choices(con, ui.today())
    day = ui.today()
    quarter = okrs.default_period(day)
    choices = [quarter.label, quarter.shifted(1).label]
    count = st.number_input(
        "Number of key results", okrs.MIN_KEY_RESULTS, okrs.MAX_KEY_RESULTS, 3, key="new-okr-count"
    )
    emails = [p.email for p in owners]
    label = {p.email: f"{p.name} ({p.email})" for p in owners}
    by_id = {e.definition.id: e.definition for e in metrics}
    with st.form("new-objective"):
        title = st.text_input(
            "Objective", max_chars=okrs.MAX_TITLE, placeholder="Grow repeat customers without risking uptime"
        )
        period_col, it_col, mk_col = st.columns(3)
        period = period_col.selectbox("Period", choices)
        it_owner = it_col.selectbox("IT owner", emails, format_func=label.__getitem__)
        marketing_owner = mk_col.selectbox(
            "Marketing owner", emails, index=min(1, len(emails) - 1), format_func=label.__getitem__
        )
        specs = []
        for i in range(int(count)):
            metric_col, base_col, target_col, due_col = st.columns([3, 1.5, 1.5, 1.5])
            metric = metric_col.selectbox(
                f"Key result {i + 1}: metric",
                list(by_id),
                index=i % len(by_id),
                format_func=lambda m: by_id[m].name,
                key=f"kr-metric-{i}",
            )
            baseline = base_col.number_input("Baseline", value=0.0, format="%g", key=f"kr-baseline-{i}")
            target = target_col.number_input("Target", value=0.0, format="%g", key=f"kr-target-{i}")
            due = due_col.date_input("Due", value=quarter.end - dt.timedelta(days=1), key=f"kr-due-{i}")
            specs.append(progress.KeyResultSpec(metric, baseline, target, due))
        if st.form_submit_button("Create objective", type="primary"):
            draft = okrs.ObjectiveDraft(title, period, it_owner, marketing_owner, tuple(specs))
            act(
                lambda con: okrs.save(con, person, draft, today=day),
                "Objective created. Both owners now accept it.",
            )


# ---------------------------------------------------------------- wins


@st.cache_resource(max_entries=8, show_spinner=False)
def _feed(path: str, fingerprint: tuple[int, ...], day: dt.date, limit: int) -> list[wins.Win]:
    with store.connect(Path(path)) as con:
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
            f":material/celebration: **{plain(w.headline)}** · {w.last_day:%d %b %Y} · credit: {plain(w.credit)}"
        )
