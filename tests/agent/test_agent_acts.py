"""Acts signed through the agent on a real anvil: `notarise` and `sign` run as separate processes with no
password source at all (stdin closed, no NOTARY_PASSWORD, no file) and succeed; once the agent is stopped,
the same command falls back to the keystore with a notice and, with no password to be had, stops there."""

from __future__ import annotations

from pathlib import Path

import pytest
from agent_helpers import base_env, make_key, notary, notary_json, password_file, running_agent
from eth_account import Account

from notary import registry
from notary.chain.connect import rpc
from notary.chain.deploy import deploy
from notary.chain.gateway import LedgerGateway

pytestmark = pytest.mark.anvil

FUNDING_WEI = 10**18


def _ledger(url: str, home: Path) -> tuple[Path, dict[str, str]]:
    """A fresh deployment with FRA and SGP, whose signer keys sit in `home`'s keystore."""
    chain = rpc(url)
    depositary = Account.create()
    chain.fund(depositary.address, FUNDING_WEI)
    deployment = deploy(chain, depositary)
    manifest = home / "deployment.json"
    deployment.save(manifest)
    gw = LedgerGateway(chain, deployment)
    addresses = {}
    for code, name in (("FRA", "French Republic"), ("SGP", "Republic of Singapore")):
        controller = Account.create()
        chain.fund(controller.address, FUNDING_WEI)
        address = make_key(home, f"{code.lower()}-signer")
        chain.fund(address, FUNDING_WEI)
        registry.register_party(gw, depositary, code, name, controller.address)
        registry.add_signer(gw, controller, code, address, 0)
        addresses[code] = address
    return manifest, addresses


def test_acts_signed_through_the_agent_need_no_password(anvil_url: str, tmp_path: Path) -> None:
    """Two notarisations and a co-signature, each its own process, signed by the agent's keys."""
    manifest, addresses = _ledger(anvil_url, tmp_path)
    env = {**base_env(tmp_path), "NOTARY_RPC_URL": anvil_url, "NOTARY_DEPLOYMENT": str(manifest)}
    sock = tmp_path / "agent" / "agent.sock"
    with running_agent(env, sock):
        for name in ("fra-signer", "sgp-signer"):
            notary(env, "agent", "add", name, "--socket", str(sock), "--password-file", str(password_file(tmp_path)))
        (tmp_path / "password").unlink()  # no password source left anywhere
        signing = {**env, "NOTARY_AGENT_SOCK": str(sock)}
        mou, note = "11" * 32, "22" * 32
        common = ("--kind", "mou", "--json")
        first = notary(signing, "notarise", mou, "--as", "FRA", "--key", "fra-signer", "--parties", "FRA,SGP", *common)
        second = notary(signing, "notarise", note, "--as", "FRA", "--key", "fra-signer", "--parties", "FRA", *common)
        cosign = notary(signing, "sign", mou, "--as", "SGP", "--key", "sgp-signer", "--submitter", "FRA", "--json")
        for done in (first, second, cosign):
            assert "notice" not in done.stderr and "Password" not in done.stderr, done.stderr
        status = notary_json(signing, "status", mou)["records"][0]
        assert status["status"] == "executed"
        signers = {a["signer"] for a in status["attestations"]}
        assert signers == {addresses["FRA"], addresses["SGP"]}
        assert notary_json(signing, "status", note)["records"][0]["status"] == "executed"
        notary(env, "agent", "stop", "--socket", str(sock))
        fallback = notary(signing, "notarise", "33" * 32, "--as", "FRA", "--key", "fra-signer", "--parties", "FRA",
                          *common, expect=3)  # fmt: skip
        assert f"notice: no key agent at {sock}" in fallback.stderr
        assert "no password given" in fallback.stderr
