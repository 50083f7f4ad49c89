"""Offline verification loads no Ethereum client library: no web3, EVM, eth-account, eth-utils or pydantic.

`notary verify --receipt R --offline` must start fast (issue 12): the modules on its path import
only the standard library, rfc8785, coincurve and a C keccak. Checked in fresh interpreters, by
the modules each run leaves in `sys.modules`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parents[1] / "receipts" / "golden"
#: Packages the offline path must not import (py-evm is `eth`; `trie` and `rlp` are py-evm's too).
HEAVY = {"web3", "eth_tester", "eth", "eth_account", "eth_utils", "eth_abi", "eth_keys", "py_ecc", "pydantic",
         "trie", "rlp", "eth_hash"}  # fmt: skip
OFFLINE_MODULES = (
    "notary.receipts", "notary.receipts.parse", "notary.receipts.verify", "notary.receipts.state",
    "notary.receipts.format", "notary.receipts.proofs", "notary.receipts.state_proofs",
    "notary.receipts.storage_layout", "notary.eip712", "notary.trust",
    "notary.merkle", "notary.models", "notary.codes", "notary.hashing", "notary.lifecycle",
)  # fmt: skip

_REPORT = "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"


def loaded_by(code: str, *args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + _REPORT, *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def test_importing_the_offline_path_loads_no_client_library() -> None:
    assert not loaded_by("import " + ", ".join(OFFLINE_MODULES)) & HEAVY


def test_verifying_a_receipt_offline_loads_no_client_library() -> None:
    """A golden receipt read from its file and verified offline (signatures recovered, metadata, Merkle paths,
    state-proof decoding of a header) leaves none of the heavy packages loaded."""
    code = """
import hashlib, sys
from pathlib import Path
from notary import receipts, trust
from notary.receipts import state_proofs
from notary.receipts.verify import verify_offline
golden = Path(sys.argv[1])
pin = trust.Anchors((trust.Pin(131277322940537, "0xa5C24295FEeDf8Fc37DbC9Bc8eE8beb29cf8b5F5",
                               "0x8aF0c5b17b4bCfD9a7a043B1f1011a26f60669Dd"),))
for name, doc in (("valid-bilateral-record", "mou.txt"), ("valid-multi-text", "treaty-fr.txt")):
    r = receipts.read(golden / f"{name}.receipt.json")
    v = verify_offline(r, hashlib.sha256((golden / doc).read_bytes()).digest(), pin)
    assert v.ok, v.reasons
fields = {name: "0x" + "11" * 32 for name in state_proofs.HEADER_FIELDS[:15]}
fields.update(number=7, timestamp=9, difficulty=0, gasLimit=1, gasUsed=0, miner="0x" + "22" * 20,
              logsBloom="0x" + "00" * 256, extraData="0x", nonce="0x" + "00" * 8)
header = state_proofs.decode_header(state_proofs.encode_header(fields))
assert (header.number, header.timestamp) == (7, 9)
assert state_proofs.Witness([]).storage(state_proofs.EMPTY_TRIE_ROOT, bytes(32), "a slot") == 0
"""
    loaded = loaded_by(code, str(GOLDEN))
    assert "coincurve" in loaded  # the signatures were recovered in that process
    assert not loaded & HEAVY, sorted(loaded & HEAVY)
