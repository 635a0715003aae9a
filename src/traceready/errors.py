"""Errors that end an audit, each with its exit code.

```
TracereadyError                base, never raised itself
|- UsageError              2   bad flag, unknown connector, invalid mapping, answers or input file
|- AuthError               3   401/403 from a vendor
|- NotFoundError           4   file, project or dataset does not exist
`- VendorUnavailableError  5   network, 5xx after retries, timeout
```

Exit 1 (below ``--fail-under``) is a result, not an error, and exit 70 is any other exception: a bug.
Only ``cli.py`` turns these into exit codes. Messages are one line; ``hint`` says what to do.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TypeVar


class TracereadyError(Exception):
    """Base of all expected failures; carries a one-line message and an optional hint."""

    exit_code = 70

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and hint as the single line shown to the user."""
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(TracereadyError):
    """Bad flag, unknown connector, or an invalid mapping, answers or input file."""

    exit_code = 2


class AuthError(TracereadyError):
    """The vendor rejected the credentials (401/403)."""

    exit_code = 3


class NotFoundError(TracereadyError):
    """A file, project or dataset does not exist."""

    exit_code = 4


class VendorUnavailableError(TracereadyError):
    """Network failure, timeout, or 5xx after bounded retries."""

    exit_code = 5


def invalid(origin: str, exc: Exception) -> UsageError:
    """A one-line UsageError naming the first invalid field of a pydantic ``ValidationError``."""
    errors = getattr(exc, "errors", None)
    first = errors()[0] if callable(errors) else {"loc": (), "msg": str(exc)}
    where = ".".join(str(part) for part in first["loc"])
    return UsageError(f"{origin}: {where}: {first['msg']}" if where else f"{origin}: {first['msg']}")


E = TypeVar("E", bound=TracereadyError)


def closest_names(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` names of ``known`` close to ``name`` (a typo, a missing suffix), closest first."""
    return difflib.get_close_matches(name, list(known), n=n, cutoff=0.4)


def unknown_name(error: E, name: str, known: Iterable[str], *, kind: str) -> E:
    """``error`` with a hint naming the known names closest to ``name``, else the first ten ``kind``.

    One place for "did you mean": unknown projects (exit 4), connectors and targets (exit 2).
    """
    names = sorted(set(known))
    close = closest_names(name, names)
    error.hint = (
        f"did you mean {', '.join(close)}?" if close else f"{kind}: {', '.join(names[:10]) or 'none'}"
    )
    return error
