"""The Hugging Face adapter driven offline through huggingface_hub's real code paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import SourceError
from etl.sources import Context, fetch
from etl.sources.huggingface import HuggingFaceSource
from etl.sources.online import Deadline
from tests.etl.online import TODAY, hf
from tests.fixtures.huggingface.transport import transport


def test_huggingface_success_through_huggingface_hub(tmp_path: Path) -> None:
    """Summed counters dated today, derivative counts and base-model release events."""
    calls: list[str] = []
    src = HuggingFaceSource(transport=transport("ok", calls))
    tables = fetch(src, Context(tmp_path, TODAY))
    facts = tables["facts"].set_index("metric")["value"]
    assert facts["hf_models"] == 5 and facts["hf_downloads_30d"] == 7200 and facts["hf_likes"] == 52
    assert facts["hf_derivatives"] == 2 * 6  # two tracked bases x (3 + 2 + 1 + 0)
    assert (tables["facts"]["period_end"] == "2026-11-29").all()
    assert any("filter=base_model%3Aquantized%3AQwen%2FQwen3-8B" in c for c in calls)


def test_huggingface_release_events_follow_real_tags(tmp_path: Path) -> None:
    """Instruct models tagged base_model:finetune: are releases; quantized copies are not."""
    tables = fetch(hf(), Context(tmp_path, TODAY))
    released = set(tables["events"]["label"].str.removesuffix(" published on Hugging Face"))
    assert released == {"Qwen/Qwen3-8B", "Qwen/Qwen3-8B-Base", "Qwen/Qwen2.5-7B-Instruct"}


def test_huggingface_rate_limit_is_ours_not_the_librarys(tmp_path: Path) -> None:
    """A real 429 (ratelimit t=55) waits 55 s through our policy, once, and then succeeds."""
    sleeps: list[float] = []
    tables = fetch(hf("rate_limit_once", sleeps), Context(tmp_path, TODAY))
    assert sleeps == [55.0]  # the reset hint, not huggingface_hub's own sleep inside a timeout
    assert len(tables["facts"]) == 5


def test_huggingface_rate_limit_past_the_bound_fails_at_once(tmp_path: Path) -> None:
    """When the reset is further away than the refresh bound, the source fails without waiting."""
    sleeps: list[float] = []
    ctx = Context(tmp_path, TODAY, deadline=Deadline.after(20))
    with pytest.raises(SourceError, match="would pass the refresh bound"):
        fetch(hf("rate_limit", sleeps), ctx)
    assert sleeps == []


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("empty", "listed no models"),
        ("timeout", "ReadTimeout"),
        ("changed_label", "missing from every model"),
        ("rate_limit", "rate limited, gave up after 3 tries"),
    ],
)
def test_huggingface_failures(tmp_path: Path, scenario: str, reason: str) -> None:
    """The Hub's failures become SourceError; backoff sleeps are stubbed through the policy."""
    sleeps: list[float] = []
    with pytest.raises(SourceError, match=reason):
        fetch(hf(scenario, sleeps), Context(tmp_path, TODAY))
    if scenario == "rate_limit":
        assert sleeps == [55.0, 55.0]
