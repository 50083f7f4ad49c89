"""How long the agent holds a key: a bounded duration, given as 15m, 2h, 90s or plain seconds."""

from __future__ import annotations

import re

from notary.errors import InvalidInputError

#: Keys are held this long unless told otherwise.
DEFAULT_TTL = 15 * 60
#: No key is held longer than this: an unattended machine must not sign for a whole day.
MAX_TTL = 8 * 3600

_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s?)?$")


def parse_ttl(text: str) -> int:
    """Seconds from `15m`, `1h30m`, `90s` or `90`; refused above MAX_TTL or below one second."""
    value = text.strip().lower()
    match = _DURATION.match(value) if value else None
    if match is None or not any(match.groups()):
        raise InvalidInputError(f"TTL {text!r} is not a duration", hint="e.g. --ttl 15m, 2h, 1h30m or 90s")
    seconds = int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + int(match["s"] or 0)
    return check_ttl(seconds, text)


def check_ttl(seconds: int, given: object = None) -> int:
    """`seconds` if it lies in [1 s, MAX_TTL], else an input error naming the bound."""
    shown = given if given is not None else f"{seconds}s"
    if seconds < 1:
        raise InvalidInputError(f"TTL {shown!r} is not positive", hint="give at least 1s, e.g. --ttl 15m")
    if seconds > MAX_TTL:
        raise InvalidInputError(
            f"TTL {shown!r} is longer than the agent's maximum of {duration_text(MAX_TTL)}",
            hint=f"give at most {duration_text(MAX_TTL)}, and add the key again when it expires",
        )
    return seconds


def duration_text(seconds: int) -> str:
    """`8h`, `15m`, `1h 30m`, `45s`, `2m 5s`: at most two units, as a person reads it."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n]
    return " ".join(parts[:2]) or "0s"
