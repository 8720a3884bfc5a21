"""Registry of sources: adding a source is one module and one line here."""

from __future__ import annotations

from etl.sources.base import Context, Source, Tables, fetch
from etl.sources.curated import CuratedSource
from etl.sources.huggingface import HuggingFaceSource
from etl.sources.yahoo import PEERS, YahooSource

SOURCES: dict[str, Source] = {
    "curated": CuratedSource(),
    "yahoo": YahooSource(peers=PEERS),
    "huggingface": HuggingFaceSource(),
}

__all__ = ["SOURCES", "Context", "Source", "Tables", "fetch"]
