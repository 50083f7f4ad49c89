"""Benchmark batch anchoring end to end: files -> hashes -> tree -> one anchor -> bundle -> proofs.

    .venv/bin/python scripts/bench_batch.py --count 100000            # the slow test's tier
    .venv/bin/python scripts/bench_batch.py --count 1000000 --dir /var/tmp/batch-1m   # deep tier

Writes COUNT small files (unless the folder already holds them), hashes them with every
core, builds the Merkle tree, anchors the root in one transaction (in-process chain, or
--rpc-url of a dev node such as anvil), writes and re-reads the bundle, then checks a
random sample: each document's receipt verifies offline, and the ledger's MerkleProof
accepts its proof on chain. Prints the figures as JSON (times in seconds, peak RSS in MiB).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def make_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{i // 1000:04d}" / f"certificate-{i:07d}.txt" for i in range(count)]
    if all(p.exists() for p in (paths[0], paths[-1])):
        return paths
    for i, p in enumerate(paths):
        if i % 1000 == 0:
            p.parent.mkdir(exist_ok=True)
        p.write_bytes(f"Consular certificate no. {i:07d}\n".encode())
    return paths


def bench(count: int, folder: Path, sample: int, rpc_url: str | None, workers: int | None) -> dict[str, Any]:
    from notary import batch, ledger, receipts
    from notary.chain.connect import in_process, rpc
    from notary.codes import party_code
    from notary.models import anchor_id
    from notary.receipts.build import anchor_evidence, chain_ref
    from notary.receipts.verify import verify_offline
    from notary.testing import World

    figures: dict[str, Any] = {"count": count}
    t = time.perf_counter()
    paths = make_files(folder, count)
    figures["makeFilesSeconds"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    digests = batch.hash_files(paths, workers)
    figures["hashSeconds"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    tree = batch.tree_of(digests)
    figures["treeSeconds"] = round(time.perf_counter() - t, 2)
    figures["treeNodes"] = len(tree.nodes)
    figures["proofLengthMax"] = batch.depth(count)

    world = World.build(rpc(rpc_url) if rpc_url else in_process())
    metadata = batch.anchor_metadata(count)
    payload = batch.prepare_anchor(tree.root, "FRA", world.deadline(), metadata)
    result = ledger.submit(world.gw, world.relayer, ledger.sign(payload, world.gw.domain, world.signers["FRA"]))
    figures["anchorGas"] = result.gas_used
    figures["anchorTransactions"] = 1
    bundle = batch.Bundle(
        chain_ref(world.gw),
        metadata,
        anchor_evidence(world.gw, tree.root, "FRA"),
        tuple(p.relative_to(folder).as_posix() for p in paths),
        tuple(digests),
    )
    out = folder.parent / f"{folder.name}.bundle.json"
    t = time.perf_counter()
    figures["bundleBytes"] = bundle.write(out)
    figures["bundleWriteSeconds"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    reread = batch.Bundle.read(out)
    rebuilt = reread.tree()
    figures["bundleReadAndRebuildSeconds"] = round(time.perf_counter() - t, 2)

    aid = anchor_id(tree.root, party_code("FRA"))
    sizes, lengths = [], []
    for i in sorted(random.Random(count).sample(range(count), min(sample, count))):
        raw = receipts.dumps(reread.receipt(i, rebuilt))
        r = receipts.loads(raw)
        assert r.batch is not None
        assert verify_offline(r, digests[i], world.pinned).ok, i
        assert world.gw.verify_inclusion(aid, digests[i], list(r.batch.proof)), i
        sizes.append(len(raw))
        lengths.append(len(r.batch.proof))
    figures["sampleVerified"] = len(sizes)
    figures["proofLengths"] = sorted(set(lengths))
    figures["receiptBytes"] = max(sizes)
    figures["peakRssMiB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None, help="Folder for the files (default: a temporary one).")
    parser.add_argument("--sample", type=int, default=50, help="Documents whose proofs are checked.")
    parser.add_argument("--rpc-url", default=None, help="A dev node (anvil); default: the in-process chain.")
    parser.add_argument("--workers", type=int, default=None, help="Hashing processes (default: every core).")
    args = parser.parse_args(argv)
    if args.dir is not None:
        figures = bench(args.count, args.dir, args.sample, args.rpc_url, args.workers)
    else:
        with tempfile.TemporaryDirectory(prefix="notary-bench-") as tmp:
            figures = bench(args.count, Path(tmp) / "docs", args.sample, args.rpc_url, args.workers)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
