"""Hugging Face Hub: the Qwen organisation's models, downloads, likes and derivative counts.

Source: https://huggingface.co/Qwen (the official Qwen organisation). The Hub keeps no history,
so each refresh records observations dated the day of the fetch; history accumulates across
vintages because the pipeline keeps earlier observations of a source.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from etl import config
from etl.errors import SourceError
from etl.sources.base import Context, Tables
from etl.sources.online import RateLimitedError, with_backoff, with_timeout

ORG = "Qwen"
#: Base models whose derivatives are counted (one place to change them).
TRACKED_BASES = ("Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen3-8B")
RELATIONS = ("finetune", "quantized", "adapter", "merge")
SOURCE_ID = "huggingface_qwen_org"
EXPAND = ["downloads", "downloadsAllTime", "likes", "createdAt", "tags"]


@dataclass(frozen=True)
class HuggingFaceSource:
    """Source: Hugging Face Hub API (https://huggingface.co/Qwen)."""

    name: str = "huggingface"
    online: bool = True
    #: Returns an httpx2.Client for huggingface_hub (tests inject a MockTransport); None: default.
    client_factory: Callable[[], Any] | None = None
    call_timeout: float = 60.0
    bases: tuple[str, ...] = TRACKED_BASES

    def extract(self, ctx: Context) -> dict[str, Any]:
        """List the organisation's models and count derivatives of the tracked base models."""
        os.environ.setdefault("HF_HOME", str(config.cache_dir(ctx.data_dir) / "huggingface"))
        from huggingface_hub import HfApi
        from huggingface_hub.errors import HfHubHTTPError
        from huggingface_hub.utils import _http

        if self.client_factory is not None:
            _http.set_client_factory(self.client_factory)
        api = HfApi()

        def listing(**kw: Any) -> list[Any]:
            def run() -> list[Any]:
                try:
                    return list(api.list_models(**kw))
                except HfHubHTTPError as exc:
                    if getattr(exc.response, "status_code", None) == 429:
                        raise RateLimitedError(str(exc)) from exc
                    raise

            return with_backoff(
                self.name,
                "list_models",
                lambda: with_timeout(self.name, "list_models", run, self.call_timeout),
            )

        try:
            models = listing(author=ORG, expand=EXPAND)
            derivatives = {
                (base, rel): len(listing(filter=f"base_model:{rel}:{base}", expand=["downloads"]))
                for base in self.bases
                for rel in RELATIONS
            }
        except SourceError:
            raise
        except Exception as exc:
            raise SourceError(self.name, f"{type(exc).__name__}: {exc}") from exc
        if not models:
            raise SourceError(self.name, f"the {ORG} organisation listed no models")
        return {"models": [_model_row(m) for m in models], "derivatives": derivatives}

    def transform(self, raw: dict[str, Any], ctx: Context) -> Tables:
        """Sum the organisation's counters into dated observations; base models into events."""
        models = pd.DataFrame(raw["models"])
        for col in ("downloads", "downloads_all_time", "likes"):
            if models[col].isna().all():
                raise SourceError(
                    self.name, f"field {col!r} missing from every model (API changed?)"
                )
        day = ctx.today.isoformat()
        values = {
            "hf_models": len(models),
            "hf_downloads_30d": models["downloads"].fillna(0).sum(),
            "hf_downloads_all_time": models["downloads_all_time"].fillna(0).sum(),
            "hf_likes": models["likes"].fillna(0).sum(),
            "hf_derivatives": sum(raw["derivatives"].values()),
        }
        facts = pd.DataFrame(
            [
                {
                    "entity": "qwen",
                    "metric": metric,
                    "period_end": day,
                    "fiscal_period": "",
                    "value": float(v),
                    "unit": "count",
                    "source_id": SOURCE_ID,
                    "source_url": "https://huggingface.co/Qwen",
                    "basis": "measured",
                    "note": _note(metric, raw),
                    "origin": "huggingface",
                }
                for metric, v in values.items()
            ]
        )
        bases = models[~models["is_derivative"] & models["created_at"].notna()]
        events = pd.DataFrame(
            {
                "date": pd.to_datetime(bases["created_at"]).dt.strftime("%Y-%m-%d"),
                "category": "qwen_release",
                "label": bases["id"] + " published on Hugging Face",
                "detail": "creation date of the model repository",
                "source_id": SOURCE_ID,
                "source_url": "https://huggingface.co/" + bases["id"],
            }
        )
        sources = pd.DataFrame(
            [
                {
                    "source_id": SOURCE_ID,
                    "title": "Qwen organisation on Hugging Face (Hub API)",
                    "publisher": "Hugging Face",
                    "url": "https://huggingface.co/Qwen",
                    "published": "",
                    "accessed": day,
                    "kind": "primary",
                    "note": "measured through huggingface_hub list_models",
                }
            ]
        )
        return {"facts": facts, "events": events, "sources": sources}


def _model_row(m: Any) -> dict[str, Any]:
    tags = list(getattr(m, "tags", None) or [])
    return {
        "id": m.id,
        "downloads": getattr(m, "downloads", None),
        "downloads_all_time": getattr(m, "downloads_all_time", None),
        "likes": getattr(m, "likes", None),
        "created_at": getattr(m, "created_at", None),
        "is_derivative": any(t.startswith("base_model:") for t in tags),
    }


def _note(metric: str, raw: dict[str, Any]) -> str:
    if metric == "hf_derivatives":
        bases = ", ".join(sorted({b for b, _ in raw["derivatives"]}))
        return f"models tagged base_model:<finetune|quantized|adapter|merge>:<base> for {bases}"
    return f"sum over the {ORG} organisation's public models on the fetch date"
