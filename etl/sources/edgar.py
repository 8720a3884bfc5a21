"""SEC EDGAR: Alibaba Group's quarterly results announcements, the company's own filings.

Source: https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK=0001577552 (Form 6-K,
exhibit 99.1). The filing list comes from EDGAR's documented submissions JSON
(data.sec.gov/submissions/CIK0001577552.json); each candidate 6-K's folder listing
(index.json) names its documents; an exhibit whose title reads "Alibaba Group Announces <Month>
Quarter <Year> ... Results" is parsed by etl.sources.edgar_parse (a pure function).

Plain httpx2 (already installed with huggingface_hub) against the documented JSON rather than
edgartools: edgartools prompts on stdin when no identity is set, raises at once on a 429, and
can only be mocked by replacing a private client, while a transport here is injected and
guarded like every other source. SEC's fair-access rules: a User-Agent with a name and an
e-mail address ($AIIMPACT_SEC_USER_AGENT), at most 10 requests a second (this source spaces
them 0.125 s apart). Filing folders and exhibits never change once filed, so they are cached
under the data directory with their URL and checksum (cache/edgar/exhibits.json), and a
vintage can be re-derived from what was downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import httpx2
import pandas as pd

from etl import config, consistency, disclosures, periods
from etl.errors import HttpStatusError, NotConfiguredError, SourceError
from etl.models import RESULTS_METRICS
from etl.sources import edgar_parse
from etl.sources.base import Context, Tables, facts_frame
from etl.sources.online import (
    Guard,
    RateLimitedError,
    RetryPolicy,
    TransientError,
    TransportFactory,
    http_client,
)

CIK = "0001577552"
SUBMISSIONS = f"https://data.sec.gov/submissions/CIK{CIK}.json"
ARCHIVE = "https://www.sec.gov/Archives/edgar/data/1577552"
#: Results are announced in these months (the December quarter once came in March).
RESULT_MONTHS = frozenset({2, 3, 5, 8, 11})
FIRST_FILING = "2022-07-01"  # the June 2022 quarter's release, the first quarter on file
EXHIBIT_RE = re.compile(r"ex-?99[-_.]?0?1\b.*\.htm$|ex991\.htm$", re.I)
THROTTLED = ("request rate threshold exceeded", "undeclared automated tool")


@dataclass(frozen=True)
class EdgarSource:
    """Source: SEC EDGAR filings of Alibaba Group Holding Limited (CIK 0001577552)."""

    name: str = "edgar"
    online: bool = True
    transport: TransportFactory | None = None
    per_request: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: "Name email@example.com"; None reads $AIIMPACT_SEC_USER_AGENT when the source runs.
    user_agent: str | None = None
    interval: float = 0.125

    def extract(self, ctx: Context) -> dict[str, Any]:
        """List the 6-K filings, find their results exhibits, download what is not cached."""
        agent = sec_user_agent(self.name, self.user_agent)
        guard = Guard(self.name, ctx.deadline, self.per_request, interval=self.interval)
        headers = {"User-Agent": agent, "Accept-Encoding": "gzip, deflate"}
        cache = _Cache(config.cache_dir(ctx.data_dir) / "edgar")
        client = http_client(guard, self.transport, headers=headers, follow_redirects=True)
        with client:
            get = SecGetter(self, client, ctx)
            filings = _candidates(get.json(SUBMISSIONS))
            exhibits = [e for f in filings for e in self._exhibits(get, cache, f)]
        cache.save()
        if not exhibits:
            raise SourceError(self.name, "no results announcement found among the 6-K filings")
        return {"exhibits": exhibits}

    def _exhibits(
        self, get: SecGetter, cache: _Cache, filing: dict[str, str]
    ) -> list[dict[str, Any]]:
        folder = f"{ARCHIVE}/{filing['accessionNumber'].replace('-', '')}"
        listing = cache.json(f"{folder}/index.json", get.json)
        names = [
            i["name"]
            for i in listing.get("directory", {}).get("item", [])
            if EXHIBIT_RE.search(i.get("name", ""))
        ]
        out = []
        for name in names:
            url = f"{folder}/{name}"
            body = cache.text(url, get.text, filing["filingDate"])
            if edgar_parse.quarter(edgar_parse.text_of(body[:20000])) is not None:
                out.append(
                    {
                        **cache.entry(url),
                        "accession": filing["accessionNumber"],
                        "filed": filing["filingDate"],
                        "body": body,
                    }
                )
        return out

    def transform(self, raw: dict[str, Any], ctx: Context) -> Tables:
        """Each exhibit's figures, citing its sec.gov URL with the row it was read from."""
        facts, sources, failed = [], [], []
        cells: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for ex in sorted(raw["exhibits"], key=lambda e: (e["filed"], e["url"])):
            figures = edgar_parse.parse(ex["body"])
            sid = "edgar_" + ex["accession"].replace("-", "")
            self._check(ex, sid, figures, ctx)
            if not RESULTS_METRICS & {f.metric for f in figures}:
                failed.append(ex["url"])
                continue
            for f in figures:
                if (f.metric, f.period_end) in seen:
                    continue  # a later filing of the same figure (e.g. a year-ago column)
                seen.add((f.metric, f.period_end))
                facts.append(_fact(f, sid, ex["url"]))
            sources.append(_source(sid, ex, figures))
            cells += _disclosures(ex, sid)
        if not facts:
            raise SourceError(
                self.name, f"no exhibit parsed ({len(failed)} results announcements unreadable)"
            )
        if failed:
            sources[-1]["note"] += (
                f"; {len(failed)} exhibit(s) not parsed: {', '.join(failed)[:300]}"
            )
        # The newest filing of a quarter speaks for it (a later 6-K may repeat an announcement).
        strip = pd.DataFrame(cells).drop_duplicates(["kpi", "period_end"], keep="last")
        return {
            "facts": facts_frame(facts),
            "sources": pd.DataFrame(sources),
            "disclosures": strip.reset_index(drop=True),
        }

    def _check(
        self, ex: dict[str, Any], sid: str, figures: list[edgar_parse.Figure], ctx: Context
    ) -> None:
        """Report each part of the exhibit that was not read, and stated changes its own
        columns do not give (the figures are kept either way)."""
        unit = f"{_label(ex)} exhibit"
        for part in edgar_parse.missing(figures):
            ctx.missing(self.name, unit, part)
        values = {(f.metric, f.period_end): f.value for f in figures}
        stated = pd.DataFrame(
            [
                {
                    "metric": f.metric,
                    "period_end": f.period_end,
                    "value": f.value,
                    "prior": f.prior,
                    "current": values.get((f.metric.removesuffix("_yoy_pct"), f.period_end)),
                    "source_id": sid,
                    "owner": self.name,
                    "origin": ex["url"],
                }
                for f in figures
                if f.prior is not None
            ],
            columns=list(consistency.STATED),
        ).dropna(subset=["current"])
        for v in consistency.yoy_violations(stated):
            ctx.warn(str(v))


def _disclosures(ex: dict[str, Any], sid: str) -> list[dict[str, Any]]:
    """The exhibit's KPI cells (etl.disclosures), read from its whole text like the bundled
    announcements, so a new quarter joins the KPI strip and its silences are reported."""
    text = edgar_parse.text_of(ex["body"])
    end = edgar_parse.quarter(text)
    if end is None:
        return []
    units = {k.id: k.unit for k in disclosures.KPIS}
    return [
        {
            "entity": "alibaba",
            "kpi": c["kpi"],
            "fiscal_period": periods.fiscal_label(end),
            "period_end": end.isoformat(),
            "status": c["status"],
            "value": c["value"],
            "unit": units[str(c["kpi"])],
            "wording": c["wording"],
            "basis": c["basis"],
            "source_id": sid,
            "source_url": ex["url"],
            "note": "read from the filed exhibit by etl.disclosures",
        }
        for c in disclosures.cells(text)
    ]


def _label(ex: dict[str, Any]) -> str:
    end = edgar_parse.quarter(edgar_parse.text_of(ex["body"][:20000]))
    return periods.fiscal_label(end) if end else ex["url"].rsplit("/", 1)[-1]


def sec_user_agent(source: str, explicit: str | None) -> str:
    """The User-Agent SEC requires (a name and an e-mail address), or NotConfiguredError."""
    agent = (explicit or os.environ.get(config.ENV_SEC_USER_AGENT, "")).strip()
    if not agent or "@" not in agent:
        raise NotConfiguredError(
            source,
            f"SEC requires a User-Agent with a name and an e-mail address: set "
            f"${config.ENV_SEC_USER_AGENT}, e.g. 'Jane Analyst jane@example.com'",
        )
    return agent


class SecRequester(Protocol):
    """What SecGetter needs of a source: its name (for errors) and its retry policy."""

    @property
    def name(self) -> str: ...
    @property
    def retry(self) -> RetryPolicy: ...


def _candidates(submissions: dict[str, Any]) -> list[dict[str, str]]:
    """6-K filings since the first quarter on file, in months when results are announced."""
    recent = submissions.get("filings", {}).get("recent", {})
    keys = ("accessionNumber", "filingDate", "form", "primaryDocument")
    if not all(isinstance(recent.get(k), list) for k in keys):
        raise SourceError(
            "edgar", "submissions JSON without filings.recent arrays (format changed?)"
        )
    rows = [
        dict(zip(keys, values, strict=True))
        for values in zip(*(recent[k] for k in keys), strict=True)
    ]
    return [
        r
        for r in rows
        if r["form"] == "6-K"
        and r["filingDate"] >= FIRST_FILING
        and int(r["filingDate"][5:7]) in RESULT_MONTHS
    ]


class SecGetter:
    """GETs through the guarded client under the retry policy, with SEC's error bodies read."""

    def __init__(self, source: SecRequester, client: httpx2.Client, ctx: Context) -> None:
        self.source, self.client, self.ctx = source, client, ctx

    def _get(self, url: str) -> httpx2.Response:
        def once() -> httpx2.Response:
            try:
                r = self.client.get(url)
            except (SourceError, RateLimitedError, TransientError):
                raise
            except httpx2.HTTPError as exc:
                raise SourceError(self.source.name, f"{url}: {type(exc).__name__}: {exc}") from exc
            if r.status_code == 403 and any(t in r.text.lower() for t in THROTTLED):
                raise SourceError(
                    self.source.name,
                    "HTTP 403 from SEC (Request Rate Threshold Exceeded / undeclared automated "
                    f"tool): check ${config.ENV_SEC_USER_AGENT} and try again in 10 minutes",
                )
            if r.status_code != 200:
                raise HttpStatusError(
                    self.source.name, r.status_code, f"HTTP {r.status_code} for {url}"
                )
            return r

        return self.source.retry.call(self.source.name, f"GET {url[-60:]}", once, self.ctx.deadline)

    def json(self, url: str) -> dict[str, Any]:
        try:
            body: dict[str, Any] = self._get(url).json()
        except ValueError as exc:
            raise SourceError(self.source.name, f"{url}: not JSON ({exc})") from exc
        return body

    def text(self, url: str) -> str:
        return self._get(url).text


class _Cache:
    """Immutable EDGAR documents under cache/edgar/, listed with URL, checksum and fetch date."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.index_path = root / "exhibits.json"
        self.index: dict[str, dict[str, str]] = (
            json.loads(self.index_path.read_text(encoding="utf-8"))
            if self.index_path.exists()
            else {}
        )

    def _path(self, url: str) -> Path:
        return self.root / url.removeprefix(ARCHIVE + "/")

    def json(self, url: str, fetch: Any) -> dict[str, Any]:
        path = self._path(url)
        if path.exists():
            cached: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return cached
        body: dict[str, Any] = fetch(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body), encoding="utf-8")
        return body

    def text(self, url: str, fetch: Any, filed: str) -> str:
        path = self._path(url)
        if path.exists() and url in self.index:
            return path.read_text(encoding="utf-8")
        body: str = fetch(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        self.index[url] = {
            "url": url,
            "path": path.relative_to(self.root).as_posix(),
            "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            "downloaded": date.today().isoformat(),
            "filed": filed,
        }
        return body

    def entry(self, url: str) -> dict[str, str]:
        return dict(self.index[url])

    def save(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.index, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.index_path)


def _fact(f: edgar_parse.Figure, sid: str, url: str) -> dict[str, Any]:
    end = date.fromisoformat(f.period_end)
    note = f"row: {f.locator[:180]}" + (f"; {f.note}" if f.note else "")
    return {
        "entity": "alibaba",
        "metric": f.metric,
        "period_end": f.period_end,
        "fiscal_period": periods.fiscal_label(end),
        "value": float(f.value),
        "unit": f.unit,
        "source_id": sid,
        "source_url": url,
        "basis": "reported",
        "subject": "",
        "note": note,
        "origin": "edgar",
    }


def _source(sid: str, ex: dict[str, Any], figures: list[edgar_parse.Figure]) -> dict[str, str]:
    label = _label(ex)
    return {
        "source_id": sid,
        "title": f"Results announcement for {label} (Form 6-K, exhibit 99.1, accession {ex['accession']})",
        "publisher": "Alibaba Group Holding Limited (SEC EDGAR)",
        "url": ex["url"],
        "published": ex["filed"],
        "accessed": ex["downloaded"],
        "kind": "primary",
        "note": f"{len(figures)} figures read by etl.sources.edgar_parse; sha256 {ex['sha256'][:16]}",
    }
