"""What each results announcement says about the KPIs analysts track, and what it leaves out.

One cell per KPI and announcement: `value` (the release states a number), `words` (it speaks of
the KPI without a number) or `silent` (nothing found in the whole text). A cell keeps the exact
sentence it rests on and the basis the release uses (the segment's name, the wording), so a
recast or a new wording shows as a change of basis. The same reader serves the bundled texts
(etl/steps/disclosures.py) and an announcement fetched online.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

ORDINALS = {
    w: i
    for i, w in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ],
        start=1,
    )
}
_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[A-Z“\"•(])|\s•\s")
_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"


def sentences(text: str) -> list[str]:
    """The text's sentences, white space folded (PDF text layers break lines anywhere)."""
    flat = re.sub(r"\s+", " ", text.replace("\u2011", "-"))
    return [s.strip(" •") for s in _SENTENCE.split(flat) if s.strip(" •")]


def _amount(number: str, scale: str) -> float:
    value = float(number.replace(",", ""))
    return value * 1000 if scale.lower() == "billion" else value


def _streak(s: str) -> float | None:
    m = re.search(r"(\w+)(?:-|\s)consecutive quarter", s)
    if m and m.group(1).lower() in ORDINALS:
        return float(ORDINALS[m.group(1).lower()])
    m = re.search(r"(\d+)(?:st|nd|rd|th)\s+consecutive quarter", s)
    return float(m.group(1)) if m else None


def _after(pattern: str, scale: bool = False) -> Callable[[str], float | None]:
    rx = re.compile(pattern, re.IGNORECASE)

    def find(s: str) -> float | None:
        m = rx.search(s)
        if not m:
            return None
        if scale:
            return _amount(m.group(1), m.group(2))
        # Alternatives in one pattern: the number is whichever group matched.
        number = next(g for g in m.groups() if g is not None)
        return float(number.replace(",", ""))

    return find


def _growth(s: str) -> float | None:
    """A stated change in per cent: 'an increase of 6%' or 'a 6% increase' is 6, 'a decline of
    2%' is -2; the first one stated counts (the next sentence may speak of another revenue)."""
    m = re.search(
        r"(?:(an increase of|a growth of|accelerated to|grew|increased by|a decrease of|"
        r"decreased by|declined by|a decline of)\s+(\d+(?:\.\d+)?)%)"
        r"|(?:an? (\d+(?:\.\d+)?)% (increase|growth|decrease|decline))",
        s,
        re.IGNORECASE,
    )
    if not m:
        return None
    word = (m.group(1) or m.group(4)).lower()
    value = float(m.group(2) or m.group(3))
    return -value if word.startswith(("a decrease", "decrease", "declin", "a decline")) else value


#: Sentences about the whole fiscal year (in March-quarter releases) never fill a quarter's cell.
_FISCAL_YEAR = re.compile(r"\b(?:in|during|for) (?:the )?fiscal year \d{4}", re.IGNORECASE)


def _segment(s: str) -> str:
    m = re.search(
        r"Cloud Intelligence Group|AI Cloud and Compute Services|Cloud segment|Alibaba Cloud", s
    )
    return m.group(0) if m else ""


@dataclass(frozen=True)
class Kpi:
    """A KPI: its sentence, the number in it, the unit, and what names its basis."""

    id: str
    label: str
    unit: str
    mention: re.Pattern[str]
    value: Callable[[str], float | None]
    basis: Callable[[str], str] = lambda _s: ""
    #: Read the number from the sentence and the one after it (a release may state the growth
    #: in the sentence that follows the amount).
    joined: bool = False


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "ai_revenue_streak",
        "AI-related product revenue: quarters of triple-digit growth in a row",
        "count",
        re.compile(r"AI-related product revenue.*triple-digit", re.IGNORECASE),
        _streak,
        lambda s: "triple-digit year-over-year growth",
    ),
    Kpi(
        "ai_revenue",
        "AI-related product revenue, amount",
        "RMB_mn",
        re.compile(r"AI-related product revenue", re.IGNORECASE),
        _after(
            r"AI-related product revenue[^.]{0,120}?RMB\s?" + _NUMBER + r"\s?(million|billion)",
            True,
        ),
    ),
    Kpi(
        "ai_share_external_cloud",
        "AI-related products' share of cloud revenue from external customers",
        "pct",
        re.compile(
            r"AI(?:-related)?[^.]{0,160}(?:portion|share|proportion|accounted)[^.]{0,80}external"
            r"|external[^.]{0,120}AI(?:-related)? products? account",
            re.IGNORECASE,
        ),
        _after(
            r"(?:AI(?:-related)? products? account(?:ing|ed) for |accounted for )"
            r"(\d+(?:\.\d+)?)%|(?<!\d)(\d+(?:\.\d+)?)%\s+of\s+(?:[^.]{0,40})external"
        ),
    ),
    Kpi(
        "cloud_revenue_growth",
        "Cloud segment revenue growth, year over year",
        "pct",
        re.compile(
            r"revenue from (?:our )?(?:Cloud segment|Cloud Intelligence Group|AI Cloud and Compute "
            r"Services)[^.]{0,60}? (?:was|were) RMB",
            re.IGNORECASE,
        ),
        _growth,
        _segment,
        joined=True,
    ),
    Kpi(
        "external_cloud_growth",
        "Cloud revenue from external customers, growth",
        "pct",
        re.compile(
            r"(?:external (?:revenue|commercial revenue) growth|revenue from external customers"
            r"[^.]{0,60}(?:grew|growth|accelerated|increase))",
            re.IGNORECASE,
        ),
        _after(r"(?:accelerated to|grew|growth of|increase of|up)\s+(\d+)%"),
        _segment,
    ),
    Kpi(
        "public_cloud_growth",
        "Public cloud products, growth",
        "pct",
        re.compile(r"public cloud (?:products|revenue)[^.]{0,80}grow", re.IGNORECASE),
        _after(r"public cloud[^.]{0,80}?(\d+)%"),
    ),
    Kpi(
        "capex_stated",
        "Capital expenditures, as the quarter's cash-flow discussion states them",
        "RMB_mn",
        re.compile(r"capital expenditures? (?:of|were|was) RMB", re.IGNORECASE),
        _after(
            r"capital expenditures? (?:of|were|was) RMB\s?" + _NUMBER + r"\s?(million|billion)",
            True,
        ),
    ),
    Kpi(
        "tokens",
        "Token volumes",
        "tokens_per_day",
        # Volumes, not product names ("Token Plans", "Alibaba Token Hub").
        re.compile(
            r"\btokens? (?:consumption|usage|volumes?|calls|processed)|(?:daily|per day)[^.]{0,40}"
            r"\btokens\b|\btokens\b[^.]{0,20}(?:per day|daily|a day)",
            re.IGNORECASE,
        ),
        _after(r"(\d[\d,.]*)\s*(trillion|billion)\s+tokens (?:per day|daily|a day)", False),
    ),
    Kpi(
        "model_studio",
        "Model Studio (Bailian): customers or usage",
        "count",
        re.compile(r"Model Studio|Bailian", re.IGNORECASE),
        _after(r"(?:Model Studio|Bailian)[^.]{0,120}?" + _NUMBER + r"\s+(?:customers|enterprises)"),
    ),
    Kpi(
        "qwen_app_users",
        "Qwen app: active users",
        "count",
        re.compile(r"Qwen app", re.IGNORECASE),
        _after(
            r"Qwen app[^.]{0,160}?" + _NUMBER + r"\s?(million|billion)\s+(?:monthly|daily) active",
            True,
        ),
    ),
)
KPI_IDS: tuple[str, ...] = tuple(k.id for k in KPIS)
STATUSES = ("value", "words", "silent")
_WORDING_CHARS = 400


def cells(text: str) -> list[dict[str, object]]:
    """One cell per KPI for one announcement's whole text."""
    sents = sentences(text)
    out: list[dict[str, object]] = []
    for kpi in KPIS:
        found: tuple[str, float | None] | None = None
        for i, s in enumerate(sents):
            if not kpi.mention.search(s) or _FISCAL_YEAR.search(s):
                continue
            window = f"{s} {sents[i + 1]}" if kpi.joined and i + 1 < len(sents) else s
            number = kpi.value(window)
            if number is not None:
                found = (window, number)
                break
            if found is None:
                found = (s, None)
        if found is None:
            out.append(
                {"kpi": kpi.id, "status": "silent", "value": None, "wording": "", "basis": ""}
            )
            continue
        wording, number = found
        out.append(
            {
                "kpi": kpi.id,
                "status": "words" if number is None else "value",
                "value": number,
                "wording": wording[:_WORDING_CHARS],
                "basis": kpi.basis(wording),
            }
        )
    return out


def flags(strip: pd.DataFrame) -> pd.DataFrame:
    """Add `went_silent` (silent after an earlier quarter disclosed it) and `basis_changed`
    (the basis differs from the last quarter that disclosed it) to a strip of one entity."""
    out = strip.sort_values(["kpi", "period_end"]).copy()
    out["went_silent"] = False
    out["basis_changed"] = False
    for _kpi, rows in out.groupby("kpi", sort=False):
        seen = False
        last_basis: str | None = None
        for idx, r in rows.iterrows():
            if r["status"] == "silent":
                out.at[idx, "went_silent"] = seen
                continue
            seen = True
            basis = str(r["basis"])
            if last_basis is not None and basis and last_basis and basis != last_basis:
                out.at[idx, "basis_changed"] = True
            if basis:
                last_basis = basis
    return out


def silenced(strip: pd.DataFrame, period_end: str) -> list[str]:
    """The KPIs that the announcement of `period_end` leaves out although an earlier one gave."""
    marked = flags(strip)
    rows = marked[(marked["period_end"] == period_end) & marked["went_silent"]]
    return sorted(str(k) for k in rows["kpi"])
