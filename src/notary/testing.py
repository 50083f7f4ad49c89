"""A ready-made ledger world for tests, benchmarks and demos on development chains.

`World.build(chain)` deploys both contracts, registers parties with a controller and a
signing key each, and funds every account from the node's unlocked dev account. It works
on the in-process chain and on anvil alike, so one behavioural suite runs on both.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary import ledger, registry, trust
from notary.chain.connect import Chain
from notary.chain.deploy import deploy
from notary.chain.gateway import LedgerGateway
from notary.chain.tx import TxResult
from notary.codes import party_code
from notary.models import Intent, Notarisation, record_id

DEFAULT_PARTIES = (("FRA", "French Republic"), ("SGP", "Republic of Singapore"), ("DEU", "Germany"))


@dataclass
class World:
    chain: Chain
    gw: LedgerGateway
    depositary: LocalAccount
    relayer: LocalAccount
    controllers: dict[str, LocalAccount] = field(default_factory=dict)
    signers: dict[str, LocalAccount] = field(default_factory=dict)

    @classmethod
    def build(cls, chain: Chain, parties: Sequence[tuple[str, str]] = DEFAULT_PARTIES) -> World:
        depositary, relayer = Account.create(), Account.create()
        chain.fund(depositary.address)
        chain.fund(relayer.address)
        world = cls(chain, LedgerGateway(chain, deploy(chain, depositary)), depositary, relayer)
        for code, name in parties:
            world.add_party(code, name)
        return world

    @property
    def pinned(self) -> trust.Anchors:
        """This world's deployment as a trust anchor, as its manifest pins it (to verify its receipts)."""
        return trust.of_manifest(self.gw.deployment)

    def add_party(self, code: str, name: str) -> None:
        controller, signer = Account.create(), Account.create()
        self.chain.fund(controller.address)
        registry.register_party(self.gw, self.depositary, code, name, controller.address)
        registry.add_signer(self.gw, self.controllers.setdefault(code, controller), code, signer.address, 0)
        self.signers[code] = signer

    def deadline(self, seconds: int = 3600) -> int:
        return self.gw.now() + seconds

    def notarisation(
        self,
        digest: bytes,
        party: str = "FRA",
        parties: Sequence[str] = ("FRA", "SGP"),
        quorum: int | None = None,
        **kwargs: object,
    ) -> Notarisation:
        return ledger.prepare_notarisation(
            digest=digest,
            party=party,
            parties=parties,
            quorum=quorum,
            kind=str(kwargs.pop("kind", "mou")),
            deadline=int(kwargs.pop("deadline", self.deadline())),  # type: ignore[call-overload]
            **kwargs,  # type: ignore[arg-type]
        )

    def notarise(self, digest: bytes, party: str = "FRA", **kwargs: object) -> bytes:
        """Notarise `digest` as `party` with its signer; returns the record id."""
        n = self.notarisation(digest, party, **kwargs)  # type: ignore[arg-type]
        ledger.submit(self.gw, self.relayer, ledger.sign(n, self.gw.domain, self.signers[party]))
        return record_id(digest, party_code(party))

    def act(
        self,
        rid: bytes,
        party: str,
        intent: Intent = Intent.SIGNATURE,
        reason: str = "",
        key: LocalAccount | None = None,
    ) -> TxResult:
        a = ledger.prepare_act(self.gw.terms(rid), party, intent, self.deadline(), reason)
        return ledger.submit(self.gw, self.relayer, ledger.sign(a, self.gw.domain, key or self.signers[party]))

    @contextlib.contextmanager
    def restored(self) -> Iterator[World]:
        """This world, given back as it is now after the block: the embedded chain's state (a snapshot),
        and the signers and controllers (a test may give a party a new key)."""
        tester = self.chain.tester
        snapshot = tester.take_snapshot()
        signers, controllers = dict(self.signers), dict(self.controllers)
        try:
            yield self
        finally:
            tester.revert_to_snapshot(snapshot)
            self.signers.clear()
            self.signers.update(signers)
            self.controllers.clear()
            self.controllers.update(controllers)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(
    env: dict[str, str], log: Path, *options: str, ready: str = "/healthz", timeout: float = 60.0
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`notary serve` in its own process on a free port, with `env` and `options`, its output in `log`:
    yields its base URL (and the process) once `ready` answers 200; stopped (terminated, then killed)
    at the end. Fails with the log's text if the process dies or does not answer within `timeout`."""
    notary = str(Path(sys.executable).with_name("notary"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        argv = [notary, "serve", "--port", str(port), "--log-level", "warning", *options]
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(base + ready, timeout=5) as answer:  # noqa: S310 — loopback
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"notary serve did not answer {ready}: {log.read_text()}")
                time.sleep(0.1)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
