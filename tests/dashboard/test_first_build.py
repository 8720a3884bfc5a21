"""The first build (no vintage yet) says what really happened when it cannot publish one."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_first_build_failure_says_what_really_happened(
    synthetic_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A held publish lock is reported as such, not as invalid curated files; bad files are."""
    from dashboard.common import data
    from etl.store import Store as _Store

    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(synthetic_dir))
    monkeypatch.setattr(data, "FIRST_BUILD_LOCK_WAIT", 0.5)
    with _Store(synthetic_dir / "store").lock(1):
        busy = data.ensure_vintage()
    assert busy.vintage is None and "another build is publishing" in busy.problem
    (synthetic_dir / "financials" / "bad.csv").write_text(
        "entity,metric,fiscal_period,period_end,value,unit,source_id\n"
        "alibaba,revenue,FY2026Q2,2025-09-30,12x,RMB_mn,syn_release\n",
        encoding="utf-8",
    )
    invalid = data.ensure_vintage()
    assert invalid.vintage is None and "did not validate" in invalid.problem
    assert "bad.csv:2 field 'value'" in invalid.problem
