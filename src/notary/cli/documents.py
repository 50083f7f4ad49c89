"""Turn a FILE|DIGEST argument into a digest, hashing files with a progress bar when large."""

from __future__ import annotations

import re
from pathlib import Path

from notary.errors import InvalidInputError

#: Files larger than this get a progress bar (on stderr) while they are hashed.
PROGRESS_THRESHOLD = 8 * 1024 * 1024
#: 64 hex digits, optionally 0x-prefixed: how a SHA-256 digest (or a record id) is written.
HEX64 = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


def digest_of(argument: str, quiet: bool = False) -> bytes:
    """SHA-256 of the file at `argument` (streamed), or `argument` itself if it is 64 hex digits.

    A file wins over a digest of the same spelling. Files above `PROGRESS_THRESHOLD` get
    a progress bar on stderr unless `quiet` (as with --json).
    """
    from notary.hashing import parse_digest, sha256_file

    path = Path(argument)
    if path.is_file():
        size = path.stat().st_size
        if quiet or size <= PROGRESS_THRESHOLD:
            return sha256_file(path)
        return _hash_with_progress(path, size)
    if HEX64.match(argument.strip()):
        return parse_digest(argument)
    if path.exists():
        return sha256_file(path)  # a directory or unreadable: its own clear error
    raise InvalidInputError(
        f"{argument!r} is neither a file nor a digest",
        hint="give the document's path, or its SHA-256 as 64 hexadecimal digits (e.g. from sha256sum)",
    )


def _hash_with_progress(path: Path, size: int) -> bytes:
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from notary.cli.output import err_console
    from notary.hashing import sha256_file

    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress("hashing", *columns, console=err_console, transient=True) as progress:
        task = progress.add_task(path.name, total=size)
        return sha256_file(path, lambda n: progress.advance(task, n))
