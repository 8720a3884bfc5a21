"""Fixtures shared by the ETL tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from yfinance import data as yf_data


@pytest.fixture
def fresh_yfinance() -> Iterator[None]:
    """yfinance keeps one YfData (session, cookie, crumb) per process; give each test its own."""
    yf_data.SingletonMeta._instances.pop(yf_data.YfData, None)
    yield
    yf_data.SingletonMeta._instances.pop(yf_data.YfData, None)
