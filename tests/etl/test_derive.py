"""Pure derivations and quarter arithmetic."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl import derive, periods

QE = pd.to_datetime(
    ["2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30"]
)


def _s(values: list[float], index: pd.DatetimeIndex = QE) -> pd.Series:
    return pd.Series(values, index=index[: len(values)], dtype=float)


@pytest.mark.parametrize(
    ("end", "fiscal", "calendar"),
    [
        (date(2026, 3, 31), "FY2026Q4", "2026Q1"),
        (date(2025, 6, 30), "FY2026Q1", "2025Q2"),
        (date(2025, 9, 30), "FY2026Q2", "2025Q3"),
        (date(2025, 12, 31), "FY2026Q3", "2025Q4"),
        (date(2022, 6, 30), "FY2023Q1", "2022Q2"),
    ],
)
def test_fiscal_and_calendar_labels(end: date, fiscal: str, calendar: str) -> None:
    """Alibaba's fiscal year ends 31 March; labels map both ways."""
    assert periods.fiscal_label(end) == fiscal
    assert periods.calendar_label(end) == calendar
    assert periods.fiscal_to_period_end(fiscal) == end
    assert periods.calendar_to_period_end(calendar) == end


def test_non_quarter_end_is_refused() -> None:
    """A date that is not a quarter end has no fiscal label."""
    with pytest.raises(ValueError, match="not a quarter end"):
        periods.fiscal_label(date(2025, 6, 29))


@given(st.integers(2000, 2100), st.integers(1, 4))
def test_fiscal_label_round_trips(year: int, quarter: int) -> None:
    """fiscal_label inverts fiscal_to_period_end for every label."""
    label = f"FY{year}Q{quarter}"
    assert periods.fiscal_label(periods.fiscal_to_period_end(label)) == label


def test_ttm_needs_four_consecutive_quarters() -> None:
    """TTM sums four quarters and is NaN when one is missing."""
    s = _s([1, 2, 3, 4, 5, 6])
    assert derive.ttm(s).tolist()[3:] == [10, 14, 18]
    assert derive.ttm(s).iloc[:3].isna().all()
    gappy = s.drop(QE[1])
    assert np.isnan(derive.ttm(gappy).loc[QE[3]])


@given(st.floats(-1e6, 1e6, allow_nan=False))
def test_ttm_of_equal_quarters_is_four_times(x: float) -> None:
    """TTM of four equal quarters is four times the quarter."""
    out = derive.ttm(_s([x] * 4)).iloc[-1]
    assert out == pytest.approx(4 * x)


def test_yoy_and_qoq() -> None:
    """YoY compares with the same quarter a year earlier, QoQ with the previous quarter."""
    s = _s([100, 110, 120, 130, 150, 99])
    assert derive.yoy(s).loc[QE[4]] == pytest.approx(50.0)
    assert derive.yoy(s).loc[QE[5]] == pytest.approx(-10.0)
    assert derive.qoq(s).loc[QE[1]] == pytest.approx(10.0)
    assert np.isnan(derive.yoy(s).loc[QE[3]])


def test_yoy_from_a_loss_uses_the_absolute_base() -> None:
    """A move from -10 to -5 is +50%, not -50%."""
    idx = pd.to_datetime(["2024-06-30", "2025-06-30"])
    assert derive.yoy(pd.Series([-10.0, -5.0], index=idx)).iloc[-1] == pytest.approx(50.0)


def test_margin_and_capex_intensity() -> None:
    """Margins are percent of the denominator; zero denominators give NaN."""
    assert derive.margin(_s([5, 0]), _s([100, 0])).tolist()[0] == pytest.approx(5.0)
    assert np.isnan(derive.margin(_s([5, 1]), _s([100, 0])).iloc[1])


def test_cumulative_since_stops_at_a_gap() -> None:
    """Cumulative capex runs from the start date and never bridges a missing quarter."""
    s = _s([1, 2, 3, 4, 5, 6])
    assert derive.cumulative_since(s, "2024-12-31").tolist() == [3, 7, 12, 18]
    gappy = s.drop(QE[3])
    out = derive.cumulative_since(gappy, "2024-12-31")
    assert out.iloc[0] == 3 and out.iloc[1:].isna().all()


def test_usd_conversion_and_index() -> None:
    """RMB over RMB-per-USD gives USD; a missing rate gives NaN, never a guess."""
    rmb = _s([72.0, 73.0])
    rate = _s([7.2])
    usd = derive.to_usd(rmb, rate)
    assert usd.iloc[0] == pytest.approx(10.0) and np.isnan(usd.iloc[1])
    assert derive.index_to_100(_s([50, 75])).tolist() == [100, 150]


def test_period_average_rate() -> None:
    """The quarterly average of a daily rate, indexed by the quarter end."""
    days = pd.to_datetime(["2025-04-01", "2025-05-01", "2025-06-30", "2025-07-01"])
    out = derive.period_average_rate(pd.Series([7.0, 7.2, 7.4, 7.1], index=days))
    assert list(out.index) == [pd.Timestamp("2025-06-30"), pd.Timestamp("2025-09-30")]
    assert out.tolist() == pytest.approx([7.2, 7.1])
