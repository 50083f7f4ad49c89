"""Helpers of the API tests: the example MoU, API keys, signed payloads."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from notary import ledger, signed_payload
from notary.models import Act, Intent
from notary.testing import World

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mou-cyber-incident-sharing.md"
RELAY_KEY, READ_KEY = "relay-key-for-tests", "key-without-relay-scope"


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def signed_json(world: World, payload: Any, party: str) -> str:
    """The signed-payload file of `payload`, signed by `party`'s key."""
    return signed_payload.to_json(ledger.sign(payload, world.gw.domain, world.signers[party]))


def act(world: World, rid: bytes, party: str, intent: Intent = Intent.SIGNATURE, reason: str = "") -> Act:
    return ledger.prepare_act(world.gw.terms(rid), party, intent, world.deadline(), reason)


def auth(key: str = RELAY_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": signed_payload.MEDIA_TYPE}
