"""Registry of sources: adding a source is one module and one line here."""

from __future__ import annotations

from typing import Any

from etl.sources.base import Context, Source, Tables, fetch
from etl.sources.curated import CuratedSource
from etl.sources.edgar import EdgarSource
from etl.sources.huggingface import HuggingFaceSource
from etl.sources.lmarena import LmArenaSource
from etl.sources.openrouter import OpenRouterSource
from etl.sources.sec_xbrl import SecXbrlSource
from etl.sources.yahoo import PEERS, YahooSource

#: Each source has its own raw payload type; the registry holds them side by side.
SOURCES: dict[str, Source[Any]] = {
    "curated": CuratedSource(),
    "yahoo": YahooSource(peers=PEERS),
    "huggingface": HuggingFaceSource(),
    "lmarena": LmArenaSource(),
    "openrouter": OpenRouterSource(),
    "edgar": EdgarSource(),
    "sec_xbrl": SecXbrlSource(),
}

__all__ = ["SOURCES", "Context", "Source", "Tables", "fetch"]
