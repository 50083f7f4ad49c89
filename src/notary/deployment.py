"""The deployment manifest: where the contracts of one ledger live.

Written by `notary deploy` (or the demo), read by the CLI and the API. Strictly parsed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from notary.errors import DeploymentNotFoundError, InvalidInputError

MEDIA_TYPE = "application/vnd.notary.deployment+json"
MAJOR_VERSION = 1
MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class DeployedContract:
    address: str
    block_number: int
    transaction: str
    artifact_hash: str


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    registry: DeployedContract
    ledger: DeployedContract
    depositary: str

    @property
    def start_block(self) -> int:
        """The first block that can hold an event of this ledger."""
        return min(self.registry.block_number, self.ledger.block_number)

    def to_json(self) -> str:
        body: dict[str, Any] = {"mediaType": MEDIA_TYPE, "version": MAJOR_VERSION, **asdict(self)}
        return json.dumps(body, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Deployment:
        if len(text.encode()) > MAX_BYTES:
            raise InvalidInputError(f"deployment manifest is larger than {MAX_BYTES} bytes")
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"deployment manifest is not JSON: {exc}") from exc
        if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
            raise InvalidInputError(f"not a deployment manifest (mediaType must be {MEDIA_TYPE})")
        if body.get("version") != MAJOR_VERSION:
            raise InvalidInputError(f"deployment manifest version {body.get('version')!r} is not supported")
        expected = {"mediaType", "version", "chain_id", "registry", "ledger", "depositary"}
        if set(body) != expected:
            raise InvalidInputError(f"deployment manifest fields {sorted(set(body) ^ expected)} are unexpected")
        try:
            return cls(
                chain_id=int(body["chain_id"]),
                registry=DeployedContract(**body["registry"]),
                ledger=DeployedContract(**body["ledger"]),
                depositary=str(body["depositary"]),
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"deployment manifest is malformed: {exc}") from exc

    def save(self, path: Path) -> None:
        from notary.files import write_atomic

        write_atomic(path, self.to_json().encode())

    @classmethod
    def load(cls, path: Path) -> Deployment:
        try:
            return cls.from_json(path.read_text())
        except FileNotFoundError:
            raise DeploymentNotFoundError(
                f"no deployment manifest at {path}",
                hint="deploy the contracts with `notary deploy`, or point NOTARY_DEPLOYMENT at a manifest",
            ) from None
