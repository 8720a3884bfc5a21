"""Paths and environment overrides; imports nothing else from etl (OWID paths.py rule)."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "data"
ENV_DATA_DIR = "AIIMPACT_DATA_DIR"
#: A vintage id: "v" and 12 hex digits (readers such as the dashboard check links against it).
VINTAGE_RE = re.compile(r"^v[0-9a-f]{12}$")
#: A curated quarter older than this many days means a newer result has probably been reported.
STALE_QUARTER_DAYS = 150

#: Curated files larger than this are rejected before parsing (a guard against runaway inputs).
#: 16 MiB: the LM Arena series from the official rows (165 dates, ~70 labs, five metrics) is 6.7 MB.
MAX_CURATED_BYTES = 16 * 1024 * 1024
#: A build that would drop more than this share of a source's figures stops (see --allow-shrink).
SHRINK_LIMIT = 0.05
#: How long a second build waits for the publish lock before giving up.
LOCK_WAIT_SECONDS = 120.0
#: Wall-clock bound of the online part of a refresh (every source together).
REFRESH_TIMEOUT_SECONDS = 300.0


#: Environment variables holding credentials and contact details of online sources.
ENV_OPENROUTER_KEY = "OPENROUTER_API_KEY"
ENV_SEC_USER_AGENT = "AIIMPACT_SEC_USER_AGENT"


def data_dir(arg: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory: the argument, else $AIIMPACT_DATA_DIR, else the repo's data/."""
    if arg:
        return Path(arg).resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).resolve()
    return DEFAULT_DATA_DIR


def store_dir(data: Path) -> Path:
    """Return the store directory inside a data directory (git-ignored)."""
    return data / "store"


def cache_dir(data: Path) -> Path:
    """Return the directory for third-party library caches (yfinance, Hugging Face)."""
    return data / "cache"
