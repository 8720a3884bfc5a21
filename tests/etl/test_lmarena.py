"""The LM Arena adapter driven offline through huggingface_hub (the published dataset)."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from etl import pipeline
from etl.errors import SourceError
from etl.sources import SOURCES, Context, fetch
from etl.sources.lmarena import LmArenaSource
from etl.store import Store
from tests.etl.online import TODAY, arena, openrouter
from tests.fixtures.lmarena.transport import handler as arena_handler


def test_lmarena_reads_the_dataset_through_huggingface_hub(tmp_path: Path) -> None:
    """The parquet comes through hf_hub_download (HEAD, CDN redirect); best per lab and date."""
    calls: list[str] = []
    tables = fetch(arena(calls=calls), Context(tmp_path, TODAY))
    facts = tables["facts"].set_index(["entity", "metric", "period_end"])
    qwen = facts.loc[("qwen", "lmarena_text_score", "2026-09-08")]
    assert qwen["value"] == 1490.5 and qwen["subject"] == "qwen3.8-max"  # overall, not coding
    assert facts.loc[("qwen", "lmarena_text_rank", "2026-10-02"), "value"] == 2.0
    interval = [
        facts.loc[("qwen", f"lmarena_text_score_{b}", "2026-09-08"), "value"]
        for b in ("lower", "upper")
    ]
    assert interval == [1485.5, 1495.5]  # the same model's rating_lower and rating_upper
    assert ("zhipu", "lmarena_text_score", "2026-10-02") in facts.index  # 'zai' is Zhipu
    assert not any(e == "" for e in tables["facts"]["entity"])  # legacy rows without a lab
    assert any(c.startswith("HEAD ") and "resolve/main/text/full" in c for c in calls)
    assert any("cas-bridge" in c for c in calls)
    assert (tmp_path / "cache" / "huggingface" / "hub").is_dir()


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [("not_found", "HTTP 404"), ("schema_changed", "columns missing")],
)
def test_lmarena_failures(tmp_path: Path, scenario: str, reason: str) -> None:
    """A missing file or a changed schema fails the source with a clear reason."""
    with pytest.raises(SourceError, match=reason):
        fetch(arena(scenario), Context(tmp_path, TODAY))


def test_lmarena_rate_limit_backs_off_once(tmp_path: Path) -> None:
    """A 429 on the download waits the reset once through our policy, then succeeds."""
    sleeps: list[float] = []
    tables = fetch(arena("rate_limit_once", sleeps), Context(tmp_path, TODAY))
    assert sleeps == [55.0] and len(tables["facts"]) > 0


def test_lmarena_xet_backed_file_still_goes_through_the_guard(tmp_path: Path) -> None:
    """A file the Hub stores in Xet (X-Xet-Hash and refresh route on the redirect) is still
    downloaded over the guarded HTTP client, not by hf_xet's own client, which would pass
    around the guard, the deadline and the proxy settings."""
    calls: list[str] = []
    inner = arena_handler("ok", calls)

    def xet(request: httpx2.Request) -> httpx2.Response:
        response = inner(request)
        if response.status_code == 302:
            response.headers["X-Xet-Hash"] = "0" * 64  # SYNTHETIC hash
            response.headers["X-Xet-Refresh-Route"] = (
                "https://huggingface.co/api/datasets/lmarena-ai/leaderboard-dataset/xet-read-token/main"
            )
        return response

    src = LmArenaSource(transport=lambda: httpx2.MockTransport(xet))
    tables = fetch(src, Context(tmp_path, TODAY))
    assert len(tables["facts"]) > 0
    assert any(c.startswith("GET ") and "cas-bridge" in c for c in calls)
    assert not any("xet-read-token" in c for c in calls)


def test_lmarena_history_accumulates(synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh keeps earlier lmarena rows and adds the new ones (history across vintages)."""
    monkeypatch.setitem(SOURCES, "lmarena", arena())
    pipeline.run(synthetic_dir, ["lmarena"], today=TODAY, progress=lambda _m: None)
    old = Store(synthetic_dir / "store").read("facts")
    old_rows = old[old["owner"] == "lmarena"]
    assert set(old_rows["period_end"]) == {"2026-09-08", "2026-10-02"}
    monkeypatch.setitem(SOURCES, "lmarena", arena("not_found"))
    monkeypatch.setitem(SOURCES, "openrouter", openrouter())
    result = pipeline.run(
        synthetic_dir, ["lmarena", "openrouter"], today=TODAY, progress=lambda _m: None
    )
    assert result.sources["lmarena"]["status"] == "stale"
    kept = Store(synthetic_dir / "store").read("facts")
    assert len(kept[kept["owner"] == "lmarena"]) == len(old_rows)
