"""Import steps: raw snapshots under data/snapshots/ to curated rows (OWID's snapshot-then-step).

Each step reads the raw snapshot files it names and returns the curated CSV files it produces,
as text, without touching anything else; so a newer snapshot reproduces the curated rows, and a
test checks that the committed files are exactly what the steps make of the snapshots.

    python -m etl.steps            rewrite every file the steps produce
    python -m etl.steps --check    exit 1 when a committed file differs from its step's output
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from etl.steps import disclosures, huggingface, lmarena, peers, prices

Step = Callable[[Path], dict[str, str]]
STEPS: dict[str, Step] = {
    "lmarena": lmarena.run,
    "huggingface": huggingface.run,
    "prices": prices.run,
    "disclosures": disclosures.run,
    "peers": peers.run,
}


def outputs(data_dir: Path) -> dict[str, str]:
    """Every file every step produces, relative path -> text."""
    out: dict[str, str] = {}
    for step in STEPS.values():
        out.update(step(data_dir))
    return out
