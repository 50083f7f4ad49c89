"""Audit facts as a person reads them: times as UTC dates, "never" for an open-ended window.

The exports keep machine values (UNIX seconds in `detail`, the `check` text as
`notary.audit.rows.check` writes it, which `notary audit verify` compares byte for byte);
these functions only change what is shown: `audit verify` notes, the PDF report and
`notary index keys`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from notary.models import timestamp_text

#: Times at or after 10000-01-01 read as "never" (the registry's "valid until" default is 2**63).
NEVER = 253402300800
#: The `detail` fields that hold UNIX seconds.
TIME_FIELDS = frozenset(
    {"time", "actTime", "deadline", "validFrom", "validUntil", "effectiveAt", "requestedAt", "createdAt"}
)
#: What the PDF leaves out of `detail` (whole in the CSV and JSON Lines exports).
HIDDEN_FIELDS = frozenset({"signature", "time"})

_WINDOW = re.compile(r"\[(\d+), (\d+)\)")
_ZERO = re.compile(r"0x0+")
_SECONDS = re.compile(r"\b(at|from) (\d+)(?![\w.])")


def when(ts: int) -> str:
    """A UNIX time as UTC text; "never" for an open end, "the start" for 0 (a window open from the beginning)."""
    if ts <= 0:
        return "the start"
    if ts >= NEVER:
        return "never"
    return timestamp_text(ts)


def window(valid_from: int, valid_until: int) -> str:
    """A key's validity window in words: "from 2026-12-01T10:00:00Z until never"."""
    start = "from the start" if valid_from <= 0 else f"from {when(valid_from)}"
    return f"{start} until {when(valid_until)}"


def check_text(check: str) -> str:
    """A row's `check` with its UNIX seconds as UTC times (the vocabulary of `rows.check`)."""
    text = _WINDOW.sub(lambda m: f"({window(int(m[1]), int(m[2]))})", check)
    text = text.replace(", before it signed at ", "; it signed at ")  # "before" misreads when both are one second
    return _SECONDS.sub(lambda m: f"{m[1]} {_moment(int(m[2]))}", text)


def _moment(ts: int) -> str:
    return "never" if ts >= NEVER else timestamp_text(max(ts, 0))


def _value(key: str, value: Any) -> str:
    if key in TIME_FIELDS and isinstance(value, int):
        return when(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, str) and _ZERO.fullmatch(value):
        return "none"
    return str(value)


def detail_text(detail: Mapping[str, Any] | str, hidden: frozenset[str] = HIDDEN_FIELDS) -> str:
    """A row's `detail` as "key: value; …" with times as UTC text (no JSON, no Python repr)."""
    d = json.loads(detail) if isinstance(detail, str) else detail
    return "; ".join(f"{k}: {_value(k, v)}" for k, v in sorted(d.items()) if k not in hidden)
