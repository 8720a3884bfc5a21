"""Parse Alibaba Group's quarterly results announcement (6-K exhibit 99.1) into tidy figures.

A pure function of the whole document, read by its structure: every table becomes rows (a label
and its numeric cells) under a column header ("Three months ended June 30, | 2021 2022 | RMB RMB
US$ YoY % Change"). Filed HTML tables are read as tables (lxml); plain text, `<pre>` exhibits and
the text between HTML tables go through the same row model, where a row is the words before a
run of numbers and a table starts at each period header. Tables are then found by the rows they
hold, never by the first mention of their title (the narrative names the reconciliation long
before the table):
- the quarter summary table (revenue, income from operations, adjusted EBITA, net income
  attributable to ordinary shareholders; RMB, US$ and the stated YoY change);
- the free cash flow reconciliation (operating cash flow, the property-and-equipment and
  intangible-asset lines, the consumer/buyer protection fund deposits line, free cash flow);
- the by-segment revenue and adjusted EBITA tables: "Cloud" (to FY2023), "Cloud Intelligence
  Group" (FY2024-FY2026), or from FY2027 "AI Cloud and Compute Services" (Cloud Intelligence Group
  plus T-Head), recorded as ai_cloud_* with the recast year-ago figure, never as cloud_*;
- the convenience-rate sentence and capital expenditures as stated in the quarter's investing
  activities paragraph.
Values are read from the quarter's own columns, located through the header's period groups.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

import lxml.html

MONTH_END = {"march": (3, 31), "june": (6, 30), "september": (9, 30), "december": (12, 31)}
TITLE_RE = re.compile(
    r"(?:Alibaba Group Announces|ANNOUNCEMENT OF THE) (March|June|September|December) Quarter "
    r"(?:and Full Fiscal Year )?(\d{4})",
    re.I,
)
#: A table cell: 1,234 / (1,234) / 12% / (57)% / 6.6981 / a dash for nil / N/A.
CELL = re.compile(r"\(?\d+(?:,\d{3})*(?:\.\d+)?\)?%?|[—–-]|N/A")
#: Footnote marks glued to a label or number ("Adjusted EBITA(1)", "27,706(4)", "(19)%(2) (6)").
FOOTNOTE = re.compile(r"(?<=[^\s(])\(\d\)(?:\s+\(\d\)(?!\S))*")
PERIOD = re.compile(r"(?:(?:Three|Six|Nine|Twelve) months|(?:Fiscal )?[Yy]ear) ended ([A-Z][a-z]+)")
HEADER = re.compile(rf"(?:{PERIOD.pattern} \d{{1,2}},?\s*)+$")
SUMMARY = {
    "revenue": r"Revenue",
    "income_from_operations": r"(?:Income \(Loss\)|\(Loss\) income|Loss|Income) from operations",
    "adjusted_ebita": r"Adjusted EBITA",
    "net_income_attributable": r"Net (?:\(loss\) income|income \(loss\)|loss|income) attributable to ordinary shareholders",
}
FCF_ROWS = {
    "operating_cash_flow": r"Net cash (?:\((?:used in|provided by)\) )?(?:provided by|used in) operating activities",
    "capex_ppe": r"Less: Purchase of property and equipment \(excluding land use rights and construction in progress relating to office campuses\)",
    "capex_intangibles": r"Less: (?:Purchase|Acquisition) of intangible assets(?: \([^)]*\))?",
    "fcf_other_adjustments": r"(?:Less: |Add: )?Changes in the (?:consumer|buyer) protection fund deposits",
    "free_cash_flow": r"Free cash flow",
}
#: Reconciliation lines printed as subtractions: money spent is entered positive.
SPENT = {"capex_ppe", "capex_intangibles"}
SEGMENTS = (
    ("AI Cloud and Compute Services", "ai_cloud"),
    ("Cloud Intelligence Group", "cloud"),
    ("Cloud", "cloud"),
)
#: The group total row that tells a by-segment revenue table from an adjusted EBITA one.
SEGMENT_TOTALS = {
    "revenue": r"Consolidated revenue|Total",
    "adjusted_ebita": r"Consolidated adjusted EBITA|Total segment adjusted EBITA",
}
#: The parts every results announcement holds, and the figures that show each was read.
PARTS = {
    "summary table": (
        "revenue",
        "income_from_operations",
        "adjusted_ebita",
        "net_income_attributable",
    ),
    "free-cash-flow reconciliation": ("operating_cash_flow", "capex_ppe", "free_cash_flow"),
    "cloud segment": (
        "cloud_revenue|ai_cloud_revenue",
        "cloud_adjusted_ebita|ai_cloud_adjusted_ebita",
    ),
    "convenience-rate sentence": ("usd_rmb_rate",),
    "capital expenditures sentence": ("capex_stated",),
}


@dataclass(frozen=True)
class Figure:
    """One figure the exhibit states."""

    metric: str
    period_end: str
    value: float
    unit: str
    locator: str
    note: str = ""
    #: For a stated YoY change: the release's year-ago column it was computed from.
    prior: float | None = None


@dataclass(frozen=True)
class Row:
    """One table row: its label (words) and its numeric cells, in order."""

    label: str
    cells: tuple[str, ...]

    def __str__(self) -> str:
        return " ".join((self.label[-150:], *self.cells))


@dataclass(frozen=True)
class Table:
    """Rows under one period header, with the header's column layout."""

    periods: tuple[str, ...]  # "Three months ended June", "Year ended March", ...
    years: tuple[int, ...]
    amounts: int  # amount columns (RMB, US$) per period group
    percents: int  # percent columns per period group (% of revenue, YoY % change)
    yoy: bool  # the last percent column of each group is the stated YoY change
    rows: tuple[Row, ...]

    def row(self, label: str, *, whole: bool = False) -> Row | None:
        """The first row whose label is (or, for the first row, ends with) `label`."""
        pattern = re.compile(rf"(?:{label})" if whole else rf"(?:^|.*\s)(?:{label})")
        return next((r for r in self.rows if pattern.fullmatch(r.label) and r.cells), None)

    def quarter(self, row: Row, end: date) -> tuple[float, float, float, float | None] | None:
        """(prior, current, US$, stated YoY) of `row` in the quarter's columns, or None."""
        group = next(
            (
                i
                for i, p in enumerate(self.periods)
                if not p
                or p.startswith("Three months ended")
                and p.endswith(_month(end))
                and self.years[2 * i + 1] == end.year
            ),
            None,
        )
        amounts = [c for c in row.cells if not _is_pct(c)]
        start = (group or 0) * self.amounts
        if group is None or self.amounts < 3 or len(amounts) < start + 3:
            return None
        pcts = [c for c in row.cells if _is_pct(c)]
        # A row without its YoY cell (nil change, "Unallocated") has fewer percent cells.
        stated = self.yoy and len(pcts) == self.percents * len(self.periods)
        change = percent(pcts[(group + 1) * self.percents - 1]) if stated else None
        prior, current, usd = (number(c) for c in amounts[start : start + 3])
        return prior, current, usd, change


def _month(end: date) -> str:
    return end.strftime("%B")


def _is_pct(cell: str) -> bool:
    return cell.endswith("%") or cell == "N/A"


def number(token: str) -> float:
    """A table number: parentheses are negative, a dash is nil."""
    token = token.strip()
    if token in ("—", "–", "-"):
        return 0.0
    negative = token.startswith("(") and token.endswith(")")
    value = float(token.strip("()").replace(",", ""))
    return -value if negative else value


def percent(token: str) -> float | None:
    """A stated change like 9%, (57)% or N/A (None)."""
    if token == "N/A":
        return None
    return number(token.removesuffix("%"))


def text_of(document: str) -> str:
    """The document as one line of text: tags, entities, page numbers and cell breaks normalised."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", document, flags=re.S | re.I)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    # A PDF's text layer puts each page number on a line of its own, which would read as a cell.
    return _normalise(re.sub(r"\n[ \t]*\d{1,3}[ \t]*(?=\n)", "\n", text))


def _normalise(text: str) -> str:
    text = " ".join(text.replace("\xa0", " ").split())
    # Table cells split "(1,234" and ")", "12" and "%", "RMB" and "1,234".
    text = re.sub(r"\( (?=\d)", "(", text)
    text = re.sub(r"(?<=[\d,]) \)", ")", text)
    text = re.sub(r"(?<=[\d)]) %", "%", text)
    text = re.sub(r"\b(RMB|US\$) (?=\d)", r"\1", text)
    return FOOTNOTE.sub("", text)


def rows_of(text: str) -> list[Row]:
    """Flattened text as rows: each row is the words before a run of cells."""
    out: list[Row] = []
    words: list[str] = []
    cells: list[str] = []
    for token in text.split():
        if CELL.fullmatch(token):
            cells.append(token)
            continue
        if cells:
            out.append(Row(" ".join(words), tuple(cells)))
            words, cells = [], []
        words.append(token)
    if words or cells:
        out.append(Row(" ".join(words), tuple(cells)))
    return out


def _html_rows(table: lxml.html.HtmlElement) -> list[Row]:
    """A filed HTML table's rows; a row without numbers (a heading) joins the next row's label."""
    out: list[Row] = []
    carry = ""
    for tr in table.iter("tr"):
        cells = " ".join(td.text_content() for td in tr.iter("td", "th"))
        # The column header names the currency; a symbol before a number (often a cell of its
        # own) would otherwise read as a word and cut the row in two.
        cells = re.sub(r"(?:RMB|US\$|HK\$)(?=\s*\(?\s*\d)", " ", cells)
        for row in rows_of(_normalise(cells)):
            if not row.cells:
                carry = f"{carry} {row.label}".strip()
                continue
            out.append(Row(f"{carry} {row.label}".strip(), row.cells))
            carry = ""
    return out


def tables(document: str, text: str | None = None) -> list[Table]:
    """Every table of the document: HTML tables as tables, the rest of the text as rows.

    Args:
        document: the whole exhibit, filed HTML or plain text.
        text: text_of(document) if the caller has it (recomputed without the HTML tables
            when the document has any).
    """
    tables_found: list[Table] = []
    if re.search(r"<table\b", document, re.I):
        root = lxml.html.document_fromstring(document)
        for element in root.xpath("//table[not(ancestor::table)]"):
            rows = _html_rows(element)
            split = _split(rows)
            # A table printed under a header outside it is read in the quarterly layout
            # (prior year, current year, US$), the one every quarterly table of the release has.
            tables_found += split or [Table(("",), (), 3, 0, False, tuple(rows))]
            element.drop_tree()
        document, text = lxml.html.tostring(root, encoding="unicode"), None
    return tables_found + _split(rows_of(text if text is not None else text_of(document)))


def _split(rows: list[Row]) -> list[Table]:
    """Rows cut into tables at each period header (adjacent headers are one header)."""
    out: list[Table] = []
    periods: list[str] = []
    years: list[int] = []
    body: list[Row] = []
    for row in rows:
        m = header(row)
        if m:
            if body or not periods:
                out.append(_table(periods, years, body))
                periods, years, body = [], [], []
            periods += [p.group(0) for p in PERIOD.finditer(m.group(0))]
            years += [int(c) for c in row.cells]
        else:
            body.append(row)
    out.append(_table(periods, years, body))
    return [t for t in out if t.periods]


def header(row: Row) -> re.Match[str] | None:
    """The period groups a header row names ("Three months ended March 31, Year ended ...",
    cells: the years), or None when the row is not a period header."""
    m = HEADER.search(row.label)
    years = row.cells and all(re.fullmatch(r"(?:19|20)\d\d", c) for c in row.cells)
    return m if m and years else None


def _table(periods: list[str], years: list[int], body: list[Row]) -> Table:
    """A table with its layout read from the column header that opens its first row."""
    head = body[0].label.split("(in ")[0] if body else ""
    amounts = len(re.findall(r"\b(?:RMB|US\$)(?=\s|$)", head))
    fits = bool(periods) and len(years) == 2 * len(periods) and amounts % len(periods) == 0
    return Table(
        tuple(periods) if fits else (),
        tuple(years),
        amounts // len(periods) if fits else 0,
        head.count("%") // len(periods) if fits else 0,
        "YoY" in head,
        tuple(body),
    )


def quarter(text: str) -> date | None:
    """The quarter end the announcement's title names, or None when it is not a results release."""
    m = TITLE_RE.search(text[:4000])
    if not m:
        return None
    month, day = MONTH_END[m.group(1).lower()]
    return date(int(m.group(2)), month, day)


def parse(document: str) -> list[Figure]:
    """Every figure of the quarter the announcement states (empty when it is not one)."""
    text = text_of(document)
    end = quarter(text)
    if end is None:
        return []
    found = [t for t in tables(document, text) if t.periods]
    return (
        _summary(found, end) + _fcf(found, end) + _segment(found, text, end) + _sentences(text, end)
    )


def missing(figures: list[Figure]) -> list[str]:
    """The parts of a results announcement that `figures` lack, by name (see PARTS)."""
    have = {f.metric for f in figures}
    out = []
    for part, needs in PARTS.items():
        lacking = [n for n in needs if not have & set(n.split("|"))]
        if len(lacking) == len(needs):
            out.append(part)
        elif lacking:
            out.append(f"{part} row {', '.join(lacking)}")
    return out


def _best(found: list[Table], labels: dict[str, str], end: date) -> Table | None:
    """The table holding most of `labels` in the quarter's columns (the first on a tie)."""

    def score(t: Table) -> int:
        return sum(
            1 for label in labels.values() if (r := t.row(label)) and t.quarter(r, end) is not None
        )

    best = max(found, key=score, default=None)
    return best if best is not None and score(best) >= 2 else None


def _summary(found: list[Table], end: date) -> list[Figure]:
    table = _best([t for t in found if t.yoy], SUMMARY, end)
    out: list[Figure] = []
    for metric, label in SUMMARY.items():
        row = table.row(label) if table else None
        values = table.quarter(row, end) if table and row else None
        if row is None or values is None:
            continue
        prior, current, usd, change = values
        out += _pair(metric, end, current, usd, str(row))
        out += _change(metric, end, change, prior, str(row))
    return out


def _change(metric: str, end: date, change: float | None, prior: float, where: str) -> list[Figure]:
    if change is None:
        return []
    return [Figure(f"{metric}_yoy_pct", end.isoformat(), change, "pct", where, prior=prior)]


def _fcf(found: list[Table], end: date) -> list[Figure]:
    table = _best(found, FCF_ROWS, end)
    out: list[Figure] = []
    for metric, label in FCF_ROWS.items():
        row = table.row(label) if table else None
        values = table.quarter(row, end) if table and row else None
        if row is None or values is None:
            continue
        sign = -1.0 if metric in SPENT else 1.0
        _, current, usd, _ = values
        pair = _pair(metric, end, sign * current + 0.0, sign * usd + 0.0, str(row))
        out += pair[:1] if metric == "fcf_other_adjustments" else pair
    return out


def _pair(metric: str, end: date, rmb: float, usd: float, where: str) -> list[Figure]:
    day = end.isoformat()
    return [
        Figure(metric, day, rmb, "RMB_mn", where),
        Figure(f"{metric}_usd", day, usd, "USD_mn", where),
    ]


def _segment(found: list[Table], text: str, end: date) -> list[Figure]:
    for label, prefix in SEGMENTS:
        out: list[Figure] = []
        for kind, total in SEGMENT_TOTALS.items():
            hit = _segment_row(found, label, total, end)
            if hit is None:
                continue
            row, (prior, current, usd, change) = hit
            metric = f"{prefix}_{kind}"
            out += _pair(metric, end, current, usd, str(row))
            if kind == "revenue":
                out += _change(metric, end, change, prior, str(row))
            if prefix == "ai_cloud":
                year_ago = date(end.year - 1, end.month, end.day).isoformat()
                note = "recast year-ago figure as stated in the FY2027 basis's first releases"
                out.append(Figure(metric, year_ago, prior, "RMB_mn", str(row), note))
        if prefix == "cloud" and out and not any(f.metric == "cloud_adjusted_ebita" for f in out):
            out += _cloud_ebita_sentence(text, end)
        if out:
            return out
    return []


def _segment_row(
    found: list[Table], label: str, total: str, end: date
) -> tuple[Row, tuple[float, float, float, float | None]] | None:
    """A segment's row in the quarter's by-segment table whose group total row is `total`."""
    for table in found:
        row = table.row(rf"{re.escape(label)}", whole=True)
        if row is None or table.row(total, whole=True) is None:
            continue
        values = table.quarter(row, end)
        if values is not None:
            return row, values
    return None


def _cloud_ebita_sentence(text: str, end: date) -> list[Figure]:
    """FY2023 releases print segment adjusted EBITA in a transposed table; the sentence is read."""
    m = re.search(
        r"Cloud (?:Intelligence Group )?adjusted EBITA,?[^.]{0,120}?\b(?:was|to) "
        r"RMB\(?([\d,]+)\)? million \(US\$\(?([\d,]+)\)? million\)",
        text,
    )
    if not m:
        return []
    rmb, usd = number(m.group(1)), number(m.group(2))
    return _pair("cloud_adjusted_ebita", end, rmb, usd, m.group(0))


def _sentences(text: str, end: date) -> list[Figure]:
    """The convenience rate, and capex as stated in the quarter's investing activities paragraph."""
    day = end.isoformat()
    out = []
    m = re.search(r"translations of RMB into US\$ were made at RMB(\d+\.\d+) to US\$1\.00", text)
    if m:
        out.append(Figure("usd_rmb_rate", day, float(m.group(1)), "RMB_per_USD", m.group(0)))
    quarter_paragraph = rf"During the quarter ended {_month(end)} \d{{1,2}}, {end.year}\b"
    for m in re.finditer(
        r"capital expenditures? (?:of|were|was) RMB([\d,]+) million \(US\$([\d,]+) million\)", text
    ):
        # The quarter's paragraph comes first; the fiscal year's or six months' follows it.
        during = list(
            re.finditer(r"During (?:the|fiscal)\b[^,]{0,60}(?:, \d{4})?", text[: m.start()])
        )
        if during and re.match(quarter_paragraph, during[-1].group(0)):
            out.append(Figure("capex_stated", day, number(m.group(1)), "RMB_mn", m.group(0)))
            break
    return out
