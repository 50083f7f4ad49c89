"""The manifest of an audit export: what it covers and what commits to its rows.

Written beside the export as `<export>.manifest.json`. Strictly parsed: media type,
major version, exact fields, size limit. Deterministic: it holds no creation time, so the
same range and filters give the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from notary.audit.rows import COLUMNS
from notary.errors import InvalidInputError

MEDIA_TYPE = "application/vnd.notary.audit-export+json"
#: 2: protocol v2 (rows carry each act's deadline and signature; checks come from the events
#: alone and may say `voided`). Version 1 exports are of protocol v1 ledgers.
MAJOR_VERSION = 2
MAX_BYTES = 64 * 1024
FORMATS = ("csv", "jsonl", "pdf")
TREE = "rfc6962-sha256: leaf = canonical JSON of the row without `check`"


@dataclass(frozen=True)
class Manifest:
    format: str
    chain_id: int
    registry: str
    ledger: str
    from_block: int
    to_block: int
    head_block_hash: str  # the hash of to_block: pins the chain the export was taken from
    filters: dict[str, Any]
    row_count: int
    merkle_root: str  # 0x-hex RFC 6962 tree head over the rows' facts
    file_sha256: str
    columns: tuple[str, ...] = COLUMNS
    tree: str = TREE

    def to_json(self) -> str:
        body = {"mediaType": MEDIA_TYPE, "version": MAJOR_VERSION, **asdict(self)}
        body["columns"] = list(self.columns)
        return json.dumps(body, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "manifest") -> Manifest:
        if len(text.encode()) > MAX_BYTES:
            raise InvalidInputError(f"{where} is larger than {MAX_BYTES} bytes")
        try:
            body = json.loads(text)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an integer past Python's digit limit
            raise InvalidInputError(f"{where} is not JSON: {exc}") from None
        if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
            raise InvalidInputError(f"{where} is not an audit export manifest (mediaType must be {MEDIA_TYPE})")
        if body.get("version") != MAJOR_VERSION:
            hint = (
                "a version 1 export is of a protocol v1 ledger: verify it with notary 1.x"
                if body.get("version") == 1
                else None
            )
            raise InvalidInputError(
                f"{where}: version {body.get('version')!r} is not supported (this notary reads {MAJOR_VERSION})",
                hint=hint,
            )
        expected = {"mediaType", "version", *cls.__dataclass_fields__}
        if set(body) != expected:
            raise InvalidInputError(f"{where}: fields {sorted(set(body) ^ expected)} are unexpected or missing")
        if not isinstance(body["columns"], list) or tuple(body["columns"]) != COLUMNS or body["tree"] != TREE:
            raise InvalidInputError(f"{where}: columns or tree construction are not the ones this version writes")
        if body["format"] not in FORMATS:
            raise InvalidInputError(f"{where}: format {body['format']!r} is unknown")
        try:
            return cls(
                **{k: v for k, v in body.items() if k not in ("mediaType", "version", "columns")},
                columns=COLUMNS,
            )
        except TypeError as exc:
            raise InvalidInputError(f"{where} is malformed: {exc}") from exc

    def save(self, path: Path) -> None:
        path.write_text(self.to_json())

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            return cls.from_json(path.read_text(), where=str(path))
        except FileNotFoundError:
            raise InvalidInputError(
                f"no manifest at {path}", hint="an export's manifest is written beside it as <export>.manifest.json"
            ) from None


def manifest_path(export: Path) -> Path:
    return export.with_name(export.name + ".manifest.json")
