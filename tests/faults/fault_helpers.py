"""Helpers of the fault suite: a ledger on a real anvil, and `notary` run as a ministry through
whatever RPC URL the test chooses (the node itself, or a fault-injecting proxy in front of it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from notary import registry
from notary.chain.connect import Chain, rpc
from notary.chain.deploy import deploy
from notary.chain.gateway import LedgerGateway
from notary.keystore import Keystore

PASSWORD = "correct horse battery staple"
FUNDING_WEI = 10**20
ENV = ("NOTARY_RPC_URL", "NOTARY_DEPLOYMENT", "NOTARY_KEYSTORE_DIR", "NOTARY_DATA_DIR", "NOTARY_TX_TIMEOUT")

#: The words an act's state is given in (`JournalEntry.describe`, `act_state`).
STATES = ("not sent", "signed as 0x", "sent as 0x", "recorded as 0x")


@dataclass
class Run:
    code: int
    out: str
    err: str
    traceback: str | None = None


@dataclass
class FaultLedger:
    """A deployment with FRA registered and FRA's signing key in a keystore (its 'machine')."""

    url: str
    root: Path
    manifest: Path
    chain: Chain
    gw: LedgerGateway
    signer: str
    key: str = "fra-signer"

    def flags(self, rpc_url: str | None = None) -> list[str]:
        return [
            "--rpc-url", rpc_url or self.url,
            "--deployment", str(self.manifest),
            "--keystore-dir", str(self.root / "keys"),
            "--data-dir", str(self.root / "data"),
        ]  # fmt: skip

    def sent(self) -> int:
        """How many transactions of FRA's key are mined (each one act: a duplicate would show)."""
        return int(self.chain.w3.eth.get_transaction_count(self.signer, "latest"))  # type: ignore[arg-type]


def build(url: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> FaultLedger:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NOTARY_CONFIG_DIR", str(root / "config"))
    monkeypatch.setenv("NOTARY_PASSWORD", PASSWORD)
    chain = rpc(url)
    depositary, controller = Account.create(), Account.create()
    for account in (depositary, controller):
        chain.fund(account.address, FUNDING_WEI)
    deployment = deploy(chain, depositary)
    manifest = root / "deployment.json"
    deployment.save(manifest)
    gw = LedgerGateway(chain, deployment)
    signer = Account.create()
    keys = root / "keys"
    keys.mkdir(mode=0o700)
    cheap = Account.encrypt(signer.key, PASSWORD, kdf="scrypt", iterations=2**10)  # standard, cheap to unlock
    (keys / "fra-signer.json").write_text(json.dumps(cheap))
    (keys / "fra-signer.json").chmod(0o600)
    assert Keystore(keys).info("fra-signer").address == signer.address
    chain.fund(signer.address, FUNDING_WEI)
    registry.register_party(gw, depositary, "FRA", "French Republic", controller.address)
    registry.add_signer(gw, controller, "FRA", signer.address, 0)
    return FaultLedger(url, root, manifest, chain, gw, signer.address)


def notarise_args(ledger: FaultLedger, document: Path, rpc_url: str | None = None) -> list[str]:
    return [
        *ledger.flags(rpc_url), "notarise", str(document), "--as", "FRA", "--key", ledger.key,
        "--parties", "FRA", "--kind", "mou", "--title", document.stem, "--json",
    ]  # fmt: skip
