"""Validation rules for metric CSVs, and the pandera schemas built from them.

Each rule is written once, as an ibis expression that is true for a row that
passes. pandera's ibis backend runs the rules inside DuckDB, where the staged
upload sits, so a million rows are checked without leaving the database:

* the *gate* schema holds one check, every rule at once: one scan for a valid file;
* the *detail* schema holds one check per rule, and is run only when the gate
  fails, to list every failing cell with its line;
* the *profile* schema states each rule once more per metric, for the straight
  path of ``metrics.loading``: pandera checks a per-metric profile of the loaded
  rows (latest period, lowest and highest value, ...) with one check per rule.
  Tests hold the row form and the profile form of every rule to the same files.

The per-metric facts the rules need (is it agreed, who supplies it, its cadence
and bounds) come from the agreed catalog, as a small table joined to the rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pandera.errors
import pandera.pandas as pa
from pandera.ibis import Check, DataFrameSchema

from metrics import config, periods
from metrics.access import Person
from metrics.catalog.definitions import CatalogEntry

NOTE_LIMIT = 500
#: A segment names a slice of a metric ("mobile app", "EMEA"): short, printable text.
SEGMENT_LIMIT = 100
#: The largest whole number a double holds exactly (2^53): a count beyond it is not a count.
EXACT_WHOLE = 2.0**53
_CONTROL = r"[\x00-\x1f\x7f]"
CADENCE_START = {
    "weekly": "a Monday",
    "monthly": "the first of a month",
    "quarterly": "the first day of a quarter",
}

Predicate = Callable[[ir.Table], ir.BooleanColumn]
ProfileTest = Callable[[pd.DataFrame], "pd.Series[bool]"]
DUPLICATE_RULE = "duplicate_row"


@dataclass(frozen=True)
class Rule:
    id: str
    column: str  # the CSV column a failure is reported under
    summary: str  # the reason, in plain words, for the count per rule
    passes: Predicate
    explain: Callable[[pd.Series], str] | None = None  # a row-specific reason, if it helps
    # The same rule on the per-metric profile (the columns of metrics.loading's profile query); None when
    # a row breaking it cannot be loaded at all (an empty metric, a date or number that
    # does not parse strictly: the table's NOT NULL constraints refuse it).
    per_metric: ProfileTest | None = None

    def reason(self, row: pd.Series) -> str:
        return self.explain(row) if self.explain else self.summary


def _known(t: ir.Table) -> ir.BooleanColumn:
    return t.known


def _range_text(row: pd.Series) -> str:
    low, high = row.get("low"), row.get("high")
    if pd.notna(low) and pd.notna(high):
        return f"outside the allowed range {low:g} to {high:g} for {row['metric_id']}"
    if pd.notna(low):
        return f"below the lowest allowed value {low:g} for {row['metric_id']}"
    return f"above the highest allowed value {high:g} for {row['metric_id']}"


def rules(today: dt.date) -> tuple[Rule, ...]:
    """Every row rule, in the order a person would fix them."""
    return (
        Rule("metric_id_missing", "metric_id", "metric_id is empty", lambda t: t.metric_id.notnull()),
        Rule(
            "metric_unknown",
            "metric_id",
            "not a metric in the catalog",
            lambda t: t.metric_id.isnull() | t.known,
            per_metric=lambda p: p.known,
        ),
        Rule(
            "metric_not_agreed",
            "metric_id",
            "this metric's definition is not agreed by IT and marketing yet (or it is retired)",
            lambda t: ~t.known | t.agreed,
            per_metric=lambda p: ~p.known | p.agreed,
        ),
        Rule(
            "wrong_team",
            "metric_id",
            "your team does not supply this metric",
            lambda t: ~t.known | ~t.agreed | t.team_may_upload,
            lambda r: f"your team does not supply {r['metric_id']} (it comes from {r['supplied_by']})",
            per_metric=lambda p: ~p.known | ~p.agreed | p.team_may_upload,
        ),
        Rule(
            "period_not_date",
            "period_start",
            "not a date written as YYYY-MM-DD",
            lambda t: t.period.notnull(),
        ),
        Rule(
            "period_not_start",
            "period_start",
            "not the first day of the metric's period",
            lambda t: t.period.isnull() | t.cadence.isnull() | _is_period_start(t),
            lambda r: f"{r['metric_id']} is {r['cadence']}: the date must be {CADENCE_START[r['cadence']]}",
            per_metric=_periods_start_right,
        ),
        Rule(
            "period_not_ended",
            "period_start",
            "the period has not ended yet: a value is sent once its whole period is over",
            lambda t: t.period.isnull() | t.cadence.isnull() | (t.period <= _last_ended_start(t, today)),
            lambda r: _not_ended_text(r, today),
            per_metric=lambda p: p.cadence.isna() | (p.latest_period <= _last_ended_starts(p, today)),
        ),
        Rule(
            "period_too_early",
            "period_start",
            f"the period starts before {config.earliest_period():%d %b %Y}, the earliest this scorecard "
            "accepts (SCORECARD_EARLIEST_PERIOD): a typo for a recent year?",
            lambda t: t.period.isnull() | (t.period >= ibis.date(config.earliest_period())),
            per_metric=lambda p: p.earliest_period >= pd.Timestamp(config.earliest_period()),
        ),
        Rule(
            "value_not_number",
            "value",
            "not a plain number (use . for decimals, no thousands separators, units or %)",
            lambda t: t.value.notnull(),
        ),
        Rule(
            "value_not_finite",
            "value",
            "not a finite number (NaN, infinity or too large)",
            lambda t: t.value.isnull() | ~(t.value.isnan() | t.value.isinf()),
            per_metric=lambda p: p.not_finite == 0,
        ),
        Rule(
            "value_out_of_range",
            "value",
            "outside the range allowed for the metric",
            lambda t: _finite_or_null(t) | _within_bounds(t),
            _range_text,
            per_metric=lambda p: (
                (p.low.isna() | p.lowest.isna() | (p.lowest >= p.low))
                & (p.high.isna() | p.highest.isna() | (p.highest <= p.high))
            ),
        ),
        Rule(
            "value_not_whole",
            "value",
            "a count must be a whole number",
            lambda t: _finite_or_null(t) | ~t.whole.fill_null(False) | ((t.value % 1) == 0),
            per_metric=lambda p: ~p.whole | (p.not_whole == 0),
        ),
        Rule(
            "count_too_large",
            "value",
            f"a count must be at most {EXACT_WHOLE:,.0f} (beyond it a number is no longer held exactly)",
            lambda t: _finite_or_null(t) | ~t.whole.fill_null(False) | (t.value.abs() <= EXACT_WHOLE),
            per_metric=lambda p: ~p.whole | ((p.lowest >= -EXACT_WHOLE) & (p.highest <= EXACT_WHOLE)),
        ),
        Rule(
            "segment_too_long",
            "segment",
            f"a segment name is at most {SEGMENT_LIMIT} characters",
            lambda t: t.segment.isnull() | (t.segment.length() <= SEGMENT_LIMIT),
            per_metric=lambda p: p.longest_segment <= SEGMENT_LIMIT,
        ),
        Rule(
            "segment_not_printable",
            "segment",
            "a segment name holds a tab, line break or other control character",
            lambda t: t.segment.isnull() | ~t.segment.re_search(_CONTROL),
            per_metric=lambda p: p.unprintable_segments == 0,
        ),
        Rule(
            DUPLICATE_RULE,
            "metric_id",
            "the same metric, period and segment appear more than once in this file",
            lambda t: t.copies == 1,
            per_metric=lambda p: p.repeated_keys == 0,
        ),
        Rule(
            "note_too_long",
            "note",
            f"the note is longer than {NOTE_LIMIT} characters",
            lambda t: t.note.isnull() | (t.note.length() <= NOTE_LIMIT),
            per_metric=lambda p: p.longest_note <= NOTE_LIMIT,
        ),
    )


def _last_ended_start(t: ir.Table, today: dt.date) -> ir.DateValue:
    """Per row: the start of the newest period of the row's cadence that had ended by ``today``."""
    newest = {c: periods.last_complete(today, c) for c in CADENCE_START}
    return ibis.cases(
        *((t.cadence == c, ibis.date(day)) for c, day in newest.items()), else_=ibis.date(today)
    )


def _last_ended_starts(p: pd.DataFrame, today: dt.date) -> pd.Series[pd.Timestamp]:
    """Per metric of the profile: the same newest ended period start, as a timestamp."""
    newest = {c: pd.Timestamp(periods.last_complete(today, c)) for c in CADENCE_START}
    return p.cadence.map(newest)


def _not_ended_text(row: pd.Series, today: dt.date) -> str:
    """'site_uptime is weekly: the week from 2026-11-23 ends on Sun 29 Nov 2026; send it from Mon 30 Nov'."""
    start, cadence = pd.Timestamp(row["period"]).date(), str(row["cadence"])
    first_after = periods.shift(periods.period_start(start, cadence), cadence, 1)
    last_day = first_after - dt.timedelta(days=1)
    return (
        f"{row['metric_id']} is {cadence}: the period from {start.isoformat()} ends on "
        f"{last_day:%a %d %b %Y}; send its value from {first_after:%a %d %b %Y}"
    )


def _periods_start_right(p: pd.DataFrame) -> pd.Series[bool]:
    """Per metric: every period starts where the metric's cadence says (or no cadence is known)."""
    weekly = (p.cadence == "weekly") & (p.not_monday == 0)
    monthly = (p.cadence == "monthly") & (p.not_first_of_month == 0)
    quarterly = (p.cadence == "quarterly") & (p.not_first_of_month == 0) & (p.not_quarter_month == 0)
    return p.cadence.isna() | weekly | monthly | quarterly


def _finite_or_null(t: ir.Table) -> ir.BooleanColumn:
    """True where another rule already reports the value (so it is not reported twice)."""
    return t.value.isnull() | t.value.isnan() | t.value.isinf()


def _within_bounds(t: ir.Table) -> ir.BooleanColumn:
    above_low = t.low.isnull() | (t.value >= t.low)
    below_high = t.high.isnull() | (t.value <= t.high)
    return above_low & below_high


def _is_period_start(t: ir.Table) -> ir.BooleanColumn:
    first_of_month = t.period.day() == 1
    return (
        ((t.cadence == "weekly") & (t.period.day_of_week.index() == 0))
        | ((t.cadence == "monthly") & first_of_month)
        | ((t.cadence == "quarterly") & first_of_month & t.period.month().isin([1, 4, 7, 10]))
    )


def _check(rule_id: str, summary: str, predicate: Predicate) -> Check:
    return Check(lambda data: predicate(data.table), name=rule_id, error=summary)


def gate_schema(row_rules: Sequence[Rule]) -> DataFrameSchema:
    """Two checks for a valid file's fast path: every row rule at once (one scan),
    and no key twice (one aggregate; the per-row duplicate count is costlier)."""
    row_wise = [r for r in row_rules if r.id != DUPLICATE_RULE]

    def every_rule(t: ir.Table) -> ir.BooleanColumn:
        return functools.reduce(operator.and_, (r.passes(t) for r in row_wise))

    def unique_keys(t: ir.Table) -> ir.BooleanScalar:
        keyed = t.select("metric_id", "period", "segment").filter(t.metric_id.notnull() & t.period.notnull())
        copies = keyed.group_by(["metric_id", "period", "segment"]).aggregate(copies=keyed.count())
        return copies.copies.max().fill_null(1) <= 1

    return DataFrameSchema(
        checks=[
            _check("every_rule", "a row breaks a rule", every_rule),
            Check(lambda data: unique_keys(data.table), name="unique_keys", error="a key appears twice"),
        ]
    )


def detail_schema(row_rules: Sequence[Rule]) -> DataFrameSchema:
    """One check per rule; its failure cases are whole rows, line numbers included."""
    return DataFrameSchema(checks=[_check(r.id, r.summary, r.passes) for r in row_rules])


def profile_schema(row_rules: Sequence[Rule]) -> pa.DataFrameSchema:
    """Every rule at once on the per-metric profile of rows loaded by the straight path
    (one check: a clean file, the usual case, costs one pass over a few dozen rows)."""
    stated = [rule.per_metric for rule in row_rules if rule.per_metric is not None]

    def every_rule(profile: pd.DataFrame) -> pd.Series[bool]:
        return functools.reduce(operator.and_, (test(profile) for test in stated))

    return pa.DataFrameSchema(checks=[pa.Check(every_rule, name="every_rule_per_metric")])


def profile_breaks(row_rules: Sequence[Rule], profile: pd.DataFrame) -> list[str]:
    """The rules the profile breaks (empty: every loaded row keeps every rule)."""
    try:
        profile_schema(row_rules).validate(profile)
    except pandera.errors.SchemaError:
        return [r.id for r in row_rules if r.per_metric is not None and not r.per_metric(profile).all()]
    return []


# The facts beside each row or metric, from the facts table joined as ``f`` (a metric
# the catalog does not know has none: known is false, flags default to false).
FACT_COLUMNS = """
       f.metric_id IS NOT NULL AS known,
       coalesce(f.agreed, false) AS agreed,
       f.supplied_by,
       coalesce(f.team_may_upload, false) AS team_may_upload,
       f.cadence, f.low, f.high,
       coalesce(f.whole, false) AS whole"""


def catalog_facts(entries: Iterable[CatalogEntry], person: Person) -> pd.DataFrame:
    """Per metric: agreed?, may this person upload it?, cadence and accepted bounds."""
    rows: list[dict[str, Any]] = []
    for entry in entries:
        d = entry.definition
        low, high, whole = d.bounds()
        agreed = entry.status not in {"proposed", "retired"}
        rows.append(
            {
                "metric_id": d.id,
                "agreed": agreed,
                "supplied_by": d.supplied_by,
                "team_may_upload": person.has("admin") or person.team == d.supplied_by,
                "cadence": d.cadence,
                "low": low,
                "high": high,
                "whole": whole,
            }
        )
    columns = ["metric_id", "agreed", "supplied_by", "team_may_upload", "cadence", "low", "high", "whole"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"agreed": bool, "team_may_upload": bool, "whole": bool, "low": float, "high": float})
