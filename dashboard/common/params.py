"""View state <-> URL query parameters. parse() never raises; unknown values fall back to defaults.

URL keys: vintage, ccy, basis, from, to, capex, view, lag, series, q, win, cell, labs, events,
importance, quarter. Page choice is the URL path (st.navigation url_path), so it needs no key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

__all__ = ["ViewState", "parse", "replace", "to_query"]
from datetime import date

from etl import periods
from etl.config import VINTAGE_RE
from etl.models import (
    ADOPTION_METRICS,
    BASIS_CHOICES,
    CAPEX_VIEW_CHOICES,
    COMPANIES,
    CURRENCY_CHOICES,
    EVENT_WINDOWS,
    IMPORTANCE_CHOICES,
    LABS,
    TRANSFORM_CHOICES,
    CalendarBasis,
    CapexView,
    Currency,
    EventImportance,
    SeriesTransform,
)

T = TypeVar("T")

CURRENCIES = CURRENCY_CHOICES
BASES = BASIS_CHOICES
CAPEX_VIEWS = CAPEX_VIEW_CHOICES
TRANSFORMS = TRANSFORM_CHOICES
LAG_RANGE = (-8, 8)
WINDOWS = tuple(EVENT_WINDOWS)
ADOPTION_SERIES = ADOPTION_METRICS
#: Event categories that can be marked on the charts, and those marked by default: with only
#: the major events of these two, the default Spending view draws at most 15 lines.
EVENT_CATEGORIES = ("qwen_release", "capex_commitment", "earnings", "conference", "other")
DEFAULT_EVENTS = ("qwen_release", "capex_commitment")
IMPORTANCE = IMPORTANCE_CHOICES
DEFAULT_SERIES = ("lmarena_text_score", "hf_downloads_30d", "hf_qwen_derivative_models")
CELL_RE = re.compile(r"^([a-z_]{3,40})@(FY\d{4}Q[1-4])$")
MAX_SEARCH = 80
_SEARCH_OK = re.compile(r"^[\w\s.,:;%&()'/+\-]*$", re.UNICODE)


@dataclass(frozen=True)
class ViewState:
    """Everything that defines what a viewer sees, besides the page."""

    vintage: str | None = None
    ccy: Currency = "RMB"
    basis: CalendarBasis = "fiscal"
    start: date | None = None
    end: date | None = None
    capex: CapexView = "quarterly"
    view: SeriesTransform = "level"
    lag: int = 0
    series: tuple[str, ...] = DEFAULT_SERIES
    q: str = ""
    win: int = 5
    events: tuple[str, ...] = DEFAULT_EVENTS
    #: The Overview's quarter (its end date); None shows the latest quarter in range.
    quarter: date | None = None
    importance: EventImportance = "major"
    #: A coverage cell chosen on the Sources page: "<metric>@<fiscal quarter>".
    cell: str = ""
    #: The Peers page's changes to the declared lab -> company map (etl.models.lab_map).
    labs: str = ""
    notices: tuple[str, ...] = field(default=(), compare=False)


DEFAULT = ViewState()


def _one(raw: Mapping[str, object], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value)


def _choice(
    raw: Mapping[str, object], key: str, options: tuple[T, ...], notes: list[str]
) -> T | None:
    """The element of `options` the link names (so typed as the options are), if any."""
    value = _one(raw, key)
    if value is None:
        return None
    for option in options:
        if option == value:
            return option
    notes.append(f"Ignored {key}={value[:30]!r}: expected one of {', '.join(map(str, options))}.")
    return None


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def _int(
    raw: Mapping[str, object], key: str, bounds: tuple[int, int], notes: list[str]
) -> int | None:
    value = _one(raw, key)
    if value is None:
        return None
    if re.fullmatch(r"[+-]?\d{1,3}", value) and bounds[0] <= int(value) <= bounds[1]:
        return int(value)
    notes.append(
        f"Ignored {key}={value[:30]!r}: expected a whole number from {bounds[0]} to {bounds[1]}."
    )
    return None


def _quarter(raw: Mapping[str, object], key: str, notes: list[str]) -> date | None:
    value = _one(raw, key)
    if value is None:
        return None
    for fn in (periods.fiscal_to_period_end, periods.calendar_to_period_end):
        try:
            end = fn(value)
        except ValueError:
            continue
        if date(2000, 1, 1) <= end <= date(2100, 12, 31):
            return end
    notes.append(f"Ignored {key}={value[:30]!r}: expected a quarter like FY2024Q1 or 2023Q2.")
    return None


def _window(raw: Mapping[str, object], notes: list[str]) -> int | None:
    value = _one(raw, "win")
    if value is None:
        return None
    if value in {str(w) for w in WINDOWS}:
        return int(value)
    notes.append(f"Ignored win={value[:30]!r}: expected one of {', '.join(map(str, WINDOWS))}.")
    return None


def _cell(raw: Mapping[str, object], notes: list[str]) -> str | None:
    value = _one(raw, "cell")
    if value is None:
        return None
    if CELL_RE.match(value):
        return value
    notes.append(f"Ignored cell={value[:30]!r}: expected <metric>@<quarter> like capex@FY2026Q4.")
    return None


def _labs(raw: Mapping[str, object], notes: list[str]) -> str | None:
    value = _one(raw, "labs")
    if value is None:
        return None
    pairs = []
    for item in filter(None, value.split(",")):
        lab, colon, names = item.partition(":")
        companies = [c for c in names.split("+") if c]
        if not colon or lab not in LABS or not all(c in COMPANIES for c in companies):
            notes.append(
                f"Ignored labs={value[:30]!r}: expected lab:company pairs like "
                "openai:microsoft or anthropic:amazon+alphabet."
            )
            return None
        pairs.append(f"{lab}:{'+'.join(dict.fromkeys(companies))}")
    return ",".join(sorted(dict.fromkeys(pairs)))


def _series(raw: Mapping[str, object], notes: list[str]) -> tuple[str, ...] | None:
    value = _one(raw, "series")
    if value is None:
        return None
    items = [s for s in value.split(",") if s]
    known = tuple(dict.fromkeys(s for s in items if s in ADOPTION_SERIES))
    if len(known) != len(items):
        notes.append("Ignored unknown adoption series in the link.")
    return known


def _events(raw: Mapping[str, object], notes: list[str]) -> tuple[str, ...] | None:
    value = _one(raw, "events")
    if value is None:
        return None
    items = [s for s in value.split(",") if s]
    known = tuple(c for c in EVENT_CATEGORIES if c in items)  # one order, so links compare
    if len(set(items)) != len(known):
        notes.append(
            f"Ignored unknown event categories in the link: expected {', '.join(EVENT_CATEGORIES)}."
        )
    return known


def _search(raw: Mapping[str, object], notes: list[str]) -> str | None:
    q = _one(raw, "q")
    if q is None:
        return None
    if len(q) <= MAX_SEARCH and _SEARCH_OK.match(q):
        return q
    notes.append("Ignored the search text in the link (too long or unusual characters).")
    return None


def parse(raw: Mapping[str, object]) -> ViewState:
    """Turn query parameters into a ViewState; never raises, and says what it ignored."""
    notes: list[str] = []
    vintage = _one(raw, "vintage")
    if vintage is not None and not VINTAGE_RE.match(vintage):
        notes.append(f"The link's vintage {vintage[:30]!r} is not a valid vintage id.")
        vintage = None
    # Keyword arguments are evaluated in order, so the notices keep the order of the fields.
    d = DEFAULT
    state = ViewState(
        vintage=vintage,
        ccy=_or(_choice(raw, "ccy", CURRENCIES, notes), d.ccy),
        basis=_or(_choice(raw, "basis", BASES, notes), d.basis),
        start=_quarter(raw, "from", notes),
        end=_quarter(raw, "to", notes),
        capex=_or(_choice(raw, "capex", CAPEX_VIEWS, notes), d.capex),
        view=_or(_choice(raw, "view", TRANSFORMS, notes), d.view),
        lag=_or(_int(raw, "lag", LAG_RANGE, notes), d.lag),
        series=_or(_series(raw, notes), d.series),
        win=_or(_window(raw, notes), d.win),
        cell=_or(_cell(raw, notes), d.cell),
        labs=_or(_labs(raw, notes), d.labs),
        events=_or(_events(raw, notes), d.events),
        quarter=_quarter(raw, "quarter", notes),
        importance=_or(_choice(raw, "importance", IMPORTANCE, notes), d.importance),
        q=_or(_search(raw, notes), d.q),
    )
    if state.start and state.end and state.start > state.end:
        notes.append("The link's date range was reversed; showing the full range.")
        state = replace(state, start=None, end=None)
    return replace(state, notices=tuple(notes))


def to_query(state: ViewState) -> dict[str, str]:
    """Query parameters for a state: the vintage plus every value that differs from the default."""
    out: dict[str, str] = {}
    if state.vintage:
        out["vintage"] = state.vintage
    for key in ("ccy", "basis", "capex", "view", "q", "cell", "labs", "importance"):
        if getattr(state, key) != getattr(DEFAULT, key):
            out[key] = str(getattr(state, key))
    if state.start:
        out["from"] = periods.period_label(state.start, state.basis)
    if state.end:
        out["to"] = periods.period_label(state.end, state.basis)
    if state.quarter:
        out["quarter"] = periods.period_label(state.quarter, state.basis)
    if state.lag != DEFAULT.lag:
        out["lag"] = str(state.lag)
    if state.win != DEFAULT.win:
        out["win"] = str(state.win)
    if state.series != DEFAULT.series:
        out["series"] = ",".join(state.series)
    if state.events != DEFAULT.events:
        # An empty value says "no events", which differs from leaving the key out (the default).
        out["events"] = ",".join(state.events)
    return out
