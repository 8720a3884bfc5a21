"""A failed snapshot download is reported at once, before the rerun resolves its vintage."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import shell
from dashboard.common import data
from tests.dashboard.helpers import APP

MESSAGE = "The snapshot could not be built: data vintage `v-gone` can no longer be read"


@pytest.mark.usefixtures("bundled_app")
def test_snapshot_error_shows_even_when_the_rerun_cannot_reach_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The vintage vanished and nothing else can be read yet: the rerun that the Download
    click starts stops at its empty state, and the viewer must still read why the download
    failed (before, the reason was drawn only after the page, so it waited for a rebuild)."""
    monkeypatch.setattr(
        data, "ensure_vintage", lambda: data.FirstBuild(None, "rebuilding the first vintage")
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["vintage"] = "v-gone"
    at.session_state[shell.SNAPSHOT_ERROR] = MESSAGE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No data vintage could be built" in i.value for i in at.info)
    assert [e.value for e in at.sidebar.error] == [MESSAGE]
