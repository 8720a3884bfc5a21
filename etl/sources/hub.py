"""The Hugging Face Hub client shared by the Hub adapters, with every request guarded.

huggingface_hub makes its requests through one process-wide httpx2 client built by a factory;
the adapters install a factory that makes it with the shared http_client: the refresh's Guard
(deadline, timeout, HTTP 429 as RateLimitedError), the environment's proxy and CA bundle, in
front of the network or of a test's MockTransport, so tests run the library's own code path.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import httpx2

from etl import config
from etl.errors import SourceError
from etl.sources.base import Context
from etl.sources.online import Guard, TransportFactory, http_client

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def hub_api(ctx: Context, guard: Guard, transport: TransportFactory | None) -> HfApi:
    """An HfApi whose requests all pass through the guard; caches under the data directory."""
    # The Hub client caches an agent registry under HF_HOME; keep it inside the data directory.
    os.environ.setdefault("HF_HOME", str(config.cache_dir(ctx.data_dir) / "huggingface"))
    from huggingface_hub import HfApi, constants
    from huggingface_hub.utils import _http

    # Files stored in Xet would be fetched by hf_xet's own client, around the guard, the deadline
    # and the proxy and CA settings; the Hub serves them over plain HTTP(S) too. (The
    # HF_HUB_DISABLE_XET variable is read at import, so the flag is set where it is looked up.)
    constants.HF_HUB_DISABLE_XET = True

    def client() -> httpx2.Client:
        return http_client(
            guard,
            transport,
            event_hooks={"request": [_http.hf_request_event_hook]},
            follow_redirects=True,
            timeout=None,
        )

    _http.set_client_factory(client)
    return HfApi()


def translate(source: str, what: str, exc: Exception) -> SourceError:
    """A library or transport failure as one SourceError with the HTTP status where there is one."""
    if isinstance(exc, SourceError):
        return exc
    status = getattr(getattr(exc, "response", None), "status_code", None)
    where = f"HTTP {status}: " if status else ""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return SourceError(source, f"{what}: {where}{type(exc).__name__}: {first}"[:300])
