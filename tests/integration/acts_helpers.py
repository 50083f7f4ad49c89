"""A fresh ledger for CLI tests, set up through the library (not the `deploy`/`party` commands).

Each party gets its own keystore folder, standing for its ministry's machine, holding one
signing key authorised for it on chain. `python tests/integration/acts_helpers.py URL DIR`
builds one by hand against a running node and prints the CLI flags to use it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import fast_scrypt
from cli_helpers import isolate as isolate_cli
from eth_account import Account

from notary import registry
from notary.chain.connect import Chain, rpc
from notary.chain.deploy import deploy
from notary.chain.gateway import LedgerGateway
from notary.keystore import Keystore

PASSWORD = "correct horse battery staple"
#: `notary` run as a party's machine: (machine, *args, flags=None) -> (exit code, stdout, stderr).
Run = Callable[..., tuple[int, str, str]]
#: Gas money per account: anvil's dev account holds 10,000 ether for the whole test session.
FUNDING_WEI = 10**18
PARTIES = (("FRA", "French Republic"), ("SGP", "Republic of Singapore"), ("DEU", "Federal Republic of Germany"))


@dataclass
class Ledger:
    """One deployment: its manifest, and a keystore folder (a 'machine') per party."""

    url: str
    root: Path
    manifest: Path
    chain: Chain
    gw: LedgerGateway
    machines: dict[str, Path] = field(default_factory=dict)
    #: Each party's controller account (kept by the test, not in any keystore).
    controllers: dict[str, Any] = field(default_factory=dict)

    def key(self, party: str) -> str:
        return f"{party.lower()}-signer"

    def flags(self, machine: str) -> list[str]:
        """Root options of the `notary` command as run on `machine`'s computer (own keys, own journal)."""
        return [
            "--rpc-url",
            self.url,
            "--deployment",
            str(self.manifest),
            "--keystore-dir",
            str(self.machines[machine]),
            "--data-dir",
            str(self.root / f"data-{machine}"),
        ]

    def stranger(self, machine: str, name: str = "stranger") -> str:
        """A key on `machine` that no party has authorised."""
        info = Keystore(self.machines[machine]).create(name, PASSWORD)
        self.chain.fund(info.address, FUNDING_WEI)
        return name


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """`cli_helpers.isolate` with this ledger's key password, and a cheap scrypt cost for new keys."""
    isolate_cli(monkeypatch, home, password=PASSWORD)
    fast_scrypt(monkeypatch)


def build(url: str, root: Path) -> Ledger:
    """Deploy both contracts, register FRA, SGP and DEU, and give each a keystore with its key."""
    chain = rpc(url)
    depositary = Account.create()
    chain.fund(depositary.address, FUNDING_WEI)
    deployment = deploy(chain, depositary)
    manifest = root / "deployment.json"
    deployment.save(manifest)
    ledger = Ledger(url, root, manifest, chain, LedgerGateway(chain, deployment))
    for code, name in PARTIES:
        folder = root / f"keys-{code}"
        info = Keystore(folder).create(ledger.key(code), PASSWORD)
        controller = Account.create()
        chain.fund(controller.address, FUNDING_WEI)
        chain.fund(info.address, FUNDING_WEI)  # so the CLI's dev-chain top-up (100 ether) is not needed
        registry.register_party(ledger.gw, depositary, code, name, controller.address)
        registry.add_signer(ledger.gw, controller, code, info.address, 0)
        ledger.machines[code] = folder
        ledger.controllers[code] = controller
    return ledger


if __name__ == "__main__":  # a ledger to try the commands by hand
    built = build(sys.argv[1], Path(sys.argv[2]))
    for code in built.machines:
        print(f"{code}: notary {' '.join(built.flags(code))} … --as {code} --key {built.key(code)}")
    print(f"password: {PASSWORD}")
