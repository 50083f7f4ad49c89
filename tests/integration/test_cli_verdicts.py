"""`notary verify` on anvil answers who is bound: a masking record is DISPUTED (exit 1), a record
never vouches for parties that did not sign it, and the policy options make the yes/no precise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acts_helpers import Ledger, Run

from notary.cli import exit_codes

pytestmark = pytest.mark.anvil


def as_party(ledger: Ledger, party: str) -> list[str]:
    return ["--as", party, "--key", ledger.key(party)]


def ok(result: tuple[int, str, str]) -> None:
    code, _, err = result
    assert code == 0, err


def test_masking_record_and_policy_from_the_command_line(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """FRA and SGP annul; DEU re-notarises the digest naming them with quorum 1: DISPUTED, exit 1,
    in text and JSON; `--signed-by FRA,SGP` fails even without the dispute."""
    treaty = tmp_path / "treaty.txt"
    treaty.write_text("Treaty on the delimitation of the continental shelf\n")
    ok(run("FRA", "notarise", str(treaty), *as_party(ledger, "FRA"), "--parties", "FRA,SGP", "--kind", "treaty"))
    ok(run("SGP", "sign", str(treaty), *as_party(ledger, "SGP")))
    code, out, _ = run("FRA", "verify", str(treaty), "--signed-by", "FRA,SGP", "--json")
    assert code == 0 and json.loads(out)["verdict"] == "verified"
    ok(run("FRA", "annul", str(treaty), *as_party(ledger, "FRA"), "--reason", "renegotiated"))
    ok(run("SGP", "annul", str(treaty), *as_party(ledger, "SGP"), "--reason", "renegotiated", "--submitter", "FRA"))
    ok(run("DEU", "notarise", str(treaty), *as_party(ledger, "DEU"), "--parties", "DEU,FRA,SGP", "--quorum", "1",
           "--kind", "treaty"))  # fmt: skip
    code, out, _ = run("FRA", "verify", str(treaty))
    assert code == exit_codes.VERIFICATION_FAILED
    assert "DISPUTED" in out and "annulled by its signatories (FRA, SGP)" in " ".join(out.split())
    assert "binds DEU; named but never signed: FRA, SGP" in " ".join(out.split())
    code, out, _ = run("FRA", "verify", str(treaty), "--json")
    body = json.loads(out)
    assert code == exit_codes.VERIFICATION_FAILED and (body["verified"], body["verdict"]) == (False, "disputed")
    code, out, _ = run("FRA", "verify", str(treaty), "--submitter", "DEU", "--signed-by", "FRA", "--json")
    body = json.loads(out)
    assert code == exit_codes.VERIFICATION_FAILED and body["policy"] == {
        "signedBy": ["FRA"],
        "inForce": False,
        "submitter": "DEU",
    }
    code, _, err = run("FRA", "verify", str(treaty), "--signed-by", "F R")
    assert code == exit_codes.INPUT and "Traceback" not in err
