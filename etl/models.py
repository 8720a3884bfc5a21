"""Closed vocabularies: metric ids, units, tidy-fact columns, event categories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["quarterly", "point"]

#: Columns of the tidy facts table, in order (CONTRACT.md lists the first eight).
FACT_COLUMNS: tuple[str, ...] = (
    "entity",
    "metric",
    "period_end",
    "fiscal_period",
    "value",
    "unit",
    "source_id",
    "source_url",
    "basis",
    "note",
    "origin",
)
EVENT_COLUMNS: tuple[str, ...] = ("date", "category", "label", "detail", "source_id", "source_url")
SOURCE_COLUMNS: tuple[str, ...] = (
    "source_id",
    "title",
    "publisher",
    "url",
    "published",
    "accessed",
    "kind",
    "note",
)
PRICE_COLUMNS: tuple[str, ...] = ("ticker", "date", "close", "currency", "source_id")

UNITS: frozenset[str] = frozenset(
    {"RMB_mn", "USD_mn", "RMB_per_USD", "pct", "count", "score", "rank", "tokens_per_day"}
)
EVENT_CATEGORIES: frozenset[str] = frozenset(
    {"earnings", "qwen_release", "capex_commitment", "conference", "other"}
)
SOURCE_KINDS: frozenset[str] = frozenset({"primary", "secondary", "vendor"})


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric id with its unit, grain and a one-line definition."""

    id: str
    unit: str
    kind: Kind
    label: str
    definition: str


def _q(mid: str, label: str, definition: str, unit: str = "RMB_mn") -> Metric:
    return Metric(mid, unit, "quarterly", label, definition)


def _p(mid: str, unit: str, label: str, definition: str) -> Metric:
    return Metric(mid, unit, "point", label, definition)


_ALL: tuple[Metric, ...] = (
    # Alibaba quarterly financials (CONTRACT.md ids), RMB millions as reported.
    _q("revenue", "Revenue", "Total revenue."),
    _q("adjusted_ebita", "Adjusted EBITA", "Adjusted EBITA (non-GAAP, company definition)."),
    _q("income_from_operations", "Income from operations", "Income from operations (GAAP)."),
    _q(
        "net_income_attributable",
        "Net income attributable",
        "Net income attributable to ordinary shareholders.",
    ),
    _q(
        "operating_cash_flow",
        "Operating cash flow",
        "Net cash provided by operating activities.",
    ),
    _q(
        "capex",
        "Capex",
        "Purchases of property and equipment plus acquisition of intangible assets, as in the "
        "company's free-cash-flow reconciliation; positive = money spent.",
    ),
    _q(
        "capex_ppe",
        "Capex: property and equipment",
        "Purchase of property and equipment (excluding land use rights and construction in "
        "progress relating to office campuses), FCF reconciliation; positive = spent.",
    ),
    _q(
        "capex_intangibles",
        "Capex: intangible assets",
        "Acquisition of intangible assets (excluding land use rights), FCF reconciliation; "
        "positive = spent.",
    ),
    _q(
        "fcf_other_adjustments",
        "FCF: other reconciling items",
        "Other lines of the FCF reconciliation (e.g. changes in consumer protection fund "
        "deposits), signed as they enter free cash flow.",
    ),
    _q(
        "free_cash_flow",
        "Free cash flow",
        "Free cash flow (non-GAAP, company definition); negative = outflow.",
    ),
    _q("cloud_revenue", "Cloud revenue", "Cloud Intelligence Group (earlier: Cloud) revenue."),
    _q(
        "cloud_adjusted_ebita",
        "Cloud adjusted EBITA",
        "Cloud Intelligence Group adjusted EBITA.",
    ),
    _q(
        "usd_rmb_rate",
        "Convenience rate",
        "RMB per US$1.00 used for the release's convenience translation.",
        unit="RMB_per_USD",
    ),
    # What the company states each quarter.
    _q("revenue_yoy_pct", "Revenue YoY (stated)", "YoY change stated.", unit="pct"),
    _q(
        "adjusted_ebita_yoy_pct",
        "Adjusted EBITA YoY (stated)",
        "YoY change stated.",
        unit="pct",
    ),
    _q(
        "income_from_operations_yoy_pct",
        "Income from operations YoY (stated)",
        "YoY change stated.",
        unit="pct",
    ),
    _q(
        "net_income_attributable_yoy_pct",
        "Net income YoY (stated)",
        "YoY change stated.",
        unit="pct",
    ),
    _q("free_cash_flow_yoy_pct", "FCF YoY (stated)", "YoY change stated.", unit="pct"),
    _q("cloud_revenue_yoy_pct", "Cloud revenue YoY (stated)", "YoY change stated.", unit="pct"),
    _q(
        "ai_revenue_triple_digit_streak",
        "AI product revenue: consecutive quarters of triple-digit growth",
        "N in 'AI-related product revenue achieved triple-digit year-over-year growth for the "
        "Nth consecutive quarter'.",
        unit="count",
    ),
    _q("capex_yoy_pct", "Capex YoY (stated)", "YoY change of capex as stated.", unit="pct"),
    _q(
        "cloud_adjusted_ebita_yoy_pct",
        "Cloud adjusted EBITA YoY (stated)",
        "YoY change stated.",
        unit="pct",
    ),
    _q(
        "operating_cash_flow_yoy_pct",
        "Operating cash flow YoY (stated)",
        "YoY change stated.",
        unit="pct",
    ),
    _q(
        "cloud_external_revenue_yoy_pct",
        "Cloud external revenue YoY (stated)",
        "YoY change of Cloud revenue excluding revenue from Alibaba-consolidated "
        "subsidiaries, as stated.",
        unit="pct",
    ),
    _q(
        "ai_share_of_external_cloud_revenue_pct",
        "AI share of external Cloud revenue (stated)",
        "AI-related product revenue as a share of Cloud revenue from external customers.",
        unit="pct",
    ),
    _q(
        "ai_revenue",
        "AI-related product revenue (stated)",
        "AI-related product revenue of the quarter, as stated (first disclosed for the March "
        "2026 quarter).",
    ),
    _q(
        "ai_revenue_run_rate",
        "AI product annual recurring revenue (stated)",
        "Annualised recurring revenue of AI products, as stated.",
    ),
    _q(
        "capex_trailing_4q_stated",
        "Capex over the last four quarters (stated)",
        "Capital expenditure over the trailing four quarters as stated in words by the company.",
    ),
    # Vendor figures (Yahoo Finance via yfinance): a different definition, kept apart.
    _q("vendor_revenue", "Revenue (Yahoo)", "Yahoo Finance TotalRevenue, quarterly."),
    _q(
        "vendor_operating_cash_flow",
        "Operating cash flow (Yahoo)",
        "Yahoo Finance OperatingCashFlow, quarterly.",
    ),
    _q(
        "vendor_capex",
        "Capital expenditure (Yahoo)",
        "Yahoo Finance CapitalExpenditure with the sign flipped (positive = spent).",
    ),
    _q(
        "vendor_free_cash_flow",
        "Free cash flow (Yahoo)",
        "Yahoo Finance FreeCashFlow = operating cash flow + capital expenditure; not the "
        "company's non-GAAP definition.",
    ),
    _p(
        "peer_capex_usd",
        "USD_mn",
        "Peer capex (US$)",
        "A peer's quarterly capital expenditure from Yahoo Finance, positive = spent, dated by "
        "the peer's own quarter end.",
    ),
    _p(
        "peer_capex_rmb",
        "RMB_mn",
        "Peer capex (RMB)",
        "A peer's quarterly capital expenditure from Yahoo Finance, positive = spent, dated by "
        "the peer's own quarter end.",
    ),
    # Adoption (point-in-time, dated by the day they describe).
    _p(
        "hf_qwen_derivative_models",
        "count",
        "Qwen derivative models (stated)",
        "Number of models derived from Qwen base models, as stated by Alibaba or the press; the "
        "note says whether the count is for Hugging Face only or all platforms.",
    ),
    _p(
        "hf_qwen_downloads_cumulative",
        "count",
        "Qwen downloads, cumulative (stated)",
        "Cumulative downloads of Qwen models, as stated; the note gives the scope (Hugging Face "
        "only or all platforms).",
    ),
    _p(
        "lmarena_best_qwen_score",
        "score",
        "LM Arena score of the best Qwen model",
        "Text-arena score of the highest-ranked Qwen model on the date.",
    ),
    _p(
        "lmarena_best_qwen_rank",
        "rank",
        "LM Arena rank of the best Qwen model",
        "Text-arena rank of the highest-ranked Qwen model on the date.",
    ),
    _p(
        "tokens_per_day",
        "tokens_per_day",
        "Daily tokens",
        "Daily token consumption on Alibaba Cloud's model platform, as stated.",
    ),
    _p(
        "openrouter_qwen_token_share_pct",
        "pct",
        "OpenRouter token share of Qwen",
        "Share of OpenRouter tokens served by Qwen models on the date.",
    ),
    _p("qwen_app_mau", "count", "Qwen app monthly active users", "Monthly active users."),
    _p("qwen_app_users", "count", "Qwen app users", "Users of the Qwen app, as stated."),
    _p(
        "model_studio_customers",
        "count",
        "Model Studio customers",
        "Enterprises and developers using Model Studio (Bailian), as stated.",
    ),
    _p(
        "china_enterprise_llm_token_share_pct",
        "pct",
        "Qwen share of Chinese enterprise LLM token use",
        "Qwen's share of daily LLM token consumption by enterprises in China (Frost & "
        "Sullivan), for the half-year ending on the date.",
    ),
    _p("qwen_app_dau", "count", "Qwen app daily active users", "Daily active users."),
    _p(
        "hf_downloads_30d",
        "count",
        "Hugging Face downloads, last 30 days",
        "Sum of the Hub's 30-day download counters over the Qwen organisation's models.",
    ),
    _p(
        "hf_downloads_all_time",
        "count",
        "Hugging Face downloads, all time",
        "Sum of the Hub's all-time download counters over the Qwen organisation's models.",
    ),
    _p(
        "hf_likes",
        "count",
        "Hugging Face likes",
        "Sum of likes over the Qwen organisation's models.",
    ),
    _p(
        "hf_models",
        "count",
        "Hugging Face models",
        "Number of public models in the Qwen organisation.",
    ),
    _p(
        "hf_derivatives",
        "count",
        "Hugging Face derivative models (measured)",
        "Models tagged base_model:<relation>:<Qwen base> for the tracked base models.",
    ),
)

METRICS: dict[str, Metric] = {m.id: m for m in _ALL}


def metric(mid: str) -> Metric:
    """Return the metric with this id; KeyError when unknown."""
    return METRICS[mid]
