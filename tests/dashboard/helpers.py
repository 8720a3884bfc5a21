"""Helpers to read plotly figures out of AppTest elements (plotly 7 typed arrays)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

from dashboard import pages

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = {p.key: p.script for p in pages.PAGES}


def plain(markdown: str) -> str:
    """What a reader sees of escaped markdown text (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def decode(arr: Any) -> list[Any]:
    """Plotly 7 serialises numeric arrays as {'dtype', 'bdata'}; return a plain list."""
    if isinstance(arr, dict) and "bdata" in arr:
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=np.dtype(arr["dtype"])).tolist()
    return list(arr) if arr is not None else []


def figures(at: AppTest) -> list[dict[str, Any]]:
    """Every plotly figure on the page as a dict."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def trace(fig: dict[str, Any], name: str) -> dict[str, Any]:
    """The trace with this name (first match)."""
    for t in fig["data"]:
        if t.get("name") == name:
            return t
    raise KeyError(f"no trace {name!r} in {[t.get('name') for t in fig['data']]}")


def run(page: str, query: dict[str, str] | None = None) -> AppTest:
    """Run the app on one page with optional query parameters."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page != pages.DEFAULT.key:
        at.switch_page(PAGES[page]).run()
    return at
