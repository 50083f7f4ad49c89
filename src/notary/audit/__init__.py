"""Audit exports of the event index, and their independent re-verification against the chain.

- `export(index, out, fmt, filter)`: CSV, JSON Lines or a PDF report, streamed, with a
  deterministic manifest (`<out>.manifest.json`: block range, head block hash, row
  count, RFC 6962 Merkle root over the rows);
- `verify_export(path, reader, previous=None)`: every row against the chain, nothing
  missing, signatures and key windows re-checked, and consistency with an older export.
"""

from __future__ import annotations

from notary.audit.export import ExportError, export
from notary.audit.manifest import Manifest, manifest_path
from notary.audit.verify import VerifyReport, verify_export

__all__ = ["ExportError", "Manifest", "VerifyReport", "export", "manifest_path", "verify_export"]
