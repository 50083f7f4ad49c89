"""`notary batch anchor|prove`: one signed Merkle root for many documents, and each one's proof."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from notary.cli import _evidence, context
from notary.cli.acts import DeadlineOpt, JsonOpt, KeyOpt, PartyOpt, PasswordFileOpt, RelayerOpt, RelayerPasswordOpt
from notary.cli.output import console, err_console, print_json

app = typer.Typer(help="Anchor many documents under one signed Merkle root; prove a document's membership.")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _hash_with_progress(paths: list[Path], workers: int | None, quiet: bool) -> list[bytes]:
    from notary.batch import hash_files

    if quiet:
        return hash_files(paths, workers)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress("hashing", *columns, console=err_console, transient=True) as progress:
        task = progress.add_task("documents", total=len(paths))
        return hash_files(paths, workers, lambda n: progress.advance(task, n))


@app.command("anchor")
def anchor(
    documents: Annotated[list[Path], typer.Argument(metavar="DIR|FILES...", help="Files, or folders walked in order.")],
    party: PartyOpt,
    key: KeyOpt,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="OUT", help="Bundle file (default batch-<root>.json).")
    ] = None,
    receipts_dir: Annotated[
        Path | None,
        typer.Option("--receipts", metavar="DIR", help="Also write one receipt per document into DIR (small batches)."),
    ] = None,
    title: Annotated[
        str, typer.Option("--title", help="A title for the batch; only a hash of it and the count goes on chain.")
    ] = "",
    workers: Annotated[int | None, typer.Option("--workers", help="Hashing processes (default: every core).")] = None,
    deadline: DeadlineOpt = "24h",
    password_file: PasswordFileOpt = None,
    relayer: RelayerOpt = None,
    relayer_password_file: RelayerPasswordOpt = None,
    force: _evidence.ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Hash the documents, anchor their Merkle root signed as PARTY, and write the bundle (index and proofs)."""
    from notary import batch, ledger
    from notary.cli._act_inputs import check_party
    from notary.cli.acts import _deadline, _key, _relay, _report, _submit_once
    from notary.codes import party_code
    from notary.errors import NotaryUnknownAnchorError
    from notary.journal import OnChain
    from notary.models import anchor_id
    from notary.receipts.build import anchor_evidence, chain_ref

    found = batch.collect(documents)
    started = time.perf_counter()
    digests = _hash_with_progress([p for _, p in found], workers, quiet=as_json)
    hashed = time.perf_counter()
    tree = batch.tree_of(digests)
    built = time.perf_counter()
    metadata = batch.anchor_metadata(len(tree), title)  # the count is committed here, not signed as a field
    gw = context.gateway()
    check_party(gw, party.strip().upper())  # unregistered or suspended: said before anything is signed
    payload = batch.prepare_anchor(tree.root, party, _deadline(deadline, gw), metadata)
    aid, code = anchor_id(tree.root, party_code(party)), party.strip().upper()
    out = output or Path(f"batch-{tree.root.hex()[:16]}.json")
    _evidence.guard(out, _evidence.bundle(gw.domain.chain_id, gw.domain.verifying_contract, aid), force)

    def recorded() -> OnChain | None:
        try:
            gw.batch(aid)
        except NotaryUnknownAnchorError:
            return None
        return OnChain(None, None)

    def send(on_signed: Any, timeout: float) -> Any:
        signer = context.unlock(key, password_file)
        signed = ledger.sign(payload, gw.domain, signer)
        return _relay(gw, signed, signer, relayer, relayer_password_file, on_signed=on_signed, timeout=timeout)

    outcome = _submit_once(gw, _key(gw, aid, code, "anchor"), recorded, send, payload.deadline)
    observed = gw.chain.block_number()
    evidence = anchor_evidence(gw, tree.root, code, observed)
    bundle = batch.Bundle(chain_ref(gw), metadata, evidence, tuple(n for n, _ in found), tuple(digests))
    size = bundle.write(out)
    if receipts_dir is not None:  # written here, connected: with the anchor's state proofs (one set for all)
        from notary.receipts.build import anchor_proofs

        _write_receipts(bundle, tree, receipts_dir, aid, force, anchor_proofs(gw, evidence, observed))
    _report(
        outcome,
        as_json,
        f"{code}'s anchor of {len(tree)} documents",
        {
            "anchorId": "0x" + aid.hex(),
            "root": tree.root.hex(),
            "count": len(tree),
            "proofLength": batch.depth(len(tree)),
            "bundle": str(out),
            "bundleBytes": size,
            "receipts": None if receipts_dir is None else str(receipts_dir),
            "hashSeconds": round(hashed - started, 3),
            "treeSeconds": round(built - hashed, 3),
        },
    )


def _write_receipts(bundle: Any, tree: Any, folder: Path, aid: bytes, force: bool, proofs: Any = None) -> None:
    from notary import receipts

    c = bundle.chain

    folder.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for i, name in enumerate(bundle.names):
        stem = _UNSAFE.sub("_", name).strip("._") or "document"
        if stem in used:
            stem = f"{stem}-{i}"
        used.add(stem)
        path = folder / f"{stem}.receipt.json"
        _evidence.guard(path, _evidence.batch_receipt(c.chain_id, c.ledger, aid, bundle.digests[i]), force)
        receipts.write(bundle.receipt(i, tree, proofs), path)


@app.command("prove")
def prove(
    document: Annotated[str, typer.Argument(metavar="FILE|DIGEST", help="The document, or its SHA-256 digest.")],
    bundle_path: Annotated[Path, typer.Option("--bundle", metavar="B", help="The bundle `batch anchor` wrote.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="R", help="Write the document's receipt here.")
    ] = None,
    force: _evidence.ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Find a document in a batch bundle and give its Merkle proof (and receipt, with -o)."""
    from notary import merkle, receipts
    from notary.batch import Bundle
    from notary.cli.documents import digest_of

    digest = digest_of(document, quiet=as_json)
    bundle = Bundle.read(bundle_path)
    index = bundle.index_of(digest)
    tree = bundle.tree()
    proof = tree.proof(index)
    assert merkle.verify(digest, proof, bundle.payload.root)
    fields: dict[str, Any] = {
        "digest": digest.hex(),
        "name": bundle.names[index],
        "index": index,
        "count": len(tree),
        "root": bundle.payload.root.hex(),
        "anchorTransaction": bundle.anchor.transaction,
        "block": bundle.anchor.block_number,
        "proof": ["0x" + p.hex() for p in proof],
    }
    if output is not None:
        from notary.models import anchor_id

        c, p = bundle.chain, bundle.payload
        subject = _evidence.batch_receipt(c.chain_id, c.ledger, anchor_id(p.root, p.party), digest)
        _evidence.guard(output, subject, force)
        fields["receipt"] = str(output)
        fields["receiptBytes"] = receipts.write(bundle.receipt(index, tree), output)
    if as_json:
        print_json(fields)
        return
    console.print(
        f"[green]✓[/] {escape(bundle.names[index])} is document {index + 1} of {len(tree)} in the batch anchored in "
        f"block {bundle.anchor.block_number}; its proof has {len(proof)} steps",
        highlight=False,
    )
    if output is not None:
        console.print(f"receipt written to [bold]{escape(str(output))}[/]; verify: `notary verify FILE --receipt R`")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="batch")
