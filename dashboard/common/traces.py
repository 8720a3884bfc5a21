"""The trace and layout helpers every page's charts share (pure plotly: no Streamlit, no I/O).

Every figure carries axis titles with units and currency, a hover naming each figure's period
and source, and a footnote with its sources and the vintage id.
"""

from __future__ import annotations

import re
import textwrap

import pandas as pd
import plotly.graph_objects as go

from dashboard.common.safe import plotly_text
from dashboard.common.theme import (
    MONEY_AXIS,
    MONEY_UNITS,
    money_ticks,
    unit_label,
)

HEIGHT = 460
EVENT_HOVER = (
    "<b>%{customdata[1]}</b><br>%{customdata[0]}<br>Source: %{customdata[2]}<extra></extra>"
)


#: Characters per line. The figure cannot measure text, so lines are wrapped for the narrowest
#: screen we support (a 390 px phone): titles at 15 px, axis titles at 12 px, notes at 10 px.
TITLE_CHARS = 42
AXIS_TITLE_CHARS = 34
NOTE_CHARS = 64
HOVER_CHARS = 56
TITLE_PX = 20
AXIS_CHAR_PX = 6.5
LEGEND_ROW_PX = 19
HOVER_PX = 6
NOTE_PX = 13
#: Space under the plot for the x tick labels (rotated quarter labels) and the x-axis title.
X_AXIS_PX = 105


def wrap(text: str, width: int) -> str:
    """Break text into lines of at most `width` characters with plotly's <br>.

    A unit ("RMB million") stays on one line: split, it reads as two words.
    """
    kept = str(text).replace(" million", "\u00a0million")
    return ("<br>".join(textwrap.wrap(kept, width)) or kept).replace("\u00a0", " ")


def custom_data(frame: pd.DataFrame) -> list[list[str]]:
    # Source names and notes run long: wrapped, the hover box stays inside the chart.
    return [
        [
            plotly_text(a),
            wrap(plotly_text(b), HOVER_CHARS),
            wrap(plotly_text(c), HOVER_CHARS) if c else "",
        ]
        for a, b, c in zip(frame["label"], frame["source"], frame["note"], strict=True)
    ]


def hover_template(name: str, unit: str, fmt: str = ",.0f") -> str:
    return (
        "<b>%{customdata[0]}</b><br>"
        f"{name}: %{{y:{fmt}}} {unit_label(unit)}<br>"
        "Source: %{customdata[1]}<br><i>%{customdata[2]}</i><extra></extra>"
    )


def bar(frame: pd.DataFrame, name: str, color: str, **kw: object) -> go.Bar:
    """A quarterly bar trace with the standard hover."""
    unit = frame["unit"].iloc[0] if len(frame) else ""
    return go.Bar(
        x=frame["period_end"],
        y=frame["value"],
        name=name,
        marker_color=color,
        customdata=custom_data(frame),
        hovertemplate=hover_template(name, unit),
        **kw,
    )


def line(
    frame: pd.DataFrame, name: str, color: str, *, dash: str = "solid", **kw: object
) -> go.Scatter:
    """A quarterly line with markers; gaps stay gaps (connectgaps=False)."""
    unit = frame["unit"].iloc[0] if len(frame) else ""
    fmt = ",.1f" if unit in ("pct", "index") else ",.0f"
    return go.Scatter(
        x=frame["period_end"],
        y=frame["value"],
        name=name,
        mode="lines+markers",
        line={"color": color, "dash": dash},
        connectgaps=False,
        customdata=custom_data(frame),
        hovertemplate=hover_template(name, unit, fmt),
        **kw,
    )


def count_format(unit: str) -> str:
    return ",.4~s" if unit in ("count", "tokens") else ",.1f"


def points(
    frame: pd.DataFrame, name: str, color: str, *, marker_size: int = 10, **kw: object
) -> go.Scatter:
    """Dated observations as markers only: sparse series are never drawn as invented lines."""
    unit = frame["unit"].iloc[0] if len(frame) else ""
    return go.Scatter(
        x=frame["period_end"],
        y=frame["value"],
        name=name,
        mode="markers",
        marker={"color": color, "size": marker_size, "symbol": "diamond"},
        customdata=custom_data(frame),
        hovertemplate=hover_template(name, unit, count_format(unit)),
        **kw,
    )


def history(frame: pd.DataFrame, name: str, color: str, **kw: object) -> go.Scatter:
    """A dense measured history (crawl after crawl, board after board) as a line with dots."""
    unit = frame["unit"].iloc[0] if len(frame) else ""
    return go.Scatter(
        x=frame["period_end"],
        y=frame["value"],
        name=name,
        mode="lines+markers",
        line={"color": color, "width": 2},
        marker={"color": color, "size": 4},
        customdata=custom_data(frame),
        hovertemplate=hover_template(name, unit, count_format(unit)),
        **kw,
    )


def quarter_ticks(fig: go.Figure, frames: list[pd.DataFrame], **kw: object) -> None:
    """Label the x axis with quarter labels (fiscal or calendar) at quarter ends."""
    parts = [f[["period_end", "label"]] for f in frames if len(f)]
    if not parts:
        return
    ticks = pd.concat(parts)
    ticks = ticks.drop_duplicates("period_end").sort_values("period_end")
    step = max(1, len(ticks) // 12)
    ticks = ticks.iloc[::step]
    fig.update_xaxes(
        tickvals=ticks["period_end"],
        ticktext=[str(t).split(" ")[0] for t in ticks["label"]],
        tickangle=-45,
        **kw,
    )


_VINTAGE = re.compile(r"Vintage (\S+?)\.?$")
_CURRENCY = re.compile(r"(FX: .*?\.|Amounts in [^.]*\.)(?= |$)")


def essentials(text: str) -> str:
    """What a chart must carry on its face, even exported: the currency sentence and the vintage.

    The sources and the notes sit one click away under the chart (see components.chart) and in
    the figure's meta, so they are never cut.
    """
    parts = [m.group(1) for m in (_CURRENCY.search(text),) if m]
    vintage = _VINTAGE.search(text.strip())
    if vintage:
        parts.append(f"Vintage {vintage.group(1)}.")
    return " ".join(parts) or text


def full_note(fig: go.Figure) -> str:
    """The whole footnote of a figure (sources, FX, notes, vintage), as footnote() stored it."""
    meta = fig.layout.meta
    return str(meta.get("footnote", "")) if isinstance(meta, dict) else ""


def footnote(fig: go.Figure, text: str, width: int = NOTE_CHARS) -> go.Figure:
    """Put the currency and vintage under the plot and keep the whole note in the figure's meta.

    The note is never cut: its short form is wrapped to fit a phone; the full text travels with
    the figure (layout.meta.footnote) for the page to show under a "Sources and notes" toggle.
    """
    short = wrap(essentials(text), min(width, NOTE_CHARS))
    fig.add_annotation(
        text=short,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-X_AXIS_PX,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font={"size": 10},
        name="footnote",
    )
    fig.update_layout(meta={"footnote": text})
    return fit_text(fig, note_lines=short.count("<br>") + 1)


def fit_text(fig: go.Figure, note_lines: int = 0) -> go.Figure:
    """Lay out a figure's text so nothing collides or is cut, from a phone to a wide screen.

    The title sits at the top, wrapped; the legend sits under it (never across it) and pushes
    the plot down as far as it needs; long axis titles wrap instead of running past the plot.
    """
    height = int(fig.layout.height or HEIGHT)
    title = str(fig.layout.title.text or "")
    lines = wrap(title, TITLE_CHARS)
    title_px = 12 + TITLE_PX * (lines.count("<br>") + 1)
    fig.update_layout(
        title={
            "text": lines,
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 10, "l": 8},
            "font": {"size": 15},
        },
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1 - (title_px + 4) / height,
            "yanchor": "top",
            "yref": "container",
        },
        # A figure that set wider side margins (long category labels) keeps them.
        margin={
            "l": max(60, fig.layout.margin.l or 0),
            "r": max(30, fig.layout.margin.r or 0),
            "t": title_px + 30,
            "b": max(X_AXIS_PX + 10 + NOTE_PX * note_lines, fig.layout.margin.b or 0),
        },
        hoverlabel={"align": "left"},
        # Plotly's default 20 px lets a line's marker near the top of a bar win the hover over
        # the bar under the cursor; a few pixels keep the hover on the hovered trace's point.
        hoverdistance=HOVER_PX,
    )
    # A y-axis title runs along its panel: a short panel (one row of a stack) takes fewer
    # characters per line than the phone's width allows.
    # On a phone each legend entry takes a row above the plot, and the plot shrinks by as much.
    entries = sum(1 for t in fig.data if t.showlegend is not False)
    plot_px = height - fig.layout.margin.t - fig.layout.margin.b - LEGEND_ROW_PX * entries
    for axis in fig.select_yaxes():
        low, high = axis.domain or (0.0, 1.0)
        _wrap_title(axis, min(AXIS_TITLE_CHARS, int((high - low) * plot_px / AXIS_CHAR_PX)))
    for axis in fig.select_xaxes():
        _wrap_title(axis, AXIS_TITLE_CHARS)
    return fig


def _wrap_title(axis: go.layout.XAxis | go.layout.YAxis, width: int) -> None:
    text = axis.title.text
    if text and "<br>" not in text and len(text) > width:
        axis.title.text = wrap(text, max(width, 12))


def money_axis(fig: go.Figure, unit: str, axis: str = "y", extra: tuple[float, ...] = ()) -> None:
    """Ticks of a money axis in the cards' units ("¥50bn"), from the values drawn on it."""
    values = [
        float(v)
        for t in fig.data
        if (getattr(t, "yaxis", None) or "y") == axis and getattr(t, "y", None) is not None
        for v in t.y
        if v is not None and pd.notna(v)
    ]
    values += list(extra)
    layout_key = "yaxis" if axis == "y" else f"yaxis{axis[1:]}"
    fig.layout[layout_key].title.text = MONEY_AXIS[unit]
    if values:
        ticks, labels = money_ticks(min(values), max(values), unit)
        fig.layout[layout_key].update(tickmode="array", tickvals=ticks, ticktext=labels)


def layout(
    fig: go.Figure, title: str, y_title: str, height: int = HEIGHT, *, unit: str = ""
) -> go.Figure:
    """Title, height and axis titles; a money `unit` gives the y axis the cards' "¥50bn" ticks."""
    fig.update_layout(
        title={"text": title},
        height=height,
        hovermode="closest",
        barmode="group",
    )
    fig.update_yaxes(title_text=y_title, zeroline=True)
    if unit in MONEY_UNITS:
        money_axis(fig, unit)
    fig.update_xaxes(title_text="quarter end")
    return fig


#: Room beyond the last quarter end, so that a bar centred on it is drawn whole.
BAR_ROOM = pd.Timedelta(days=46)


def date_span(
    first: pd.Timestamp | None,
    last: pd.Timestamp | None,
    dates: list[pd.Series],
    room: pd.Timedelta = BAR_ROOM,
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The x range every chart of a page shares: the date range asked for, else the data's.

    Open ends take the earliest and latest date drawn; `room` lets a bar or marker at the edge
    show whole. None when nothing is drawn.
    """
    drawn = (
        pd.concat([pd.to_datetime(d) for d in dates if len(d)]) if any(map(len, dates)) else None
    )
    if drawn is None or drawn.dropna().empty:
        return None
    lo = first if first is not None else drawn.min() - room
    hi = (last if last is not None else drawn.max()) + room
    return lo, hi


def share_dates(figs: list[go.Figure], span: tuple[pd.Timestamp, pd.Timestamp] | None) -> None:
    """Give every chart of a page one date axis over the same span.

    The axis type is set explicitly: plotly guesses a linear axis from a panel with no points,
    and a shared axis then reads -1...6 instead of dates.
    """
    for fig in figs:
        fig.update_xaxes(type="date")
        if span is not None:
            fig.update_xaxes(range=[span[0], span[1]])


#: Event colours, used by no data series (the palettes in theme.py) so a mark never reads as data.
EVENT_COLORS = {
    "qwen_release": "#e03131",
    "capex_commitment": "#fab005",
    "earnings": "#8d6e63",
    "conference": "#f783ac",
    "other": "#c0a080",
}
#: How a release's weights are told apart: line dash and the hover marker's symbol.
WEIGHTS_STYLE = {
    "open": ("dot", "line-ns-open", " (open weights)"),
    "api": ("dash", "x-thin-open", " (API only)"),
    "": ("dot", "line-ns-open", ""),
}
EVENT_NAMES = {
    "qwen_release": "Qwen release",
    "capex_commitment": "capex commitment",
    "earnings": "earnings",
    "conference": "conference",
    "other": "other",
}


def event_marks(fig: go.Figure, events: pd.DataFrame, y: float = 1.0) -> None:
    """Vertical marks for events (one line each) plus hoverable markers (label, date, source).

    The hoverable markers sit at height `y` of the first panel. Open-weight and API-only
    releases differ in dash and symbol; each category has a colour no data series uses.
    """
    if events.empty:
        return
    # Subplot figures place the markers on the first panel; plain figures have no grid.
    grid = {"row": 1, "col": 1} if getattr(fig, "_grid_ref", None) else {}
    weights = events["weights"] if "weights" in events else pd.Series("", index=events.index)
    for (cat, kind), group in events.groupby([events["category"], weights.fillna("")]):
        color = EVENT_COLORS.get(str(cat), EVENT_COLORS["other"])
        _dash, symbol, suffix = WEIGHTS_STYLE.get(str(kind), WEIGHTS_STYLE[""])
        dates = pd.to_datetime(group["date"])
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=[y] * len(group),
                yaxis="y",
                mode="markers",
                name=f"Event: {EVENT_NAMES.get(str(cat), str(cat))}{suffix}",
                marker={"symbol": symbol, "size": 18, "color": color, "line": {"color": color}},
                customdata=[
                    [str(d.date()), plotly_text(lab), plotly_text(s)]
                    for d, lab, s in zip(dates, group["label"], group["source"], strict=True)
                ],
                hovertemplate=EVENT_HOVER,
            ),
            **grid,
        )
    # One batch of layout shapes spanning every subplot: add_vline per event re-validates the
    # whole figure each time (about 0.7 s per event on a four-row figure).
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": d,
            "x1": d,
            "y0": 0,
            "y1": 1,
            "line": {
                "width": 1,
                "dash": WEIGHTS_STYLE.get(str(w), WEIGHTS_STYLE[""])[0],
                "color": EVENT_COLORS.get(str(c), EVENT_COLORS["other"]),
            },
            "opacity": 0.5,
            "layer": "below",
            "name": "event",
        }
        for d, c, w in zip(
            pd.to_datetime(events["date"]), events["category"], weights.fillna(""), strict=True
        )
    ]
    fig.update_layout(shapes=list(fig.layout.shapes) + shapes)
