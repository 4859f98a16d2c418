"""One error hierarchy for everything a person can be told about.

Every error carries a short ``title`` and a plain-language ``message`` that are
safe to show in a browser or a terminal: no traceback, no file system internals
beyond what the person gave us, no SQL. The cause is kept with ``raise ... from``
so the server log still has the detail.
"""

from __future__ import annotations


class ScorecardError(Exception):
    """Base class: something the person can act on."""

    title = "Something went wrong"
    #: exit code for the command line (GUIDE: 1 = input rejected, 2 = usage/permission/busy)
    exit_code = 2

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class BadSetting(ScorecardError):
    """A setting in the environment that cannot be used: names the setting, the value and what
    is allowed, in one line (exit 2, like any usage problem)."""

    title = "Setting not valid"


class DatabaseBusy(ScorecardError):
    title = "Database busy"


class StoreUnavailable(ScorecardError):
    title = "Store unavailable"


class DatabaseUnreadable(ScorecardError):
    title = "Database file cannot be opened"


class DatabaseTooNew(ScorecardError):
    title = "Database is from a newer version"


class CatalogError(ScorecardError):
    title = "Catalog problem"
    exit_code = 1


class PermissionDenied(ScorecardError):
    title = "Not allowed"


class NotFound(ScorecardError):
    title = "Not found"
    exit_code = 1


class InputRejected(ScorecardError):
    title = "Input rejected"
    exit_code = 1
