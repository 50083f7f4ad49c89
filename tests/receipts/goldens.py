"""The golden receipts: a deterministic in-process chain, fixed keys, three valid receipts, and one
invalid file per failure mode derived from them.

Deterministic: the genesis time is far in the future (py-evm then stamps each block with
its parent's time + 1, whatever the clock), every block's mix hash is derived from its
number (eth-tester draws it at random), keys come from fixed seeds and ECDSA signing is
deterministic (RFC 6979). Regenerating therefore reproduces the committed files byte for
byte, which the tests check. Regenerate only for a new major version of the format, or when
the compiled contracts change (a transaction's gas limit, hence its hash, follows the bytecode;
delete the old `*.receipt.json` first so that no retired failure mode lingers):

    .venv/bin/python tests/receipts/goldens.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_tester import EthereumTester, PyEVMBackend
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider

from notary import batch, eip712, instruments, ledger, receipts, registry, trust
from notary.chain.connect import IN_PROCESS, Chain
from notary.chain.deploy import deploy
from notary.chain.gateway import LedgerGateway
from notary.codes import party_code
from notary.models import Act, Intent, Terms, record_id
from notary.receipts.build import anchor_evidence, chain_ref, record_receipt

GOLDEN = Path(__file__).resolve().parent / "golden"
#: The goldens' deployment (fixed keys and nonces on eth-tester's chain): tests pin it explicitly.
GOLDEN_DEPLOYMENT = (
    131277322940537,
    "0xa5C24295FEeDf8Fc37DbC9Bc8eE8beb29cf8b5F5",
    "0x8aF0c5b17b4bCfD9a7a043B1f1011a26f60669Dd",
)
GOLDEN_PIN = trust.Anchors((trust.Pin(*GOLDEN_DEPLOYMENT, label="golden receipts", source="golden test pin"),))
GENESIS_TIME = 4_000_000_000  # 2096: block times are then parent + 1, independent of the clock
PARTIES = (("FRA", "French Republic"), ("SGP", "Republic of Singapore"))


class DeterministicBackend(PyEVMBackend):
    """py-evm without randomness: each block's mix hash (prevrandao) derives from its number."""

    def __init__(self) -> None:
        super().__init__(genesis_parameters=PyEVMBackend.generate_genesis_params({"timestamp": GENESIS_TIME}))

    def mine_blocks(self, num_blocks: int = 1, coinbase: Any = b"\0" * 20) -> tuple[bytes, ...]:
        hashes = []
        for _ in range(num_blocks):
            number = self.chain.header.block_number
            mix = keccak(b"notary golden block" + number.to_bytes(8, "big"))
            hashes.append(self.chain.mine_block(coinbase=coinbase, mix_hash=mix, blob_gas_used=0).hash)
        return tuple(hashes)


def deterministic_chain() -> Chain:
    tester = EthereumTester(DeterministicBackend())
    w3 = Web3(EthereumTesterProvider(tester))
    return Chain(w3=w3, chain_id=int(w3.eth.chain_id), url=IN_PROCESS, tester=tester)


def key(label: str) -> LocalAccount:
    return Account.from_key(keccak(b"notary golden key " + label.encode()))


@dataclass
class GoldenWorld:
    chain: Chain
    gw: LedgerGateway
    relayer: LocalAccount
    signers: dict[str, LocalAccount]
    controllers: dict[str, LocalAccount]

    @classmethod
    def build(cls) -> GoldenWorld:
        chain = deterministic_chain()
        depositary, relayer = key("depositary"), key("relayer")
        for a in (depositary, relayer):
            chain.fund(a.address)
        gw = LedgerGateway(chain, deploy(chain, depositary))
        signers, controllers = {}, {}
        for code, name in PARTIES:
            controllers[code], signers[code] = key(f"{code} controller"), key(f"{code} signer")
            chain.fund(controllers[code].address)
            registry.register_party(gw, depositary, code, name, controllers[code].address)
            registry.add_signer(gw, controllers[code], code, signers[code].address, 0)
        return cls(chain, gw, relayer, signers, controllers)

    def sign_and_submit(self, payload: Any, party: str) -> None:
        ledger.submit(self.gw, self.relayer, ledger.sign(payload, self.gw.domain, self.signers[party]))

    def cosigned(self, n: Any) -> bytes:
        """FRA submits notarisation `n`; SGP co-signs it. Returns the record id."""
        self.sign_and_submit(n, "FRA")
        rid = record_id(n.digest, party_code("FRA"))
        act = ledger.prepare_act(n.terms, "SGP", Intent.SIGNATURE, ledger.default_deadline(self.gw))
        self.sign_and_submit(act, "SGP")
        return rid


# --------------------------------------------------------------------- documents

MOU = b"Memorandum of Understanding between the French Republic and the Republic of Singapore\n"
TREATY_EN = b"Treaty of friendship, English text: both texts are equally authentic.\n"
TREATY_FR = b"Traite d'amitie, texte francais : les deux textes font egalement foi.\n"
MAP = b"Annex I: map of the maritime boundary (placeholder for an image)\n"
CERTIFICATES = [f"Consular certificate no. {i:04d}\n".encode() for i in range(10)]
MEMBER = 3
DOCUMENTS = {
    "mou.txt": MOU,
    "treaty-en.txt": TREATY_EN,
    "treaty-fr.txt": TREATY_FR,
    "map.txt": MAP,
    f"certificate-{MEMBER:04d}.txt": CERTIFICATES[MEMBER],
}


def valid_receipts() -> dict[str, bytes]:
    """The three valid golden receipts, built on a fresh deterministic chain."""
    w = GoldenWorld.build()
    sha = lambda b: hashlib.sha256(b).digest()  # noqa: E731
    # 1. A bilateral MoU, titled.
    title = {"title": "MoU on cyber-incident information sharing"}
    n = ledger.prepare_notarisation(
        digest=sha(MOU), party="FRA", parties=["FRA", "SGP"], quorum=2, kind="mou",
        deadline=ledger.default_deadline(w.gw), metadata=title,
    )  # fmt: skip
    rid = w.cosigned(n)
    bilateral = record_receipt(w.gw, rid, metadata=title)
    # 2. A two-language treaty with a map annex.
    inst = instruments.build(
        [
            instruments.InstrumentText("treaty-en.txt", instruments.TEXT, sha(TREATY_EN)),
            instruments.InstrumentText("treaty-fr.txt", instruments.TEXT, sha(TREATY_FR)),
            instruments.InstrumentText("map.txt", instruments.ANNEX, sha(MAP)),
        ]
    )
    meta = inst.metadata("Treaty of friendship")
    n = ledger.prepare_notarisation(
        digest=inst.digest, party="FRA", parties=["FRA", "SGP"], quorum=2, kind="treaty",
        deadline=ledger.default_deadline(w.gw), metadata=meta, algorithm=instruments.ALGORITHM,
    )  # fmt: skip
    rid = w.cosigned(n)
    multi = record_receipt(w.gw, rid, metadata=meta, instrument=inst)
    # 3. A batch of ten consular certificates.
    digests = [sha(c) for c in CERTIFICATES]
    tree = batch.tree_of(digests)
    meta = batch.anchor_metadata(len(digests), "Consular certificates")
    w.sign_and_submit(batch.prepare_anchor(tree.root, "FRA", ledger.default_deadline(w.gw), meta), "FRA")
    evidence = anchor_evidence(w.gw, tree.root, "FRA")
    bundle = batch.Bundle(
        chain_ref(w.gw), meta, evidence, tuple(f"certificate-{i:04d}.txt" for i in range(10)), tuple(digests)
    )
    member = bundle.receipt(MEMBER, tree)
    return {
        "valid-bilateral-record.receipt.json": receipts.dumps(bilateral),
        "valid-multi-text.receipt.json": receipts.dumps(multi),
        "valid-batch-member.receipt.json": receipts.dumps(member),
    }


# --------------------------------------------------------------------- invalid files, one per failure mode


def _edit(raw: bytes, change: Callable[[dict[str, Any]], None], reseal: bool = True) -> bytes:
    """Apply `change` to the parsed receipt; reseal so that only the intended failure remains."""
    body = json.loads(raw)
    change(body)
    if reseal:
        sections = {k: v for k, v in body.items() if k not in ("mediaType", "version", "seal")}
        body["seal"]["sections"] = receipts.seal_of(sections)
    return bytes(rfc8785.dumps(body))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = body
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _flip_hex(value: str, at: int = -1) -> str:
    chars = list(value)
    chars[at] = "0" if chars[at] != "0" else "1"
    return "".join(chars)


def invalid_receipts(valid: dict[str, bytes]) -> dict[str, bytes]:
    """One invalid file per failure mode, each with the one defect its name says."""
    base = valid["valid-bilateral-record.receipt.json"]
    multi = valid["valid-multi-text.receipt.json"]
    member = valid["valid-batch-member.receipt.json"]
    body = json.loads(base)
    fra, sgp = body["record"]["attestations"]
    twin = "0x" + eip712.malleable_twin(bytes.fromhex(sgp["signature"][2:])).hex()
    forged = _flip_hex(sgp["signature"], 80)  # inside s: recovers to another address
    too_early, too_late = str(int(sgp["time"]) + 1), str(int(sgp["message"]["deadline"]) + 1)
    pretty = json.dumps(body, indent=2, sort_keys=True).encode()

    def drop_sgp(b: dict[str, Any]) -> None:
        b["record"]["attestations"] = b["record"]["attestations"][:1]

    def duplicate_key(raw: bytes) -> bytes:
        return raw.replace(b'"version":2', b'"version":2,"version":2')

    # SGP's genuine signature, by its own key, over an act on other terms (quorum 1): not this record's.
    t = body["record"]["terms"]
    b32 = lambda name: bytes.fromhex(t[name][2:])  # noqa: E731
    other = Terms(
        b32("digest"), b32("hashAlgorithm"), b32("kind"), b32("submitter"),
        tuple(bytes.fromhex(x[2:]) for x in t["parties"]), 1, b32("supersedes"), b32("metadataHash"),
        t["ratificationRequired"],
    )  # fmt: skip
    domain = eip712.Domain(body["chain"]["chainId"], body["chain"]["ledger"])
    elsewhere = Act(other, party_code("SGP"), Intent.SIGNATURE, "", int(sgp["message"]["deadline"]))
    other_terms = "0x" + eip712.sign(elsewhere, domain, key("SGP signer").key).hex()
    wider = [dict(f, type="uint256") if f["name"] == "deadline" else f for f in body["eip712"]["types"]["Act"]["Act"]]
    void_claim = {
        "time": sgp["time"], "transaction": sgp["transaction"], "blockNumber": sgp["blockNumber"],
        "blockHash": sgp["blockHash"], "logIndex": sgp["logIndex"] + 1,
    }  # fmt: skip

    return {
        # parsing
        "invalid-oversize.receipt.json": base + b" " * (receipts.MAX_BYTES + 1 - len(base)),
        "invalid-not-utf8.receipt.json": base.replace(b'"FRA"', b'"\xffRA"', 1),
        "invalid-not-json.receipt.json": base[: len(base) // 2],
        "invalid-trailing-data.receipt.json": base + b"\n",
        "invalid-duplicate-key.receipt.json": duplicate_key(base),
        "invalid-not-canonical.receipt.json": pretty,
        "invalid-media-type.receipt.json": _edit(base, _set("mediaType", "application/json"), reseal=False),
        "invalid-version.receipt.json": _edit(base, _set("version", 3), reseal=False),
        "invalid-protocol-v1.receipt.json": _edit(base, _set("version", 1), reseal=False),
        "invalid-eip712-types.receipt.json": _edit(base, _set("eip712.types.Act.Act", wider)),
        "invalid-unknown-field.receipt.json": _edit(base, _set("record.note", "trust me")),
        "invalid-missing-field.receipt.json": _edit(base, lambda b: b["record"].pop("quorum")),
        "invalid-field-value.receipt.json": _edit(base, _set("record.attestations.1.signer", sgp["signer"].lower())),
        "invalid-limit.receipt.json": _edit(member, _set("batch.proof", ["0x" + "11" * 32] * 65)),
        # verification
        "invalid-altered-unsealed.receipt.json": _edit(base, _set("record.attestations.1.blockNumber", 9), False),
        "invalid-signature.receipt.json": _edit(base, _set("record.attestations.1.signature", forged)),
        "invalid-other-terms.receipt.json": _edit(base, _set("record.attestations.1.signature", other_terms)),
        "invalid-void-claim.receipt.json": _edit(base, _set("record.attestations.1.voided", void_claim)),
        "invalid-malleable-signature.receipt.json": _edit(base, _set("record.attestations.1.signature", twin)),
        "invalid-payload-mismatch.receipt.json": _edit(base, _set("record.quorum", 1)),
        "invalid-record-id.receipt.json": _edit(base, _set("record.recordId", _flip_hex(body["record"]["recordId"]))),
        "invalid-key-window.receipt.json": _edit(base, _set("record.attestations.1.signerKey.validFrom", too_early)),
        "invalid-key-revoked.receipt.json": _edit(base, _set("record.attestations.0.signerKey.revokedAt", fra["time"])),
        "invalid-expired.receipt.json": _edit(base, _set("record.attestations.1.time", too_late)),
        "invalid-quorum.receipt.json": _edit(base, drop_sgp),
        "invalid-status.receipt.json": _edit(base, _set("record.status", "annulled")),
        "invalid-metadata.receipt.json": _edit(base, _set("metadata.title", "Another title")),
        "invalid-text-path.receipt.json": _edit(multi, _set("document.texts.1.proof.0", "0x" + "22" * 32)),
        "invalid-text-role.receipt.json": _edit(multi, _set("document.texts.2.role", "text")),
        "invalid-batch-path.receipt.json": _edit(member, _set("batch.proof.0", "0x" + "33" * 32)),
    }  # fmt: skip


def all_goldens() -> dict[str, bytes]:
    valid = valid_receipts()
    return {**valid, **invalid_receipts(valid), **DOCUMENTS}


def write(folder: Path = GOLDEN) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, raw in all_goldens().items():
        (folder / name).write_bytes(raw)


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else GOLDEN)
