"""Benchmark offline receipt verification: receipts/s in process, and the import cost of the offline path.

    .venv/bin/python scripts/bench_receipts.py            # full size: ~45 s (5 rounds of 1 s per row)
    .venv/bin/python scripts/bench_receipts.py --quick    # smoke size: ~10 s (one round of 0.25 s)
    .venv/bin/python scripts/bench_receipts.py --json     # the rows as JSON

Receipts are written against a throwaway anvil (so that they carry `eth_getProof` state
proofs): a record of 2 parties (both signed), one of 8 parties (all signed) and one document
of a 64-document batch. Each is measured as written (with state proofs) and with its proofs
removed (resealed), as `notary verify --receipt R --offline` checks it: parse the canonical
bytes, then `verify_offline` against the pinned deployment (the file's SHA-256 is not part of
it). The reference, in the same run, is one coincurve public-key recovery (the curve operation
each act's signature costs). All rates are per CPU second of this process (`time.process_time`),
so they hold for one core whatever else the machine is doing.

The import rows run fresh interpreters and take the median CPU time (user + system) of each:
importing the offline path's modules, and a whole offline verification of a receipt file
through the library, each against `python -c pass`.

`run(quick)` returns the rows (for `scripts/bench.py`): each a dict with exactly the fields of
`benchlib.report.Row` (`what`, `measured`, `reference`, `ratio`, `target` as text, `met`, `note`,
and `figures` with the numbers), so `Row(**row)` takes it. Run with `python -S` and a source
tree first on PYTHONPATH (and NOTARY_ANVIL set) to measure another tree, e.g. an older commit.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: The modules of the offline verification path (`notary verify --receipt R --offline` past the CLI).
OFFLINE_MODULES = (
    "notary.receipts", "notary.receipts.parse", "notary.receipts.verify", "notary.receipts.state",
    "notary.receipts.state_proofs", "notary.eip712", "notary.trust", "notary.merkle", "notary.models", "notary.codes",
    "notary.hashing", "notary.lifecycle",
)  # fmt: skip
#: What the offline path must not import (py-evm's `trie` and `rlp` only for a receipt with proofs).
HEAVY = ("web3", "eth_tester", "eth", "eth_account", "eth_utils", "eth_abi", "py_ecc", "pydantic", "trie", "rlp")
PARTIES = (
    ("FRA", "French Republic"), ("SGP", "Republic of Singapore"), ("DEU", "Germany"), ("ITA", "Italy"),
    ("ESP", "Spain"), ("NLD", "Netherlands"), ("BEL", "Belgium"), ("AUT", "Austria"),
)  # fmt: skip
TARGET_RATE = 2000.0  # receipts/s on one core (issue 12)
TARGET_IMPORT = 0.3  # seconds of CPU above `python -c pass`


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    digest: bytes


def _sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def make_cases() -> tuple[list[Case], Any]:
    """Receipts written against a throwaway anvil: each case with and without its state proofs."""
    from notary import batch, receipts
    from notary.chain.connect import rpc
    from notary.chain.node import ephemeral_anvil
    from notary.receipts import build as build
    from notary.receipts.build import anchor_evidence, batch_receipt, chain_ref, record_receipt
    from notary.testing import World

    cases: list[Case] = []
    with ephemeral_anvil() as url:
        world = World.build(rpc(url), PARTIES)
        written: list[tuple[str, Any, bytes]] = []
        for n in (2, 8):
            digest = _sha(f"an instrument of {n} parties")
            parties = tuple(code for code, _ in PARTIES[:n])
            rid = world.notarise(digest, "FRA", parties=parties, quorum=n)
            for code in parties[1:]:
                world.act(rid, code)
            written.append((f"record, {n} parties", record_receipt(world.gw, rid), digest))
        digests = [_sha(f"certificate {i}") for i in range(64)]
        tree = batch.tree_of(digests)
        anchor = batch.prepare_anchor(tree.root, "FRA", world.deadline(), batch.anchor_metadata(64, "certificates"))
        _submit(world, anchor)
        meta = batch.anchor_metadata(64, "certificates")
        if hasattr(build, "anchor_proofs"):
            observed = world.chain.block_number()
            evidence = anchor_evidence(world.gw, tree.root, "FRA", observed)
            proofs = build.anchor_proofs(world.gw, evidence, observed)
            member = batch_receipt(chain_ref(world.gw), evidence, digests[17], tree.proof(17), meta, proofs)
        else:  # a tree from before state proofs (a baseline run)
            evidence = anchor_evidence(world.gw, tree.root, "FRA")
            member = batch_receipt(chain_ref(world.gw), evidence, digests[17], tree.proof(17), meta)
        written.append(("batch member of 64", member, digests[17]))
        pinned = world.pinned
    for name, r, digest in written:
        if not hasattr(r, "proofs"):  # a tree from before state proofs (a baseline run)
            cases.append(Case(f"{name}, without state proofs", receipts.dumps(r), digest))
            continue
        if r.proofs is None:
            raise RuntimeError(f"the {name} receipt carries no state proofs: anvil should serve eth_getProof")
        cases.append(Case(f"{name}, with state proofs", receipts.dumps(r), digest))
        cases.append(Case(f"{name}, without state proofs", receipts.dumps(replace(r, proofs=None)), digest))
    return cases, pinned


def _submit(world: Any, payload: Any) -> None:
    from notary import ledger

    ledger.submit(world.gw, world.relayer, ledger.sign(payload, world.gw.domain, world.signers["FRA"]))


def _rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls of `fn` per CPU second, over at least `seconds` of CPU (after one warm-up call)."""
    fn()
    n, start, batch = 0, time.process_time(), 1
    while True:
        for _ in range(batch):
            fn()
        n += batch
        spent = time.process_time() - start
        if spent >= seconds:
            return n / spent
        batch = min(batch * 2, 256)


def _recovery() -> Callable[[], object]:
    """One coincurve public-key recovery (secp256k1, 65-byte recoverable signature, pre-hashed message)."""
    from coincurve import PrivateKey, PublicKey

    key = PrivateKey(_sha("bench key"))
    digest = _sha("bench message")
    signature = key.sign_recoverable(digest, hasher=None)
    return lambda: PublicKey.from_signature_and_message(signature, digest, hasher=None)


def _verification(case: Case, pinned: Any) -> Callable[[], object]:
    """Parse the receipt's bytes and verify it offline (steps 0-7), as `notary verify --offline` does."""
    from notary import receipts
    from notary.receipts.verify import verify_offline

    def once() -> None:
        v = verify_offline(receipts.loads(case.raw), case.digest, pinned)
        if not v.ok:  # pragma: no cover - a benchmark of failures would measure nothing useful
            raise RuntimeError(f"{case.name}: {v.reasons}")

    return once


def rates(cases: list[Case], pinned: Any, rounds: int, seconds: float) -> tuple[float, list[float]]:
    """Medians over `rounds` interleaved rounds: recoveries/s, and each case's receipts/s (per CPU second)."""
    recover = _recovery()
    verifiers = [_verification(c, pinned) for c in cases]
    reference: list[float] = []
    measured: list[list[float]] = [[] for _ in cases]
    for _ in range(rounds):
        reference.append(_rate(recover, seconds))
        for i, verify in enumerate(verifiers):
            measured[i].append(_rate(verify, seconds))
    return statistics.median(reference), [statistics.median(m) for m in measured]


@contextmanager
def _children_cpu() -> Iterator[list[float]]:
    out: list[float] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    yield out
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def _python() -> list[str]:
    """This interpreter, with `-S` if this process runs without `site` (a baseline tree on PYTHONPATH)."""
    return [sys.executable, "-S"] if sys.flags.no_site else [sys.executable]


def process_cpu(args: list[str], repeat: int) -> float:
    """Median CPU seconds (user + system) of a fresh `python` running `args`."""
    times = []
    for _ in range(repeat):
        with _children_cpu() as spent:
            subprocess.run([*_python(), *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        times.append(spent[0])
    return statistics.median(times)


_VERIFY_FILE = """
import sys
from pathlib import Path
from notary import receipts, trust
from notary.hashing import sha256_file
from notary.receipts.verify import verify_offline
r = receipts.read(Path(sys.argv[1]))
pin = trust.Pin(int(sys.argv[3]), sys.argv[4], sys.argv[5])
v = verify_offline(r, sha256_file(Path(sys.argv[2])), trust.Anchors((pin,)))
assert v.ok, v.reasons
"""


def heavy_modules(code: str, *args: str) -> list[str]:
    """The packages of `HEAVY` that running `code` imports, in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([*_python(), "-c", probe, *args], check=True, capture_output=True, text=True, cwd=ROOT)
    loaded = set(out.stdout.split())
    return [m for m in HEAVY if m in loaded]


def _document_of(case: Case, folder: Path) -> Path:
    """A file whose SHA-256 is the case's digest (the cases' documents are short known texts)."""
    for text in ("an instrument of 2 parties", "an instrument of 8 parties", "certificate 17"):
        if _sha(text) == case.digest:
            path = folder / "document.txt"
            path.write_text(text)
            return path
    raise RuntimeError(f"no known document for {case.name}")  # pragma: no cover


def _import_row(what: str, spent: float, base: float, heavy: list[str]) -> dict[str, Any]:
    extra = spent - base
    return {
        "what": what,
        "measured": f"{spent:.3f} s CPU",
        "reference": f"`python -c pass` {base:.3f} s CPU",
        "ratio": f"{spent / base:.0f}×" if base > 0 else "n/a",
        "target": f"≤ +{TARGET_IMPORT} s",
        "met": extra <= TARGET_IMPORT,
        "note": f"+{extra:.3f} s; heavy packages imported: {', '.join(heavy) or 'none'}",
        "figures": {"cpu_seconds": spent, "reference_cpu_seconds": base, "extra_seconds": round(extra, 3),
                    "heavy_packages": heavy},
    }  # fmt: skip


def import_rows(cases: list[Case], pinned: Any, repeat: int) -> list[dict[str, Any]]:
    """The offline path's import CPU, and whole processes verifying a receipt file, against `python -c pass`."""
    base = process_cpu(["-c", "pass"], repeat)
    present = [m for m in OFFLINE_MODULES if importlib.util.find_spec(m) is not None]  # older trees lack some
    imports = "import " + ", ".join(present)
    rows = [_import_row("import the offline path's modules", process_cpu(["-c", imports], repeat), base,
                        heavy_modules(imports))]  # fmt: skip
    pin = pinned.pins[0]
    with tempfile.TemporaryDirectory(prefix="notary-bench-") as tmp:
        for case in cases:
            if not case.name.startswith("record, 2 parties"):
                continue
            receipt = Path(tmp) / "receipt.json"
            receipt.write_bytes(case.raw)
            args = [str(receipt), str(_document_of(case, Path(tmp))), str(pin.chain_id), pin.ledger, pin.registry]
            spent = process_cpu(["-c", _VERIFY_FILE, *args], repeat)
            what = f"whole process: read and verify a receipt file offline ({case.name})"
            rows.append(_import_row(what, spent, base, heavy_modules(_VERIFY_FILE, *args)))
    return rows


def recoveries(case: Case) -> int:
    """How many secp256k1 recoveries verifying the case takes: one per act signed by a key (not EIP-1271)."""
    from notary import receipts

    r = receipts.loads(case.raw)
    acts = r.record.attestations if r.record is not None else (r.batch.anchor,) if r.batch is not None else ()
    return sum(not e.contract_signer for e in acts)


def _floor_note(n: int, reference: float) -> str:
    """What the curve alone costs of the time a receipt may take at the target rate."""
    each, budget = 1e6 / reference, 1e6 / TARGET_RATE
    return (
        f"{n} signature recover{'y' if n == 1 else 'ies'} at {each:.0f} µs{'' if n == 1 else ' each'} = "
        f"{100 * n * each / budget:.0f} % "
        f"of the {budget:.0f} µs a receipt may take at the target"
    )


def run(quick: bool) -> list[dict[str, Any]]:
    """Every row, measured in this process (the import rows in fresh interpreters). Each row is a dict
    with the fields of `scripts/benchlib/report.Row`: what, measured, reference, ratio, target, met,
    note, figures (the numbers)."""
    rounds, seconds, repeat = (1, 0.25, 3) if quick else (5, 1.0, 9)
    cases, pinned = make_cases()
    reference, measured = rates(cases, pinned, rounds, seconds)
    rows = []
    for case, rate in zip(cases, measured, strict=True):
        n = recoveries(case)
        rows.append(
            {
                "what": f"offline receipt verification, in process: {case.name}",
                "measured": f"{rate:,.0f} receipts/s",
                "reference": f"one coincurve recovery {reference:,.0f}/s",
                "ratio": f"{rate / reference:.3f}",
                "target": f"≥ {TARGET_RATE:,.0f}/s on one core",
                "met": rate >= TARGET_RATE,
                "note": (
                    f"{len(case.raw):,}-byte receipt; {_floor_note(n, reference)}; CPU time of this process, "
                    f"median of {rounds} round(s)"
                ),
                "figures": {
                    "receipts_per_second": rate,
                    "recoveries_per_second": reference,
                    "bytes": len(case.raw),
                    "recoveries_per_receipt": n,
                    "recovery_share_of_budget": n * TARGET_RATE / reference,
                },
            }
        )
    rows.extend(import_rows(cases, pinned, repeat))
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| what | measured | reference (same run) | ratio | target | verdict |",
        "| --- | ---: | --- | ---: | --- | --- |",
    ]
    for r in rows:
        verdict = {True: "met", False: "**missed**", None: "n/a"}[r["met"]]
        lines.append(f"| {r['what']} | {r['measured']} | {r['reference']} | {r['ratio']} | {r['target']} | {verdict} |")
    notes = [f"- {r['what']}: {r['note']}" for r in rows if r["note"]]
    return "\n".join([*lines, "", *notes])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Smoke size: short measurements, 3 repeats.")
    parser.add_argument("--json", action="store_true", help="Print the rows as JSON.")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
