"""Writing output files safely."""

from __future__ import annotations

import os
from pathlib import Path

from notary.errors import InvalidInputError


def temporary_sibling(path: Path) -> Path:
    """Where to write before renaming into `path`, refusing targets that are not files.

    Renaming over `/dev/null`, a FIFO or a device would replace it (as root, for good), so
    an existing target must be a regular file.
    """
    if path.exists() and not path.is_file():
        raise InvalidInputError(f"{path} exists and is not a regular file", hint="choose a file path for the output")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.tmp")


def write_atomic(path: Path, data: bytes) -> int:
    """Write `data` to a temporary sibling, then rename it over `path`: readers never see half a file."""
    tmp = temporary_sibling(path)
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return len(data)
