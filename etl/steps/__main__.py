"""python -m etl.steps [--check] [--data-dir DIR]: rebuild the curated files made from snapshots."""

from __future__ import annotations

import argparse
import sys

from etl import config
from etl.steps import outputs


def main(argv: list[str] | None = None) -> int:
    """Write each step's files, or with --check report the ones that differ (exit 1)."""
    p = argparse.ArgumentParser(prog="python -m etl.steps", description=__doc__)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = p.parse_args(argv)
    data = config.data_dir(args.data_dir)
    stale = []
    for rel, text in outputs(data).items():
        path = data / rel
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(rel)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "differs from its snapshot step" if args.check else "rewritten"
    for rel in stale:
        print(f"{rel}: {verb}", file=sys.stderr)  # noqa: T201
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
