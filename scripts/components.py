"""Say which real components the test suite found, and how to get the missing ones (`make test` runs this first).

Tests that need a missing component are skipped with a reason, so a newcomer's green run may
test less than CI's: this tells them what, before the run rather than in the skip summary.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def main() -> int:
    from notary.chain.hardhat import find_hardhat
    from notary.chain.node import find_anvil
    from notary.errors import NodeError

    try:
        anvil = f"found ({find_anvil()})"
    except NodeError:
        anvil = "MISSING: `npm install` (make does it) brings @foundry-rs/anvil; its tests are skipped"
    try:
        hardhat = f"found ({find_hardhat().cli})"
    except NodeError:
        hardhat = "MISSING: `npm install` (make does it) brings the hardhat dev dependency; tests/hardhat is skipped"
    chromium = Path("/usr/bin/chromium")
    postgres = os.environ.get("NOTARY_TEST_POSTGRES_URL")
    found = {
        "anvil (a real node)": anvil,
        "Hardhat (a second node implementation)": hardhat,
        "Chromium (the verifier page)": f"found ({chromium})"
        if chromium.exists()
        else "MISSING: apt-get install chromium; the page tests are skipped",
        "PostgreSQL (the index)": "found (NOTARY_TEST_POSTGRES_URL)"
        if postgres
        else "not configured: set NOTARY_TEST_POSTGRES_URL (bash .ci/run starts a throwaway server); "
        "the PostgreSQL variants are skipped",
        "poppler (the audit PDF)": "found"
        if shutil.which("pdftoppm")
        else "MISSING: apt-get install poppler-utils; the PDF rendering tests are skipped",
    }
    print("real components for the tests:")
    for name, state in found.items():
        print(f"  {name}: {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
