"""Demo OKRs: three joint objectives for the quarter of the demo's end date, accepted by
both owners, with last week's check-ins, so the OKR page and the brief have content on
first start. Baselines are read from the demo values (the newest before the quarter),
and targets are a believable step from there, so progress is whatever the data says.
"""

from __future__ import annotations

import datetime as dt

from metrics import clock, periods, store
from metrics.catalog import definitions as catalog
from metrics.okrs import objectives as okrs
from metrics.okrs import progress
from metrics.uploads import observations

# (title, IT owner, marketing owner, [(metric, step towards better, or None = hold this level)])
DEMO_OBJECTIVES: tuple[tuple[str, str, str, tuple[tuple[str, float | None, float | None], ...]], ...] = (
    (
        "Grow repeat customers without risking uptime",
        "priya.cio@example.com",
        "marco.cmo@example.com",
        (("repeat_purchase_rate", 2.4, None), ("churn_rate", 0.6, None), ("site_uptime", None, 99.9)),
    ),
    (
        "Turn more visits into orders",
        "dana.it@example.com",
        "sam.marketing@example.com",
        (
            ("conversion_rate", 0.3, None),
            ("checkout_p95_latency", 300, None),
            ("cart_abandonment_rate", 1.5, None),
        ),
    ),
    (
        "Launch faster and lift the basket",
        "dana.it@example.com",
        "marco.cmo@example.com",
        (("deployment_frequency", 3, None), ("lead_time_days", 0.5, None), ("average_order_value", 4, None)),
    ),
)
DEMO_CHECK_INS = (
    (7, "Repeat rate is moving with the loyalty app; churn needs the win-back emails live."),
    (5, "Checkout latency is the blocker: capacity work is scheduled, conversion waits on it."),
    (6, "Deploys are steady; the basket lift from bundles came and went, we are testing it again."),
)


def _rounded(value: float, d: catalog.MetricDefinition) -> float:
    return float(round(value)) if d.unit == "count" or abs(value) >= 100 else round(value, 2)


def _spec(
    d: catalog.MetricDefinition, baseline: float, step: float | None, hold: float | None, due: dt.date
) -> progress.KeyResultSpec:
    if hold is not None:
        return progress.KeyResultSpec(d.id, _rounded(baseline, d), hold, due)
    target = baseline + (step or 0.0) if d.higher_is_better else baseline - (step or 0.0)
    # a target people would write down: whole numbers from 100 up, one decimal below
    nice = float(round(target)) if d.unit == "count" or abs(target) >= 100 else round(target, 1)
    return progress.KeyResultSpec(d.id, _rounded(baseline, d), nice, due)


def load_demo(con: store.Connection, end: dt.date, by: str) -> int:
    """Seed the demo objectives inside the caller's transaction; returns how many."""
    quarter = okrs.default_period(end)
    agreed = {e.definition.id: e.definition for e in catalog.board_entries(con, end)}
    values = observations.values_in_force(con)
    before = values[values["period_start"] < quarter.start]
    last_week = periods.last_complete(end, "weekly")
    count = 0
    for index, (title, it_owner, marketing_owner, wanted) in enumerate(DEMO_OBJECTIVES):
        specs = []
        for metric_id, step, hold in wanted:
            series = before.loc[before["metric_id"] == metric_id, "value"]
            if metric_id not in agreed or series.empty:
                continue
            specs.append(
                _spec(
                    agreed[metric_id], float(series.iloc[-1]), step, hold, quarter.end - dt.timedelta(days=1)
                )
            )
        if len(specs) < okrs.MIN_KEY_RESULTS:
            continue
        objective_id = store.next_id(con, "objective_ids")
        owners = (it_owner, marketing_owner)
        digest = okrs._insert_revision(
            con,
            objective_id,
            1,
            title=title,
            period=quarter.label,
            owners=owners,
            specs=specs,
            withdrawn=False,
            by=by,
        )
        for side, owner in zip(okrs.SIDES, owners, strict=True):
            okrs._insert_acceptance(con, objective_id, 1, side, owner, digest, clock.now())
        confidence, note = DEMO_CHECK_INS[index % len(DEMO_CHECK_INS)]
        at = dt.datetime.combine(last_week + dt.timedelta(days=3), dt.time(9 + index))
        okrs._insert_check_in(con, okrs.CheckIn(objective_id, 1, it_owner, confidence, note, at))
        count += 1
    return count  # seed.load_demo's audit record covers the demo as a whole
