"""The demonstration scenario: two states notarise and co-sign a bilateral MoU.

Runs on any chain the caller connects; `notary demo` uses the in-process chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary import ledger, registry
from notary.chain.connect import Chain
from notary.chain.deploy import deploy
from notary.chain.gateway import LedgerGateway
from notary.hashing import sha256_file
from notary.models import Intent, Record, record_id
from notary.verify import Verdict, verify_digest

SAMPLE_MOU = Path(__file__).resolve().parents[2] / "examples" / "mou-cyber-incident-sharing.md"
STATES = (("FRA", "French Republic"), ("SGP", "Republic of Singapore"))


@dataclass(frozen=True)
class DemoResult:
    document: Path
    digest: bytes
    record: Record
    verdict: Verdict
    gas: dict[str, int]


def run_demo(chain: Chain, document: Path = SAMPLE_MOU, say: Callable[[str], None] = lambda _: None) -> DemoResult:
    """Deploy, register FRA and SGP, notarise `document` as FRA, co-sign as SGP, verify."""
    digest = sha256_file(document)  # first: a bad path fails before anything is deployed
    gas: dict[str, int] = {}
    depositary, relayer = Account.create(), Account.create()
    controllers: dict[str, LocalAccount] = {code: Account.create() for code, _ in STATES}
    signers: dict[str, LocalAccount] = {code: Account.create() for code, _ in STATES}
    for acct in (depositary, relayer, *controllers.values()):
        chain.fund(acct.address)

    say("deploying the identity registry and the notary ledger")
    gw = LedgerGateway(chain, deploy(chain, depositary))

    for code, name in STATES:
        say(f"depositary registers {code} ({name}); its controller authorises a signing key")
        gas["registerParty"] = registry.register_party(gw, depositary, code, name, controllers[code].address).gas_used
        gas["addSigner"] = registry.add_signer(gw, controllers[code], code, signers[code].address).gas_used

    say(f"FRA notarises {document.name} (sha256 {digest.hex()[:16]}…)")
    payload = ledger.prepare_notarisation(
        digest=digest,
        party="FRA",
        parties=["FRA", "SGP"],
        quorum=2,
        kind="mou",
        deadline=ledger.default_deadline(gw),
        metadata={"title": "MoU on Cyber-Incident Information Sharing"},
    )
    gas["notarise"] = ledger.submit(gw, relayer, ledger.sign(payload, gw.domain, signers["FRA"])).gas_used

    say("SGP co-signs; the record reaches its quorum and is executed")
    rid = record_id(digest, payload.party)
    act = ledger.prepare_act(payload.terms, "SGP", Intent.SIGNATURE, ledger.default_deadline(gw))
    gas["act(signature)"] = ledger.submit(gw, relayer, ledger.sign(act, gw.domain, signers["SGP"])).gas_used

    say("verifying the file against the ledger")
    verdict = verify_digest(gw, digest)
    return DemoResult(document, digest, gw.record(rid), verdict, gas)
