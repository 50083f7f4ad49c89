"""Short text identifiers stored on chain as bytes32: party codes, kinds, hash algorithms.

Frozen: the encoding (ASCII, left-aligned, zero-padded) is part of every signed payload.
"""

from __future__ import annotations

import re

from notary.errors import InvalidInputError

_PARTY_CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,31}$")

#: Kinds of instrument the CLI offers; any lower-case word up to 32 characters is accepted.
KNOWN_KINDS = (
    "treaty",
    "mou",
    "note-verbale",
    "joint-declaration",
    "certificate",
    "apostille",
    "agreement",
    "other",
)


def text_to_bytes32(text: str) -> bytes:
    """Encode ASCII `text` (at most 32 bytes) left-aligned and zero-padded."""
    raw = text.encode("ascii")
    if len(raw) > 32:
        raise InvalidInputError(f"{text!r} is longer than 32 bytes")
    return raw.ljust(32, b"\0")


def bytes32_to_text(value: bytes) -> str:
    """Decode a left-aligned zero-padded bytes32 back into text."""
    return bytes(value).rstrip(b"\0").decode("ascii", errors="replace")


def party_code(code: str) -> bytes:
    """Validate a party code (`FRA`, `SGP`, `UN`, `EU`, `ASEAN`) and return it as bytes32."""
    normalised = code.strip().upper()
    if not _PARTY_CODE.match(normalised):
        raise InvalidInputError(
            f"party code {code!r} is not valid",
            hint="use 2 to 16 capital letters, digits or '-', e.g. FRA, SGP, UN",
        )
    return text_to_bytes32(normalised)


def kind_code(kind: str) -> bytes:
    """Validate an instrument kind (`mou`, `treaty`, …) and return it as bytes32."""
    normalised = kind.strip().lower()
    if not _KIND.match(normalised):
        raise InvalidInputError(
            f"kind {kind!r} is not valid",
            hint="use a lower-case word such as " + ", ".join(KNOWN_KINDS),
        )
    return text_to_bytes32(normalised)
