"""The demonstration: the whole product in one story, on any chain the caller connects.

`notary demo` runs it on the in-process chain. In order:

1. registration: the depositary deploys the registry and the ledger and registers France
   and Singapore; each controller authorises a signing key;
2. a bilateral MoU: France notarises the sample MoU; Singapore signs it offline (terms
   file in, signed act out) and a relayer, who holds no ministry key, submits it;
3. a receipt of the MoU, verified offline against the pinned deployment;
4. a treaty that requires ratification: both sign, both ratify, it enters into force;
5. an amendment superseding the MoU, signed by both;
6. a key compromise: a thief with Singapore's key withdraws it from the treaty, which
   terminates; Singapore declares the key compromised from that moment, anyone voids the
   forged act, the treaty is in force again, Singapore authorises a new key;
7. 1,000 consular certificates anchored by France under one signed Merkle root, and one
   certificate's receipt (its Merkle proof) verified offline;
8. the audit trail: every event indexed, exported (CSV and PDF) and verified against the
   chain, the voided act showing as a note.

Every step calls the library's use cases (`ledger`, `registry`, `batch`, the receipts,
the index and `audit`); nothing here re-implements them. The files it writes (terms, the
signed act, receipts, the bundle, the exports) stay in `out` for a look afterwards.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary import batch, ledger, lifecycle, receipts, registry, signed_payload, terms_file, trust
from notary.chain.connect import Chain
from notary.chain.deploy import deploy
from notary.chain.gateway import LedgerGateway
from notary.codes import party_code
from notary.hashing import sha256_file
from notary.models import Intent, Record, SignerKey, record_id, timestamp_text
from notary.receipts.verify import verify_offline
from notary.verify import Verdict, verify_digest

SAMPLE_MOU = Path(__file__).resolve().parents[2] / "examples" / "mou-cyber-incident-sharing.md"
STATES = (("FRA", "French Republic"), ("SGP", "Republic of Singapore"))
BATCH_SIZE = 1000
TREATY = "Treaty of Friendship and Cooperation between the French Republic and the Republic of Singapore\n"
AMENDMENT = "\n## Amendment No. 1\n\nArticle 4 is replaced: incidents are shared within 24 hours.\n"

Say = Callable[[str], None]


@dataclass(frozen=True)
class Step:
    """One chapter of the story: a machine name, a sentence for people, and its outcome as JSON values."""

    name: str
    title: str
    facts: dict[str, Any]


@dataclass(frozen=True)
class DemoResult:
    document: Path
    digest: bytes
    record: Record  # the MoU as co-signed (step 2)
    verdict: Verdict  # the MoU file verified against the ledger then
    gas: dict[str, int]
    steps: tuple[Step, ...] = ()
    records: dict[str, Record] = field(default_factory=dict)  # every record of the story, as it ends
    outputs: dict[str, Path] = field(default_factory=dict)
    out: Path | None = None
    keys: dict[tuple[str, str], SignerKey] = field(default_factory=dict)  # the keys of acts that do not count


class _Story:
    def __init__(self, chain: Chain, out: Path, say: Say) -> None:
        self.chain, self.out, self.say = chain, out, say
        self.gas: dict[str, int] = {}
        self.steps: list[Step] = []
        self.outputs: dict[str, Path] = {}
        self.depositary, self.relayer = Account.create(), Account.create()
        self.controllers: dict[str, LocalAccount] = {code: Account.create() for code, _ in STATES}
        self.signers: dict[str, LocalAccount] = {code: Account.create() for code, _ in STATES}
        for acct in (self.depositary, self.relayer, *self.controllers.values()):
            chain.fund(acct.address)
        self.gw: LedgerGateway

    def step(self, name: str, title: str, **facts: Any) -> None:
        self.steps.append(Step(name, title, facts))

    def file(self, name: str, path: Path) -> Path:
        self.outputs[name] = path
        return path

    def send(self, label: str, payload: Any, party: str) -> Any:
        """Sign `payload` as `party` and relay it; the gas goes under `label`."""
        result = ledger.submit(self.gw, self.relayer, ledger.sign(payload, self.gw.domain, self.signers[party]))
        self.gas[label] = result.gas_used
        return result

    def notarise(self, digest: bytes, label: str, **kwargs: Any) -> bytes:
        payload = ledger.prepare_notarisation(
            digest=digest, party="FRA", deadline=ledger.default_deadline(self.gw), **kwargs
        )
        self.send(label, payload, "FRA")
        return record_id(digest, party_code("FRA"))

    def act(self, rid: bytes, party: str, intent: Intent, label: str, reason: str = "") -> Any:
        payload = ledger.prepare_act(self.gw.terms(rid), party, intent, ledger.default_deadline(self.gw), reason)
        return self.send(label, payload, party)

    def status(self, rid: bytes) -> str:
        return self.gw.record(rid, with_attestations=False).status.label

    def document(self, key: str, name: str, content: bytes) -> tuple[Path, bytes]:
        """Write a document of the story as `out/name`; its path goes in the outputs under `key`."""
        path = self.file(key, self.out / name)
        path.write_bytes(content)
        return path, sha256_file(path)


def run_demo(
    chain: Chain,
    document: Path = SAMPLE_MOU,
    say: Say = lambda _: None,
    out: Path | None = None,
    batch_size: int = BATCH_SIZE,
) -> DemoResult:
    """Run the whole story (see the module's steps); files go to `out` (default: a new temporary folder)."""
    digest = sha256_file(document)  # first: a bad path fails before anything is deployed
    folder = Path(tempfile.mkdtemp(prefix="notary-demo-")) if out is None else out
    folder.mkdir(parents=True, exist_ok=True)
    s = _Story(chain, folder, say)
    _register(s)
    mou, record, verdict = _bilateral_mou(s, document, digest)
    _receipt(s, mou, digest)
    treaty = _treaty(s)
    amendment = _amendment(s, mou, document)
    _compromise(s, treaty)
    _batch(s, batch_size)
    _audit(s)
    records = {name: s.gw.record(rid) for name, rid in (("mou", mou), ("treaty", treaty), ("amendment", amendment))}
    keys = {
        (a.party, a.signer): s.gw.signer_key(party_code(a.party), a.signer)
        for r in records.values()
        for a in r.attestations
        if not a.valid
    }
    return DemoResult(document, digest, record, verdict, s.gas, tuple(s.steps), records, dict(s.outputs), folder, keys)


def _register(s: _Story) -> None:
    s.say("the depositary deploys the identity registry and the notary ledger")
    s.gw = LedgerGateway(s.chain, deploy(s.chain, s.depositary))
    for code, name in STATES:
        s.say(f"the depositary registers {code} ({name}); its controller authorises a signing key")
        s.gas["registerParty"] = registry.register_party(
            s.gw, s.depositary, code, name, s.controllers[code].address
        ).gas_used
        s.gas["addSigner"] = registry.add_signer(s.gw, s.controllers[code], code, s.signers[code].address).gas_used
    dep = s.gw.deployment
    dep.save(s.file("deployment", s.out / "deployment.json"))
    s.step(
        "registration",
        "France and Singapore registered, each with a signing key",
        registry=dep.registry.address,
        ledger=dep.ledger.address,
        chainId=s.chain.chain_id,
        parties=[code for code, _ in STATES],
    )


def _bilateral_mou(s: _Story, document: Path, digest: bytes) -> tuple[bytes, Record, Verdict]:
    s.say(f"FRA notarises {document.name} (sha256 {digest.hex()})")
    rid = s.notarise(
        digest,
        "notarise",
        parties=["FRA", "SGP"],
        quorum=2,
        kind="mou",
        metadata={"title": "MoU on Cyber-Incident Information Sharing"},
    )
    s.say("SGP signs offline: the record's terms go to its air-gapped machine, a signed act comes back")
    terms_path = s.file("terms", s.out / "mou.terms.json")
    terms_file.write(s.gw.terms(rid), terms_path)
    act = ledger.prepare_act(terms_file.from_json(terms_path.read_bytes()), "SGP", Intent.SIGNATURE, _deadline(s))
    signed_path = s.file("signedAct", s.out / "mou.sgp-signature.json")
    signed_payload.write(ledger.sign(act, s.gw.domain, s.signers["SGP"]), signed_path)
    s.say("a relayer with no ministry key submits SGP's signed act; the MoU reaches its quorum")
    relayed = ledger.submit(s.gw, s.relayer, signed_payload.read(signed_path))
    s.gas["act(signature)"] = relayed.gas_used
    verdict = verify_digest(s.gw, digest)
    record = s.gw.record(rid)
    s.step(
        "mou",
        f"MoU notarised by FRA, co-signed offline by SGP and relayed: {record.status.label}",
        recordId="0x" + rid.hex(),
        digest=digest.hex(),
        status=record.status.label,
        relayedTransaction=relayed.transaction,
        verified=verdict.ok,
    )
    return rid, record, verdict


def _deadline(s: _Story) -> int:
    return ledger.default_deadline(s.gw)


def _receipt(s: _Story, rid: bytes, digest: bytes) -> None:
    from notary.receipts.build import record_receipt

    s.say("FRA writes the MoU's receipt; a verifier checks it offline, with no node and no service")
    path = s.file("receipt", s.out / "mou.receipt.json")
    receipts.write(record_receipt(s.gw, rid, metadata={"title": "MoU on Cyber-Incident Information Sharing"}), path)
    verdict = verify_offline(receipts.read(path), digest, trust.of_manifest(s.gw.deployment))
    s.step(
        "receipt",
        f"the MoU's receipt {'verifies' if verdict.ok else 'does NOT verify'} offline ({path.stat().st_size:,} bytes)",
        verified=verdict.ok,
        reasons=list(verdict.reasons),
        bytes=path.stat().st_size,
    )


def _treaty(s: _Story) -> bytes:
    _, digest = s.document("treaty", "treaty.md", TREATY.encode())
    s.say("FRA notarises a treaty that requires ratification; SGP signs; both ratify")
    rid = s.notarise(digest, "notarise(treaty)", parties=["FRA", "SGP"], quorum=2, kind="treaty", ratification=True)
    s.act(rid, "SGP", Intent.SIGNATURE, "act(signature)")
    signed = s.status(rid)
    for party in ("FRA", "SGP"):
        s.act(rid, party, Intent.RATIFICATION, "act(ratification)")
    s.step(
        "treaty",
        f"treaty signed ({signed}), then ratified by both: {s.status(rid)}",
        recordId="0x" + rid.hex(),
        afterSignatures=signed,
        status=s.status(rid),
    )
    return rid


def _amendment(s: _Story, mou: bytes, document: Path) -> bytes:
    _, digest = s.document(
        "amendment", f"{document.stem}-amendment-1{document.suffix}", document.read_bytes() + AMENDMENT.encode()
    )
    s.say("FRA notarises an amendment that supersedes the MoU; SGP signs it")
    parties = ledger.amendment_parties(s.gw.terms(mou), ["FRA", "SGP"])
    rid = s.notarise(digest, "notarise(amendment)", parties=parties, quorum=2, kind="mou", supersedes=mou)
    s.act(rid, "SGP", Intent.SIGNATURE, "act(signature)")
    s.step(
        "amendment",
        f"amendment {s.status(rid)}; the MoU is now {s.status(mou)}",
        recordId="0x" + rid.hex(),
        status=s.status(rid),
        mou=s.status(mou),
    )
    return rid


def _compromise(s: _Story, treaty: bytes) -> None:
    stolen = s.signers["SGP"]
    # An hour later (some nodes give consecutive blocks one timestamp: the forgery must come after
    # SGP's own acts, which the compromise declaration must leave standing).
    s.chain.time_travel(s.gw.now() + 3600)
    s.say("an hour later, a thief with SGP's signing key withdraws SGP from the treaty")
    forged = s.act(treaty, "SGP", Intent.WITHDRAWAL, "act(withdrawal)", reason="forged withdrawal")
    forged_at = s.gw.block_time(forged.block_number)
    after_forgery = s.status(treaty)
    s.say(f"SGP declares the key compromised from {timestamp_text(forged_at)}, the forgery's time")
    s.gas["revokeSigner"] = registry.revoke_signer(
        s.gw, s.controllers["SGP"], "SGP", stolen.address, forged_at
    ).gas_used
    record = s.gw.record(treaty)
    flagged = lifecycle.standing_invalid(record)
    s.say(f"anyone voids what the key signed from then on ({len(flagged)} act); the chain stops counting it")
    for a in flagged:
        s.gas["voidAct"] = s.gw.void_act(s.relayer, s.gw.terms(treaty), party_code(a.party), a.intent).gas_used
    s.signers["SGP"] = Account.create()
    registry.add_signer(s.gw, s.controllers["SGP"], "SGP", s.signers["SGP"].address)
    s.step(
        "compromise",
        f"forged withdrawal made the treaty {after_forgery}; voided, it is {s.status(treaty)} again",
        key=stolen.address,
        compromisedFrom=timestamp_text(forged_at),
        afterForgery=after_forgery,
        voided=[{"party": a.party, "intent": a.intent.label, "signer": a.signer} for a in flagged],
        status=s.status(treaty),
        newKey=s.signers["SGP"].address,
    )


def _certificate(name: str) -> bytes:
    return f"Consular certificate {name.removesuffix('.txt')}, issued by the French Republic\n".encode()


def _batch(s: _Story, count: int) -> None:
    from notary.receipts.build import anchor_evidence, chain_ref

    s.say(f"FRA anchors {count:,} consular certificates under one signed Merkle root")
    names = tuple(f"certificate-{i:04d}.txt" for i in range(1, count + 1))
    digests = tuple(hashlib.sha256(_certificate(n)).digest() for n in names)
    tree = batch.tree_of(digests)
    metadata = batch.anchor_metadata(count, "Consular certificates")
    s.send("anchor", batch.prepare_anchor(tree.root, "FRA", _deadline(s), metadata), "FRA")
    bundle = batch.Bundle(chain_ref(s.gw), metadata, anchor_evidence(s.gw, tree.root, "FRA"), names, digests)
    bundle.write(s.file("bundle", s.out / "certificates.bundle.json"))
    pick = min(416, count - 1)
    s.document("certificate", names[pick], _certificate(names[pick]))  # the one certificate its holder keeps
    path = s.file("certificateReceipt", s.out / f"{names[pick]}.receipt.json")
    receipts.write(bundle.receipt(pick, tree), path)
    verdict = verify_offline(receipts.read(path), digests[pick], trust.of_manifest(s.gw.deployment))
    s.step(
        "batch",
        f"{count:,} certificates anchored for {s.gas['anchor']:,} gas; {names[pick]}'s proof "
        f"({len(tree.proof(pick))} hashes) {'verifies' if verdict.ok else 'does NOT verify'} offline",
        documents=count,
        root="0x" + tree.root.hex(),
        gas=s.gas["anchor"],
        proofLength=len(tree.proof(pick)),
        verified=verdict.ok,
    )


def _audit(s: _Story) -> None:
    from notary.audit import export, verify_export
    from notary.chain.events import EventReader
    from notary.index import Indexer, IndexReader, open_index

    s.say("an auditor indexes every event, exports the trail (CSV and PDF) and re-verifies it against the chain")
    reader = EventReader(s.chain, s.gw.deployment)
    engine = open_index(f"sqlite:///{s.file('index', s.out / 'index.sqlite3')}")
    Indexer(reader, engine).run_once()
    index = IndexReader(engine)
    manifest = export(index, s.file("export", s.out / "trail.csv"), "csv")
    export(index, s.file("report", s.out / "trail.pdf"), "pdf")
    report = verify_export(s.out / "trail.csv", reader)
    engine.dispose()
    s.step(
        "audit",
        f"audit export of {manifest.row_count} events {'HOLDS' if report.ok else 'DOES NOT HOLD'} against the chain",
        rows=manifest.row_count,
        merkleRoot=manifest.merkle_root,
        holds=report.ok,
        problems=report.problems,
        notes=report.notes,
    )
