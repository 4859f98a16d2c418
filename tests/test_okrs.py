"""Shared OKRs: progress arithmetic, status thresholds, the two-owner rule, check-ins."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from metrics import access, store
from metrics.catalog import definitions as catalog
from metrics.errors import InputRejected, PermissionDenied
from metrics.okrs import objectives as okrs
from metrics.okrs import progress
from tests.conftest import TODAY
from tests.values import add_values

SEED = {d.id: d for d in catalog.load_seed().metrics}
CHURN = SEED["churn_rate"]  # lower is better, monthly
REPEAT = SEED["repeat_purchase_rate"]  # higher is better, monthly
CONVERSION = SEED["conversion_rate"]  # higher is better, weekly
Q4 = dt.date(2026, 10, 1)
DUE = dt.date(2026, 12, 31)


def _history(*points: tuple[dt.date, float]) -> pd.DataFrame:
    return pd.DataFrame({"period_start": [p[0] for p in points], "value": [float(p[1]) for p in points]})


# ---------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(
    ("current", "expected_raw", "expected_bar"),
    [(2.5, 0.5, 0.5), (3.5, -0.5, 0.0), (1.5, 1.5, 1.0), (3.0, 0.0, 0.0), (2.0, 1.0, 1.0)],
)
def test_lower_is_better_progress_runs_downwards(
    current: float, expected_raw: float, expected_bar: float
) -> None:
    spec = progress.KeyResultSpec("churn_rate", 3.0, 2.0, DUE)
    assert progress.share_of_way(current, spec, CHURN) == pytest.approx(expected_raw)
    k = progress.evaluate(spec, CHURN, _history((Q4, current)), Q4, TODAY)
    assert k.progress == pytest.approx(expected_bar)
    assert k.reached is (current <= 2.0)


def test_higher_is_better_progress_runs_upwards() -> None:
    spec = progress.KeyResultSpec("repeat_purchase_rate", 30.0, 32.0, DUE)
    assert progress.share_of_way(31.0, spec, REPEAT) == pytest.approx(0.5)
    assert progress.share_of_way(29.0, spec, REPEAT) == pytest.approx(-0.5)


@pytest.mark.parametrize(
    ("d", "level", "held", "broken"),
    [(REPEAT, 30.0, 30.5, 29.9), (CHURN, 2.5, 2.4, 2.6)],
)
def test_baseline_equal_to_target_is_held_or_not(
    d: catalog.MetricDefinition, level: float, held: float, broken: float
) -> None:
    spec = progress.KeyResultSpec(d.id, level, level, DUE)
    assert progress.is_guardrail(spec, d)
    assert progress.share_of_way(level, spec, d) == 1.0  # exactly at the level holds it
    good = progress.evaluate(spec, d, _history((Q4, held)), Q4, TODAY)
    bad = progress.evaluate(spec, d, _history((Q4, broken)), Q4, TODAY)
    assert (good.progress, good.reached, good.status) == (1.0, True, progress.ON_TRACK)
    assert (bad.progress, bad.reached, bad.status) == (0.0, False, progress.OFF_TRACK)


def test_a_target_worse_than_the_baseline_is_a_guardrail_not_a_division() -> None:
    uptime = SEED["site_uptime"]
    spec = progress.KeyResultSpec("site_uptime", 99.95, 99.9, DUE)
    assert progress.is_guardrail(spec, uptime)
    assert progress.share_of_way(99.92, spec, uptime) == 1.0
    assert progress.share_of_way(99.8, spec, uptime) == 0.0


def test_no_data_yet_reads_no_data_not_zero() -> None:
    spec = progress.KeyResultSpec("conversion_rate", 3.0, 3.5, DUE)
    before_start = _history((dt.date(2026, 9, 28), 3.9))  # reached, but before the objective began
    for history in (_history(), before_start):
        k = progress.evaluate(spec, CONVERSION, history, Q4, TODAY)
        assert (k.current, k.raw, k.progress, k.status) == (None, None, None, progress.NO_DATA)
    assert progress.worst([progress.NO_DATA, progress.NO_DATA]) == progress.NO_DATA


def test_data_past_the_due_date_does_not_count() -> None:
    spec = progress.KeyResultSpec("conversion_rate", 3.0, 3.5, dt.date(2026, 11, 1))
    history = _history((dt.date(2026, 10, 26), 3.2), (dt.date(2026, 11, 2), 3.6), (dt.date(2026, 11, 9), 3.7))
    k = progress.evaluate(spec, CONVERSION, history, Q4, TODAY)
    assert k.current_period == dt.date(2026, 10, 26) and k.current == 3.2
    assert not k.reached and k.progress == pytest.approx(0.4)
    assert k.elapsed == 1.0 and k.status == progress.OFF_TRACK  # time is up and the target was missed


def test_an_incomplete_period_does_not_count_yet() -> None:
    spec = progress.KeyResultSpec("conversion_rate", 3.0, 3.5, DUE)
    history = _history((dt.date(2026, 11, 16), 3.2), (dt.date(2026, 11, 23), 3.9))  # this week is not over
    k = progress.evaluate(spec, CONVERSION, history, Q4, TODAY)
    assert k.current_period == dt.date(2026, 11, 16)


def test_time_elapsed_is_read_at_the_end_of_the_values_period() -> None:
    assert progress.elapsed_share(Q4, DUE, Q4) == 0.0
    assert progress.elapsed_share(Q4, DUE, dt.date(2026, 11, 16)) == pytest.approx(46 / 92)
    assert progress.elapsed_share(Q4, DUE, dt.date(2027, 1, 5)) == 1.0
    spec = progress.KeyResultSpec("repeat_purchase_rate", 30.0, 32.0, DUE)
    k = progress.evaluate(spec, REPEAT, _history((Q4, 30.8)), Q4, TODAY)  # October, known in November
    assert k.elapsed == pytest.approx(31 / 92)  # October's end, not 23 November
    assert k.status == progress.ON_TRACK  # 40% of the way at 34% of the time


@pytest.mark.parametrize(
    ("raw", "elapsed", "expected"),
    [
        (0.5, 0.5, progress.ON_TRACK),
        (0.4, 0.5, progress.ON_TRACK),  # exactly ON_TRACK_GAP behind
        (0.39, 0.5, progress.AT_RISK),
        (0.25, 0.5, progress.AT_RISK),  # exactly AT_RISK_GAP behind
        (0.24, 0.5, progress.OFF_TRACK),
        (-0.3, 0.2, progress.AT_RISK),  # backwards counts as no progress
        (-0.3, 0.3, progress.OFF_TRACK),
        (0.99, 1.0, progress.OFF_TRACK),  # time is up
        (None, 0.5, progress.NO_DATA),
    ],
)
def test_status_thresholds(raw: float | None, elapsed: float, expected: str) -> None:
    assert progress.status_for(raw, elapsed, reached=False, guardrail=False) == expected


def test_reached_is_on_track_even_when_time_is_up() -> None:
    assert progress.status_for(1.2, 1.0, reached=True, guardrail=False) == progress.ON_TRACK
    assert progress.status_for(0.0, 0.01, reached=False, guardrail=True) == progress.OFF_TRACK


def test_an_objective_is_as_healthy_as_its_weakest_key_result() -> None:
    assert progress.worst([progress.ON_TRACK, progress.NO_DATA, progress.AT_RISK]) == progress.AT_RISK
    assert progress.slipped(progress.ON_TRACK, progress.AT_RISK)
    assert not progress.slipped(progress.AT_RISK, progress.ON_TRACK)
    assert not progress.slipped(progress.NO_DATA, progress.OFF_TRACK)


# ---------------------------------------------------------------- storing and the two-owner rule


def _person(con: store.Connection, email: str) -> access.Person:
    return access.require_person(con, email)


def _draft(**changes: object) -> okrs.ObjectiveDraft:
    base = {
        "title": "Grow repeat customers without risking uptime",
        "period": "2026-Q4",
        "it_owner": "priya.cio@example.com",
        "marketing_owner": "marco.cmo@example.com",
        "key_results": (
            progress.KeyResultSpec("repeat_purchase_rate", 29.6, 32.0, DUE),
            progress.KeyResultSpec("site_uptime", 99.9, 99.9, DUE),
        ),
    }
    return okrs.ObjectiveDraft(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize("email", ["bea.board@example.com", "uma.upload@example.com"])
def test_only_executives_approvers_and_admins_create_objectives(con: store.Connection, email: str) -> None:
    with pytest.raises(PermissionDenied):
        okrs.save(con, _person(con, email), _draft())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"marketing_owner": "priya.cio@example.com"}, "two different people"),
        ({"marketing_owner": "uma.upload@example.com"}, "cannot own an objective"),
        ({"it_owner": "nobody@example.com"}, "not an active person"),
        ({"key_results": (progress.KeyResultSpec("churn_rate", 3, 2.5, DUE),)}, "2 to 5 key results"),
        ({"period": "2026-W47"}, "quarter"),
        ({"title": "  "}, "title"),
        (
            {"key_results": (progress.KeyResultSpec("churn_rate", 3, 2.5, DUE),) * 2},
            "metric is used twice",
        ),
        (
            {
                "key_results": (
                    progress.KeyResultSpec("churn_rate", 3, 2.5, DUE),
                    progress.KeyResultSpec("nope", 1, 2, DUE),
                )
            },
            "not an agreed metric",
        ),
        (
            {
                "key_results": (
                    progress.KeyResultSpec("churn_rate", 3, 2.5, dt.date(2027, 1, 5)),
                    progress.KeyResultSpec("nps", 30, 40, DUE),
                )
            },
            "due date",
        ),
        (
            {
                "key_results": (
                    progress.KeyResultSpec("churn_rate", 3, 250, DUE),
                    progress.KeyResultSpec("nps", 30, 40, DUE),
                )
            },
            "outside the metric's accepted range",
        ),
    ],
)
def test_a_bad_draft_is_refused_with_a_reason(
    con: store.Connection, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InputRejected, match=message):
        okrs.save(con, _person(con, "dana.it@example.com"), _draft(**changes))
    assert len(okrs.objectives(con)) == 3  # the demo's, nothing more


def test_an_objective_counts_only_once_both_owners_accept_the_exact_revision(con: store.Connection) -> None:
    creator = _person(con, "sam.marketing@example.com")
    saved = okrs.save(con, creator, _draft(), today=TODAY)
    assert not saved.accepted and saved.awaiting == ("it", "marketing")
    with pytest.raises(PermissionDenied, match="owners"):
        okrs.accept(con, creator, saved.objective_id)  # the creator is not an owner
    half = okrs.accept(con, _person(con, "priya.cio@example.com"), saved.objective_id)
    assert half.awaiting == ("marketing",) and not half.accepted
    ids = {p.objective.objective_id for p in okrs.evaluate(con, TODAY, accepted_only=True)}
    assert saved.objective_id not in ids
    whole = okrs.accept(con, _person(con, "marco.cmo@example.com"), saved.objective_id)
    assert whole.accepted
    assert saved.objective_id in {
        p.objective.objective_id for p in okrs.evaluate(con, TODAY, accepted_only=True)
    }
    # an edit is a new revision: both must accept again, and the old acceptances stay recorded
    edited = okrs.save(
        con, creator, _draft(title="Grow repeat customers, keep uptime"), saved.objective_id, TODAY
    )
    assert edited.revision == 2 and edited.awaiting == ("it", "marketing")
    actions = [
        r[0]
        for r in con.execute(
            "SELECT action FROM audit_log WHERE subject = ?", [str(saved.objective_id)]
        ).fetchall()
    ]
    assert actions.count("accept_objective") == 2 and actions.count("save_objective") == 2


def test_an_acceptance_counts_only_for_the_content_it_covered(con: store.Connection) -> None:
    saved = okrs.save(con, _person(con, "alex.admin@example.com"), _draft(), today=TODAY)
    okrs.accept(con, _person(con, "priya.cio@example.com"), saved.objective_id)
    okrs.accept(con, _person(con, "marco.cmo@example.com"), saved.objective_id)
    assert okrs.get(con, saved.objective_id).accepted
    con.execute(
        "UPDATE objective_acceptances SET content_hash = 'forged' WHERE objective_id = ?",
        [saved.objective_id],
    )
    assert okrs.get(con, saved.objective_id).awaiting == ("it", "marketing")


@pytest.mark.parametrize("email", ["bea.board@example.com", "uma.upload@example.com"])
def test_only_people_who_manage_okrs_withdraw_objectives(con: store.Connection, email: str) -> None:
    with pytest.raises(PermissionDenied):
        okrs.withdraw(con, _person(con, email), 1)
    assert not okrs.get(con, 1).withdrawn and okrs.get(con, 1).revision == 1
    audit = "SELECT count(*) FROM audit_log WHERE action = 'withdraw_objective'"
    assert con.execute(audit).fetchone() == (0,)


def test_a_withdrawn_objective_leaves_the_list_and_keeps_its_history(con: store.Connection) -> None:
    dana = _person(con, "dana.it@example.com")
    okrs.withdraw(con, dana, 1)
    assert [o.objective_id for o in okrs.objectives(con)] == [2, 3]
    gone = okrs.get(con, 1)
    assert gone.withdrawn and gone.revision == 2 and gone.saved_by == dana.email
    assert 1 in {o.objective_id for o in okrs.objectives(con, include_withdrawn=True)}
    assert okrs.check_ins(con, 1)  # the demo check-in stays
    with pytest.raises(InputRejected, match="already withdrawn"):
        okrs.withdraw(con, dana, 1)
    with pytest.raises(InputRejected, match="withdrawn"):
        okrs.save(con, dana, okrs.draft_of(gone), 1, TODAY)


def test_an_edit_starts_from_the_revision_in_force(con: store.Connection) -> None:
    saved = okrs.save(con, _person(con, "dana.it@example.com"), _draft(period="2026-12"), today=TODAY)
    draft = okrs.draft_of(saved)
    assert draft == _draft(period="2026-12", key_results=saved.key_results)
    assert draft.key_results[0] == progress.KeyResultSpec("repeat_purchase_rate", 29.6, 32.0, DUE)
    again = okrs.save(con, _person(con, "sam.marketing@example.com"), draft, saved.objective_id, TODAY)
    assert again.revision == 2 and again.content_hash == saved.content_hash


def test_check_ins_need_an_owner_an_accepted_objective_and_a_sane_confidence(con: store.Connection) -> None:
    priya, dana = _person(con, "priya.cio@example.com"), _person(con, "dana.it@example.com")
    saved = okrs.save(con, dana, _draft(), today=TODAY)
    with pytest.raises(InputRejected, match="accepted"):
        okrs.check_in(con, priya, saved.objective_id, 7, "Early days")
    okrs.accept(con, priya, saved.objective_id)
    okrs.accept(con, _person(con, "marco.cmo@example.com"), saved.objective_id)
    with pytest.raises(PermissionDenied):
        okrs.check_in(con, dana, saved.objective_id, 7, "Not my objective")
    for bad in (0, 11, True):
        with pytest.raises(InputRejected, match="Confidence"):
            okrs.check_in(con, priya, saved.objective_id, bad, "Hmm")
    with pytest.raises(InputRejected, match="note"):
        okrs.check_in(con, priya, saved.objective_id, 7, "   ")
    okrs.check_in(con, priya, saved.objective_id, 8, "Loyalty app  lifted repeat orders")
    mine = next(p for p in okrs.evaluate(con, TODAY) if p.objective.objective_id == saved.objective_id)
    assert mine.last_check_in is not None
    assert (mine.last_check_in.confidence, mine.last_check_in.note) == (8, "Loyalty app lifted repeat orders")


def test_progress_is_read_from_the_values_in_force(con: store.Connection) -> None:
    dana = _person(con, "dana.it@example.com")
    draft = _draft(
        key_results=(
            progress.KeyResultSpec("churn_rate", 3.0, 2.0, DUE),
            progress.KeyResultSpec("conversion_rate", 3.0, 4.0, DUE),
        )
    )
    saved = okrs.save(con, dana, draft, today=TODAY)
    add_values(con, [("churn_rate", Q4, 2.5), ("conversion_rate", dt.date(2026, 11, 16), 3.25)])
    found = next(p for p in okrs.evaluate(con, TODAY) if p.objective.objective_id == saved.objective_id)
    churn, conversion = found.key_results
    assert churn.current == 2.5 and churn.progress == pytest.approx(0.5)
    assert conversion.current == 3.25 and conversion.progress == pytest.approx(0.25)
    assert found.progress == pytest.approx(0.375)
    assert churn.elapsed == pytest.approx(31 / 92) and churn.status == progress.ON_TRACK
    assert conversion.elapsed == pytest.approx(53 / 92)  # the week of 16 Nov ended on 23 Nov
    assert conversion.status == progress.OFF_TRACK  # 25% of the way at 58% of the time
    assert found.status == progress.OFF_TRACK


# ---------------------------------------------------------------- past the due date, no data, sides


def test_past_the_due_date_short_of_the_target_is_off_track() -> None:
    """Due 31 Dec; on 5 Jan the newest value (November's) is well short: time is up."""
    spec = progress.KeyResultSpec("repeat_purchase_rate", 29.0, 33.0, DUE)
    history = _history((dt.date(2026, 10, 1), 30.5), (dt.date(2026, 11, 1), 32.0))
    on_time = progress.evaluate(spec, REPEAT, history, Q4, dt.date(2026, 12, 2))
    late = progress.evaluate(spec, REPEAT, history, Q4, dt.date(2027, 1, 5))
    assert on_time.status == progress.ON_TRACK  # 75% of the way with 2/3 of the time gone
    assert late.status == progress.OFF_TRACK
    reached = progress.evaluate(spec, REPEAT, _history((dt.date(2026, 11, 1), 33.5)), Q4, dt.date(2027, 1, 5))
    assert reached.status == progress.ON_TRACK  # met: time being up changes nothing


def _kr(status_: str, raw: float | None) -> progress.KeyResultProgress:
    spec = progress.KeyResultSpec("repeat_purchase_rate", 29.0, 33.0, DUE)
    return progress.KeyResultProgress(spec, REPEAT, None, None, raw, 0.5, False, False, status_)


def test_a_key_result_without_data_leaves_the_objective_mean_and_status_alone() -> None:
    objective = okrs.ObjectiveProgress(
        None,  # type: ignore[arg-type]
        (_kr(progress.AT_RISK, 0.6), _kr(progress.NO_DATA, None), _kr(progress.ON_TRACK, 0.8)),
        0.5,
        None,
    )
    assert objective.progress == pytest.approx(0.7)  # (0.6 + 0.8) / 2, not (0.6 + 0 + 0.8) / 3
    assert objective.status == progress.AT_RISK
    nothing = okrs.ObjectiveProgress(None, (_kr(progress.NO_DATA, None),), 0.5, None)  # type: ignore[arg-type]
    assert nothing.progress is None and nothing.status == progress.NO_DATA


@pytest.mark.parametrize(
    ("it_owner", "marketing_owner", "refused"),
    [
        ("marco.cmo@example.com", "priya.cio@example.com", r"Marco Silva \(CMO\) cannot be the IT owner"),
        (
            "dana.it@example.com",
            "priya.cio@example.com",
            "Priya Raman \\(CIO\\) cannot be the marketing owner",
        ),
        ("priya.cio@example.com", "alex.admin@example.com", "Alex Admin cannot be the marketing owner"),
    ],
)
def test_each_owner_comes_from_their_own_side(
    con: store.Connection, it_owner: str, marketing_owner: str, refused: str
) -> None:
    with pytest.raises(InputRejected, match=refused):
        okrs.save(
            con,
            _person(con, "priya.cio@example.com"),
            _draft(it_owner=it_owner, marketing_owner=marketing_owner),
        )


def test_a_board_member_owns_nothing(con: store.Connection) -> None:
    board_member = _person(con, "bea.board@example.com")
    assert access.side_of(board_member) is None
    with pytest.raises(InputRejected, match="cannot"):
        okrs.save(con, _person(con, "priya.cio@example.com"), _draft(marketing_owner=board_member.email))
