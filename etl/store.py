"""The vintage store: one immutable DuckDB file per vintage, published atomically.

Layout under `<data-dir>/store/`:

    vintages/<id>.duckdb   one complete vintage (tables + a one-row `manifest` table)
    vintages/<id>.sha256   the sha256 of that file, recorded at publish (`sha256sum -c` format)
    CURRENT                the id of the current vintage (replaced atomically, written last)
    publish.lock           flock()ed by the one build that may publish at a time

Why one file per vintage: DuckDB lets one process write a database file and then no other
process may open it, not even read-only. Readers here only ever open finished files, read-only
and briefly, and the writer only ever writes a fresh temporary file that it renames into place,
so dashboards and builds never block each other and a crash leaves either the old or the new
vintage, never a mix.

Why a checksum beside each file: a vintage damaged after publishing (a truncated copy, a bad
disk) must be reported by id, never read, never made current again, and rebuilt by the next
build with the same content instead of blocking it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl import config
from etl.errors import (
    CurrentUnreadableError,
    DamagedVintageError,
    FilesystemError,
    LockTimeoutError,
    StoreError,
    UnknownVintageError,
)
from etl.models import TABLES

Tables = dict[str, pd.DataFrame]

log = logging.getLogger(__name__)

VINTAGE_RE = config.VINTAGE_RE
FAULT_ENV = "AIIMPACT_FAULT"
SUM_SUFFIX = ".sha256"
_DUCKDB_FILE_FAULT = re.compile(r'Could not \w+ file "(?P<path>[^"]+)": (?P<fault>[^\n]+)')
_CHUNK = 1 << 20

#: Verdicts of verify(), by file identity: a vintage is immutable, so an unchanged (inode, size,
#: mtime) needs no second hash in this process (the dashboard reads each table separately).
_VERDICTS: dict[tuple[str, int, int, int, str], str | None] = {}


@dataclass(frozen=True, slots=True)
class VintageInfo:
    """A published vintage as listed by `vintages`."""

    id: str
    created_at: str
    current: bool
    rows: int
    warnings: int
    #: Why the vintage cannot be read ("" when it is healthy).
    problem: str = ""


def content_id(tables: Tables) -> str:
    """Derive a vintage id from table contents only: the same data gives the same id."""
    digest = hashlib.sha256()
    for name in sorted(tables):
        frame = tables[name]
        cols = list(TABLES[name].columns)
        canon = frame.loc[:, cols].astype("string").fillna("\x00").sort_values(cols)
        digest.update(name.encode())
        digest.update(canon.to_csv(index=False, lineterminator="\n").encode())
    return "v" + digest.hexdigest()[:12]


def _checkpoint(step: str) -> None:
    """Fault injection for the crash tests: SIGKILL ourselves at a named publish step."""
    if os.environ.get(FAULT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Store:
    """Reader and (the only) writer of vintages under one store directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.vintages_dir = root / "vintages"
        self.current_file = root / "CURRENT"
        self.lock_file = root / "publish.lock"

    # -- reading ---------------------------------------------------------------------------

    def ids(self) -> list[str]:
        """Ids of every published vintage (only complete files count)."""
        return self._stems("*.duckdb")

    def known_ids(self) -> list[str]:
        """Published ids plus ids whose checksum is recorded but whose file is gone."""
        return sorted({*self.ids(), *self._stems(f"*{SUM_SUFFIX}")})

    def _stems(self, pattern: str) -> list[str]:
        if not self.vintages_dir.is_dir():
            return []
        found = (p.name.split(".")[0] for p in self.vintages_dir.glob(f"v{pattern}"))
        return sorted(i for i in found if VINTAGE_RE.match(i))

    def current_id(self) -> str | None:
        """The id CURRENT names, or None before the first publish (no CURRENT file).

        Raises CurrentUnreadableError when CURRENT exists but names no vintage id; the id it
        names may still be damaged or missing (see verify and healthy_current).
        """
        try:
            text = self.current_file.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise CurrentUnreadableError(
                f"{self.current_file}: CURRENT is unreadable ({_why(exc)})"
            ) from exc
        if not VINTAGE_RE.match(text):
            raise CurrentUnreadableError(
                f"{self.current_file}: CURRENT is unreadable (it holds {text[:40]!r}, not a vintage id)"
            )
        return text

    def verify(self, vid: str) -> str | None:
        """Why vintage `vid` cannot be trusted, or None when its bytes match their checksum.

        A vintage published before checksums were recorded is opened instead: healthy when its
        manifest reads.
        """
        path = self.vintages_dir / f"{vid}.duckdb"
        sums = self.vintages_dir / f"{vid}{SUM_SUFFIX}"
        try:
            st = path.stat()
        except FileNotFoundError:
            return "its file is missing"
        except OSError as exc:
            return f"its file is unreadable ({_why(exc)})"
        try:
            recorded = sums.read_text(encoding="ascii").split()[0] if sums.exists() else ""
        except (OSError, UnicodeDecodeError, IndexError) as exc:
            return f"its checksum file is unreadable ({_why(exc)})"
        key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns, recorded)
        if key not in _VERDICTS:
            _VERDICTS[key] = self._judge(path, recorded)
        return _VERDICTS[key]

    @staticmethod
    def _judge(path: Path, recorded: str) -> str | None:
        if not path.is_file():
            return "it is not a regular file"
        try:
            if recorded:
                actual = file_sha256(path)
                if actual != recorded:
                    return f"sha256 {actual[:12]}... differs from {recorded[:12]}... recorded at publish"
                return None
            con = duckdb.connect(str(path), read_only=True)
            try:
                con.execute("SELECT body FROM manifest").fetchone()
            finally:
                con.close()
        except (OSError, duckdb.Error) as exc:
            return f"it cannot be read ({_why(exc)})"
        return None

    def healthy_current(self) -> tuple[str | None, str]:
        """The vintage to show and build on, and a notice when it is not the current one.

        The current vintage when it is healthy; else the newest healthy vintage, with a notice
        naming what is wrong; (None, "") before the first publish.
        """
        try:
            cur = self.current_id()
        except CurrentUnreadableError as exc:
            cur, why = None, str(exc)
        else:
            if cur is None:
                return None, ""
            problem = self.verify(cur)
            if problem is None:
                return cur, ""
            why = f"the current vintage {cur} is damaged: {problem}"
        healthy = [i for i in self.list() if not i.problem]
        if not healthy:
            return None, f"{why}; no healthy vintage is left"
        return healthy[-1].id, f"{why}; using {healthy[-1].id}, the newest healthy vintage"

    def resolve(self, vintage: str | None = None) -> str:
        """Return a published id: the one asked for (looked up, never joined blindly) or current."""
        if vintage is None:
            cur = self.current_id()
            if cur is None:
                raise UnknownVintageError("no vintage is published yet; run `python -m etl build`")
            return cur
        for known in self.known_ids():
            if known == vintage:
                return known
        raise UnknownVintageError(f"unknown vintage {vintage[:40]!r}")

    def _path(self, vintage: str | None) -> Path:
        vid = self.resolve(vintage)
        problem = self.verify(vid)
        if problem is not None:
            raise DamagedVintageError(
                f"vintage {vid} is damaged: {problem} (`python -m etl verify` checks them all; "
                "a build rebuilds it)"
            )
        return self.vintages_dir / f"{vid}.duckdb"

    @contextlib.contextmanager
    def _connect(self, vintage: str | None) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self._path(vintage)
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(f"cannot read vintage {path.stem}: {exc}") from exc
        try:
            yield con
        finally:
            con.close()

    def read(self, table: str, vintage: str | None = None) -> pd.DataFrame:
        """One table of one vintage (default: current); a missing table reads as empty."""
        if table not in TABLES:
            raise StoreError(f"unknown table {table!r}")
        with self._connect(vintage) as con:
            present = {
                r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            }
            if table not in present:
                return pd.DataFrame({c: pd.Series(dtype="object") for c in TABLES[table].columns})
            # The table name comes from the TABLES allow-list, never from input.
            frame = con.execute(f'SELECT * FROM "{table}"').df()  # noqa: S608
        return _upgrade(table, frame)

    def read_all(self, vintage: str | None = None) -> Tables:
        """Every table of one vintage."""
        return {name: self.read(name, vintage) for name in TABLES}

    def manifest(self, vintage: str | None = None) -> dict[str, Any]:
        """The manifest stored inside a vintage."""
        with self._connect(vintage) as con:
            row = con.execute("SELECT body FROM manifest").fetchone()
        if row is None:
            raise StoreError("vintage has no manifest")
        result: dict[str, Any] = json.loads(row[0])
        return result

    def list(self) -> list[VintageInfo]:
        """Every published vintage, oldest first; a damaged one is listed with its problem."""
        try:
            cur = self.current_id()
        except CurrentUnreadableError:
            cur = None
        infos = []
        for vid in self.known_ids():
            try:
                man = self.manifest(vid)
            except StoreError as exc:
                problem = self.verify(vid) or str(exc)
                infos.append(VintageInfo(vid, "", vid == cur, 0, 0, problem))
                continue
            rows = sum(int(n) for n in man.get("row_counts", {}).values())
            infos.append(
                VintageInfo(vid, man["created_at"], vid == cur, rows, len(man.get("warnings", [])))
            )
        return sorted(infos, key=lambda i: (i.created_at, i.id))

    # -- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, wait: float) -> Iterator[None]:
        """Hold the publish lock; wait up to `wait` seconds for another build to finish."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise FilesystemError.from_os(exc, self.lock_file) from exc
        deadline = time.monotonic() + wait
        announced = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise LockTimeoutError(
                            f"another build is publishing into {self.root}; gave up after "
                            f"{wait:.0f} s (try again when it has finished)"
                        ) from None
                    if not announced:
                        log.info("another build is publishing; waiting up to %.0f s", wait)
                        announced = True
                    time.sleep(0.2)
            yield
        finally:
            os.close(fd)

    def publish(self, tables: Tables, manifest: dict[str, Any]) -> tuple[str, bool]:
        """Publish tables as a vintage; return (id, created). Call while holding lock().

        Same content as an existing vintage: nothing is written and that vintage becomes current.
        """
        vid = content_id(tables)
        try:
            self.vintages_dir.mkdir(parents=True, exist_ok=True)
            self._clean_temporaries()
            self._record_missing_checksums()
            problem = self.verify(vid)
            if problem is None:
                created = False
            else:
                if vid in self.known_ids():
                    log.warning("vintage %s is damaged (%s); rebuilding it", vid, problem)
                body = {**manifest, "id": vid, "created_at": _now()}
                body["row_counts"] = {n: int(len(f)) for n, f in sorted(tables.items())}
                self._write_vintage(vid, tables, body)
                created = True
            _checkpoint("before-current")
            if self._current_or_none() != vid:
                self._set_current(vid)
        except OSError as exc:
            raise FilesystemError.from_os(exc, self.root) from exc
        return vid, created

    def _record_missing_checksums(self) -> None:
        """Record the checksum of every vintage that has none and opens (published before
        checksums existed, or a crash between the file's rename and its checksum's)."""
        for vid in self.ids():
            if (self.vintages_dir / f"{vid}{SUM_SUFFIX}").exists() or self.verify(vid):
                continue
            tmp = self.vintages_dir / f".tmp-{vid}-{os.getpid()}{SUM_SUFFIX}"
            _write_synced(
                tmp, f"{file_sha256(self.vintages_dir / f'{vid}.duckdb')}  {vid}.duckdb\n"
            )
            os.replace(tmp, self.vintages_dir / f"{vid}{SUM_SUFFIX}")

    def _current_or_none(self) -> str | None:
        try:
            return self.current_id()
        except CurrentUnreadableError:
            return None

    def _write_vintage(self, vid: str, tables: Tables, body: dict[str, Any]) -> None:
        tmp = self.vintages_dir / f".tmp-{vid}-{os.getpid()}.duckdb"
        sums = self.vintages_dir / f".tmp-{vid}-{os.getpid()}{SUM_SUFFIX}"
        _checkpoint("before-write")
        try:
            self._write_tables(tmp, tables, body)
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
            _write_synced(sums, f"{file_sha256(tmp)}  {vid}.duckdb\n")
            _checkpoint("before-rename")
            # The file first, then its checksum: a crash between the two leaves a file without
            # a checksum, which verify() opens instead; never a checksum of bytes not in place.
            os.replace(tmp, self.vintages_dir / f"{vid}.duckdb")
            os.replace(sums, self.vintages_dir / f"{vid}{SUM_SUFFIX}")
            _fsync_dir(self.vintages_dir)
        except BaseException:
            # A failed write (no space, read-only) leaves nothing behind; SIGKILL's leftovers
            # are removed by the next publish (_clean_temporaries).
            for p in self.vintages_dir.glob(f".tmp-{vid}-{os.getpid()}*"):
                p.unlink(missing_ok=True)
            raise

    @staticmethod
    def _write_tables(tmp: Path, tables: Tables, body: dict[str, Any]) -> None:
        try:
            con = duckdb.connect(str(tmp))
            try:
                for name in sorted(tables):
                    frame = tables[name].loc[:, list(TABLES[name].columns)]
                    con.register("frame_in", frame)
                    con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame_in')  # noqa: S608
                    con.unregister("frame_in")
                    _checkpoint("mid-write")
                con.execute("CREATE TABLE manifest (body VARCHAR)")
                con.execute("INSERT INTO manifest VALUES (?)", [json.dumps(body, sort_keys=True)])
                con.execute("CHECKPOINT")
            finally:
                con.close()
        except duckdb.Error as exc:
            # DuckDB reports OS faults as its own exceptions (IOException, or a failed commit
            # that quotes the file and the OS's words); turn those into the one-line form.
            fault = _DUCKDB_FILE_FAULT.search(str(exc))
            if fault is not None:
                raise FilesystemError(fault["path"], fault["fault"]) from exc
            if isinstance(exc, duckdb.IOException):
                raise FilesystemError(tmp, str(exc).splitlines()[0]) from exc
            raise

    def _set_current(self, vid: str) -> None:
        tmp = self.root / f".CURRENT.{os.getpid()}"
        try:
            _write_synced(tmp, vid + "\n")
            os.replace(tmp, self.current_file)
        except IsADirectoryError as exc:
            tmp.unlink(missing_ok=True)
            # Not ours to delete: whoever made it may need what is inside.
            raise FilesystemError(
                self.current_file, "is a directory, not the pointer file"
            ) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(self.root)

    def _clean_temporaries(self) -> None:
        """Remove leftovers of crashed publishes (only ever called under the lock)."""
        for p in self.vintages_dir.glob(".tmp-*"):
            p.unlink(missing_ok=True)
        for p in self.root.glob(".CURRENT.*"):
            p.unlink(missing_ok=True)


#: Vintages published before a column existed read with this value in it.
_LEGACY_DEFAULTS: dict[str, object] = {"subject": "", "adj_close": float("nan")}
_LEGACY_PREFIXES = ("yahoo", "huggingface")


def _legacy_owner(frame: pd.DataFrame) -> pd.Series:
    """Before the `owner` column, a source's rows were told apart by their source_id prefix."""
    sid = (
        frame["source_id"].astype(str) if "source_id" in frame else pd.Series("", index=frame.index)
    )
    owner = pd.Series("curated", index=frame.index, dtype=object)
    for prefix in _LEGACY_PREFIXES:
        owner[sid.str.startswith(f"{prefix}_")] = prefix
    return owner


def _upgrade(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give a vintage written by an older version the current columns (old links keep working)."""
    missing = [c for c in TABLES[table].columns if c not in frame.columns]
    if not missing:
        return frame
    out = frame.copy()
    for col in missing:
        if col == "owner":
            out[col] = _legacy_owner(out)
        else:
            out[col] = pd.Series(_LEGACY_DEFAULTS.get(col, ""), index=out.index)
    return out


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="ascii") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
