"""The guard in conftest.py: no test can reach the internet; loopback stays usable."""

from __future__ import annotations

import socket

import pytest
import requests


def test_non_loopback_connections_fail() -> None:
    """A connection to a public address is refused by the guard before any packet is sent."""
    with pytest.raises(RuntimeError, match="tried to reach the network"):
        socket.create_connection(("203.0.113.7", 80), timeout=1)
    with pytest.raises((RuntimeError, requests.exceptions.ConnectionError)):
        requests.get("http://198.51.100.9/", timeout=1)


def test_loopback_is_allowed() -> None:
    """Local servers (the dashboard under test, the black hole) remain reachable."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
