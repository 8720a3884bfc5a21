"""How amounts read on the cards and axes (dashboard.common.theme)."""

from __future__ import annotations

from dashboard.common import theme


def test_negative_amounts_put_the_sign_before_the_currency() -> None:
    """A free cash flow outflow reads -¥17.3bn, not ¥-17.3bn."""
    assert theme.money(-17_300.0, "RMB_mn") == "-¥17.3bn"
    assert theme.money(-250.0, "USD_mn") == "-US$250mn"
    assert theme.money(243_380.0, "RMB_mn") == "¥243.4bn"
