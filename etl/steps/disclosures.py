"""Step: the KPI disclosure strip from the whole text of each results announcement.

Reads snapshots/releases/alibaba_results_texts.jsonl.gz (one announcement a line, verbatim text)
and writes disclosures/alibaba_kpis.csv: for every quarter and KPI, whether the release states a
number, speaks of the KPI in words only, or says nothing, with the sentence it rests on.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from etl import disclosures
from etl.models import DISCLOSURES
from etl.steps.common import SNAPSHOTS, to_csv

SNAPSHOT = "releases/alibaba_results_texts.jsonl.gz"
OUT = "disclosures/alibaba_kpis.csv"
#: The disclosures table's columns as a curated file holds them (the URL and owner are added
#: when the file is read).
HEADER = tuple(c for c in DISCLOSURES.columns if c not in ("source_url", "owner"))
_UNITS = {k.id: k.unit for k in disclosures.KPIS}


def _number(value: object) -> str:
    if value is None:
        return ""
    f = float(str(value))
    return str(int(f)) if f.is_integer() else repr(f)


def run(data_dir: Path) -> dict[str, str]:
    """disclosures/alibaba_kpis.csv from the bundled announcement texts."""
    path = data_dir / SNAPSHOTS / SNAPSHOT
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        releases = [json.loads(line) for line in fh if line.strip()]
    rows = []
    for r in sorted(releases, key=lambda r: str(r["period_end"])):
        for c in disclosures.cells(str(r["text"])):
            note = {
                "value": "number as the release states it",
                "words": "the release speaks of it without a number",
                "silent": "not found in the whole text of the release",
            }[str(c["status"])]
            rows.append(
                [
                    "alibaba",
                    str(c["kpi"]),
                    str(r["fiscal_period"]),
                    str(r["period_end"]),
                    str(c["status"]),
                    _number(c["value"]),
                    _UNITS[str(c["kpi"])],
                    str(c["wording"]),
                    str(c["basis"]),
                    str(r["source_id"]),
                    note,
                ]
            )
    return {OUT: to_csv(HEADER, rows)}
