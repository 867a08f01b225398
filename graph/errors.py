"""One root exception. Every error a person can act on derives from :class:`CoalitionError`."""

from __future__ import annotations

from dataclasses import dataclass


class CoalitionError(Exception):
    """Root of every error this project raises on purpose. ``str(e)`` is meant for people."""

    #: HTTP status the API maps this error to.
    status_code = 400


class ConfigError(CoalitionError):
    """Settings that cannot work (unknown store URI, missing password, ...)."""


class UnknownValue(CoalitionError, ValueError):
    """A word outside a closed vocabulary: a state, kind, sector or relationship type that
    nothing accepts. The message names the accepted forms and the nearest one, so the CLI,
    the API and the loader can show it as it is. A ValueError too, so that a pydantic
    validator turns it into a row-level problem without wrapping."""

    def __init__(self, message: str, *, what: str, value: str, suggestion: str | None = None,
                 accepted: tuple[str, ...] = ()):
        super().__init__(message)
        self.what = what
        self.value = value
        self.suggestion = suggestion
        self.accepted = accepted


class StoreError(CoalitionError):
    """The graph store could not be reached or refused a request."""

    status_code = 503


class StoreUnavailable(StoreError):
    """The store stopped answering (connection lost, server gone). A long-lived service drops
    its connection on this and opens a new one, restarting an embedded server that died."""


class StoreRefused(StoreError):
    """The store answers but refuses writes it cannot keep: its disk is full, or it is out of
    memory. Reads still work; writes work again once space is freed."""

    #: HTTP 507 Insufficient Storage
    status_code = 507


class DiskFull(StoreRefused):
    """The disk holding the store's data is full (FalkorDB answers ``MISCONF``)."""


class OutOfMemory(StoreRefused):
    """The store reached its memory limit (FalkorDB answers ``OOM``)."""


class WriteFailed(StoreError):
    """A load failed while writing. ``kept`` says whether any of it stayed in the graph:
    normally not, because the load undoes what it had written before raising this."""

    def __init__(self, message: str, *, cause: BaseException, kept: bool):
        super().__init__(message)
        self.cause = cause
        self.kept = kept
        self.status_code = getattr(cause, "status_code", StoreError.status_code)


class ReadOnlyViolation(CoalitionError):
    """A read-only query tried to write."""

    status_code = 403


class QueryError(CoalitionError):
    """A user's Cypher failed (syntax, unknown function, ...)."""


@dataclass(frozen=True, order=True)
class RowIssue:
    """One problem in one cell of an input workbook."""

    file: str
    row: int  # 1-based, as a spreadsheet shows it; 1 is the header row, 0 the whole file
    column: str
    message: str
    value: str = ""
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        shown = f" (value: {self.value!r})" if self.value else ""
        return f"{where}: {self.message}{shown}"


class LoadError(CoalitionError):
    """Input that cannot be loaded as it is. Nothing was written."""

    status_code = 422

    def __init__(self, issues: list[RowIssue], summary: str | None = None):
        self.issues = sorted(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        head = summary or f"{len(errors)} problem(s) in the input; nothing was written."
        shown = "\n".join(f"  - {i}" for i in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        # Warnings too, after the errors: fixing the errors should not be the first time
        # anyone hears of them
        warnings = [i for i in self.issues if i.severity == "warning"]
        if warnings:
            more += f"\nand {len(warnings)} warning(s):\n" + "\n".join(
                f"  - {i}" for i in warnings[:10])
            if len(warnings) > 10:
                more += f"\n  ... and {len(warnings) - 10} more warning(s)"
        super().__init__(f"{head}\n{shown}{more}")
