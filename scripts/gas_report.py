#!/usr/bin/env python3
"""Gas used by each registry and ledger operation, measured on the in-process chain, with
two reference contracts compiled and measured in the same run.

    python scripts/gas_report.py           # a table
    python scripts/gas_report.py --json    # machine-readable

Builds a fresh ledger on eth-tester (py-evm), runs every operation once and reports the
receipt's gas used (`TxResult.gas_used`: intrinsic 21,000 and calldata included). Keys,
digests and deadlines are fixed, and ECDSA signatures are deterministic (RFC 6979), so the
same contracts give the same numbers on every run.

The references (`scripts/gas_reference/`, compiled here with the project's solc and
settings): `StoreAndEmit` stores a bytes32 and emits an event; `SignedStore` verifies an
EIP-712 signature with OpenZeppelin's SignatureChecker, stores and emits. Each ledger act
is printed as a ratio to the signature reference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak

from notary import ledger, merkle, registry
from notary.chain import artifacts, tx
from notary.chain.connect import Chain, in_process
from notary.chain.gateway import LedgerGateway
from notary.chain.tx import TxResult
from notary.codes import party_code, text_to_bytes32
from notary.deployment import DeployedContract, Deployment
from notary.models import BatchAnchor, Intent, record_id
from notary.testing import World

#: A fixed deadline far in the future (year 36812): keeps the signed payloads reproducible.
DEADLINE = 2**40
PARTIES = (
    ("FRA", "French Republic"),
    ("SGP", "Republic of Singapore"),
    ("DEU", "Federal Republic of Germany"),
    ("ITA", "Italian Republic"),
    ("JPN", "Japan"),
)


def key(label: str) -> LocalAccount:
    """A deterministic key for `label`."""
    return Account.from_key(keccak(b"notary gas report/" + label.encode()))


def doc(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


class Bench:
    """A ledger world with deterministic keys and the gas of every measured operation."""

    def __init__(self, chain: Chain) -> None:
        self.rows: list[tuple[str, int]] = []
        depositary, relayer = key("depositary"), key("relayer")
        chain.fund(depositary.address)
        chain.fund(relayer.address)
        reg_art, led_art = artifacts.load("IdentityRegistry"), artifacts.load("NotaryLedger")
        reg = self.measure(
            "deploy IdentityRegistry",
            tx.deploy(chain, reg_art.abi, reg_art.bytecode, depositary, depositary.address),
        )
        reg_address = tx.contract_address(chain, reg)
        led = self.measure(
            "deploy NotaryLedger",
            tx.deploy(chain, led_art.abi, led_art.bytecode, depositary, reg_address),
        )
        deployment = Deployment(
            chain_id=chain.chain_id,
            registry=DeployedContract(reg_address, reg.block_number, reg.transaction, reg_art.sources_hash),
            ledger=DeployedContract(
                tx.contract_address(chain, led), led.block_number, led.transaction, led_art.sources_hash
            ),
            depositary=depositary.address,
        )
        self.world = World(chain, LedgerGateway(chain, deployment), depositary, relayer)

    def measure(self, operation: str, result: TxResult) -> TxResult:
        self.rows.append((operation, result.gas_used))
        return result

    def add_party(self, code: str, name: str, label: str | None = None) -> None:
        """Register `code` with a controller and one signer key; measure it if `label` is set."""
        w = self.world
        controller, signer = key(f"{code}/controller"), key(f"{code}/signer")
        w.chain.fund(controller.address)
        registered = registry.register_party(w.gw, w.depositary, code, name, controller.address)
        added = registry.add_signer(w.gw, controller, code, signer.address, 0)
        w.controllers[code], w.signers[code] = controller, signer
        if label:
            self.measure("registerParty", registered)
            self.measure("addSigner", added)

    def notarise(self, label: str, parties: Sequence[str], ratification: bool = False) -> tuple[bytes, TxResult]:
        n = ledger.prepare_notarisation(
            digest=doc(label),
            party="FRA",
            parties=parties,
            quorum=None,
            kind="treaty",
            deadline=DEADLINE,
            metadata={"title": label},
            ratification=ratification,
        )
        w = self.world
        result = ledger.submit(w.gw, w.relayer, ledger.sign(n, w.gw.domain, w.signers["FRA"]))
        return record_id(n.digest, n.party), result

    def act(self, rid: bytes, party: str, intent: Intent = Intent.SIGNATURE, reason: str = "") -> TxResult:
        w = self.world
        a = ledger.prepare_act(w.gw.terms(rid), party, intent, DEADLINE, reason)
        return ledger.submit(w.gw, w.relayer, ledger.sign(a, w.gw.domain, w.signers[party]))

    def executed(self, label: str, ratification: bool = False) -> bytes:
        rid, _ = self.notarise(label, ("FRA", "SGP"), ratification)
        self.act(rid, "SGP")
        return rid

    def run(self) -> list[tuple[str, int]]:
        w = self.world
        for i, (code, name) in enumerate(PARTIES):
            self.add_party(code, name, label=code if i == 0 else None)
        spare = key("FRA/spare")
        registry.add_signer(w.gw, w.controllers["FRA"], "FRA", spare.address, 0)
        self.measure(
            "revokeSigner",
            registry.revoke_signer(w.gw, w.controllers["FRA"], "FRA", spare.address, 1),
        )
        self.add_party("UN", "United Nations")
        self.measure("suspendParty", w.gw.suspend_party(w.depositary, party_code("UN")))

        rid, result = self.notarise("bilateral", ("FRA", "SGP"))
        self.measure("notarise (2 parties)", result)
        self.measure("act signature (executing, 2 of 2)", self.act(rid, "SGP"))
        _, result = self.notarise("multilateral", [p for p, _ in PARTIES])
        self.measure("notarise (5 parties)", result)

        rid = self.executed("to ratify", ratification=True)
        self.act(rid, "FRA", Intent.RATIFICATION)
        self.measure("act ratification (putting in force)", self.act(rid, "SGP", Intent.RATIFICATION))
        rid = self.executed("to annul")
        self.act(rid, "FRA", Intent.ANNULMENT, "signed in error")
        self.measure("act annulment (annulling)", self.act(rid, "SGP", Intent.ANNULMENT, "agreed"))
        rid = self.executed("to withdraw from")
        self.measure("act withdrawal (terminating)", self.act(rid, "SGP", Intent.WITHDRAWAL, "denounced"))
        rid, _ = self.notarise("to cancel", ("FRA", "SGP"))
        self.measure("act cancellation", self.act(rid, "FRA", Intent.CANCELLATION, "draft error"))

        tree = merkle.MerkleTree([doc(f"certificate {i}") for i in range(1000)])
        b = BatchAnchor(tree.root, party_code("FRA"), text_to_bytes32("sha256"), bytes(32), DEADLINE)
        signed = ledger.sign(b, w.gw.domain, w.signers["FRA"])
        self.measure("anchor (batch of 1,000)", ledger.submit(w.gw, w.relayer, signed))
        return self.rows


REFERENCE_DIR = Path(__file__).resolve().parent / "gas_reference"
#: Protocol v2 targets (issue: "Ledger protocol v2"); None: no target.
TARGETS = {
    "notarise (2 parties)": 160_000,
    "act signature (executing, 2 of 2)": 75_000,
    "act ratification (putting in force)": 75_000,
    "act annulment (annulling)": 75_000,
    "act withdrawal (terminating)": 75_000,
    "act cancellation": 75_000,
    "anchor (batch of 1,000)": 65_000,
}


def references(chain: Chain) -> dict[str, int]:
    """Compile the two reference contracts and measure one call of each."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import compile_contracts as cc

    compiler = cc.resolve_compiler(cc.read_pins().solc)
    sources = cc.load_sources(REFERENCE_DIR)
    output = cc.run_solc(compiler, sources, dict(cc.SETTINGS, viaIR=True), REFERENCE_DIR.parent)
    built = {
        name: c for unit, cs in output["contracts"].items() if unit.startswith(cc.UNIT_PREFIX) for name, c in cs.items()
    }
    sender = key("reference")
    chain.fund(sender.address)
    out: dict[str, int] = {}
    store = built["StoreAndEmit"]
    r = tx.deploy(chain, store["abi"], store["evm"]["bytecode"]["object"], sender)
    c = chain.w3.eth.contract(address=tx.contract_address(chain, r), abi=store["abi"])
    out["reference: store bytes32 + event"] = tx.send(chain, c.functions.store(doc("ref")), sender).gas_used
    signed = built["SignedStore"]
    r = tx.deploy(chain, signed["abi"], signed["evm"]["bytecode"]["object"], sender)
    c = chain.w3.eth.contract(address=tx.contract_address(chain, r), abi=signed["abi"])
    signer = key("reference signer")
    digest = bytes(tx.call(c.functions.hash(doc("ref"), DEADLINE)))
    sig = bytes(Account._sign_hash(digest, signer.key).signature)
    call = c.functions.store(doc("ref"), DEADLINE, signer.address, sig)
    out["reference: EIP-712 signature + store + event"] = tx.send(chain, call, sender).gas_used
    return out


def render(rows: list[tuple[str, int]], refs: dict[str, int]) -> str:
    signature_ref = refs["reference: EIP-712 signature + store + event"]
    width = max(len(op) for op, _ in [*rows, *refs.items()])
    head = f"{'operation':<{width}}  {'gas used':>9}  {'× sig ref':>9}  {'target':>9}"
    lines = [head, "-" * len(head)]
    for op, gas in rows:
        target = TARGETS.get(op)
        mark = "" if target is None else (" ok" if gas <= target else " OVER")
        ratio = f"{gas / signature_ref:>9.2f}" if op.startswith(("act", "anchor", "notarise")) else " " * 9
        lines.append(f"{op:<{width}}  {gas:>9,}  {ratio}  {'' if target is None else f'{target:,}':>9}{mark}")
    lines.append("-" * len(head))
    lines += [f"{op:<{width}}  {gas:>9,}  {gas / signature_ref:>9.2f}" for op, gas in refs.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    chain = in_process()
    rows = Bench(chain).run()
    refs = references(chain)
    if args.json:
        body = {
            "chain": "in-process (eth-tester, py-evm)",
            "sourcesHash": artifacts.load("NotaryLedger").sources_hash,
            "operations": [{"operation": op, "gas_used": gas, "target": TARGETS.get(op)} for op, gas in rows],
            "references": [{"operation": op, "gas_used": gas} for op, gas in refs.items()],
        }
        print(json.dumps(body, indent=2))
    else:
        print(render(rows, refs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
