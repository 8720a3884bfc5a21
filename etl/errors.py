"""Exception tree of the ETL: one root, EtlError."""

from __future__ import annotations

from dataclasses import dataclass


class EtlError(Exception):
    """Root of every error the ETL raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation finding, located in a file, line and field."""

    file: str
    line: int | None
    field: str
    rule: str
    got: str = ""
    level: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        got = f" (got {self.got})" if self.got != "" else ""
        return f"{where} field '{self.field}': {self.rule}{got}"


class ValidationError(EtlError):
    """Curated input failed error-level checks; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ShrinkError(ValidationError):
    """A build would drop a figure file, or too many of a source's figures, from the vintage."""


class SourceError(EtlError):
    """A source could not deliver data (network failure, empty answer, changed labels)."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"source '{source}' failed: {reason}")


class HttpStatusError(SourceError):
    """An upstream answered with an HTTP status other than success; `status` is that code.

    Callers that treat one status apart (SEC answers 404 for a company without XBRL facts)
    branch on the type and `status`, never on the message text.
    """

    def __init__(self, source: str, status: int, reason: str) -> None:
        self.status = status
        super().__init__(source, reason)


class NotConfiguredError(SourceError):
    """A source that needs configuration (an API key, a contact address) has none.

    A refresh reports such a source as "not configured", not as a failure.
    """


class StoreError(EtlError):
    """The store is unusable or a vintage is unknown."""


class DamagedVintageError(StoreError):
    """A vintage file that is missing, or whose bytes differ from the checksum recorded at publish."""


class CurrentUnreadableError(StoreError):
    """store/CURRENT exists but does not name a vintage (not a file, not an id, unreadable)."""


class UnknownVintageError(StoreError):
    """A vintage id that is not among the published vintages."""


class LockTimeoutError(StoreError):
    """Another build holds the publish lock for longer than we are willing to wait."""


class RetrySignal(EtlError):
    """Raised inside an HTTP transport to ask the retry policy for another try.

    Never leaves etl.sources.online.RetryPolicy.call: it becomes a SourceError there (so no
    caller outside the retry loop branches on it), but it stays under the one root so that an
    escape would still be an ETL error, not a bare Exception.
    """


class FilesystemError(EtlError):
    """The file system refused an operation (no space, read-only, not a regular file, ...).

    Not a problem of the data: the same inputs succeed once the path is fixed, so the CLI gives
    it an exit code of its own.
    """

    def __init__(self, path: object, fault: str) -> None:
        self.path = str(path)
        self.fault = fault
        super().__init__(f"{self.path}: {fault}")

    @classmethod
    def from_os(cls, exc: OSError, path: object = None) -> FilesystemError:
        """The one-line form of an OSError: the path it names (else `path`) and its strerror."""
        where = exc.filename if exc.filename is not None else path
        return cls(where if where is not None else "?", exc.strerror or str(exc))
