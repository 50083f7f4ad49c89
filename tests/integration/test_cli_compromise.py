"""A stolen key on anvil, through the CLI: the thief's act is undone, not merely flagged.

SGP's signing key is stolen; the thief withdraws SGP from an executed MoU (TERMINATED).
SGP's controller declares the key compromised from before the theft; `verify` at once
judges by the valid acts (the MoU stands), anyone runs `notary void` and the chain agrees
(EXECUTED again), and SGP acts again with a new key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acts_helpers import PASSWORD, Ledger, Run

from notary import registry
from notary.chain.node import json_rpc
from notary.cli import exit_codes
from notary.keystore import Keystore

pytestmark = pytest.mark.anvil


def ok(result: tuple[int, str, str]) -> dict:  # type: ignore[type-arg]
    code, out, err = result
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_a_stolen_keys_withdrawal_is_voided_and_the_mou_stands(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """Stolen SGP key withdraws -> terminated; compromise declared; verify passes; `void` -> executed."""
    mou = tmp_path / "mou.txt"
    mou.write_text("MoU on maritime search and rescue\n")
    sgp = ["--as", "SGP", "--key", ledger.key("SGP")]
    ok(run("FRA", "notarise", str(mou), "--as", "FRA", "--key", ledger.key("FRA"), "--parties", "FRA,SGP",
           "--kind", "mou", "--json"))  # fmt: skip
    signed = ok(run("SGP", "sign", str(mou), *sgp, "--json"))
    assert signed["status"] == "executed"
    json_rpc(ledger.url, "evm_increaseTime", [3600])  # the key is stolen an hour later
    # The thief, holding SGP's signing key, withdraws SGP from the MoU.
    stolen = ok(run("SGP", "withdraw", str(mou), *sgp, "--reason", "we denounce it", "--json"))
    assert stolen["status"] == "terminated"
    # SGP's controller declares the key compromised from just before the theft (within 72 h).
    status = ok(run("FRA", "status", str(mou), "--json"))["records"][0]
    theft = next(a for a in status["attestations"] if a["intent"] == "withdrawal")["time"]
    signer = Keystore(ledger.machines["SGP"]).info(ledger.key("SGP")).address
    registry.revoke_signer(ledger.gw, ledger.controllers["SGP"], "SGP", signer, _unix(theft) - 60)
    # The verdict follows the valid acts at once: the forged withdrawal does not count.
    verdict = ok(run("FRA", "verify", str(mou), "--json"))
    assert verdict["verified"] is True
    # Anyone voids it; the chain agrees.
    voided = ok(run("DEU", "void", str(mou), "--key", ledger.key("DEU"), "--json"))
    assert [(v["party"], v["intent"]) for v in voided["voided"]] == [("SGP", "withdrawal")]
    assert (voided["before"], voided["status"]) == ("terminated", "executed")
    again = ok(run("DEU", "void", str(mou), "--key", ledger.key("DEU"), "--json"))
    assert again["voided"] == [] and again["status"] == "executed"
    # The compromised key can no longer act; SGP's new key can (SGP's signature, made before the
    # compromise time, still stands: a second signature is refused as already recorded).
    code, _, err = run("SGP", "withdraw", str(mou), *sgp, "--reason", "again")
    assert code == exit_codes.REJECTED and "not authorised" in err
    new = Keystore(ledger.machines["SGP"]).create("sgp-new", PASSWORD).address
    ledger.chain.fund(new, 10**18)
    registry.add_signer(ledger.gw, ledger.controllers["SGP"], "SGP", new, 0)
    code, _, err = run("SGP", "sign", str(mou), "--as", "SGP", "--key", "sgp-new")
    assert code == 0 and "already recorded" in err + _  # SGP's genuine signature still stands
    ok(run("FRA", "verify", str(mou), "--json"))


def _unix(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
