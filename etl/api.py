"""The ETL's entry point for readers such as the dashboard: the first build, run on demand.

Importing this module is cheap: the pipeline, and with it the online sources' libraries
(yfinance, httpx2, huggingface_hub), is imported only when a build actually runs, so a reader
that finds a published vintage never loads them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def first_build(data_dir: Path, *, progress: Callable[[str], None], lock_wait: float) -> str:
    """Build and publish a vintage from the curated files in data_dir (offline); its id.

    Raises the pipeline's errors (ValidationError, LockTimeoutError, EtlError).
    """
    from etl import pipeline  # here, not at the top: see the module docstring

    return pipeline.run(data_dir, progress=progress, lock_wait=lock_wait).vintage
