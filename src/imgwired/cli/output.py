"""How the CLI prints: aligned text for people, one JSON document with ``--json`` for scripts.

Errors go to stderr: one line ``imgwired: <sentence>``, or under ``--json`` one JSON object in
the API's error shape (``{"detail", "error_type", "request_id"}``, a refused input's ``detail``
the list of ``{loc, msg, type}`` the API answers with), so a script reads either face alike.
The exit status says who is at fault: ``EXIT_FAILED`` or ``EXIT_USAGE``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from imgwired.errors import ImgwiredError, InvalidInputError

EXIT_FAILED = 1
"""imgwired refused or could not do what was asked (a domain error: not found, conflict...)."""

EXIT_USAGE = 2
"""The command cannot run as given: its flags, the IMGWIRED_* settings, no database there."""


class UsageError(Exception):
    """A command that cannot run as given; it exits with ``EXIT_USAGE``."""

    def __init__(self, detail: str, *, error_type: str = "UsageError") -> None:
        super().__init__(detail)
        self.detail = detail
        self.error_type = error_type


def emit_json(value: Any, *, one_line: bool = False) -> None:
    """``value`` as JSON on stdout; ``one_line`` for a process's banner, which a script reads
    with one ``readline`` while the process goes on running."""
    json.dump(value, sys.stdout, indent=None if one_line else 2, default=_plain)
    sys.stdout.write("\n")
    sys.stdout.flush()


def emit_pairs(pairs: Sequence[tuple[str, Any]]) -> None:
    width = max(len(label) for label, _ in pairs)
    for label, value in pairs:
        print(f"  {label.ljust(width)}  {'' if value is None else value}")


def emit_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    cells = [[_text(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def emit_error(
    message: str,
    *,
    error_type: str,
    as_json: bool,
    detail: Any = None,
    request_id: str | None = None,
) -> None:
    """One line on stderr per line of ``message``, or with ``as_json`` one error object
    (``detail`` defaults to ``message``)."""
    if as_json:
        document = {
            "detail": message if detail is None else detail,
            "error_type": error_type,
            "request_id": request_id,
        }
        sys.stderr.write(json.dumps(document, default=_plain) + "\n")
    else:
        for line in message.splitlines() or [""]:
            print(f"imgwired: {line}", file=sys.stderr)


def emit_domain_error(error: ImgwiredError, *, as_json: bool) -> None:
    """``error`` as the API would answer it (without a request id: no request was made)."""
    detail: Any = error.detail
    if isinstance(error, InvalidInputError):
        detail = [{"loc": list(error.loc), "msg": error.detail, "type": "value_error"}]
    emit_error(error.detail, error_type=error.error_type, as_json=as_json, detail=detail)


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(map(str, value)) or "-"
    return str(_plain(value)) if isinstance(value, UUID | datetime) else str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(f"cannot print {type(value).__name__}")
