"""Load the compiled contract artifacts committed inside the package."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from notary.errors import ArtifactError


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    sources_hash: str
    deployed_bytecode: str = ""


@cache
def load(name: str) -> Artifact:
    """The artifact of contract `name` (e.g. `NotaryLedger`)."""
    try:
        text = resources.files("notary.artifacts").joinpath(f"{name}.json").read_text()
    except FileNotFoundError:
        raise ArtifactError(
            f"no compiled artifact for contract {name}",
            hint="run `make compile` (scripts/compile_contracts.py)",
        ) from None
    body = json.loads(text)
    return Artifact(
        name=name,
        abi=body["abi"],
        bytecode=body["bytecode"],
        sources_hash=body["sourcesHash"],
        deployed_bytecode=body["deployedBytecode"],
    )


def all_error_abis() -> list[dict[str, Any]]:
    """Every custom error declared by the deployable contracts (for revert decoding)."""
    seen: dict[str, dict[str, Any]] = {}
    for name in ("IdentityRegistry", "NotaryLedger", "ContractSigner"):
        for item in load(name).abi:
            if item.get("type") == "error":
                seen.setdefault(item["name"], item)
    return list(seen.values())
