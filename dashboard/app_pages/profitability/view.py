"""The Profitability page's view: margin, cash flows, capex intensity, the cloud segment, and
the company's figures against Yahoo Finance's."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.app_pages.profitability import charts
from dashboard.common import frames, traces
from dashboard.common.params import ViewState
from dashboard.common.view import Chart, Context, View, collect, has_values, range_message

#: The intensity chart is a ratio: the same in every currency, so its note says so in each.
INTENSITY_UNIT = (
    "Amounts in % of revenue, computed on RMB figures as reported (a ratio: the same in US$)."
)
VENDOR_PAIRS = [
    ("free_cash_flow", "vendor_free_cash_flow", "Free cash flow"),
    ("operating_cash_flow", "vendor_operating_cash_flow", "Operating cash flow"),
    ("capex", "vendor_capex", "Capex"),
    ("revenue", "vendor_revenue", "Revenue"),
]
#: The definitions the page lists (company non-GAAP measures).
DEFINED = ("adjusted_ebita", "free_cash_flow", "capex", "cloud_revenue", "cloud_adjusted_ebita")


@dataclass(frozen=True)
class ProfitabilityView(View):
    """The Profitability page: four figures, and the reconciliation with Yahoo Finance."""

    margin: Chart | None = None
    cash: Chart | None = None
    intensity: Chart | None = None
    cloud: Chart | None = None
    #: The company's figures next to Yahoo's; None when the vintage holds no vendor figures.
    reconciliation: pd.DataFrame | None = None


def build(tables: dict[str, pd.DataFrame], s: ViewState) -> ProfitabilityView:
    """Adjusted EBITA and margin, cash flows, capex intensity, cloud segment."""
    c = Context(tables, s)
    facts = tables["facts"]
    vendor = reconciliation(facts) if (facts["owner"] == "yahoo").any() else None
    ebita, revenue = c.quarterly("adjusted_ebita"), c.quarterly("revenue")
    cash = {k: c.quarterly(k) for k in ("operating_cash_flow", "capex", "free_cash_flow")}
    cloud, cloud_ebita, growth = (
        c.quarterly("cloud_revenue"),
        c.quarterly("cloud_adjusted_ebita"),
        c.quarterly("cloud_revenue_yoy_pct"),
    )
    ai = {m: c.quarterly(m) for m in ("ai_cloud_revenue", "ai_cloud_adjusted_ebita")}
    if not has_values(ebita, revenue, *cash.values(), cloud, cloud_ebita, growth, *ai.values()):
        return ProfitabilityView(
            "profitability", messages=(range_message(c),), reconciliation=vendor
        )
    margin = frames.ratio(
        c.quarterly("adjusted_ebita", ccy="RMB"), c.quarterly("revenue", ccy="RMB")
    )
    note = c.footnote([ebita, revenue], "Margin = adjusted EBITA / revenue. ")
    margin_chart = Chart(
        "profit_margin",
        charts.margin_figure(ebita, margin, note),
        f"adjusted_ebita_margin_{s.ccy}_{c.vintage}",
    )
    cash["ocf_less_capex"] = frames.difference(cash["operating_cash_flow"], cash["capex"])
    note = c.footnote(
        list(cash.values()),
        "Capex: the two capex lines of the free cash flow reconciliation. OCF less capex is "
        "computed; company FCF also adjusts other items. ",
    )
    cash_chart = Chart(
        "profit_cash", charts.cash_figure(cash, note), f"cash_flows_{s.ccy}_{c.vintage}"
    )
    intensity = frames.ratio(c.quarterly("capex", ccy="RMB"), c.quarterly("revenue", ccy="RMB"))
    note = c.footnote([intensity], "Capex intensity = capex / revenue. ", ccy="RMB").replace(
        " Amounts in RMB as reported.", f" {INTENSITY_UNIT}"
    )
    intensity_chart = Chart(
        "profit_intensity",
        charts.intensity_figure(intensity, note),
        f"capex_intensity_{c.vintage}",
    )
    note = c.footnote(
        [cloud, cloud_ebita, growth, *ai.values()],
        "Growth as stated in each release. From FY2027 the segment is AI Cloud and Compute "
        "Services (Cloud Intelligence Group plus T-Head), a different basis drawn apart; its "
        "FY2026 bars are the recast year-ago figures the FY2027 releases state. ",
    )
    cloud_chart = Chart(
        "profit_cloud",
        charts.cloud_figure(cloud, growth, cloud_ebita, note, ai=ai),
        f"cloud_segment_{s.ccy}_{c.vintage}",
    )
    drawn = [f["period_end"] for f in (ebita, margin, *cash.values(), intensity, cloud, growth)]
    drawn += [f["period_end"] for f in ai.values()]
    span = traces.date_span(*frames.bounds((s.start, s.end)), drawn)
    traces.share_dates(
        [ch.figure for ch in (margin_chart, cash_chart, intensity_chart, cloud_chart)], span
    )
    data = collect(
        {
            "Adjusted EBITA": ebita,
            "Adjusted EBITA margin": margin,
            "Operating cash flow": cash["operating_cash_flow"],
            "Capex": cash["capex"],
            "Free cash flow": cash["free_cash_flow"],
            "OCF less capex": cash["ocf_less_capex"],
            "Capex intensity": intensity,
            "Cloud revenue": cloud,
            "Cloud adjusted EBITA": cloud_ebita,
            "Cloud revenue YoY (stated)": growth,
            "AI Cloud and Compute Services revenue": ai["ai_cloud_revenue"],
            "AI Cloud and Compute Services adjusted EBITA": ai["ai_cloud_adjusted_ebita"],
        }
    )
    return ProfitabilityView(
        "profitability",
        data=data,
        margin=margin_chart,
        cash=cash_chart,
        intensity=intensity_chart,
        cloud=cloud_chart,
        reconciliation=vendor,
    )


def reconciliation(facts: pd.DataFrame) -> pd.DataFrame:
    """The company's figures next to Yahoo Finance's for the same quarters, with the difference.

    Yahoo's free cash flow is operating cash flow plus capital expenditure; the company's
    non-GAAP figure also excludes office-campus land and construction and adjusts for consumer
    protection fund deposits, so the two differ by definition.
    """
    rows = []
    for company, vendor, label in VENDOR_PAIRS:
        mine = (facts["entity"] == "alibaba") & (facts["metric"] == company)
        a = facts[mine & facts["value"].notna()][["period_end", "value", "source_id"]]
        b = facts[(facts["metric"] == vendor) & facts["value"].notna()][
            ["period_end", "value", "source_id"]
        ]
        both = a.merge(b, on="period_end", how="outer", suffixes=("_company", "_yahoo"))
        for r in both.to_dict("records"):
            rows.append(
                {
                    "figure": label,
                    "period_end": r["period_end"],
                    "company (RMB mn)": r["value_company"],
                    "yahoo (RMB mn)": r["value_yahoo"],
                    "difference": r["value_company"] - r["value_yahoo"],
                    "company source": r["source_id_company"],
                    "yahoo source": r["source_id_yahoo"],
                }
            )
    return (
        pd.DataFrame(rows).sort_values(["figure", "period_end"]).reset_index(drop=True)
        if rows
        else pd.DataFrame()
    )
