"""A snapshot's metadata.json lists exactly the sources of the figures in view."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from dashboard import pages, snapshot
from dashboard.common import params
from etl.store import Store


def test_snapshot_metadata_lists_exactly_the_sources_in_view(built_real_store: Path) -> None:
    """metadata.json names every source whose figures are in the view's data, and no other."""
    store = Store(built_real_store / "store")
    vid = str(store.current_id())
    tables = store.read_all(vid)
    facts = tables["facts"]
    for page in ("overview", "spending", "profitability"):
        state = params.parse({"vintage": vid})
        view = pages.build(page, tables, state)
        data = snapshot.bundle(view, state, tables, {"created_at": "x"}, "https://x.invalid/")
        meta = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("metadata.json"))
        listed = {s["source_id"] for s in meta["sources"]}
        # Independently of the view's own columns: the source of every figure it shows.
        shown = view.data.merge(
            facts[["metric", "period_end", "source_id"]].assign(
                period_end=lambda f: f["period_end"].astype(str)
            ),
            on=["period_end", "source_id"],
            how="inner",
        )
        assert set(shown["source_id"]) <= listed, page
        assert listed == set(view.data["source_id"].str.split(" ; ").explode()), page
