"""Palette, unit labels and number formatting shared by charts and pages."""

from __future__ import annotations

import math

COLORS = {
    "capex": "#d9480f",
    "capex_stated": "#5f3dc4",
    "qwen": "#ae3ec9",
    "rival": "#495057",
    "gap": "#f08c00",
    "ai_cloud_revenue": "#1971c2",
    "ai_cloud_adjusted_ebita": "#74c0fc",
    "adjusted_ebita": "#1c7ed6",
    "free_cash_flow": "#0b3d17",
    "operating_cash_flow": "#2f9e44",
    "ocf_less_capex": "#845ef7",
    "revenue": "#495057",
    "cloud_revenue": "#0c8599",
    "cloud_adjusted_ebita": "#1c7ed6",
    "margin": "#e8590c",
    "adoption": "#ae3ec9",
    "qwen_release": "#ae3ec9",
    "earnings": "#868e96",
    "capex_commitment": "#d9480f",
    "conference": "#0c8599",
    "other": "#adb5bd",
}
#: Streamlit 1.67's page and chart backgrounds (sampled from screenshots), light and dark.
BACKGROUNDS = {"light": "#ffffff", "dark": "#171614"}
#: Colours swapped in the dark theme: on a dark background the light palette's dark lines fade
#: (the rival line was at 2.3:1) and the two cash-flow greens need the opposite order.
DARK_COLORS = {
    "free_cash_flow": "#2b8a3e",
    "operating_cash_flow": "#b2f2bb",
    "rival": "#b0b7bf",
}
#: Series drawn together that must differ in lightness, not only in hue, in both themes.
CONTRAST_PAIRS = (("operating_cash_flow", "free_cash_flow"),)
#: Series that must stand out from the background in both themes (WCAG non-text: 3:1).
CONTRAST_ON_BACKGROUND = ("operating_cash_flow", "free_cash_flow", "rival", "qwen", "capex")
ADOPTION_COLORS = ["#ae3ec9", "#1098ad", "#f08c00", "#5c940d", "#c2255c", "#364fc7", "#087f5b"]


def palette(scheme: str) -> dict[str, str]:
    """The series colours of a theme ("light" or "dark")."""
    return {**COLORS, **DARK_COLORS} if scheme == "dark" else dict(COLORS)


def _luminance(color: str) -> float:
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


#: Light colour -> dark colour, for restyling a figure built with the light palette.
DARK_SWAPS = {COLORS[k]: v for k, v in DARK_COLORS.items()}

UNIT_LABELS = {
    "RMB_mn": "RMB million",
    "USD_mn": "US$ million",
    "pct": "%",
    "count": "count",
    "score": "score",
    "rank": "rank (1 = best)",
    "tokens_per_day": "tokens per day",
    "tokens": "tokens",
    "index": "index (first day = 100)",
    "RMB_per_USD": "RMB per US$",
    "multiple": "times a year earlier",
}


def unit_label(unit: str) -> str:
    """Human unit for an axis title."""
    return UNIT_LABELS.get(unit, unit)


MONEY_UNITS = ("RMB_mn", "USD_mn")
#: Axis titles of money axes: ticks and cards read "¥50bn"; hovers (and CSVs) keep millions.
MONEY_AXIS = {
    "RMB_mn": "¥ bn (hovers: RMB million)",
    "USD_mn": "US$ bn (hovers: US$ million)",
}


def money(value: float | None, unit: str, decimals: int = 1) -> str:
    """Format an amount in millions compactly with its currency: '¥243.4bn' (RMB), 'US$33.5bn'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    cur = "US$" if unit == "USD_mn" else "¥"
    sign = "-" if value < 0 else ""
    if abs(value) >= 1000:
        return f"{sign}{cur}{abs(value) / 1000:,.{decimals}f}bn"
    return f"{sign}{cur}{abs(value):,.0f}mn"


def money_ticks(
    low: float, high: float, unit: str, target: int = 5
) -> tuple[list[float], list[str]]:
    """Round tick values (in millions) spanning low..high and zero, labelled like the cards."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low or 1.0
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    values = [i * step for i in range(first, last + 1)]
    decimals = 0 if step >= 1000 and step % 1000 == 0 else 1
    labels = ["0" if v == 0 else money(v, unit, decimals) for v in values]
    return values, labels


def count(value: float | None) -> str:
    """Format a count compactly: 180,000 -> '180k', 700,000,000 -> '700M'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:,.0f}"


def pct(value: float | None) -> str:
    """Format a signed percentage."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:+.0f}%"
