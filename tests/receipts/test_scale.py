"""Done-when: a 100,000-document batch anchors in one transaction, and a sample verifies offline and on chain.

Runs scripts/bench_batch.py (files on disk, hashing on every core, one anchor on the
in-process chain, bundle written and re-read, 50 random documents proved both ways).
The 1,000,000-document deep tier is the same script by hand: see the README.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_batch.py"


@pytest.mark.slow
def test_hundred_thousand_documents_anchor_in_one_transaction(tmp_path: Path) -> None:
    """100,000 files: one anchor transaction, proofs of at most 17 steps, a sample verified off and on chain."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--count", "100000", "--sample", "50", "--dir", str(tmp_path / "docs")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["count"] == 100_000 and figures["anchorTransactions"] == 1
    assert figures["sampleVerified"] == 50
    assert max(figures["proofLengths"]) <= figures["proofLengthMax"] == 17
    assert figures["anchorGas"] < 200_000  # the same as for one document: gas does not grow with the batch
    # A few KiB: the proof (17 siblings), the anchor's evidence and the complete EIP-712 types (about 0.6 KiB).
    assert figures["receiptBytes"] < 5_000
