"""LM Arena's official leaderboard dataset on the Hugging Face Hub, read through huggingface_hub.

Source: https://huggingface.co/datasets/lmarena-ai/leaderboard-dataset (CC BY 4.0). One parquet
file per arena and split; `text/full-00000-of-00001.parquet` holds every published text
leaderboard: one row per model, category and `leaderboard_publish_date`, with `organization`,
`rating`, `rating_lower`, `rating_upper`, `vote_count` and `rank`. This source keeps the overall
category and, per lab (etl.models.LABS) and publish date, its best-rated model: the score
(lmarena_text_score), that model's official rank, interval and votes, each naming the model.
The offline step (etl/steps/lmarena.py) maps the bundled copy of the same rows with best_per_lab,
so a refresh and the bundle agree row for row.
The file is the whole history, so a refresh restates nothing silently: earlier rows stay in the
vintage and a changed figure is reported as restated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from etl import config
from etl.errors import SourceError
from etl.models import lab_entity
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
COLUMNS = [
    "model_name",
    "organization",
    "rating",
    "rating_lower",
    "rating_upper",
    "vote_count",
    "rank",
    "category",
    "leaderboard_publish_date",
]
#: Per best model: the metric, the column it comes from and its unit.
POINT_METRICS = (
    ("lmarena_text_score", "rating", "score"),
    ("lmarena_text_rank", "rank", "rank"),
    ("lmarena_text_score_lower", "rating_lower", "score"),
    ("lmarena_text_score_upper", "rating_upper", "score"),
    ("lmarena_text_votes", "vote_count", "count"),
)


def best_per_lab(rows: pd.DataFrame) -> pd.DataFrame:
    """Each lab's best-rated model per publish date, with that row's rank, interval and votes.

    `rows` are official overall rows (COLUMNS but `category`). From 2026-04-02 the dataset leaves
    `organization` empty for some legacy models: such a row takes the organisation the same model
    carries on its other rows, and is left out only where no row names one.
    """
    rows = rows[rows["rating"].notna()].copy()
    org = rows["organization"].fillna("").astype(str).str.strip()
    known = (
        pd.DataFrame({"model": rows["model_name"], "org": org})[org != ""]
        .drop_duplicates("model", keep="last")
        .set_index("model")["org"]
    )
    org = org.where(org != "", rows["model_name"].map(known).fillna(""))
    rows["entity"] = org.map(lab_entity)
    rows = rows[rows["entity"] != ""]
    rows["leaderboard_publish_date"] = rows["leaderboard_publish_date"].astype(str).str[:10]
    ordered = rows.sort_values(
        ["rating", "rank", "model_name"], ascending=[False, True, True], na_position="last"
    )
    best = ordered.drop_duplicates(["entity", "leaderboard_publish_date"])
    return best.sort_values(["leaderboard_publish_date", "entity"]).reset_index(drop=True)


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
        """Each lab's best model per publish date: score, rank, interval and votes."""
        rows: pd.DataFrame = raw["rows"]
        missing = [c for c in COLUMNS if c not in rows.columns]
        if missing:
            raise SourceError(self.name, f"columns missing (schema changed?): {missing}")
        best = best_per_lab(rows[rows["category"] == "overall"])
        if best.empty:
            raise SourceError(self.name, "no rated overall rows")
        revision = str(raw.get("revision", ""))
        note = (
            "best-rated of all the lab's models on the leaderboard published that day (text, "
            f"overall); rank, interval and votes are that model's (dataset revision {revision[:12]})"
        )
        facts = pd.concat(
            [
                facts_frame(
                    entity=best.loc[keep, "entity"].to_numpy(),
                    metric=metric,
                    period_end=best.loc[keep, "leaderboard_publish_date"].to_numpy(),
                    value=best.loc[keep, column].astype(float).to_numpy(),
                    unit=unit,
                    source_id=SOURCE_ID,
                    source_url=f"https://huggingface.co/datasets/{REPO_ID}",
                    subject=best.loc[keep, "model_name"].astype(str).to_numpy(),
                    note=note,
                    origin="lmarena",
                )
                for metric, column, unit in POINT_METRICS
                if (keep := best[column].notna()).any()
            ],
            ignore_index=True,
        )
        return {"facts": facts, "sources": pd.DataFrame([_source(ctx, revision)])}


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
