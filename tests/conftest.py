"""Shared fixtures: temporary data directories and a guard that keeps tests off the internet."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic_data"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(address: object) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = host == "localhost"
        if not ok:
            raise RuntimeError(f"test tried to reach the network: {address!r}")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _loopback_only(address)
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _loopback_only(address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that opens a connection to a non-loopback address."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("store", "cache"))
    return dst


@pytest.fixture
def synthetic_dir(tmp_path: Path) -> Path:
    """A fresh copy of the small synthetic data directory (numbers are not real)."""
    return _copy(SYNTHETIC, tmp_path / "data")


@pytest.fixture
def real_dir(tmp_path: Path) -> Path:
    """A fresh copy of the repository's curated data/ without its store."""
    return _copy(REPO / "data", tmp_path / "data")


@pytest.fixture(scope="session")
def built_real_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One data directory with a vintage built from the real curated data (shared, read-only)."""
    from etl import pipeline

    data = _copy(REPO / "data", tmp_path_factory.mktemp("real") / "data")
    pipeline.run(data, progress=lambda _m: None)
    yield data
