"""Trust anchors (issue 10, item 1): a receipt verifies only against a pinned deployment.

An attacker's own copy of the contracts on the same chain, with its own FRA and SGP, writes
receipts that are internally perfect; a genuine ledger's receipt with the registry swapped
for the attacker's hides a key declared compromised since. Both fail, offline and online,
and every verdict names the deployment it trusted."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from notary import receipts, registry
from notary.chain import code
from notary.chain.gateway import LedgerGateway
from notary.receipts.build import record_receipt
from notary.receipts.online import verify_online
from notary.receipts.verify import verify_offline
from notary.testing import World
from notary.trust import MANIFEST, Anchors, Pin, TrustStore, unsafe_receipt_deployment


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def roundtrip(r: receipts.Receipt) -> receipts.Receipt:
    return receipts.loads(receipts.dumps(r))


def executed(w: World, text: str) -> tuple[bytes, receipts.Receipt]:
    """`text` notarised by FRA and signed by SGP on `w`'s ledger, and its receipt."""
    digest = sha(text)
    rid = w.notarise(digest, "FRA", parties=("FRA", "SGP"))
    w.act(rid, "SGP")
    return digest, roundtrip(record_receipt(w.gw, rid))


def store_pin(w: World) -> Anchors:
    """`w`'s deployment as `notary trust add` pins it: addresses and the code hashes read from the node."""
    d = w.gw.deployment
    seen = code.observe(w.chain, d.ledger.address, d.registry.address)
    pin = Pin(w.chain.chain_id, d.ledger.address, d.registry.address, seen.ledger_code_hash, seen.registry_code_hash)
    return TrustStore().with_pin(pin).anchors


@pytest.fixture
def forger(world: World) -> World:
    """The attacker: its own deployment of the genuine contracts on the same chain, FRA and SGP its own."""
    return World.build(world.chain, parties=(("FRA", "French Republic"), ("SGP", "Republic of Singapore")))


def test_forged_deployment_fails_offline_and_online_until_pinned(world: World, forger: World) -> None:
    """A receipt of the attacker's deployment fails offline and online, naming it and `notary trust add`;
    the genuine receipt verifies and names the deployment it trusted; pinning the forgery (the user's
    explicit choice) makes it verify."""
    digest, forged = executed(forger, "forged MoU")
    for v in (verify_offline(forged, digest, world.pinned), verify_online(world.chain, forged, digest, world.pinned)):
        assert not v.ok and v.deployment is None and v.to_json()["deployment"] is None
        (reason,) = [r for r in v.reasons if "not pinned" in r]
        assert forger.gw.deployment.ledger.address in reason and forger.gw.deployment.registry.address in reason
        assert (
            f"notary trust add --chain-id {world.chain.chain_id} --ledger {forger.gw.deployment.ledger.address}"
            in reason
        )
    assert not verify_offline(forged, digest, Anchors()).ok  # an empty policy trusts nothing
    genuine_digest, genuine = executed(world, "genuine MoU")
    v = verify_online(world.chain, genuine, genuine_digest, world.pinned)
    assert v.ok, v.reasons
    assert v.to_json()["deployment"] == {
        "chainId": world.chain.chain_id, "ledger": world.gw.deployment.ledger.address,
        "registry": world.gw.deployment.registry.address, "ledgerCodeHash": None, "registryCodeHash": None,
        "label": "", "pinnedBy": MANIFEST, "pinFile": "",
    }  # fmt: skip
    both = world.pinned + store_pin(forger)
    assert verify_offline(forged, digest, both).ok
    online = verify_online(world.chain, forged, digest, both)
    assert online.ok and online.deployment is not None and online.deployment.source == "trust store"


def test_unsafe_receipt_deployment_verifies_a_forgery_with_a_warning(world: World, forger: World) -> None:
    """--trust-receipt-deployment trusts the receipt's own addresses: the forgery passes, with a warning
    saying so, and the verdict says where the deployment was pinned: by the receipt."""
    digest, forged = executed(forger, "forged treaty")
    c = forged.chain
    v = verify_online(world.chain, forged, digest, unsafe_receipt_deployment(c.chain_id, c.ledger, c.registry))
    assert v.ok and any("--trust-receipt-deployment" in w for w in v.warnings)
    assert v.to_json()["deployment"]["pinnedBy"].startswith("receipt (unsafe")  # type: ignore[index]


def test_registry_swap_fails(world: World, forger: World) -> None:
    """SGP's key is declared compromised after it signed: the genuine receipt no longer verifies. A receipt
    built from the genuine ledger with the attacker's registry (holding that key as valid) fails offline
    and online; trusting the receipt's own addresses, offline passes but the ledger's registry() refuses it."""
    stolen = world.signers["SGP"]
    for party in ("FRA", "SGP"):  # the attacker's registry lists the genuine (public) key addresses as valid
        registry.add_signer(forger.gw, forger.controllers[party], party, world.signers[party].address, 0)
    digest = sha("MoU signed with a key compromised since")
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    signed = world.act(rid, "SGP")
    registry.revoke_signer(
        world.gw, world.controllers["SGP"], "SGP", stolen.address, world.chain.block_timestamp(signed.block_number)
    )
    assert not verify_online(world.chain, roundtrip(record_receipt(world.gw, rid)), digest, world.pinned).ok
    swapped = replace(world.gw.deployment, registry=forger.gw.deployment.registry)
    forged = roundtrip(record_receipt(LedgerGateway(world.chain, swapped), rid))
    assert forged.chain.ledger == world.gw.deployment.ledger.address
    assert forged.chain.registry == forger.gw.deployment.registry.address
    for v in (verify_offline(forged, digest, world.pinned), verify_online(world.chain, forged, digest, world.pinned)):
        assert not v.ok
        assert any(f"pinned with registry {world.gw.deployment.registry.address}" in r for r in v.reasons), v.reasons
    c = forged.chain
    unsafe = unsafe_receipt_deployment(c.chain_id, c.ledger, c.registry)
    assert verify_offline(forged, digest, unsafe).ok  # what the receipt says is consistent: why it is unsafe
    online = verify_online(world.chain, forged, digest, unsafe)
    assert not online.ok
    assert any(f"says its registry is {world.gw.deployment.registry.address}" in r for r in online.reasons)


def test_code_hashes_must_be_the_pinned_ones_online(world: World) -> None:
    """A trust store pin carries both code hashes: the node's code must hash to them, and the genuine
    contracts are this version's compiled artifacts (immutables masked), so there is no warning."""
    digest, r = executed(world, "code hashes")
    pinned = store_pin(world)
    v = verify_online(world.chain, r, digest, pinned)
    assert v.ok and v.warnings == [] and v.deployment is not None and v.deployment.ledger_code_hash
    wrong = Anchors((replace(pinned.pins[0], ledger_code_hash="0x" + "00" * 32),))
    assert verify_offline(r, digest, wrong).ok  # offline cannot read code
    online = verify_online(world.chain, r, digest, wrong)
    assert not online.ok and any("the ledger's code on chain hashes to" in x for x in online.reasons)


def test_a_pinned_address_without_the_contracts_fails_online(world: World) -> None:
    """A pinned deployment whose registry address holds no code on this node (reset chain) fails online."""
    digest, r = executed(world, "reset chain")
    d = world.gw.deployment
    nothing = replace(d, registry=replace(d.registry, address="0x" + "12" * 20))
    forged = roundtrip(replace(r, chain=replace(r.chain, registry=nothing.registry.address)))
    pin = unsafe_receipt_deployment(r.chain.chain_id, r.chain.ledger, forged.chain.registry)
    v = verify_online(world.chain, forged, digest, pin)
    assert not v.ok and any("no contract at registry" in x for x in v.reasons)


# --------------------------------------------------------------------- the commands, against a real node


@pytest.mark.anvil
def test_cli_forged_receipt_fails_until_pinned(
    anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's scenario through the CLI: `notary verify forged.txt --receipt forged.json` exits 1 and
    names the fix; `trust add` pins it (read from the node), `trust list` shows it, `trust remove`
    unpins it; --trust-receipt-deployment passes it once with a warning. The genuine receipt names the
    manifest that pinned it."""
    from acts_helpers import build, isolate

    from notary.cli.app import main

    isolate(monkeypatch, tmp_path)
    genuine, forger = build(anvil_url, tmp_path / "genuine"), build(anvil_url, tmp_path / "forger")

    def run(flags: list[str], *args: str) -> tuple[int, str]:
        code = main([*flags, *args])
        out, err = capsys.readouterr()
        return code, out + err

    doc, forged = tmp_path / "forged.txt", tmp_path / "forged.json"
    doc.write_text("MoU that FRA and SGP never signed\n")
    as_fra, as_sgp = ["--as", "FRA", "--key", "fra-signer"], ["--as", "SGP", "--key", "sgp-signer"]
    assert (
        run(forger.flags("FRA"), "notarise", str(doc), *as_fra, "--parties", "FRA,SGP", "--kind", "mou", "--json")[0]
        == 0
    )
    assert run(forger.flags("SGP"), "sign", str(doc), *as_sgp, "--receipt-out", str(forged), "--json")[0] == 0
    me = genuine.flags("FRA")  # the verifier: the genuine manifest configured, nothing else pinned
    d = forger.gw.deployment
    fix = f"notary trust add --chain-id {d.chain_id} --ledger {d.ledger.address} --registry {d.registry.address}"
    for extra in ((), ("--offline",)):
        code, out = run(me, "verify", str(doc), "--receipt", str(forged), *extra)
        assert code == 1 and "NOT VERIFIED" in out and fix in out and "deployment: none (not pinned)" in out, out
    code, out = run(me, "verify", str(doc), "--receipt", str(forged), "--trust-receipt-deployment")
    assert code == 0 and "--trust-receipt-deployment" in out and "pinned by the receipt (unsafe" in out, out
    code, out = run(me, *fix.split()[1:], "--label", "not ours")
    assert code == 0 and f"pinned chain {d.chain_id}, ledger {d.ledger.address}" in out, out
    code, out = run(me, "trust", "list", "--json")
    listed = json.loads(out)["deployments"]
    assert [(p["ledger"], p["pinnedBy"], p["label"]) for p in listed] == [
        (d.ledger.address, "trust store", "not ours"),
        (genuine.gw.deployment.ledger.address, "manifest", ""),
    ]
    assert listed[0]["ledgerCodeHash"].startswith("0x") and listed[1]["ledgerCodeHash"] is None
    code, out = run(me, "verify", str(doc), "--receipt", str(forged), "--json")
    verdict = json.loads(out)
    assert code == 0 and verdict["deployment"]["pinnedBy"] == "trust store", verdict
    assert run(me, "trust", "remove", d.ledger.address)[0] == 0
    assert run(me, "verify", str(doc), "--receipt", str(forged), "--offline")[0] == 1
    code, out = run(me, "trust", "remove", d.ledger.address)
    assert code == 3 and "is not in the trust store" in out
    # A deployment that is not what it claims is refused at pin time: the ledger names another registry.
    code, out = run(me, "trust", "add", "--chain-id", str(d.chain_id), "--ledger", d.ledger.address,
                    "--registry", genuine.gw.deployment.registry.address)  # fmt: skip
    assert code == 3 and "says its registry is" in out, out
    # The genuine receipt verifies, naming the manifest that pinned its deployment.
    good = tmp_path / "good.txt"
    good.write_text("A genuine MoU\n")
    receipt = tmp_path / "good.json"
    assert (
        run(
            me,
            "notarise",
            str(good),
            *as_fra,
            "--parties",
            "FRA",
            "--kind",
            "mou",
            "--receipt-out",
            str(receipt),
            "--json",
        )[0]
        == 0
    )
    code, out = run(me, "verify", str(good), "--receipt", str(receipt))
    assert code == 0 and f"pinned by the manifest {genuine.manifest}" in out, out
