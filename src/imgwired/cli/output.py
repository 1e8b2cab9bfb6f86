"""How the CLI prints: aligned text for people, one JSON document with ``--json`` for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID


def emit_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, default=_plain)
    sys.stdout.write("\n")


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
