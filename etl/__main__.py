"""Command line: python -m etl build|check|vintages|verify|export|diff|refresh (see CONTRACT.md)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from etl import config, pipeline
from etl.errors import (
    EtlError,
    FilesystemError,
    LockTimeoutError,
    SourceError,
    StoreError,
    UnknownVintageError,
    ValidationError,
)
from etl.export import diff_facts, to_csv
from etl.sources import SOURCES
from etl.store import Store

log = logging.getLogger("etl")

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_SOURCES, EXIT_BUSY, EXIT_FILESYSTEM = 0, 1, 2, 3, 4, 5
#: Validation problems printed at most; the rest are counted ("... and N more").
MAX_PROBLEM_LINES = 100


def _common(parser: argparse.ArgumentParser, *, sub: bool) -> None:
    """--data-dir and -q, accepted before and after the subcommand.

    On a subcommand their default is SUPPRESS, so a value given before the subcommand is not
    overwritten by the subcommand's default (argparse copies sub-parser defaults over it).
    """
    default_dir = argparse.SUPPRESS if sub else None
    default_quiet = argparse.SUPPRESS if sub else False
    parser.add_argument(
        "--data-dir",
        default=default_dir,
        help=f"curated inputs and store/ (default: ${config.ENV_DATA_DIR} or the repo's data/)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=default_quiet, help="only warnings and errors"
    )


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _common(common, sub=True)
    p = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    _common(p, sub=False)
    sub = p.add_subparsers(dest="command", required=True)
    shrink = argparse.ArgumentParser(add_help=False)
    shrink.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish even if a figure file or more than 5%% of a source's figures would be dropped",
    )
    sub.add_parser(
        "build", parents=[common, shrink], help="validate data/ and publish a vintage (offline)"
    )
    sub.add_parser("check", parents=[common], help="validate data/, publish nothing")
    sub.add_parser("verify", parents=[common], help="check every vintage against its checksum")
    r = sub.add_parser(
        "refresh", parents=[common, shrink], help="online sources plus curated files"
    )
    online = sorted(n for n, s in SOURCES.items() if s.online)
    r.add_argument("--source", action="append", choices=online, help="repeatable; default: all")
    r.add_argument(
        "--timeout",
        type=float,
        default=None,
        help=f"wall-clock bound of the online part in seconds (default {config.REFRESH_TIMEOUT_SECONDS:.0f})",
    )
    v = sub.add_parser("vintages", parents=[common], help="list published vintages")
    v.add_argument("--json", action="store_true")
    e = sub.add_parser("export", parents=[common], help="tidy facts of one vintage")
    e.add_argument("--vintage", default=None, help="default: current")
    e.add_argument("--format", choices=("csv", "parquet"), default="csv")
    e.add_argument("--out", default="-", help="a path, or - for stdout (CSV only)")
    d = sub.add_parser("diff", parents=[common], help="figures added, removed or changed")
    d.add_argument("old")
    d.add_argument("new")
    d.add_argument("--json", action="store_true")
    return p


def _setup_logging(*, quiet: bool) -> None:
    """Progress and warnings of every etl module go to stderr, prefixed with 'etl:'."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("etl: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False


#: Errors the CLI reports in one line, and their exit codes (first match wins).
EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (UnknownVintageError, EXIT_USAGE),
    (pipeline.AllSourcesFailedError, EXIT_SOURCES),
    (SourceError, EXIT_SOURCES),
    (pipeline.NothingConfiguredError, EXIT_USAGE),
    (LockTimeoutError, EXIT_BUSY),
    (StoreError, EXIT_USAGE),
    (FilesystemError, EXIT_FILESYSTEM),
    (EtlError, EXIT_INVALID),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    args = _parser().parse_args(argv)
    _setup_logging(quiet=args.quiet)
    data_dir = config.data_dir(args.data_dir)
    try:
        return _dispatch(args, data_dir)
    except ValidationError as exc:
        for problem in exc.problems[:MAX_PROBLEM_LINES]:
            print(str(problem), file=sys.stderr)  # noqa: T201
        if len(exc.problems) > MAX_PROBLEM_LINES:
            print(f"... and {len(exc.problems) - MAX_PROBLEM_LINES} more", file=sys.stderr)  # noqa: T201
        print(f"{len(exc.problems)} problem(s); nothing published", file=sys.stderr)  # noqa: T201
        return EXIT_INVALID
    except OSError as exc:
        # Whatever the file system refused and no layer below named: one line, its own code.
        log.error("%s", FilesystemError.from_os(exc))
        return EXIT_FILESYSTEM
    except EtlError as exc:
        code = next(c for kind, c in EXIT_CODES if isinstance(exc, kind))
        plain = isinstance(exc, SourceError | StoreError | FilesystemError)
        log.error(
            "%s",
            exc
            if plain or type(exc).__module__ == "etl.pipeline"
            else f"{type(exc).__name__}: {exc}",
        )
        return code


def _dispatch(args: argparse.Namespace, data_dir: Path) -> int:
    store = Store(config.store_dir(data_dir))
    if args.command == "check":
        tables = pipeline.check(data_dir)
        log.info(
            "ok: %d facts, %d events, %d sources",
            *(len(tables[t]) for t in ("facts", "events", "sources")),
        )
        return EXIT_OK
    if args.command in ("build", "refresh"):
        online = [] if args.command == "build" else (args.source or _all_online())
        bound = getattr(args, "timeout", None)
        result = pipeline.run(
            data_dir, online, refresh_timeout=bound, allow_shrink=args.allow_shrink
        )
        print(result.summary())  # noqa: T201
        return EXIT_OK
    if args.command == "vintages":
        return _vintages(store, as_json=args.json)
    if args.command == "verify":
        return _verify(store)
    if args.command == "export":
        return _export(store, args)
    return _diff(store, args)


def _all_online() -> list[str]:
    return sorted(n for n, s in SOURCES.items() if s.online)


def _vintages(store: Store, *, as_json: bool) -> int:
    infos = store.list()
    if as_json:
        rows = [
            {
                "id": i.id,
                "created_at": i.created_at,
                "current": i.current,
                "rows": i.rows,
                "warnings": i.warnings,
                "damaged": i.problem or None,
            }
            for i in infos
        ]
        print(json.dumps(rows, indent=2))  # noqa: T201
        return EXIT_OK
    if not infos:
        log.info("no vintage published yet; run `python -m etl build`")
    for i in infos:
        mark = "*" if i.current else " "
        if i.problem:
            print(f"{mark} {i.id}  DAMAGED: {i.problem}")  # noqa: T201
        else:
            print(f"{mark} {i.id}  {i.created_at}  {i.rows:>6} rows  {i.warnings} warnings")  # noqa: T201
    _warn_current(store)
    return EXIT_OK


def _warn_current(store: Store) -> None:
    _base, notice = store.healthy_current()
    if notice:
        log.warning("%s", notice)


def _verify(store: Store) -> int:
    """Every vintage against its recorded checksum; exit 2 when any is damaged."""
    damaged = 0
    for vid in store.known_ids():
        problem = store.verify(vid)
        damaged += problem is not None
        print(f"DAMAGED {vid}: {problem}" if problem else f"ok      {vid}")  # noqa: T201
    _warn_current(store)
    log.info("%d vintage(s) checked, %d damaged", len(store.known_ids()), damaged)
    return EXIT_USAGE if damaged else EXIT_OK


def _export(store: Store, args: argparse.Namespace) -> int:
    vid = store.resolve(args.vintage)
    facts = store.read("facts", vid)
    if args.format == "parquet" and args.out == "-":
        log.error("parquet needs --out PATH")
        return EXIT_USAGE
    try:
        if args.format == "parquet":
            facts.to_parquet(args.out, index=False)
        elif args.out == "-":
            sys.stdout.write(to_csv(facts))
        else:
            Path(args.out).write_text(to_csv(facts), encoding="utf-8")
    except OSError as exc:
        # /dev/full and friends fail without naming the path; name it here.
        raise FilesystemError.from_os(exc, args.out) from exc
    log.info("exported %d facts of vintage %s", len(facts), vid)
    return EXIT_OK


def _diff(store: Store, args: argparse.Namespace) -> int:
    old, new = store.resolve(args.old), store.resolve(args.new)
    changes = diff_facts(store.read("facts", old), store.read("facts", new))
    if args.json:
        print(changes.to_json(orient="records", indent=2))  # noqa: T201
        return EXIT_OK
    for r in changes.itertuples(index=False):
        line = f"{r.change:8} {r.entity} {r.metric} {r.period_end}: "
        print(f"{line}{r.old_value:g} -> {r.new_value:g} {r.unit}")  # noqa: T201
    log.info("%d difference(s) between %s and %s", len(changes), old, new)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
