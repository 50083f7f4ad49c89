"""Turn a FILE|DIGEST|0xRECORDID argument into a digest (and a record), hashing files with a
progress bar when large."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from notary.errors import InvalidInputError

if TYPE_CHECKING:
    from notary.chain.gateway import LedgerGateway

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


def named_record(gw: LedgerGateway, argument: str) -> tuple[bytes, bytes] | None:
    """(digest, record id) if `argument` is the 0x-prefixed id of a record on this ledger.

    A record id is written as 0x and 64 hex digits, as in "superseded by record 0x…"; a
    SHA-256 digest written with 0x stays a digest when no record has that id, and a file of
    that name wins over both."""
    from notary.errors import NotaryUnknownRecordError, RecordNotFoundError

    text = argument.strip()
    if not (text[:2].lower() == "0x" and HEX64.match(text)) or Path(argument).is_file():
        return None
    rid = bytes.fromhex(text[2:])
    try:
        return gw.record(rid, with_attestations=False).digest, rid
    except (NotaryUnknownRecordError, RecordNotFoundError):
        return None


def record_or_digest(gw: LedgerGateway, argument: str, quiet: bool = False) -> tuple[bytes, bytes | None]:
    """(digest, record id or None) of FILE|DIGEST|0xRECORDID: a record id names that record."""
    named = named_record(gw, argument)
    if named is not None:
        return named
    return digest_of(argument, quiet), None


def _hash_with_progress(path: Path, size: int) -> bytes:
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from notary.cli.output import err_console
    from notary.hashing import sha256_file

    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress("hashing", *columns, console=err_console, transient=True) as progress:
        task = progress.add_task(path.name, total=size)
        return sha256_file(path, lambda n: progress.advance(task, n))
