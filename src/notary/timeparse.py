"""Times given by people: ISO 8601 (UTC if no zone), UNIX seconds, `now`, or offsets like `-2h`."""

from __future__ import annotations

import re
import time as _time
from datetime import UTC, datetime

from notary.errors import InvalidInputError

_OFFSET = re.compile(r"^(?P<sign>[+-])(?P<n>\d+)(?P<unit>[smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_time(text: str, now: int | None = None) -> int:
    """UNIX seconds for `text`; offsets and `now` are relative to `now` (default: the clock)."""
    value = text.strip()
    base = int(_time.time()) if now is None else now
    if value == "now":
        return base
    if m := _OFFSET.match(value):
        delta = int(m["n"]) * _UNITS[m["unit"]]
        return base + delta if m["sign"] == "+" else base - delta
    if value.isdigit():
        return int(value)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(
            f"time {text!r} is not understood",
            hint="use ISO 8601 such as 2026-11-27T10:00Z, UNIX seconds, 'now', or an offset like -2h or +30d",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())
