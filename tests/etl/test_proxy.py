"""Behind a proxy: every online source's requests go through HTTPS_PROXY, trusting the CA bundle
the environment names, and a refresh behind a proxy that never answers still ends at its bound.

The proxy runs on 127.0.0.1 and intercepts TLS as a bank's or fund's proxy does: it answers
CONNECT, shows each host a certificate from a test CA (trustme), and answers the requests from
the same fixture handlers the adapter tests use. A source that ignored the proxy would resolve
the real host instead and never reach these answers.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest
import trustme

from etl import __main__ as cli
from etl.errors import SourceError
from etl.sources import SOURCES
from etl.sources.edgar import EdgarSource
from etl.sources.huggingface import HuggingFaceSource
from etl.sources.lmarena import LmArenaSource
from etl.sources.online import Deadline, Guard, RetryPolicy, http_client
from etl.sources.openrouter import OpenRouterSource
from etl.sources.yahoo import YahooSource
from etl.store import Store
from tests.fixtures.edgar.transport import handler as edgar_handler
from tests.fixtures.edgar.transport import quarters
from tests.fixtures.huggingface.transport import handler as hub_handler
from tests.fixtures.lmarena.transport import handler as arena_handler
from tests.fixtures.openrouter.transport import handler as openrouter_handler
from tests.fixtures.yahoo.transport import session as yahoo_session

Answer = Callable[[httpx2.Request], httpx2.Response]
#: Headers that describe one hop or the encoding the fixture already removed.
HOP = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"}
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
CA_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: Proxy


class _Answering(BaseHTTPRequestHandler):
    """Answers one request from the fixture handlers, as the origin would."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet."""

    def answer(self, url: str) -> None:
        proxy = self.server.proxy
        proxy.seen.append(f"{self.command} {url}")
        length = int(self.headers.get("content-length") or 0)
        request = httpx2.Request(
            self.command,
            url,
            headers=[(k, v) for k, v in self.headers.items() if k.lower() not in HOP],
            content=self.rfile.read(length) if length else b"",
        )
        response = proxy.fixtures(request)
        response.read()
        self.send_response(response.status_code)
        head = self.command == "HEAD"
        for k, v in response.headers.multi_items():
            if k.lower() not in HOP or (head and k.lower() == "content-length"):
                self.send_header(k, v)
        if not head:
            self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        if not head:
            self.wfile.write(response.content)


class _Tunnel(_Answering):
    """The requests inside one intercepted CONNECT tunnel (already TLS-wrapped)."""

    def __init__(self, sock: socket.socket, address: Any, server: _Server, host: str) -> None:
        self.host = host
        super().__init__(sock, address, server)

    def do_GET(self) -> None:  # noqa: N802
        self.answer(f"https://{self.host}{self.path}")

    do_HEAD = do_POST = do_GET  # noqa: N815


class _ProxyHandler(BaseHTTPRequestHandler):
    """Every source's URL is https: the proxy sees CONNECT and intercepts the tunnel."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet."""

    def do_CONNECT(self) -> None:  # noqa: N802
        proxy = self.server.proxy
        proxy.seen.append(f"CONNECT {self.path}")
        self.close_connection = True
        if proxy.black_hole:
            proxy.released.wait()
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        host = self.path.rsplit(":", 1)[0]
        tls = proxy.tls(host).wrap_socket(self.connection, server_side=True)
        _Tunnel(tls, self.client_address, self.server, host)


class Proxy:
    """A TLS-intercepting HTTP proxy on 127.0.0.1; `seen` lists what reached it, in order."""

    def __init__(self, ca: trustme.CA, fixtures: Answer, black_hole: bool = False) -> None:
        self.ca, self.fixtures, self.black_hole = ca, fixtures, black_hole
        self.seen: list[str] = []
        self.released = threading.Event()
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _ProxyHandler)
        self.server.proxy = self
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def tls(self, host: str) -> ssl.SSLContext:
        """A server context with a certificate for `host` signed by the test CA."""
        with self._lock:
            if host not in self._contexts:
                ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                self.ca.issue_cert(host).configure_cert(ctx)
                self._contexts[host] = ctx
            return self._contexts[host]

    def hosts(self) -> set[str]:
        """The hosts clients asked to tunnel to."""
        return {s.split()[1].rsplit(":", 1)[0] for s in self.seen if s.startswith("CONNECT ")}

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def _yahoo_answer() -> Answer:
    """The Yahoo fixture (a requests adapter over real recordings) as a request handler."""
    fake, _adapter = yahoo_session("ok")

    def answer(request: httpx2.Request) -> httpx2.Response:
        r = fake.request(request.method, str(request.url), data=request.content)
        return httpx2.Response(
            r.status_code,
            content=r.content,
            headers={"content-type": r.headers.get("content-type", "application/json")},
        )

    return answer


def fixtures() -> Answer:
    """Every source's fixture handler, chosen by host (the two Hub sources by path)."""
    edgar = edgar_handler("ok", include=quarters("FY2026Q4", "FY2027Q1"))
    router, hub, arena = openrouter_handler("ok"), hub_handler("ok"), arena_handler("ok")
    yahoo = _yahoo_answer()

    def answer(request: httpx2.Request) -> httpx2.Response:
        host = request.url.host
        if host.endswith("sec.gov"):
            return edgar(request)
        if host == "openrouter.ai":
            return router(request)
        if host.endswith("yahoo.com"):
            return yahoo(request)
        if request.url.path.startswith("/api/models"):
            return hub(request)
        return arena(request)

    return answer


@pytest.fixture
def ca() -> trustme.CA:
    """A test certificate authority, standing in for a TLS-inspecting proxy's."""
    return trustme.CA()


@pytest.fixture
def networked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every online source as it runs for real: the network transports, not the fixtures."""
    no_sleep = RetryPolicy(sleep=lambda _s: None)
    monkeypatch.setitem(
        SOURCES, "edgar", EdgarSource(user_agent="Test Runner test@example.com", retry=no_sleep)
    )
    monkeypatch.setitem(SOURCES, "huggingface", HuggingFaceSource(retry=no_sleep))
    monkeypatch.setitem(SOURCES, "lmarena", LmArenaSource(retry=no_sleep))
    monkeypatch.setitem(SOURCES, "openrouter", OpenRouterSource(api_key="k", retry=no_sleep))
    monkeypatch.setitem(SOURCES, "yahoo", YahooSource(tickers=("BABA",), retry=no_sleep))
    for name in PROXY_VARIABLES + CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def _behind(proxy: Proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")


@pytest.fixture
def proxy(ca: trustme.CA) -> Iterator[Proxy]:
    p = Proxy(ca, fixtures())
    yield p
    p.close()


ONLINE = ("edgar", "huggingface", "lmarena", "openrouter", "yahoo")


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"])
def test_every_source_goes_through_the_proxy(
    synthetic_dir: Path,
    networked: None,
    proxy: Proxy,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    """A refresh behind a TLS-inspecting proxy: every source's requests reach it, each trusts
    the proxy's CA from the bundle the environment names, and every source succeeds."""
    bundle = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv(variable, str(bundle))
    _behind(proxy, monkeypatch)
    sources = [a for s in ONLINE for a in ("--source", s)]
    args = ["refresh", "-q", "--timeout", "120", "--data-dir", str(synthetic_dir), *sources]
    assert cli.main(args) == 0
    statuses = Store(synthetic_dir / "store").manifest()["sources"]
    assert {s: statuses[s]["status"] for s in ONLINE} == dict.fromkeys(ONLINE, "ok")
    hosts = proxy.hosts()
    assert {"data.sec.gov", "www.sec.gov", "huggingface.co", "openrouter.ai"} <= hosts
    assert "cas-bridge.xethub.hf.co" in hosts  # lmarena's parquet, after the Hub's redirect
    assert any(h.endswith("finance.yahoo.com") for h in hosts)
    requested = " ".join(proxy.seen)
    for path in ("/api/models", "/resolve/main/text/full", "/submissions/", "rankings-daily"):
        assert path in requested


@pytest.mark.parametrize("source", ONLINE)
def test_a_black_holed_proxy_ends_the_refresh_at_its_bound(
    synthetic_dir: Path,
    networked: None,
    ca: trustme.CA,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: str,
) -> None:
    """A proxy that accepts and never answers: the source's request reached it, the refresh
    gives up at --timeout, and the published vintage stays."""
    assert cli.main(["build", "-q", "--data-dir", str(synthetic_dir)]) == 0
    before = Store(synthetic_dir / "store").current_id()
    hole = Proxy(ca, fixtures(), black_hole=True)
    try:
        _behind(hole, monkeypatch)
        code = cli.main(
            ["refresh", "--source", source, "--timeout", "2", "--data-dir", str(synthetic_dir)]
        )
        assert code == 3
        assert "every requested source failed" in capsys.readouterr().err
        assert Store(synthetic_dir / "store").current_id() == before
        assert hole.hosts()  # the source's first request went to the proxy
    finally:
        hole.close()


def test_no_proxy_hosts_bypass_the_proxy(
    networked: None,
    proxy: Proxy,
    ca: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """NO_PROXY is honoured: a listed host is never sent to the proxy."""
    bundle = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    _behind(proxy, monkeypatch)
    monkeypatch.setenv("NO_PROXY", "openrouter.ai")
    guard = Guard("test", Deadline.after(30), 5.0)
    with http_client(guard) as client:
        assert client.get("https://www.sec.gov/x").status_code == 404  # the edgar fixture's
        with pytest.raises(Exception):  # noqa: B017, PT011 - direct: no DNS in tests
            client.get("https://openrouter.ai/api/v1/datasets/rankings-daily")
    assert proxy.hosts() == {"www.sec.gov"}


def test_an_unreadable_ca_bundle_fails_the_source_clearly(
    networked: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CA bundle variable naming a missing file is a source failure naming the file."""
    missing = tmp_path / "no-such-bundle.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(missing))
    with pytest.raises(SourceError, match=f"CA bundle {missing} cannot be read"):
        http_client(Guard("openrouter", Deadline.after(30), 5.0))
