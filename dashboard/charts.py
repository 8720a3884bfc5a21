"""Pure plotly figure builders: chart frames in, go.Figure out (no Streamlit, no I/O).

Every figure carries axis titles with units and currency, a hover naming each figure's period
and source, and a footnote with its sources and the vintage id.
"""

from __future__ import annotations

import re
import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.common.frames import AI_CLOUD_FIRST_QUARTER, COMMITMENT_RMB_MN, is_dense
from dashboard.common.safe import plotly_text
from dashboard.common.theme import (
    ADOPTION_COLORS,
    COLORS,
    MONEY_AXIS,
    MONEY_UNITS,
    money_ticks,
    unit_label,
)
from etl.models import METRICS

HEIGHT = 460
EVENT_HOVER = (
    "<b>%{customdata[1]}</b><br>%{customdata[0]}<br>Source: %{customdata[2]}<extra></extra>"
)


#: Axis titles of the capex panel in the transformed views (the title says the same).
TRANSFORM_AXIS = {"index": "index (first quarter = 100)", "pct": "YoY change, %"}
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


def _custom(frame: pd.DataFrame) -> list[list[str]]:
    # Source names and notes run long: wrapped, the hover box stays inside the chart.
    return [
        [
            plotly_text(a),
            wrap(plotly_text(b), HOVER_CHARS),
            wrap(plotly_text(c), HOVER_CHARS) if c else "",
        ]
        for a, b, c in zip(frame["label"], frame["source"], frame["note"], strict=True)
    ]


def _hover(name: str, unit: str, fmt: str = ",.0f") -> str:
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
        customdata=_custom(frame),
        hovertemplate=_hover(name, unit),
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
        customdata=_custom(frame),
        hovertemplate=_hover(name, unit, fmt),
        **kw,
    )


def _count_format(unit: str) -> str:
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
        customdata=_custom(frame),
        hovertemplate=_hover(name, unit, _count_format(unit)),
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
        customdata=_custom(frame),
        hovertemplate=_hover(name, unit, _count_format(unit)),
        **kw,
    )


def _quarter_ticks(fig: go.Figure, frames: list[pd.DataFrame], **kw: object) -> None:
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


def _layout(
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


def headline(capex: pd.DataFrame, ebita: pd.DataFrame, fcf: pd.DataFrame, note: str) -> go.Figure:
    """Capex (bars) against adjusted EBITA and free cash flow (lines), per quarter."""
    unit = next((f["unit"].iloc[0] for f in (capex, ebita, fcf) if len(f)), "RMB_mn")
    fig = go.Figure(
        [
            bar(capex, "Capex", COLORS["capex"]),
            line(ebita, "Adjusted EBITA", COLORS["adjusted_ebita"]),
            line(fcf, "Free cash flow", COLORS["free_cash_flow"]),
        ]
    )
    _layout(fig, "Capex against adjusted EBITA and free cash flow", unit_label(unit), unit=unit)
    _quarter_ticks(fig, [capex, ebita, fcf])
    return footnote(fig, note)


def spending_adoption(
    capex: pd.DataFrame,
    capex_name: str,
    adoption: dict[str, pd.DataFrame],
    events: pd.DataFrame,
    note: str,
    *,
    kind: str = "bar",
    commitment: bool = False,
    stated: pd.DataFrame | None = None,
) -> go.Figure:
    """Capex on top, each adoption series as dated observations below, one shared timeline.

    `kind` comes from the view state: quarterly levels are bars; TTM, cumulative, indexed and
    YoY views are lines. `commitment` draws the RMB 380 bn plan (cumulative RMB view).
    `stated` adds capex as stated in words (a different definition) as markers. Dense measured
    adoption histories are lines; dated statements stay markers.
    """
    # Only series with figures get a panel: the page says which chosen series have none.
    rows = 1 + len(adoption)
    titles = [capex_name] + [METRICS[m].label for m in adoption]
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06 if rows > 1 else 0.0,
        subplot_titles=titles,
    )
    unit = capex["unit"].iloc[0] if len(capex) else "RMB_mn"
    trace = (
        bar(capex, capex_name, COLORS["capex"])
        if kind == "bar"
        else line(capex, capex_name, COLORS["capex"])
    )
    fig.add_trace(trace, row=1, col=1)
    if unit in MONEY_UNITS:
        extra = (COMMITMENT_RMB_MN,) if commitment else ()
        money_axis(fig, unit, extra=extra)
    else:
        fig.update_yaxes(title_text=TRANSFORM_AXIS.get(unit, unit_label(unit)), row=1, col=1)
    if commitment:
        fig.add_hline(
            y=COMMITMENT_RMB_MN,
            line_dash="dot",
            line_color=COLORS["capex_commitment"],
            row=1,
            col=1,
            annotation_text="RMB 380 bn three-year plan (Feb 2025)",
            annotation_position="top left",
        )
    if stated is not None and len(stated):
        fig.add_trace(
            points(stated, "Capex as stated in words", COLORS["capex_stated"], marker_size=8),
            row=1,
            col=1,
        )
    for i, (metric, frame) in enumerate(adoption.items(), start=2):
        color = ADOPTION_COLORS[(i - 2) % len(ADOPTION_COLORS)]
        trace = (
            history(frame, METRICS[metric].label, color)
            if is_dense(frame)
            else points(frame, METRICS[metric].label, color)
        )
        fig.add_trace(trace, row=i, col=1)
        # The frame's unit, not the metric's: an indexed view draws an index, not a count.
        shown = str(frame["unit"].iloc[0]) if len(frame) else METRICS[metric].unit
        fig.update_yaxes(
            title_text="index (first observation = 100)" if shown == "index" else unit_label(shown),
            row=i,
            col=1,
            autorange="reversed" if METRICS[metric].unit == "rank" else True,
        )
    event_marks(fig, events)
    fig.update_layout(
        title={"text": "Spending against adoption", "x": 0},
        height=260 + 190 * rows,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        hovermode="closest",
    )
    fig.update_xaxes(
        title_text="date (quarter end for capex, as-of date for adoption)", row=rows, col=1
    )
    return footnote(fig, note)


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


def margin_figure(ebita: pd.DataFrame, margin: pd.DataFrame, note: str) -> go.Figure:
    """Adjusted EBITA (bars) and its margin on revenue (line, right axis)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(bar(ebita, "Adjusted EBITA", COLORS["adjusted_ebita"]), secondary_y=False)
    fig.add_trace(line(margin, "Adjusted EBITA margin", COLORS["margin"]), secondary_y=True)
    unit = ebita["unit"].iloc[0] if len(ebita) else "RMB_mn"
    _layout(fig, "Adjusted EBITA and margin", unit_label(unit), unit=unit)
    fig.update_yaxes(
        title_text="margin, % of revenue", secondary_y=True, tickformat=".0f", showgrid=False
    )
    _quarter_ticks(fig, [ebita, margin])
    return footnote(fig, note)


def cash_figure(frames: dict[str, pd.DataFrame], note: str) -> go.Figure:
    """Operating cash flow, capex, OCF less capex and the company's free cash flow."""
    spec = [
        ("Operating cash flow", "operating_cash_flow", "line"),
        ("Capex", "capex", "bar"),
        ("Operating cash flow less capex", "ocf_less_capex", "line"),
        ("Free cash flow (company definition)", "free_cash_flow", "line"),
    ]
    traces = [
        bar(frames[k], n, COLORS[k])
        if kind == "bar"
        else line(frames[k], n, COLORS[k], dash="dash" if k == "ocf_less_capex" else "solid")
        for n, k, kind in spec
    ]
    fig = go.Figure(traces)
    unit = next((f["unit"].iloc[0] for f in frames.values() if len(f)), "RMB_mn")
    _layout(fig, "Cash: operating cash flow, capex and free cash flow", unit_label(unit), unit=unit)
    _quarter_ticks(fig, list(frames.values()))
    return footnote(fig, note)


def intensity_figure(intensity: pd.DataFrame, note: str) -> go.Figure:
    """Capex intensity: capex as a percentage of revenue."""
    fig = go.Figure([bar(intensity, "Capex intensity (capex / revenue)", COLORS["capex"])])
    _layout(fig, "Capex intensity", "% of revenue", height=360)
    _quarter_ticks(fig, [intensity])
    return footnote(fig, note, width=75)


def cloud_figure(
    revenue: pd.DataFrame,
    growth: pd.DataFrame,
    ebita: pd.DataFrame,
    note: str,
    *,
    ai: dict[str, pd.DataFrame] | None = None,
) -> go.Figure:
    """Cloud segment revenue and adjusted EBITA (bars) with revenue growth (line, right axis).

    From FY2027 the company reports "AI Cloud and Compute Services" (Cloud Intelligence Group
    plus T-Head) instead: `ai` holds its revenue and EBITA (with the recast year-ago quarter),
    drawn as their own bars and never joined to the old segment; a mark shows the change.
    """
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        bar(revenue, "Cloud Intelligence Group revenue", COLORS["cloud_revenue"]), secondary_y=False
    )
    fig.add_trace(
        bar(ebita, "Cloud Intelligence Group adjusted EBITA", COLORS["cloud_adjusted_ebita"]),
        secondary_y=False,
    )
    frames = [revenue, ebita, growth]
    for key, name in (
        ("ai_cloud_revenue", "AI Cloud and Compute Services revenue"),
        ("ai_cloud_adjusted_ebita", "AI Cloud and Compute Services adjusted EBITA"),
    ):
        frame = (ai or {}).get(key)
        if frame is not None and len(frame):
            fig.add_trace(bar(frame, name, COLORS[key]), secondary_y=False)
            frames.append(frame)
    fig.add_trace(line(growth, "Cloud revenue YoY (stated)", COLORS["margin"]), secondary_y=True)
    unit = revenue["unit"].iloc[0] if len(revenue) else "RMB_mn"
    _layout(fig, "Cloud segment", unit_label(unit), unit=unit)
    fig.update_yaxes(title_text="YoY growth, %", secondary_y=True, tickformat=".0f", showgrid=False)
    if len(frames) > 3:
        change = pd.Timestamp(AI_CLOUD_FIRST_QUARTER) - pd.Timedelta(days=46)
        fig.add_vline(x=change, line_dash="dot")
        # Left of the mark, on two short lines: at the right edge a one-line label was cut.
        fig.add_annotation(
            x=change,
            y=1,
            xref="x",
            yref="paper",
            xanchor="right",
            yanchor="top",
            xshift=-4,
            text="FY2027: new segment<br>(CIG + T-Head)",
            showarrow=False,
            align="right",
            font={"size": 10},
            bgcolor="rgba(128,128,128,0.15)",
        )
    _quarter_ticks(fig, frames)
    return footnote(fig, note, width=75)
