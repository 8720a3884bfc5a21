"""LM Arena's official leaderboard dataset on the Hugging Face Hub, read through huggingface_hub.

Source: https://huggingface.co/datasets/lmarena-ai/leaderboard-dataset (CC BY 4.0). One parquet
file per arena and split; `text/full-00000-of-00001.parquet` holds every published text
leaderboard: one row per model, category and `leaderboard_publish_date`, with `organization`,
`rating` and `rank`. This source keeps the overall category and, per lab and publish date, its
best-rated model (lmarena_text_score) and best rank (lmarena_text_rank), each naming its model.
The file is the whole history, so a refresh restates nothing silently: earlier rows stay in the
vintage and a changed figure is reported as restated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from etl import config
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

REPO_ID = "lmarena-ai/leaderboard-dataset"
TEXT_FULL = "text/full-00000-of-00001.parquet"
SOURCE_ID = "lmarena_leaderboard_dataset"
COLUMNS = ["model_name", "organization", "rating", "rank", "category", "leaderboard_publish_date"]
#: Organisation spellings in the dataset -> entity slugs (Qwen is published under alibaba).
ALIASES = {
    "alibaba": "qwen",
    "qwen": "qwen",
    "zai": "zhipu",
    "zhipu": "zhipu",
    "zhipu ai": "zhipu",
    "z.ai": "zhipu",
    "tsinghua": "zhipu",
    "deepseek ai": "deepseek",
    "x.ai": "xai",
}


def entity(organization: str) -> str:
    """The entity slug of an organisation name ('' for an empty name)."""
    key = organization.strip().lower()
    if key in ALIASES:
        return ALIASES[key]
    return re.sub(r"[^a-z0-9]+", "_", key).strip("_")


@dataclass(frozen=True)
class LmArenaSource:
    """Source: LM Arena leaderboard dataset (https://huggingface.co/datasets/lmarena-ai/leaderboard-dataset)."""

    name: str = "lmarena"
    online: bool = True
    #: The transport under the guard (tests pass an httpx2.MockTransport); None: the network.
    transport: TransportFactory | None = None
    per_request: float = 120.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    filename: str = TEXT_FULL

    def extract(self, ctx: Context) -> dict[str, Any]:
        """Download the text history (cached under the data directory) and read its rows."""
        guard = Guard(self.name, ctx.deadline, self.per_request)
        hub_api(ctx, guard, self.transport)
        from huggingface_hub import hf_hub_download

        def download() -> str:
            try:
                return str(
                    hf_hub_download(
                        REPO_ID,
                        self.filename,
                        repo_type="dataset",
                        cache_dir=config.cache_dir(ctx.data_dir) / "huggingface" / "hub",
                    )
                )
            except (SourceError, RateLimitedError, TransientError):
                raise
            except Exception as exc:  # library and transport errors: one clear failure
                raise translate(self.name, f"download {self.filename}", exc) from exc

        path = self.retry.call(self.name, f"download {self.filename}", download, ctx.deadline)
        import pyarrow.parquet as pq

        try:
            names = set(pq.read_schema(path).names)
            missing = [c for c in COLUMNS if c not in names]
            if missing:
                raise SourceError(self.name, f"columns missing (schema changed?): {missing}")
            table = pq.read_table(path, columns=COLUMNS, filters=[("category", "=", "overall")])
        except SourceError:
            raise
        except Exception as exc:  # a corrupt or changed file is a failed source, not a crash
            raise SourceError(self.name, f"cannot read {self.filename}: {exc}") from exc
        revision = path.split("/snapshots/")[-1].split("/")[0] if "/snapshots/" in path else ""
        return {"rows": table.to_pandas(), "revision": revision}

    def transform(self, raw: dict[str, Any], ctx: Context) -> Tables:
        """Best score and best rank per lab and publish date, each with its model."""
        rows: pd.DataFrame = raw["rows"]
        missing = [c for c in COLUMNS if c not in rows.columns]
        if missing:
            raise SourceError(self.name, f"columns missing (schema changed?): {missing}")
        rows = rows[rows["rating"].notna() & (rows["organization"].fillna("").str.strip() != "")]
        if rows.empty:
            raise SourceError(self.name, "no rated overall rows")
        rows = rows.assign(entity=rows["organization"].map(entity))
        best = rows.sort_values("rating", ascending=False).drop_duplicates(
            ["entity", "leaderboard_publish_date"]
        )
        ranked = (
            rows[rows["rank"].notna()]
            .sort_values("rank")
            .drop_duplicates(["entity", "leaderboard_publish_date"])
        )
        revision = str(raw.get("revision", ""))
        facts = pd.concat(
            [
                _facts(best, "lmarena_text_score", "rating", "score", revision),
                _facts(ranked, "lmarena_text_rank", "rank", "rank", revision),
            ],
            ignore_index=True,
        )
        return {"facts": facts, "sources": pd.DataFrame([_source(ctx, revision)])}


def _facts(rows: pd.DataFrame, metric: str, column: str, unit: str, revision: str) -> pd.DataFrame:
    what = "best-rated" if metric.endswith("score") else "best-ranked"
    return facts_frame(
        entity=rows["entity"].to_numpy(),
        metric=metric,
        period_end=rows["leaderboard_publish_date"].astype(str).to_numpy(),
        value=rows[column].astype(float).to_numpy(),
        unit=unit,
        source_id=SOURCE_ID,
        source_url=f"https://huggingface.co/datasets/{REPO_ID}",
        subject=rows["model_name"].astype(str).to_numpy(),
        note=f"{what} model of the lab on the leaderboard published that day (text, overall; "
        f"dataset revision {revision[:12]})",
        origin="lmarena",
    )


def _source(ctx: Context, revision: str) -> dict[str, str]:
    return {
        "source_id": SOURCE_ID,
        "title": "LM Arena leaderboard dataset: text arena, full history (text/full parquet)",
        "publisher": "LM Arena (lmarena-ai) on the Hugging Face Hub",
        "url": f"https://huggingface.co/datasets/{REPO_ID}",
        "published": "",
        "accessed": ctx.today.isoformat(),
        "kind": "primary",
        "note": f"CC BY 4.0; the leaderboard's own dataset, read with huggingface_hub; revision {revision}",
    }
