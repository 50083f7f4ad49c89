"""Turn a FILE|DIGEST argument into a digest, hashing files with a progress bar when large."""

from __future__ import annotations

import re
from pathlib import Path

from notary.errors import InvalidInputError

PROGRESS_THRESHOLD = 8 * 1024 * 1024
_HEX = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


def digest_of(argument: str, quiet: bool = False) -> bytes:
    """SHA-256 of the file at `argument`, or `argument` itself if it is 64 hex digits."""
    from notary.hashing import parse_digest, sha256_file

    path = Path(argument)
    if _HEX.match(argument) and not path.exists():
        return parse_digest(argument)
    if not path.exists():
        raise InvalidInputError(
            f"{argument} is neither an existing file nor a 64-hex-digit digest",
            hint="check the path, or pass the document's SHA-256 digest",
        )
    size = path.stat().st_size if path.is_file() else 0
    if quiet or size < PROGRESS_THRESHOLD:
        return sha256_file(path)
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(), transient=True
    ) as progress:
        task = progress.add_task(f"hashing {path.name}", total=size)
        return sha256_file(path, lambda n: progress.advance(task, n))
