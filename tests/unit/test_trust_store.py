"""The trust store (`notary.trust`): round trip, strict parsing, matching rules, and the code checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from notary import trust
from notary.chain import artifacts, code
from notary.trust import Anchors, Observed, Pin, TrustStore, TrustStoreError

LEDGER = "0xa5C24295FEeDf8Fc37DbC9Bc8eE8beb29cf8b5F5"
REGISTRY = "0x8aF0c5b17b4bCfD9a7a043B1f1011a26f60669Dd"
OTHER = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"
HASH_A, HASH_B = "0x" + "ab" * 32, "0x" + "cd" * 32


def pin(ledger: str = LEDGER, registry: str = REGISTRY, chain_id: int = 1, label: str = "prod") -> Pin:
    return Pin(chain_id, ledger, registry, HASH_A, HASH_B, label)


def body(**deployment: Any) -> dict[str, Any]:
    row = {"chainId": 1, "ledger": LEDGER, "registry": REGISTRY, "ledgerCodeHash": HASH_A,
           "registryCodeHash": HASH_B, "label": "prod", **deployment}  # fmt: skip
    return {"mediaType": trust.MEDIA_TYPE, "version": 1, "deployments": [row]}


def raw(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()


def test_round_trip_through_the_file(tmp_path: Path) -> None:
    """Pins saved atomically and read back are the same pins, each naming the file that pins it."""
    path = tmp_path / "config" / "trust.json"
    assert TrustStore.load(path).pins == ()  # no file yet: an empty store
    store = TrustStore.load(path).with_pin(pin()).with_pin(pin(OTHER, chain_id=5))
    store.save()
    back = TrustStore.load(path)
    assert back.pins == store.pins and all(p.origin == str(path) and p.source == trust.TRUST_STORE for p in back.pins)
    assert json.loads(path.read_text())["mediaType"] == trust.MEDIA_TYPE
    assert not list(path.parent.glob(".*.tmp"))  # written through a temporary sibling, renamed over


def test_with_pin_replaces_and_without_removes() -> None:
    """Pinning the same ledger again replaces it; removing names what it removed."""
    store = TrustStore().with_pin(pin(label="old")).with_pin(pin(label="new"))
    assert [p.label for p in store.pins] == ["new"]
    kept, removed = store.without(LEDGER.lower())
    assert kept.pins == () and removed == store.pins
    assert store.without(LEDGER, chain_id=2)[1] == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{", "not valid UTF-8 JSON"),
        (b"\xff", "not valid UTF-8 JSON"),
        (b" " * (trust.MAX_BYTES + 1), "the limit is"),
        (raw({**body(), "mediaType": "application/json"}), "is not a trust store"),
        (raw({**body(), "version": 2}), "version 2 is not supported"),
        (raw({**body(), "version": True}), "is not supported"),
        (raw({**body(), "extra": 1}), "differ from the format"),
        (raw({k: v for k, v in body().items() if k != "deployments"}), "differ from the format"),
        (raw({**body(), "deployments": {}}), "must be a list"),
        (raw(body(note="x")), "fields differ from the format"),
        (raw({**body(), "deployments": [{}]}), "fields differ from the format"),
        (raw(body(ledger=LEDGER.lower())), "EIP-55 checksummed address"),
        (raw(body(registry="0x1234")), "EIP-55 checksummed address"),
        (raw(body(ledgerCodeHash=HASH_A.upper().replace("0X", "0x"))), "lower-case hex"),
        (raw(body(registryCodeHash="0x12")), "64 lower-case hex digits"),
        (raw(body(ledgerCodeHash=None)), "64 lower-case hex digits"),
        (raw(body(chainId=0)), "chainId must be a positive integer"),
        (raw(body(chainId=True)), "chainId must be a positive integer"),
        (raw(body(chainId="1")), "chainId must be a positive integer"),
        (raw(body(label="x" * 201)), "label must be a string"),
        (raw({**body(), "deployments": body()["deployments"] * 2}), "pins the same ledger twice"),
        (raw(body()).replace(b'"version": 1', b'"version": 1, "version": 1'), "duplicate key"),
    ],
)
def test_strict_parsing(data: bytes, message: str) -> None:
    """Each malformed store is a TrustStoreError (an InvalidInputError) saying what is wrong."""
    with pytest.raises(TrustStoreError) as info:
        TrustStore.from_json(data)
    assert message in info.value.message


def test_anchors_match_the_exact_deployment() -> None:
    """Chain, ledger and registry must all match a pin; the reasons name the deployment and the fix."""
    anchors = Anchors((pin(),))
    assert anchors.check(1, LEDGER.lower(), REGISTRY)[0] == pin()
    found, reason = anchors.check(1, OTHER, REGISTRY)
    assert found is None and "is not pinned" in reason and trust.add_command(1, OTHER, REGISTRY) in reason
    found, reason = anchors.check(1, LEDGER, OTHER)
    assert found is None and f"pinned with registry {REGISTRY}" in reason
    assert anchors.check(2, LEDGER, REGISTRY)[0] is None  # same addresses on another chain
    assert Anchors().check(1, LEDGER, REGISTRY)[0] is None  # an empty policy trusts nothing


def test_judge_weighs_what_the_node_holds() -> None:
    """Missing code, another registry and other code are reasons; unknown (unpinned) code is a warning."""
    good = Observed(HASH_A, HASH_B, REGISTRY, True, True)
    assert trust.judge(pin(), good) == ([], [])
    assert "no contract at ledger" in trust.judge(pin(), replace_(good, ledger_code_hash=None))[0][0]
    assert "says its registry is nothing" in trust.judge(pin(), replace_(good, registry_of_ledger=None))[0][0]
    assert "hashes to" in trust.judge(pin(), replace_(good, registry_code_hash=HASH_A))[0][0]
    by_manifest = Pin(1, LEDGER, REGISTRY, source=trust.MANIFEST)
    reasons, warnings = trust.judge(by_manifest, replace_(good, ledger_code_hash=HASH_B, ledger_is_known=False))
    assert reasons == [] and "ledger code is not this version's compiled contract" in warnings[0]


def replace_(o: Observed, **changes: Any) -> Observed:
    from dataclasses import replace

    return replace(o, **changes)


def test_code_matches_its_artifact_with_immutables_masked() -> None:
    """The artifact's runtime code matches itself with any immutable set, and nothing else of its length."""
    art = bytes.fromhex(artifacts.load("NotaryLedger").deployed_bytecode[2:])
    assert code.matches_artifact(art, "NotaryLedger")
    at = art.index(bytes([0x7F]) + bytes(32)) + 1
    filled = art[:at] + b"\x11" * 32 + art[at + 32 :]
    assert code.matches_artifact(filled, "NotaryLedger")
    changed = bytearray(art)
    changed[10] ^= 1
    assert not code.matches_artifact(bytes(changed), "NotaryLedger")
    assert not code.matches_artifact(art[:-1], "NotaryLedger")
    assert not code.matches_artifact(art, "IdentityRegistry")
    assert code.code_hash(b"") == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
