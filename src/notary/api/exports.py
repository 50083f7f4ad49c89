"""Audit exports over HTTP: `notary.audit.export` into a private temporary folder, streamed back.

The export is written to a fresh folder (mode 0700), sent with a `FileResponse` (read in
chunks: memory stays flat), and the folder is deleted once the response is sent or
failed. The manifest travels as headers (row count, Merkle root, block range, file
SHA-256) and, whole, from `GET /v1/audit/export/manifest` with the same query; the
`Link` header names that URL with `to_block` pinned, so the two always describe the
same rows (exports are deterministic).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from notary.api.deps import Services
from notary.api.problems import IndexUnavailableError
from notary.audit.export import export
from notary.audit.manifest import MEDIA_TYPE, Manifest
from notary.index import EventFilter, IndexReader

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl", "pdf": "application/pdf"}


def index_reader(svc: Services) -> IndexReader:
    """The index to export from; 503 when the service runs without one."""
    if svc.index is None:
        raise IndexUnavailableError(
            "this service runs without the event index (NOTARY_INDEX=false)",
            hint="enable it, or export with `notary audit export`",
        )
    if svc.index.reader is None:
        raise IndexUnavailableError("the event index is not open yet", hint="retry in a moment")
    return svc.index.reader


def run(svc: Services, fmt: str, flt: EventFilter) -> tuple[Path, Manifest]:
    """Write the export to a private temporary folder; the caller deletes `path.parent`."""
    reader = index_reader(svc)
    folder = Path(tempfile.mkdtemp(prefix="notary-export-"))
    path = folder / f"export.{fmt}"
    try:
        manifest = export(reader, path, fmt, flt, block_hash=svc.gateway.block_hash)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path, manifest


def manifest_bytes(svc: Services, fmt: str, flt: EventFilter) -> bytes:
    """The manifest `run` would write, its export deleted."""
    path, manifest = run(svc, fmt, flt)
    shutil.rmtree(path.parent, ignore_errors=True)
    return manifest.to_json().encode()


def file_name(m: Manifest) -> str:
    return f"notary-audit-{m.chain_id}-{m.from_block}-{m.to_block}.{m.format}"


def headers(m: Manifest, query: dict[str, str | int]) -> dict[str, str]:
    pinned = urlencode({**query, "format": m.format, "from_block": m.from_block, "to_block": m.to_block})
    return {
        "Notary-Export-Rows": str(m.row_count),
        "Notary-Export-Blocks": f"{m.from_block}-{m.to_block}",
        "Notary-Export-Head-Hash": m.head_block_hash,
        "Notary-Export-Merkle-Root": m.merkle_root,
        "Notary-Export-SHA256": m.file_sha256,
        "Link": f'</v1/audit/export/manifest?{pinned}>; rel="describedby"; type="{MEDIA_TYPE}"',
    }
