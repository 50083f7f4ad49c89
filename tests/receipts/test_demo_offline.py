"""Done-when: a receipt from the demo verifies offline with the node stopped, and fails with a precise
reason after any single byte of it is altered. Runs the installed `notary` script, as a verifier would."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from notary import demo, receipts
from notary.chain.connect import rpc
from notary.chain.gateway import LedgerGateway
from notary.chain.node import ephemeral_anvil
from notary.hashing import sha256_file
from notary.receipts.verify import verify_offline
from notary.trust import of_manifest

pytestmark = pytest.mark.anvil

NOTARY = shutil.which("notary", path=str(Path(sys.executable).parent)) or "notary"


def notary(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NOTARY_CONFIG_DIR": str(tmp_path / "config"),
        "NOTARY_DATA_DIR": str(tmp_path / "data"),
        "NOTARY_RPC_URL": url,
        "COLUMNS": "200",
    }
    env.pop("NOTARY_DEPLOYMENT", None)
    return subprocess.run([NOTARY, *args], env=env, capture_output=True, text=True, timeout=120)


def test_demo_receipt_verifies_offline_with_the_node_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anvil_url: str
) -> None:
    """The demo runs on a node; its receipt is written; the node stops; the receipt still verifies offline."""
    made: list[LedgerGateway] = []

    class Capturing(LedgerGateway):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            made.append(self)

    monkeypatch.setattr(demo, "LedgerGateway", Capturing)
    manifest, receipt = tmp_path / "deployment.json", tmp_path / "mou.receipt.json"
    with ephemeral_anvil() as url:
        result = demo.run_demo(rpc(url), out=tmp_path / "demo")
        assert result.verdict.ok
        # The story ends with the MoU superseded by its amendment: the amendment is the text in force.
        document = result.outputs["amendment"]
        assert result.records["amendment"].status.label == "executed"
        made[0].deployment.save(manifest)
        done = notary(tmp_path, url, "--deployment", str(manifest), "receipt", str(document), "-o", str(receipt))
        assert done.returncode == 0, done.stderr
        # The verifier pins the demo's deployment once, reading its contracts from the node.
        done = notary(tmp_path, url, "trust", "add", "--manifest", str(manifest), "--label", "demo")
        assert done.returncode == 0 and "pinned chain" in done.stdout, done.stdout + done.stderr
    # The node is gone: online verification cannot reach it ...
    online = notary(tmp_path, url, "verify", str(document), "--receipt", str(receipt))
    assert online.returncode == 4 and "not reachable" in online.stderr
    # ... and offline verification needs nothing but the file and the receipt.
    offline = notary(tmp_path, url, "verify", str(document), "--receipt", str(receipt), "--offline")
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "VERIFIED" in offline.stdout and "canonical history" in offline.stdout
    assert "pinned by the trust store" in offline.stdout

    # Any single altered byte fails, with a typed parse error or a stated verification reason.
    raw, digest = receipt.read_bytes(), sha256_file(document)
    positions = sorted(random.Random(6).sample(range(len(raw)), 400))
    for i in positions:
        altered = raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1 :]
        try:
            verdict = verify_offline(receipts.loads(altered), digest, of_manifest(made[0].deployment))
        except receipts.ReceiptFormatError as exc:
            assert exc.message
            continue
        assert not verdict.ok and verdict.reasons, f"byte {i} altered still verifies"
    # Through the command, too: a signature byte (verification) and a brace (parsing).
    at = raw.index(b'"signature":"0x') + len(b'"signature":"0x') + 70
    hex_digit = b"0" if raw[at : at + 1] != b"0" else b"1"  # still hex, so it parses and must fail to verify
    for i, replacement, expected in ((at, hex_digit, 1), (0, b"[", 3)):
        bad = tmp_path / f"altered-{i}.json"
        bad.write_bytes(raw[:i] + replacement + raw[i + 1 :])
        done = notary(tmp_path, url, "verify", str(document), "--receipt", str(bad), "--offline")
        assert done.returncode == expected, done.stdout + done.stderr
        assert "NOT VERIFIED" in done.stdout if expected == 1 else "error:" in done.stderr
