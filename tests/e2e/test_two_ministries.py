"""End to end: the installed `notary` script, two ministries on separate machines, real anvil.

Each "machine" is a separate config and data folder (its own keystore). The depositary
deploys; France notarises a bilateral MoU; Singapore signs offline on an air-gapped
machine and France relays the signed act; an amendment supersedes the MoU; Singapore's
key is then declared compromised from before it signed the amendment, and `status`
reports that attestation as invalid while the original MoU's signatures stay valid.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.anvil

NOTARY = shutil.which("notary", path=str(Path(sys.executable).parent)) or "notary"


class Machine:
    def __init__(self, root: Path, name: str, rpc_url: str, manifest: Path) -> None:
        self.home = root / name
        self.env = {
            **os.environ,
            "NOTARY_CONFIG_DIR": str(self.home / "config"),
            "NOTARY_DATA_DIR": str(self.home / "data"),
            "NOTARY_PASSWORD": f"{name}-passphrase",
            "NOTARY_RPC_URL": rpc_url,
            "NOTARY_DEPLOYMENT": str(manifest),
            "COLUMNS": "200",
        }

    def run(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([NOTARY, *args], env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == expect, f"notary {' '.join(args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def json(self, *args: str, expect: int = 0) -> dict:  # type: ignore[type-arg]
        return json.loads(self.run(*args, "--json", expect=expect).stdout)  # type: ignore[no-any-return]

    def new_key(self, name: str) -> str:
        self.run("keys", "new", name)
        return str(self.json("keys", "show", name)["address"])


def test_two_ministries_mou_amendment_and_compromise(anvil_url: str, tmp_path: Path) -> None:
    """The whole ministry workflow through the CLI, ending with a compromised key reported."""
    manifest = tmp_path / "deployment.json"
    depositary = Machine(tmp_path, "depositary", anvil_url, manifest)
    fra = Machine(tmp_path, "fra", anvil_url, manifest)
    sgp = Machine(tmp_path, "sgp", anvil_url, manifest)
    sgp_airgap = Machine(tmp_path, "sgp-airgap", "http://127.0.0.1:9", manifest)  # no network

    depositary.new_key("depositary")
    depositary.run("deploy", "--key", "depositary")
    assert manifest.exists()

    fra_controller, sgp_controller = fra.new_key("fra-controller"), sgp.new_key("sgp-controller")
    fra.new_key("fra-signer")
    sgp_signer = sgp_airgap.new_key("sgp-signer")
    depositary.run(
        "party", "register", "FRA", "--name", "French Republic", "--controller", fra_controller, "--key", "depositary"
    )
    depositary.run(
        "party",
        "register",
        "SGP",
        "--name",
        "Republic of Singapore",
        "--controller",
        sgp_controller,
        "--key",
        "depositary",
    )
    fra.run("party", "add-signer", "FRA", "--signer", "fra-signer", "--key", "fra-controller")
    sgp.run("party", "add-signer", "SGP", "--signer", sgp_signer, "--key", "sgp-controller")

    mou = tmp_path / "mou.md"
    mou.write_text("MoU on cyber-incident information sharing, v1\n")
    fra.run(
        "notarise",
        str(mou),
        "--as",
        "FRA",
        "--key",
        "fra-signer",
        "--parties",
        "FRA,SGP",
        "--quorum",
        "2",
        "--kind",
        "mou",
        "--title",
        "MoU on cyber-incident information sharing",
    )
    assert fra.json("status", str(mou))["records"][0]["status"] == "open"
    fra.run("verify", str(mou), expect=1)

    # Singapore signs on an air-gapped machine: no chain access, only the manifest and the
    # record's terms (which the signature binds), carried over from a connected machine.
    act = tmp_path / "sgp-act.json"
    terms = tmp_path / "mou.terms.json"
    sgp_airgap.run(
        "sign", str(mou), "--as", "SGP", "--key", "sgp-signer", "--submitter", "FRA", "--offline", "-o", str(act),
        expect=3,
    )  # fmt: skip
    fra.run("terms", str(mou), "-o", str(terms))
    sgp_airgap.run(
        "sign", str(mou), "--as", "SGP", "--key", "sgp-signer", "--submitter", "FRA", "--offline", "-o", str(act),
        "--terms", str(terms),
    )  # fmt: skip
    fra.run("submit", str(act))
    fra.run("submit", str(act))  # relaying twice is reported, not duplicated
    status = fra.json("status", str(mou))["records"][0]
    assert status["status"] == "executed"
    assert [(a["party"], a["health"]) for a in status["attestations"]] == [("FRA", "valid"), ("SGP", "valid")]
    fra.run("verify", str(mou))

    # An amendment supersedes the MoU once both sign it.
    v2 = tmp_path / "mou-v2.md"
    v2.write_text("MoU on cyber-incident information sharing, v2 (72h -> 48h)\n")
    fra.run(
        "notarise",
        str(v2),
        "--as",
        "FRA",
        "--key",
        "fra-signer",
        "--parties",
        "FRA,SGP",
        "--kind",
        "mou",
        "--title",
        "Amendment 1",
        "--supersedes",
        str(mou),
    )
    act2 = tmp_path / "sgp-act2.json"
    terms2 = tmp_path / "mou-v2.terms.json"
    fra.run("terms", str(v2), "-o", str(terms2))
    # SGP's consent to the MoU cannot stand in for the amendment: those are other terms.
    sgp_airgap.run(
        "sign", str(v2), "--as", "SGP", "--key", "sgp-signer", "--submitter", "FRA", "--offline", "-o", str(act2),
        "--terms", str(terms), expect=3,
    )  # fmt: skip
    sgp_airgap.run(
        "sign", str(v2), "--as", "SGP", "--key", "sgp-signer", "--submitter", "FRA", "--offline", "-o", str(act2),
        "--terms", str(terms2),
    )  # fmt: skip
    sgp.run("submit", str(act2))
    assert fra.json("status", str(mou))["records"][0]["status"] == "superseded"
    amended = fra.json("status", str(v2))["records"][0]
    assert amended["status"] == "executed" and amended["supersedes"]

    # Singapore declares its signer key compromised from just before it signed the amendment.
    sgp_signed_at = next(a for a in amended["attestations"] if a["party"] == "SGP")["time"]
    sgp.run(
        "party", "revoke-signer", "SGP", "--signer", sgp_signer, "--key", "sgp-controller", "--effective", sgp_signed_at
    )
    health = {a["party"]: a["health"] for a in fra.json("status", str(v2))["records"][0]["attestations"]}
    assert health["FRA"] == "valid" and health["SGP"].startswith("invalid")
    report = fra.json("verify", str(v2), expect=1)
    assert not report["verified"] and any("SGP" in r for r in report["reasons"])
    # What the key signed before the compromise time stays valid.
    original = {a["party"]: a["health"] for a in fra.json("status", str(mou))["records"][0]["attestations"]}
    assert original == {"FRA": "valid", "SGP": "valid"}

    # Anyone voids the compromised act: the amendment is open again, the MoU no longer superseded.
    voided = fra.json("void", str(v2), "--key", "fra-signer")
    assert [(v["party"], v["intent"]) for v in voided["voided"]] == [("SGP", "signature")]
    assert (voided["before"], voided["status"]) == ("executed", "open")
    assert fra.json("status", str(mou))["records"][0]["status"] == "executed"
    fra.run("verify", str(mou))
    # Singapore signs the amendment again with a new key: it supersedes the MoU again.
    sgp_new = sgp.new_key("sgp-signer-2")
    sgp.run("party", "add-signer", "SGP", "--signer", sgp_new, "--key", "sgp-controller")
    sgp.run("sign", str(v2), "--as", "SGP", "--key", "sgp-signer-2", "--submitter", "FRA")
    assert fra.json("status", str(mou))["records"][0]["status"] == "superseded"
    fra.run("verify", str(v2))
