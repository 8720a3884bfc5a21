"""Closed vocabularies: the tables a vintage holds (declared once), metric ids, units, kinds."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal["quarterly", "point"]
#: The choices of a dashboard view, as the URL names them (dashboard.params reads them here).
Currency = Literal["RMB", "USD", "USD_avg"]
CalendarBasis = Literal["fiscal", "calendar"]
CapexView = Literal["quarterly", "ttm", "cumulative"]
SeriesTransform = Literal["level", "index", "yoy"]
#: "major": flagship releases and the category's headline events; "all": every snapshot too.
EventImportance = Literal["major", "all"]
CURRENCY_CHOICES: tuple[Currency, ...] = get_args(Currency)
BASIS_CHOICES: tuple[CalendarBasis, ...] = get_args(CalendarBasis)
CAPEX_VIEW_CHOICES: tuple[CapexView, ...] = get_args(CapexView)
TRANSFORM_CHOICES: tuple[SeriesTransform, ...] = get_args(SeriesTransform)
IMPORTANCE_CHOICES: tuple[EventImportance, ...] = get_args(EventImportance)


@dataclass(frozen=True, slots=True)
class Table:
    """A table of a vintage: its columns in order and the key that identifies a row.

    Every table carries `owner`, the registered source that produced the row (curated, yahoo,
    edgar, ...): a refresh replaces a source's own rows and nothing else, and two sources may hold
    the same figure side by side (the key includes the owner) so both stay traceable.
    """

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    #: Columns a source may leave out, with the value they then take.
    defaults: tuple[tuple[str, str], ...] = ()

    @property
    def figure_key(self) -> tuple[str, ...]:
        """The key within one source (one curated file, one owner): the key without `owner`."""
        return tuple(c for c in self.key if c != "owner")


#: Columns of the tidy facts table, in order (CONTRACT.md lists the first eight).
FACTS = Table(
    "facts",
    (
        "entity",
        "metric",
        "period_end",
        "fiscal_period",
        "value",
        "unit",
        "source_id",
        "source_url",
        "basis",
        "subject",
        "note",
        "origin",
        "owner",
    ),
    ("entity", "metric", "period_end", "owner"),
)
EVENTS = Table(
    "events",
    (
        "date",
        "category",
        "label",
        "detail",
        "source_id",
        "source_url",
        "weights",
        "importance",
        "owner",
    ),
    ("date", "category", "label", "owner"),
)
#: `url`, `title` and `published` name the original document; `via` names the verbatim copy its
#: text was read from (a URL pinned to a commit for a repository file), blank when read at `url`.
SOURCES = Table(
    "sources",
    (
        "source_id",
        "title",
        "publisher",
        "url",
        "published",
        "accessed",
        "kind",
        "note",
        "via",
        "owner",
    ),
    ("source_id",),
    (("via", ""),),
)
PRICES = Table(
    "prices_daily",
    ("ticker", "date", "close", "adj_close", "currency", "source_id", "owner"),
    ("ticker", "date", "owner"),
)
#: Spending commitments and guidance, one dated statement a row. `status` keeps what the
#: company announced apart from what others reported; `supersedes` names the statement a row
#: revises, so the history of a pledge can be drawn as a chain.
COMMITMENTS = Table(
    "commitments",
    (
        "id",
        "date",
        "entity",
        "statement",
        "amount",
        "unit",
        "period_start",
        "period_end",
        "scope",
        "quote",
        "status",
        "supersedes",
        "source_id",
        "source_url",
        "note",
        "owner",
    ),
    ("id", "owner"),
)
#: What each results announcement says about each tracked KPI (etl/disclosures.py): `status` is
#: `value`, `words` or `silent`; `wording` is the sentence it rests on, `basis` the segment name or
#: wording the release uses, so a recast shows.
DISCLOSURES = Table(
    "disclosures",
    (
        "entity",
        "kpi",
        "fiscal_period",
        "period_end",
        "status",
        "value",
        "unit",
        "wording",
        "basis",
        "source_id",
        "source_url",
        "note",
        "owner",
    ),
    ("entity", "kpi", "period_end", "owner"),
)
#: Every table a vintage may hold. Table names (also in SQL) come only from here.
TABLES: dict[str, Table] = {
    t.name: t for t in (FACTS, EVENTS, SOURCES, PRICES, COMMITMENTS, DISCLOSURES)
}
#: `announced`: the company said it (wherever it was read); `reported`: others reported it.
COMMITMENT_STATUS: frozenset[str] = frozenset({"announced", "reported"})

UNITS: frozenset[str] = frozenset(
    {
        "RMB_mn",
        "USD_mn",
        "RMB_per_USD",
        "pct",
        "count",
        "score",
        "rank",
        "tokens",
        "tokens_per_day",
        "multiple",
    }
)
#: A model release's weights: `open` (downloadable) or `api` (served only through an API); blank
#: for events that are not releases or where the source does not say.
EVENT_WEIGHTS: frozenset[str] = frozenset({"", "open", "api"})
#: `major` events are drawn by default (flagship releases, results, commitments); `minor` ones
#: (every snapshot and size variant) only when asked for; blank reads as the category's default.
EVENT_IMPORTANCE: frozenset[str] = frozenset({"", "major", "minor"})
EVENT_CATEGORIES: frozenset[str] = frozenset(
    {"earnings", "qwen_release", "capex_commitment", "conference", "other"}
)
#: primary: the company's own document wherever it is read (SEC/HKEX filing, IR site, its release
#: as distributed by Business Wire, a verbatim copy named in `via`); presentation: its slides
#: transcribed by others; secondary: news, summaries (a site's own too), translations, notes;
#: vendor: a data vendor (Yahoo Finance).
SOURCE_KINDS: tuple[str, ...] = ("primary", "presentation", "secondary", "vendor")
#: The rank of each source kind, best first (SOURCE_KINDS is in rank order): the dashboard draws
#: the better-sourced of two rows for one figure, the coverage table marks a figure's best kind.
KIND_RANK: dict[str, int] = {kind: rank for rank, kind in enumerate(SOURCE_KINDS)}
#: Which source's row is drawn when two sources hold the same figure or the same close, best
#: first: the company's filings read online (edgar) before the curated files; the leaderboards'
#: own feeds; Yahoo's closes before the curated ones. Sources not named come after all of these.
#: (lmarena and openrouter, or yahoo and curated facts, never hold the same figure.)
OWNER_PRECEDENCE: tuple[str, ...] = ("edgar", "lmarena", "openrouter", "yahoo", "curated")
OWNER_RANK: dict[str, int] = {owner: rank for rank, owner in enumerate(OWNER_PRECEDENCE)}
#: Event windows in trading days, as the URL names them: key -> (first, last) day relative to
#: the event's day 0 (1 = [-1,+1], 5 = [-1,+5], 20 = [0,+20]).
EVENT_WINDOWS: dict[int, tuple[int, int]] = {1: (-1, 1), 5: (-1, 5), 20: (0, 20)}
#: Basis of a figure: as the source reports it, derived from reported lines, a vendor's figure,
#: or measured from a published dataset (a dense history rather than a statement).
BASES: frozenset[str] = frozenset({"reported", "derived", "vendor", "measured"})


@dataclass(frozen=True, slots=True)
class Lab:
    """An AI lab as one entity: its slug, display name and the organisation spellings of sources."""

    slug: str
    name: str
    #: Lower-case organisation names as leaderboards spell them (LM Arena publishes Qwen as
    #: `alibaba`, Zhipu as `zai` or `Zhipu AI`; third-party copies use their own keys).
    aliases: tuple[str, ...]
    #: The companies whose spending the lab stands for on the Peers page (COMPANIES slugs).
    companies: tuple[str, ...] = ()
    #: A partner lab (OpenAI, Anthropic) is not owned by the companies that fund its compute;
    #: the Peers page draws such pairings dashed and says so.
    partner: bool = False


#: Every lab the project names, declared once: the LM Arena step, the lmarena refresh, the
#: dashboard and the Peers page (lab -> company) all read this table, keyed by slug.
LABS: dict[str, Lab] = {
    lab.slug: lab
    for lab in (
        Lab("qwen", "Qwen (Alibaba)", ("alibaba", "qwen"), ("alibaba",)),
        Lab("google", "Google", ("google",), ("alphabet",)),
        Lab("anthropic", "Anthropic", ("anthropic",), ("amazon", "alphabet"), partner=True),
        Lab("openai", "OpenAI", ("openai",), ("microsoft",), partner=True),
        Lab("meta", "Meta", ("meta",), ("meta",)),
        Lab("deepseek", "DeepSeek", ("deepseek", "deepseek ai")),
        Lab("xai", "xAI", ("xai", "x.ai")),
        Lab("mistral", "Mistral", ("mistral",)),
        Lab("moonshot", "Moonshot (Kimi)", ("moonshot", "moonshot (kimi)")),
        Lab("zhipu", "Zhipu (GLM)", ("zai", "z.ai", "zhipu", "zhipu ai", "glm", "tsinghua")),
        Lab("baidu", "Baidu", ("baidu",), ("baidu",)),
        Lab("bytedance", "ByteDance", ("bytedance",)),
        Lab("tencent", "Tencent", ("tencent",), ("tencent",)),
        Lab("amazon", "Amazon", ("amazon",), ("amazon",)),
        Lab("microsoft", "Microsoft", ("microsoft",), ("microsoft",)),
        Lab("xiaomi", "Xiaomi", ("xiaomi",)),
    )
}
_LAB_OF: dict[str, str] = {a: lab.slug for lab in LABS.values() for a in lab.aliases}
LAB_NAMES: dict[str, str] = {lab.slug: lab.name for lab in LABS.values()}


def lab_entity(organization: str) -> str:
    """The entity slug of an organisation name: a declared lab, else the name as a slug ('' if empty)."""
    key = organization.strip().lower()
    return _LAB_OF.get(key) or re.sub(r"[^a-z0-9]+", "_", key).strip("_")


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


#: Amounts each release also states in US$ ("RMB243,380 million (US$35,283 million)").
USD_STATED: tuple[tuple[str, str], ...] = (
    ("revenue", "Revenue"),
    ("adjusted_ebita", "Adjusted EBITA"),
    ("income_from_operations", "Income from operations"),
    ("net_income_attributable", "Net income attributable"),
    ("operating_cash_flow", "Operating cash flow"),
    ("capex", "Capex"),
    ("capex_ppe", "Capex: property and equipment"),
    ("capex_intangibles", "Capex: intangible assets"),
    ("free_cash_flow", "Free cash flow"),
    ("cloud_revenue", "Cloud revenue"),
    ("cloud_adjusted_ebita", "Cloud adjusted EBITA"),
    ("ai_cloud_revenue", "AI Cloud and Compute Services revenue"),
    ("ai_cloud_adjusted_ebita", "AI Cloud and Compute Services adjusted EBITA"),
)

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
    _q(
        "capex_stated",
        "Capex as stated in words",
        "Capital expenditure of the quarter as the company states it in words on its results call "
        "or release (e.g. 'capex of RMB38.6 billion'); a different definition from the two "
        "reconciliation lines, usually rounded.",
    ),
    _q(
        "ai_cloud_revenue",
        "AI Cloud and Compute Services revenue",
        "Revenue of the segment reported from FY2027 (Cloud Intelligence Group plus T-Head); a "
        "different basis from cloud_revenue, never spliced onto it. Year-ago quarters hold the "
        "recast figure the FY2027 release states.",
    ),
    _q(
        "ai_cloud_adjusted_ebita",
        "AI Cloud and Compute Services adjusted EBITA",
        "Adjusted EBITA of the segment reported from FY2027 (Cloud Intelligence Group plus T-Head); "
        "year-ago quarters hold the recast figure the FY2027 release states.",
    ),
    *(
        _q(
            f"{mid}_usd",
            f"{label} (US$ as stated)",
            f"The US$ amount the release states beside {mid} (its convenience translation); "
            "kept as a figure of its own, never converted by this project.",
            unit="USD_mn",
        )
        for mid, label in USD_STATED
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
        "ai_cloud_revenue_yoy_pct",
        "AI Cloud and Compute Services revenue YoY (stated)",
        "YoY change stated, against the recast year-ago figure.",
        unit="pct",
    ),
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
    _p(
        "capex_ppe_annual",
        "RMB_mn",
        "Capex: property and equipment, fiscal year (20-F XBRL)",
        "Purchase of property and equipment for the fiscal year ending on the date, as tagged in "
        "the 20-F (us-gaap PaymentsToAcquireOtherPropertyPlantAndEquipment); checks the sum of "
        "the four quarters of capex_ppe.",
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
        "lmarena_text_score",
        "score",
        "LM Arena text score of the lab's best model",
        "Arena score (text, overall) of the entity's highest-rated model on the leaderboard's "
        "publish date, among all its models in LM Arena's official rows; `subject` names the "
        "model. Before the official rows on file, each lab's best 'flagship' as mayerwin selects "
        "it (the note says so).",
    ),
    _p(
        "lmarena_text_rank",
        "rank",
        "LM Arena text rank of the lab's best model",
        "Official rank (text, overall) of the same model as lmarena_text_score on that date; "
        "only where the official rows give it.",
    ),
    _p(
        "lmarena_text_score_lower",
        "score",
        "LM Arena text score, lower bound of the interval",
        "rating_lower of the same model as lmarena_text_score on that date (the official "
        "confidence interval); two labs whose intervals overlap are statistically tied.",
    ),
    _p(
        "lmarena_text_score_upper",
        "score",
        "LM Arena text score, upper bound of the interval",
        "rating_upper of the same model as lmarena_text_score on that date.",
    ),
    _p(
        "lmarena_text_votes",
        "count",
        "LM Arena votes of the lab's best model",
        "Votes (vote_count) behind the same model's score on that date.",
    ),
    _p(
        "lmarena_text_score_all",
        "score",
        "LM Arena text score, best of all the lab's models (scraped board; superseded)",
        "Highest Arena score (text, overall) among all of the entity's models on a scraped copy of "
        "the leaderboard, dated by the version the scrape recorded; no longer produced (older "
        "vintages hold it): lmarena_text_score now takes every model from the official rows.",
    ),
    _p(
        "hf_qwen_descendants",
        "count",
        "Hugging Face model-tree descendants of Qwen models",
        "Sum over the Qwen organisation's models of the Hub's model-tree count of direct "
        "children (adapters, finetunes, merges, quantizations), from a monthly crawl.",
    ),
    _p(
        "modelscope_downloads_all_time",
        "count",
        "ModelScope downloads of Qwen models, all time",
        "Sum over the Qwen organisation's ModelScope models of the all-time download counter, "
        "from a monthly crawl.",
    ),
    _p(
        "openrouter_weekly_tokens",
        "tokens",
        "OpenRouter tokens of Qwen models in the week",
        "Tokens served on OpenRouter by the entity's models in the week ending on the date "
        "(week-to-date total of the rankings page on the week's last day).",
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
        "token_cloud_share_forecast_pct",
        "pct",
        "Tokens to be generated on cloud (CEO forecast)",
        "Share of future AI tokens that Eddie Wu says will be generated on cloud networks, as "
        "stated: his 'token' thesis, a forecast, not a measured figure.",
    ),
    _p(
        "model_studio_customers_yoy_multiple",
        "multiple",
        "Model Studio customer base, year-over-year multiple",
        "How many times the Model Studio (Bailian) customer base was a year earlier, as the "
        "company states it ('grew by eight-fold year-over-year' = 8).",
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
#: Adoption series a chart may draw, in the order the dashboard lists them.
ADOPTION_METRICS: tuple[str, ...] = (
    "lmarena_text_score",
    "lmarena_text_rank",
    "hf_downloads_30d",
    "hf_qwen_descendants",
    "modelscope_downloads_all_time",
    "openrouter_weekly_tokens",
    "hf_qwen_derivative_models",
    "hf_qwen_downloads_cumulative",
    "lmarena_best_qwen_score",
    "lmarena_best_qwen_rank",
    "qwen_app_mau",
    "model_studio_customers",
    "china_enterprise_llm_token_share_pct",
    "tokens_per_day",
    "hf_derivatives",
    # The token strategy in the company's own figures: dated statements, each on its own basis.
    "model_studio_customers_yoy_multiple",
    "token_cloud_share_forecast_pct",
)
#: The adoption figures the Overview shows as headline cards, in their order.
HEADLINE_ADOPTION: tuple[str, ...] = (
    "lmarena_text_score",
    "lmarena_text_rank",
    "hf_downloads_30d",
    "modelscope_downloads_all_time",
    "openrouter_weekly_tokens",
    "hf_qwen_derivative_models",
    "qwen_app_mau",
)
#: The Alibaba quarterly metric ids CONTRACT.md names, in its order.
CONTRACT_METRICS: tuple[str, ...] = (
    "revenue",
    "adjusted_ebita",
    "income_from_operations",
    "net_income_attributable",
    "operating_cash_flow",
    "capex",
    "free_cash_flow",
    "cloud_revenue",
    "cloud_adjusted_ebita",
    "usd_rmb_rate",
    "ai_cloud_revenue",
    "ai_cloud_adjusted_ebita",
    "capex_stated",
)
#: The contract metrics every quarter on file has (the coverage table's columns): the AI Cloud
#: pair starts with FY2027 and capex_stated is a sentence of the call, not a line of the release.
EVERY_QUARTER_METRICS: tuple[str, ...] = CONTRACT_METRICS[:10]
#: The contract metrics of the income statement plus free cash flow: an SEC exhibit that gives
#: none of them is not a results announcement (etl.sources.edgar).
RESULTS_METRICS: frozenset[str] = frozenset(CONTRACT_METRICS[:4]) | {"free_cash_flow"}


@dataclass(frozen=True, slots=True)
class Company:
    """A company whose quarterly figures are on file: its reporting currency and fiscal year.

    `fy_end_month` fixes both its quarter ends (month ends three months apart, ending with that
    month: Oracle's fall at the end of August, November, February and May) and its own fiscal
    labels (Microsoft's June 2026 quarter is FY2026Q4, Alibaba's is FY2027Q1).
    """

    slug: str
    name: str
    unit: str
    fy_end_month: int
    #: SEC central index key for companies filing XBRL financial statements, else "".
    cik: str = ""


COMPANIES: dict[str, Company] = {
    c.slug: c
    for c in (
        Company("alibaba", "Alibaba", "RMB_mn", 3, "0001577552"),
        Company("microsoft", "Microsoft", "USD_mn", 6, "0000789019"),
        Company("alphabet", "Alphabet", "USD_mn", 12, "0001652044"),
        Company("amazon", "Amazon", "USD_mn", 12, "0001018724"),
        Company("meta", "Meta", "USD_mn", 12, "0001326801"),
        Company("oracle", "Oracle", "USD_mn", 5, "0001341439"),
        Company("tencent", "Tencent", "RMB_mn", 12),
        Company("baidu", "Baidu", "RMB_mn", 12),
    )
}
#: Metrics a peer reports in its own currency (CONTRACT.md): the unit follows the company.
PEER_METRICS: frozenset[str] = frozenset({"capex", "revenue"})


def unit_of(entity: str, metric: str) -> str:
    """The unit a figure must carry: a peer's capex and revenue are in its reporting currency."""
    company = COMPANIES.get(entity)
    return company.unit if company and metric in PEER_METRICS else METRICS[metric].unit


def lab_map(overrides: str = "") -> dict[str, Lab]:
    """LABS with an analyst's changes ("openai:microsoft,anthropic:amazon+alphabet"; a lab with
    no company after the colon is left out). Unknown labs or companies are ignored."""
    out = {slug: lab for slug, lab in LABS.items() if lab.companies}
    for item in filter(None, overrides.split(",")):
        lab, _, names = item.partition(":")
        if lab in LABS:
            chosen = tuple(c for c in names.split("+") if c in COMPANIES)
            out[lab] = dataclasses.replace(LABS[lab], companies=chosen)
    return out
