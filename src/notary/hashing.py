"""Document digests and metadata commitments.

Frozen: a change here breaks every old receipt. SHA-256 of the file's bytes is the
default digest; the algorithm name is recorded on chain next to the digest.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from notary.errors import InvalidInputError

DEFAULT_ALGORITHM = "sha256"
CHUNK_SIZE = 1 << 20
_HEX_DIGEST = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


def sha256_stream(stream: BinaryIO, progress: Callable[[int], None] | None = None) -> bytes:
    """SHA-256 of a binary stream, read in 1 MiB chunks; `progress` gets each chunk's size."""
    h = hashlib.sha256()
    while chunk := stream.read(CHUNK_SIZE):
        h.update(chunk)
        if progress is not None:
            progress(len(chunk))
    return h.digest()


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> bytes:
    """SHA-256 of a file of any size, streamed."""
    try:
        with path.open("rb") as f:
            return sha256_stream(f, progress)
    except FileNotFoundError as exc:
        raise InvalidInputError(f"file {path} does not exist") from exc
    except IsADirectoryError as exc:
        raise InvalidInputError(f"{path} is a directory, not a file") from exc
    except PermissionError as exc:
        raise InvalidInputError(f"file {path} cannot be read: permission denied") from exc


def parse_digest(text: str) -> bytes:
    """Parse a 32-byte digest given as 64 hex digits (with or without 0x)."""
    if not _HEX_DIGEST.match(text.strip()):
        raise InvalidInputError(
            f"{text!r} is not a digest", hint="give 64 hexadecimal digits, e.g. the output of sha256sum"
        )
    return bytes.fromhex(text.strip().removeprefix("0x"))


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def metadata_hash(metadata: Mapping[str, Any]) -> bytes:
    """The on-chain commitment to off-chain metadata (title, …): SHA-256 of canonical JSON.

    An empty mapping commits to nothing and hashes to 32 zero bytes.
    """
    if not metadata:
        return bytes(32)
    return hashlib.sha256(canonical_json(dict(metadata))).digest()
