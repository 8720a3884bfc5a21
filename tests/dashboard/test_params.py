"""The URL codec: round trips, and never raises on arbitrary input."""

from __future__ import annotations

from datetime import date

from hypothesis import find, given
from hypothesis import strategies as st

from dashboard.common import params
from dashboard.common.params import ViewState

QUARTER_ENDS = st.builds(
    lambda y, m: date(y, m, {3: 31, 6: 30, 9: 30, 12: 31}[m]),
    st.integers(2001, 2099),
    st.sampled_from([3, 6, 9, 12]),
)
#: (start, end) in either order of None, never reversed (a reversed range is a notice, not a view).
RANGES = st.tuples(st.none() | QUARTER_ENDS, st.none() | QUARTER_ENDS).map(
    lambda r: tuple(sorted(r)) if None not in r else r
)
STATES = st.builds(
    lambda rng, **kw: ViewState(start=rng[0], end=rng[1], **kw),
    RANGES,
    vintage=st.none() | st.from_regex(r"v[0-9a-f]{12}", fullmatch=True),
    ccy=st.sampled_from(params.CURRENCIES),
    basis=st.sampled_from(params.BASES),
    capex=st.sampled_from(params.CAPEX_VIEWS),
    view=st.sampled_from(params.TRANSFORMS),
    lag=st.integers(*params.LAG_RANGE),
    series=st.lists(st.sampled_from(params.ADOPTION_SERIES), unique=True).map(tuple),
    q=st.from_regex(r"[a-z0-9 _]{0,20}", fullmatch=True),
    win=st.sampled_from(params.WINDOWS),
    cell=st.sampled_from(["", "capex@FY2026Q4", "revenue@FY2023Q1"]),
    events=st.sets(st.sampled_from(params.EVENT_CATEGORIES)).map(
        lambda c: tuple(x for x in params.EVENT_CATEGORIES if x in c)
    ),
    importance=st.sampled_from(params.IMPORTANCE),
    quarter=st.none() | QUARTER_ENDS,
)


@given(STATES)
def test_round_trip(state: ViewState) -> None:
    """parse(to_query(s)) == s for every view state, both ends of the date range included."""
    back = params.parse(params.to_query(state))
    assert back == state and back.notices == ()


def test_round_trip_strategy_covers_the_end_of_the_range() -> None:
    """The state strategy really generates end dates (it once produced only end=None)."""
    found = find(STATES, lambda s: s.end is not None and s.start is not None)
    assert found.start <= found.end


@given(
    st.dictionaries(
        st.text(max_size=10), st.text(max_size=200) | st.lists(st.text(max_size=20), max_size=3)
    )
)
def test_parse_never_raises(raw: dict[str, object]) -> None:
    """Arbitrary query strings give a valid state, never an exception."""
    state = params.parse(raw)
    assert (
        state.ccy in params.CURRENCIES and params.LAG_RANGE[0] <= state.lag <= params.LAG_RANGE[1]
    )


def test_garbage_values_fall_back_with_notices() -> None:
    """Each unusable value is named in a notice and replaced by its default."""
    state = params.parse(
        {"ccy": "EUR", "lag": "99", "vintage": "../x", "from": "FY2026Q4", "to": "FY2024Q1"}
    )
    assert state.ccy == "RMB" and state.lag == 0 and state.vintage is None
    assert state.start is None and state.end is None
    assert len(state.notices) == 4


def test_defaults_give_short_links() -> None:
    """Only the vintage and non-default values go into the URL."""
    assert params.to_query(ViewState(vintage="v0123456789ab")) == {"vintage": "v0123456789ab"}
    q = params.to_query(
        ViewState(vintage="v0123456789ab", basis="calendar", start=date(2024, 6, 30))
    )
    assert q == {"vintage": "v0123456789ab", "basis": "calendar", "from": "2024Q2"}


def test_choice_fields_keep_their_literal_types() -> None:
    """The view choices are typed with etl.models' Literals, not plain str (issue #18)."""
    from typing import get_type_hints

    from etl import models

    hints = get_type_hints(ViewState)
    assert hints["ccy"] == models.Currency
    assert hints["basis"] == models.CalendarBasis
    assert hints["capex"] == models.CapexView
    assert hints["view"] == models.SeriesTransform
    assert hints["importance"] == models.EventImportance
