"""Data strings made inert before they are rendered: markdown for Streamlit, HTML for plotly.

Sources, notes and event labels come from files and online answers, so they may hold markup.
Streamlit renders markdown (links, images, `:material/...:` and `:red[...]` directives) and
plotly renders a subset of HTML in every text it draws (`<a href>`, `<span style>`, `<br>`),
in the app and in a snapshot's view.html alike. Escaping here holds whatever the URL
validation upstream lets through.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

import pandas as pd

#: CommonMark lets a backslash escape any ASCII punctuation; escape them all.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^%@;,?/])")
#: Characters that may stay as they are in a link destination: no spaces, brackets, parentheses,
#: quotes or angle brackets, which would end the destination or start new markup.
_URL_SAFE = ":/?#@&=+,;%~.-_"
_HOST = re.compile(r"[A-Za-z0-9.-]+")


def md_text(text: object) -> str:
    """Text shown literally by Streamlit's markdown (no links, images, directives or emphasis)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def web_url(url: object) -> str:
    """`url` percent-encoded when it is an http(s) address with a plain host name, else ''.

    Encoded, it cannot close a markdown link early and start markup of its own; other schemes
    (javascript:, data:) never become links.
    """
    raw = "" if url is None or (isinstance(url, float) and pd.isna(url)) else str(url).strip()
    try:
        parts = urlsplit(raw)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(parts.hostname or ""):
        return ""
    return quote(raw, safe=_URL_SAFE)


def md_link(text: object, url: object) -> str:
    """A markdown link that opens `url`, or the plain text when `url` is not a web address."""
    target = web_url(url)
    return f"[{md_text(text)}]({target})" if target else md_text(text)


def source_link(row: pd.Series | dict[str, object], what: str) -> str:
    """A link that names what it opens ("FY2027Q1 release"), not a bare "source"."""
    # Data, never markup: the text escaped, the address an encoded http(s) URL or no link.
    return md_link(what, row.get("source_url")) if row.get("source_url") else "no source link"


def plotly_text(text: object) -> str:
    """Text that plotly draws literally: its HTML subset and hover placeholders neutralised.

    plotly turns entities back into characters when it draws, so `<a href>` shows as typed.
    `%{` is escaped as well, for data strings placed inside a hover template.
    """
    return html.escape(str(text), quote=False).replace("%{", "%&#123;")


def plotly_frame(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of `frame` whose text `columns` are safe to hand to plotly."""
    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = [plotly_text(v) if isinstance(v, str) else v for v in out[col]]
    return out
