"""The dashboard's only data layer: cached reads of published vintages, keyed by vintage id.

The one dashboard module that opens the store (etl.store): every page, the shell and the
snapshot read vintages through the functions here. A vintage is immutable, so its frames are
cached without a ttl (bounded by max_entries); the "which vintage is current" lookup is not
cached, so a publish is seen at once. The first build, when no vintage exists yet, runs through
etl.api, which imports the pipeline (and the online sources' libraries) only when it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from dashboard.common import params, profile
from dashboard.common.params import ViewState
from dashboard.common.view import View
from etl import api, config
from etl.errors import EtlError, LockTimeoutError, StoreError, ValidationError
from etl.store import Store

log = logging.getLogger(__name__)
#: How long the first page load waits for another build's publish lock (seconds).
FIRST_BUILD_LOCK_WAIT = 20.0
_DAMAGED = "Showing an older data vintage: "


@dataclass(frozen=True)
class FirstBuild:
    """The current vintage, or why none could be built (shown to the viewer)."""

    vintage: str | None
    problem: str = ""
    command: str = ""
    #: Shown above the page when the vintage is not the current one (the current is damaged).
    notice: str = ""


def data_dir() -> Path:
    """The data directory ($AIIMPACT_DATA_DIR or the repository's data/)."""
    return config.data_dir()


def _store() -> Store:
    return Store(config.store_dir(data_dir()))


def ensure_vintage() -> FirstBuild:
    """The current vintage; builds a first one from the curated files when none exists (offline).

    A failure says what happened: invalid curated files (with their problems), another build
    holding the publish lock, or an unusable store. A damaged current vintage gives way to the
    newest healthy one, with a notice; with none healthy left, a build rebuilds from data/.
    """
    current, notice = _store().healthy_current()
    if current is not None:
        if notice:
            log.warning("%s", notice)
        return FirstBuild(current, notice=f"{_DAMAGED}{notice}." if notice else "")
    try:
        vintage = api.first_build(data_dir(), progress=log.info, lock_wait=FIRST_BUILD_LOCK_WAIT)
    except ValidationError as exc:
        lines = [f"- `{p}`" for p in exc.problems[:10]]
        more = f"\n... and {len(exc.problems) - 10} more" if len(exc.problems) > 10 else ""
        return FirstBuild(
            None,
            "The curated files in data/ did not validate:\n\n" + "\n".join(lines) + more,
            "python -m etl check",
        )
    except LockTimeoutError:
        # Another build was publishing; it may have finished by now.
        current = _store().current_id()
        if current is not None:
            return FirstBuild(current)
        return FirstBuild(
            None,
            "another build is publishing the first vintage; reload this page in a moment.",
        )
    except EtlError as exc:
        log.exception("could not build a first vintage")
        return FirstBuild(None, f"{type(exc).__name__}: {exc}", "python -m etl build")
    return FirstBuild(vintage)


def current_id(root: str) -> str | None:
    """The current vintage id (the newest healthy one when the current one is damaged).

    Uncached, so a publish shows at once; a healthy vintage's checksum is verified once per
    process (etl.store memoises it by file identity).
    """
    return Store(Path(root)).healthy_current()[0]


def store_root() -> str:
    """The store directory as a string cache key."""
    return str(config.store_dir(data_dir()))


def resolve(vintage: str | None) -> str | None:
    """A published, healthy id for a requested id (None: current); None when unknown or damaged."""
    store = _store()
    try:
        vid = store.resolve(vintage)
    except StoreError:
        return None
    return vid if store.verify(vid) is None else None


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
        "commitments": load_table(store_root(), vintage, "commitments"),
        "disclosures": load_table(store_root(), vintage, "disclosures"),
    }


def read_all(root: str, vintage: str) -> dict[str, pd.DataFrame]:
    """Every table of a vintage, uncached (safe on Streamlit's download thread)."""
    return Store(Path(root)).read_all(vintage)


def read_manifest(root: str, vintage: str) -> dict[str, Any]:
    """The manifest of a vintage, uncached."""
    return Store(Path(root)).manifest(vintage)


def resolve_in(data: Path, vintage: str | None) -> tuple[str, str]:
    """The store root under a data directory and the published id a request names (None: the
    current one); raises UnknownVintageError when there is none."""
    root = config.store_dir(data)
    return str(root), Store(root).resolve(vintage)


V = TypeVar("V", bound=View)
R = TypeVar("R")


@st.cache_resource(max_entries=64, show_spinner=False)
def _view(
    builder: str,
    vintage: str,
    query: tuple[tuple[str, str], ...],
    root: str,
    _build: Callable[[dict[str, pd.DataFrame], ViewState], V],
) -> V:
    state = params.parse(dict(query))
    with profile.phase("read vintage"):
        frames = tables(vintage)
    with profile.phase("build view"):
        return _build(frames, state)


def view(build: Callable[[dict[str, pd.DataFrame], ViewState], V], state: ViewState) -> V:
    """The view a page's builder makes for a view state, built once per (builder, vintage, state).

    Cached as a resource (shared, not copied) on purpose: a vintage is immutable and pages only
    read the view, so every rerun after the first reuses the figures instead of rebuilding them.
    The builder is handed over by the page (the data layer never imports pages); its qualified
    name keys the cache.
    """
    query = tuple(sorted(params.to_query(state).items()))
    key = f"{build.__module__}.{build.__qualname__}"
    return _view(key, str(state.vintage), query, store_root(), build)


@st.cache_resource(max_entries=16, show_spinner=False)
def _records(
    builder: str,
    vintage: str,
    root: str,
    _build: Callable[[pd.DataFrame, dict[str, Any]], R],
) -> R:
    return _build(load_table(root, vintage, "sources"), load_manifest(root, vintage))


def records(vintage: str, build: Callable[[pd.DataFrame, dict[str, Any]], R]) -> R:
    """What a page's builder makes of a vintage's sources table and manifest, built once per
    (builder, vintage) and shared like view()'s views (a vintage is immutable; pages only read)."""
    key = f"{build.__module__}.{build.__qualname__}"
    return _records(key, vintage, store_root(), build)
