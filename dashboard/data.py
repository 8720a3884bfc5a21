"""The dashboard's only data layer: cached reads of published vintages, keyed by vintage id.

A vintage is immutable, so its frames are cached without a ttl (bounded by max_entries); only
the "which vintage is current" lookup expires quickly, so a publish is seen within seconds.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from etl import config, pipeline
from etl.errors import UnknownVintageError
from etl.store import Store

log = logging.getLogger(__name__)


def data_dir() -> Path:
    """The data directory ($AIIMPACT_DATA_DIR or the repository's data/)."""
    return config.data_dir()


def _store() -> Store:
    return Store(config.store_dir(data_dir()))


def ensure_vintage() -> str | None:
    """Build a first vintage from the curated files when none is published yet (offline)."""
    store = _store()
    current = store.current_id()
    if current is None:
        try:
            return pipeline.run(data_dir(), progress=log.info).vintage
        except Exception:  # the page shows an empty state; the error is in the log
            log.exception("could not build a first vintage")
            return None
    return current


def current_id(root: str) -> str | None:
    """The current vintage id: one small file read, uncached, so a publish shows at once."""
    return Store(Path(root)).current_id()


def store_root() -> str:
    """The store directory as a string cache key."""
    return str(config.store_dir(data_dir()))


def resolve(vintage: str | None) -> str | None:
    """A published id for a requested id (None: current); None when unknown."""
    try:
        return _store().resolve(vintage)
    except UnknownVintageError:
        return None


@st.cache_data(max_entries=16, show_spinner=False)
def load_table(root: str, vintage: str, table: str) -> pd.DataFrame:
    """One table of one vintage (immutable, so no ttl)."""
    return Store(Path(root)).read(table, vintage)


@st.cache_data(max_entries=16, show_spinner=False)
def load_manifest(root: str, vintage: str) -> dict[str, Any]:
    """The manifest of one vintage."""
    return Store(Path(root)).manifest(vintage)


def facts(vintage: str) -> pd.DataFrame:
    """Tidy facts of a vintage."""
    return load_table(store_root(), vintage, "facts")


def events(vintage: str) -> pd.DataFrame:
    """Events of a vintage."""
    return load_table(store_root(), vintage, "events")


def sources(vintage: str) -> pd.DataFrame:
    """Sources of a vintage."""
    return load_table(store_root(), vintage, "sources")


def prices(vintage: str) -> pd.DataFrame:
    """Daily prices of a vintage (empty when it holds no market data)."""
    return load_table(store_root(), vintage, "prices_daily")


def manifest(vintage: str) -> dict[str, Any]:
    """Manifest of a vintage."""
    return load_manifest(store_root(), vintage)


def tables(vintage: str) -> dict[str, pd.DataFrame]:
    """Every table of a vintage, as the views take them."""
    return {
        "facts": facts(vintage),
        "events": events(vintage),
        "sources": sources(vintage),
        "prices_daily": prices(vintage),
    }


@st.cache_resource(max_entries=64, show_spinner=False)
def _view(page: str, vintage: str, query: tuple[tuple[str, str], ...], root: str) -> Any:
    from dashboard import params, views

    state = params.parse(dict(query))
    return views.build(page, tables(vintage), state)


def view(page: str, state: Any) -> Any:
    """A page's View for a view state, built once per (page, vintage, state).

    Cached as a resource (shared, not copied) on purpose: a vintage is immutable and pages only
    read the View, so every rerun after the first reuses the figures instead of rebuilding them.
    """
    from dashboard import params

    query = tuple(sorted(params.to_query(state).items()))
    return _view(page, str(state.vintage), query, store_root())
