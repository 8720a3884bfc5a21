"""Hugging Face Hub: the Qwen organisation's models, downloads, likes and derivative counts.

Source: https://huggingface.co/Qwen (the official Qwen organisation). The Hub keeps no history,
so each refresh records observations dated the day of the fetch; history accumulates across
vintages because the pipeline keeps earlier observations of a source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from etl.errors import SourceError
from etl.sources.base import Context, Tables, facts_frame
from etl.sources.hub import hub_api, translate
from etl.sources.online import (
    Guard,
    RateLimitedError,
    RetryPolicy,
    TransientError,
    TransportFactory,
)

ORG = "Qwen"
#: Base models whose derivatives are counted (one place to change them).
TRACKED_BASES = ("Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen3-8B")
RELATIONS = ("finetune", "quantized", "adapter", "merge")
SOURCE_ID = "huggingface_qwen_org"
EXPAND = ["downloads", "downloadsAllTime", "likes", "createdAt", "tags"]
#: Relations that make a repository a copy of another model rather than a release of its own.
#: Instruct models are tagged base_model:finetune:<their pretrained model> and ARE releases.
COPY_RELATIONS = frozenset({"quantized", "adapter", "merge"})
#: Hub tags of quantized weights; some quantized copies carry these but no base_model tag.
QUANT_TAGS = frozenset(
    {"gguf", "awq", "gptq", "fp8", "4-bit", "8-bit", "mlx", "bitsandbytes", "exl2"}
)
QUANT_NAME = re.compile(r"-(AWQ|GPTQ(-Int[48])?|GGUF|FP8|Int[48]|MLX|bnb-4bit|4bit|8bit)\b", re.I)


def is_release(model_id: str, tags: list[str]) -> bool:
    """True when an organisation's repository is a model release, not a copy of one.

    Real Hub records: `Qwen/Qwen3-8B` carries `base_model:finetune:Qwen/Qwen3-8B-Base` (a
    release); `Qwen/Qwen3-8B-FP8` carries `base_model:quantized:Qwen/Qwen3-8B` (a copy);
    `Qwen/Qwen2.5-7B-Instruct-GGUF` carries only a `gguf` tag (a copy).
    """
    relations = {t.split(":")[1] for t in tags if t.startswith("base_model:") and t.count(":") >= 2}
    if relations & COPY_RELATIONS:
        return False
    return not (QUANT_TAGS & {t.lower() for t in tags} or QUANT_NAME.search(model_id))


@dataclass(frozen=True)
class HuggingFaceSource:
    """Source: Hugging Face Hub API (https://huggingface.co/Qwen)."""

    name: str = "huggingface"
    online: bool = True
    #: The transport under the guard (tests pass an httpx2.MockTransport); None: the network.
    transport: TransportFactory | None = None
    per_request: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    bases: tuple[str, ...] = TRACKED_BASES

    def extract(self, ctx: Context) -> dict[str, Any]:
        """List the organisation's models and count derivatives of the tracked base models."""
        guard = Guard(self.name, ctx.deadline, self.per_request)
        api = hub_api(ctx, guard, self.transport)

        def listing(what: str, **kw: Any) -> list[Any]:
            def run() -> list[Any]:
                try:
                    return list(api.list_models(**kw))
                except (SourceError, RateLimitedError, TransientError):
                    raise
                except Exception as exc:  # library and transport errors: one clear failure
                    raise translate(self.name, what, exc) from exc

            return self.retry.call(self.name, what, run, ctx.deadline)

        models = listing("list_models", author=ORG, expand=EXPAND)
        derivatives = {
            (base, rel): len(
                listing(
                    f"derivatives of {base}",
                    filter=f"base_model:{rel}:{base}",
                    expand=["downloads"],
                )
            )
            for base in self.bases
            for rel in RELATIONS
        }
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
        facts = facts_frame(
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
                    "subject": "",
                    "note": _note(metric, raw),
                    "origin": "huggingface",
                }
                for metric, v in values.items()
            ]
        )
        bases = models[models["is_release"] & models["created_at"].notna()]
        events = pd.DataFrame(
            {
                "date": pd.to_datetime(bases["created_at"]).dt.strftime("%Y-%m-%d"),
                "category": "qwen_release",
                "label": bases["id"] + " published on Hugging Face",
                "detail": "creation date of the model repository",
                "source_id": SOURCE_ID,
                "source_url": "https://huggingface.co/" + bases["id"],
                # A repository on the Hub is downloadable weights; every size and variant gets
                # one, so they are minor events beside the curated flagship releases.
                "weights": "open",
                "importance": "minor",
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
        "is_release": is_release(str(m.id), tags),
    }


def _note(metric: str, raw: dict[str, Any]) -> str:
    if metric == "hf_derivatives":
        bases = ", ".join(sorted({b for b, _ in raw["derivatives"]}))
        return f"models tagged base_model:<finetune|quantized|adapter|merge>:<base> for {bases}"
    return f"sum over the {ORG} organisation's public models on the fetch date"
