"""Links are data, never markup: escaped markdown on the Overview, escaped text in every figure."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st

from dashboard import pages, snapshot
from dashboard.common import params, safe
from etl.store import Store
from tests.dashboard.helpers import run

#: What the break test slipped through the https:// prefix check (issue 23, item 5).
EVIL_URL = "https://x) [..](javascript:alert(1)) ![i](http://127.0.0.1:9/t.png)"
EVIL_TEXT = (
    '<a href="https://evil.example/">click</a> <img src=x> :red[x] [y](https://evil.example/)'
)
#: plotly's own markup in the builders' templates; anything else in a figure came from data.
OWN_TAGS = re.compile(
    r"</?(b|br|i|extra|sup|sub)>"
    # The builders' own: a KPI strip quarter linking its release (an encoded https URL with a
    # plain host).
    r'|<a href="https://[A-Za-z0-9.-]+/[^"<>\s]*" target="_blank">|</a>',
    re.IGNORECASE,
)
LINK = re.compile(r"\[((?:\\.|[^\\\]])*)\]\(([^\s()<>\[\]\"'\\]*)\)")


def _unescaped(text: str, chars: str = "[]()!<>:`*_") -> list[str]:
    """Markdown characters in `text` that are not backslash-escaped."""
    return [
        m.group(1) for m in re.finditer(r"(?<!\\)((?:\\\\)*)([" + re.escape(chars) + "])", text)
    ]


def _links(markdown: str) -> tuple[list[tuple[str, str]], str]:
    """The links our helper writes, and the text left when they are taken out."""
    return LINK.findall(markdown), LINK.sub("", markdown)


@pytest.mark.parametrize(
    "url",
    [EVIL_URL, "https://a.example/x_(y) z", "javascript:alert(1)", "https://h/[x](y)", "", None],
)
def test_md_link_is_one_link_or_plain_text(url: str | None) -> None:
    """At most one link, to an http(s) address without markup characters; the rest is literal."""
    out = safe.md_link(EVIL_TEXT, url)
    links, rest = _links(out)
    assert len(links) <= 1 and not _unescaped(rest), out
    for _text, target in links:
        assert re.match(r"https?://[A-Za-z0-9.-]+(/|$)", target), target
    if url == "https://a.example/x_(y) z":
        assert links == [(safe.md_text(EVIL_TEXT), "https://a.example/x_%28y%29%20z")]


def test_plotly_text_shows_markup_as_typed() -> None:
    """plotly decodes entities when it draws, so escaped tags show as text and never as links."""
    assert (
        safe.plotly_text('<a href="u">x</a> & %{y}')
        == '&lt;a href="u"&gt;x&lt;/a&gt; &amp; %&#123;y}'
    )


def _hostile(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = dict(tables)
    out["sources"] = tables["sources"].assign(publisher=EVIL_TEXT, url=EVIL_URL)
    out["facts"] = tables["facts"].assign(
        source_url=EVIL_URL,
        note=EVIL_TEXT,
        subject=EVIL_TEXT,
        source_id=tables["facts"]["source_id"],
    )
    out["events"] = tables["events"].assign(label=EVIL_TEXT)
    out["disclosures"] = tables["disclosures"].assign(
        source_url=EVIL_URL, wording=EVIL_TEXT, basis=EVIL_TEXT
    )
    out["commitments"] = tables["commitments"].assign(
        statement=EVIL_TEXT, quote=EVIL_TEXT, source_url=EVIL_URL
    )
    return out


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


@pytest.fixture(scope="module")
def hostile(built_real_store: Path) -> tuple[str, dict[str, pd.DataFrame]]:
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    return vid, _hostile(store.read_all(vid))


@pytest.mark.parametrize("page", [p.key for p in pages.PAGES])
def test_no_data_markup_in_any_figure(
    hostile: tuple[str, dict[str, pd.DataFrame]], page: str
) -> None:
    """Titles, footnotes, hovers, names, annotations: no tag in a figure but the builders' own."""
    vid, tables = hostile
    view = pages.build(page, tables, params.parse({"vintage": vid}))
    assert view.charts
    for chart in view.charts:
        texts = _strings(json.loads(chart.figure.to_json()))
        assert any("evil.example" in t for t in texts) or page == "sources"  # data did arrive
        tags = [t for t in texts if "<" in OWN_TAGS.sub("", t)]
        assert tags == [], (chart.key, tags[:3])


def test_snapshot_html_shows_a_hostile_publisher_as_text(
    hostile: tuple[str, dict[str, pd.DataFrame]], built_real_store: Path
) -> None:
    """In view.html the publisher's tag is an escaped string inside the chart data, not markup."""
    vid, tables = hostile
    state = params.parse({"vintage": vid})
    view = pages.build("overview", tables, state)
    manifest = Store(built_real_store / "store").manifest(vid)
    data = snapshot.bundle(view, state, tables, manifest, f"https://example.invalid/?vintage={vid}")
    page = zipfile.ZipFile(io.BytesIO(data)).read("view.html").decode()
    for code, char in (
        ("\\u003c", "<"),
        ("\\u003e", ">"),
        ("\\u0026", "&"),
        ("\\u002f", "/"),
        ('\\"', '"'),
    ):
        page = page.replace(code, char)
    assert '<a href="https://evil.example/">' not in page
    assert '&lt;a href="https://evil.example/"&gt;' in page


#: A URL with a plain host whose path tries to close the link and add an image.
LINKED_URL = "https://a.example/x) [..](javascript:alert(1)) ![i](http://127.0.0.1:9/t.png)"


@pytest.fixture
def hostile_store(built_real_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app reads the real vintage with hostile source URLs and publishers."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    real_read = Store.read

    def read(self: Store, table: str, vintage: str | None = None) -> pd.DataFrame:
        frame = real_read(self, table, vintage)
        if table == "facts":
            return frame.assign(source_url=LINKED_URL, note=EVIL_TEXT)
        if table == "sources":
            return frame.assign(publisher=EVIL_TEXT, url=LINKED_URL)
        return frame

    monkeypatch.setattr(Store, "read", read)
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.usefixtures("hostile_store")
def test_overview_source_links_are_escaped() -> None:
    """Each Overview caption and the adoption table: links only to the figure's web address,
    encoded; the rest literal."""
    at = run("overview")
    assert not at.exception, [e.value for e in at.exception]
    targets = []
    # The cards' source lines (the freshness line is the app's own: metric names, dates, badges).
    captions = [
        c.value for c in at.caption if " · " in c.value and not c.value.startswith("**As of:**")
    ]
    tables = [m.value for m in at.markdown if m.value.startswith("| Series |")]
    assert captions and tables
    for text in captions + tables:
        links, rest = _links(text)
        assert not _unescaped(rest, "[]()!<>"), text
        targets += [u for _t, u in links]
    assert targets, "no source link reached a caption, so nothing was checked"
    assert set(targets) == {safe.md_link("s", LINKED_URL).split("](")[1][:-1]}
    assert all(u.startswith("https://a.example/x%29%20%5B") for u in targets)


@pytest.mark.usefixtures("hostile_store")
def test_sources_page_tables_show_hostile_data_as_data() -> None:
    """The Sources page's tables, its vintage records opened: addresses encoded, text as typed."""
    at = run("sources")
    assert not at.exception, [e.value for e in at.exception]
    # The vintage's records wait for the toggle: only the figures table is sent first.
    assert not at.toggle(key="w_more").value and len(at.dataframe) == 1
    figures = at.dataframe[0].value
    assert set(figures["source_url"]) == {safe.web_url(LINKED_URL)}
    assert set(figures["note"]) == {EVIL_TEXT}  # a table cell is text, never markup
    at.toggle(key="w_more").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    listed = next(d.value for d in at.dataframe if "publisher" in d.value.columns)
    assert set(listed["publisher"]) == {EVIL_TEXT}
    assert set(listed["url"]) == {safe.web_url(LINKED_URL)}
    assert all(u.startswith("https://a.example/x%29%20%5B") for u in listed["url"])
    headings = {h.value for h in at.subheader}
    assert {"Vintage manifest", "Freshness per source", "Sources", "Metric definitions"} <= headings
