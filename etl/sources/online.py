"""The HTTP layer every online adapter shares: one deadline, one retry policy, one client.

Every HTTP request an adapter makes, whatever library makes it, passes through a guard that
(1) keeps the source's spacing between requests, (2) refuses to start once the refresh's
deadline has passed, (3) bounds the request's timeout by the time left, and (4) turns an HTTP
429 into RateLimitedError, which tenacity retries with backoff as long as the wait fits before
the deadline. So the refresh has one bound, a library's own sleeping retries never run past it,
and work abandoned at the bound stops at its next request.

`http_client` is the one place an httpx2 client is made (edgar, openrouter, and the Hub client
of huggingface and lmarena). It honours HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY, and a
CA bundle from SSL_CERT_FILE or REQUESTS_CA_BUNDLE (TLS-inspecting proxies at banks and funds).
yahoo's curl_cffi session reads the proxy variables itself (libcurl) and gets the same bundle.
"""

from __future__ import annotations

import logging
import math
import os
import re
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx2
import tenacity
from httpx2._utils import get_environment_proxies

from etl.errors import RetrySignal, SourceError

T = TypeVar("T")
log = logging.getLogger(__name__)
#: Makes the transport under the guard; tests pass an httpx2.MockTransport, None is the network.
TransportFactory = Callable[[], httpx2.BaseTransport]
#: Where a CA bundle may be named, first wins (OpenSSL's variable, then requests' one).
CA_BUNDLE_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


class RateLimitedError(RetrySignal):
    """The upstream answered 'too many requests'; `retry_after` is its reset hint in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientError(RetrySignal):
    """A request timed out or lost its connection; worth another try after a pause."""


class DeadlineExceededError(SourceError):
    """A request was about to start after the refresh's deadline, or its retry would."""


class RateLimitExhaustedError(SourceError):
    """The upstream kept answering 'too many requests' until the retry policy gave up."""


@dataclass(frozen=True)
class Deadline:
    """A point on the monotonic clock after which no request may start."""

    end: float

    @classmethod
    def unbounded(cls) -> Deadline:
        """No bound (offline builds, tests of pure code)."""
        return cls(math.inf)

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline `seconds` from now."""
        return cls(time.monotonic() + seconds)

    def left(self) -> float:
        """Seconds left (may be negative)."""
        return self.end - time.monotonic()

    def timeout(self, source: str, what: str, per_request: float) -> float:
        """The timeout for a request starting now; DeadlineExceededError when none is left."""
        left = self.left()
        if left <= 0:
            raise DeadlineExceededError(source, f"{what}: the refresh bound was reached")
        return max(0.05, min(per_request, left))


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `Retry-After` or the IETF `RateLimit` header (`t=` reset)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    m = re.search(r"\bt=(\d+)", lowered.get("ratelimit", ""))
    if m:
        return float(m.group(1))
    value = lowered.get("retry-after", "")
    return float(value) if value.strip().isdigit() else None


@dataclass(frozen=True)
class RetryPolicy:
    """Retry rate-limited calls with exponential backoff (tenacity), within the deadline.

    `sleep` is looked up when a call runs (None: time.sleep), so tests can stub it.
    """

    attempts: int = 3
    base_delay: float = 5.0
    max_delay: float = 120.0
    sleep: Callable[[float], None] | None = None

    def call(self, source: str, what: str, fn: Callable[[], T], deadline: Deadline) -> T:
        """Run fn; on RateLimitedError wait and retry, giving up clearly at the attempt cap."""

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hint = exc.retry_after if isinstance(exc, RateLimitedError) else None
            what_failed = "rate limited" if isinstance(exc, RateLimitedError) else str(exc)
            backoff = self.base_delay * 2 ** (state.attempt_number - 1)
            delay = min(self.max_delay, max(backoff, hint or 0.0))
            if delay >= deadline.left():
                raise DeadlineExceededError(
                    source,
                    f"{what}: {what_failed}; the next try ({delay:.0f} s away) would pass the "
                    "refresh bound",
                )
            log.info("%s: %s %s, retrying in %.0f s", source, what, what_failed, delay)
            return float(delay)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type((RateLimitedError, TransientError)),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=wait,
            sleep=lambda s: (self.sleep or time.sleep)(s),
            reraise=True,
        )
        try:
            return retrying(fn)
        except RateLimitedError:
            raise RateLimitExhaustedError(
                source, f"{what}: rate limited, gave up after {self.attempts} tries"
            ) from None
        except TransientError as exc:
            raise SourceError(
                source, f"{what}: {exc}, gave up after {self.attempts} tries"
            ) from None


@dataclass
class Answer:
    """One HTTP answer seen by a Guard (the body is kept whole only for tapped URLs)."""

    url: str
    status: int
    body: bytes


@dataclass
class Guard:
    """Per-source request guard shared by every client of one extract run."""

    source: str
    deadline: Deadline
    per_request: float
    #: URL substrings whose answers are kept whole (a wire tap for fields a library drops).
    tap: tuple[str, ...] = ()
    answers: list[Answer] = field(default_factory=list)
    #: Seconds between the starts of two requests (a host's fair-access rule, e.g. SEC's).
    interval: float = 0.0
    _slot: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _last: float = field(default=-math.inf, init=False, repr=False)

    @property
    def requests(self) -> int:
        """How many requests were answered so far."""
        return len(self.answers)

    def before(self, url: str) -> float:
        """Wait for the request's slot, check the deadline; return the request's timeout."""
        if self.interval > 0:
            with self._slot:
                wait = self._last + self.interval - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self._last = time.monotonic()
        return self.deadline.timeout(self.source, f"request {url[:80]}", self.per_request)

    def after(self, url: str, status: int, body: bytes) -> None:
        """Record the answer (whole for tapped URLs, the first 300 bytes otherwise)."""
        keep = any(t in url for t in self.tap)
        self.answers.append(Answer(url, status, body if keep else body[:300]))

    def tapped(self, part: str) -> list[Answer]:
        """The answers whose URL contains `part`."""
        return [a for a in self.answers if part in a.url]


class GuardedTransport(httpx2.BaseTransport):
    """An httpx2 transport that applies a Guard and raises RateLimitedError on HTTP 429.

    Raising our own exceptions from the transport keeps libraries with retry loops of their
    own (huggingface_hub sleeps up to the rate-limit reset, and 1+2+4+8+8 s on timeouts) from
    waiting inside the refresh bound: the one retry policy is RetryPolicy's.
    """

    def __init__(self, inner: httpx2.BaseTransport, guard: Guard) -> None:
        self.inner = inner
        self.guard = guard

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Guard one request."""
        timeout = self.guard.before(str(request.url))
        request.extensions["timeout"] = {k: timeout for k in ("connect", "read", "write", "pool")}
        try:
            response = self.inner.handle_request(request)
        except (httpx2.TimeoutException, httpx2.NetworkError) as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 429:
            response.read()
            raise RateLimitedError(
                f"HTTP 429 from {request.url.host}", retry_after(dict(response.headers))
            )
        response.read()
        self.guard.after(str(request.url), response.status_code, response.content)
        return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


def guard_session(session: Any, guard: Guard) -> Any:
    """Make a requests or curl_cffi Session apply a Guard to every request it sends.

    yfinance passes its own timeouts (and none on some cookie requests); the guard replaces them
    with the time left, so no request outlives the refresh bound by more than one timeout.
    """
    send = session.request

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        kwargs["timeout"] = guard.before(str(url))
        response = send(method, url, *args, **kwargs)
        guard.after(str(url), int(response.status_code), bytes(response.content or b""))
        return response

    session.request = request
    return session


def ca_bundle() -> str | None:
    """The CA bundle file the environment names, if any."""
    return next((os.environ[v] for v in CA_BUNDLE_VARIABLES if os.environ.get(v)), None)


def http_client(
    guard: Guard, transport: TransportFactory | None = None, **kwargs: Any
) -> httpx2.Client:
    """An httpx2 client whose every request passes the guard, through the environment's proxy.

    httpx2 reads the proxy variables only when it makes its own transport, and a guarded one is
    ours; so the proxy routes are built here from httpx2's own reading of the environment
    (same NO_PROXY rules), one guarded transport per proxy. A test's transport replaces the
    network, proxies included.
    """
    if transport is not None:
        return httpx2.Client(transport=GuardedTransport(transport(), guard), **kwargs)
    bundle = ca_bundle()
    try:
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=bundle) if bundle else True
        )
    except (OSError, ssl.SSLError) as exc:
        raise SourceError(guard.source, f"CA bundle {bundle} cannot be read: {exc}") from exc

    def guarded(proxy: str | None = None) -> httpx2.BaseTransport:
        return GuardedTransport(httpx2.HTTPTransport(verify=verify, proxy=proxy), guard)

    mounts = {
        pattern: None if proxy is None else guarded(proxy)
        for pattern, proxy in get_environment_proxies().items()
    }
    return httpx2.Client(transport=guarded(), mounts=mounts, **kwargs)
