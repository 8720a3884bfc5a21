"""Fixtures shared by the dashboard tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st


@pytest.fixture
def bundled_app(built_real_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app reads the built bundled data, with no view cached from another test's data."""
    monkeypatch.setenv("AIIMPACT_DATA_DIR", str(built_real_store))
    st.cache_data.clear()
    st.cache_resource.clear()
