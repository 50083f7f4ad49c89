"""`notary trust add|list|remove`: the deployments receipts may be verified against.

A receipt verifies only if its chain id, ledger and registry are pinned: by the configured
deployment manifest, or in the trust store (`$NOTARY_CONFIG_DIR/trust.json`). `add` reads
the deployment from the node first: the ledger's `registry()` must be the registry, and
both contracts' runtime code hashes are pinned with the addresses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from notary.cli import context
from notary.cli.output import console, err_console, print_json
from notary.errors import ChainIdMismatchError, InvalidInputError
from notary.trust import Anchors, Pin, TrustStore, judge, of_manifest

app = typer.Typer(
    help="Pinned deployments: which ledgers receipts may be verified against.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _address(value: str, what: str) -> str:
    from eth_utils import is_address, to_checksum_address

    if not is_address(value.strip()):
        raise InvalidInputError(f"--{what} must be a 0x address of 40 hex digits, not {value!r}")
    return str(to_checksum_address(value.strip()))


def _manifest_pins(chain_id: int | None = None) -> Anchors:
    """The manifest(s) the settings name: NOTARY_DEPLOYMENT, else the data folder's (one per chain)."""
    from notary.deployment import Deployment

    s = context.settings()
    if s.deployment is not None:
        return of_manifest(Deployment.load(s.deployment), str(s.deployment))
    folder = s.resolved_data_dir / "deployments"
    paths = [s.deployment_path(chain_id)] if chain_id is not None else sorted(folder.glob("*.json"))
    anchors = Anchors()
    for path in paths:
        if path.is_file():
            anchors += of_manifest(Deployment.load(path), str(path))
    return anchors


def anchors_for(chain_id: int) -> Anchors:
    """What verification of a receipt for `chain_id` trusts: the trust store and the configured manifest."""
    return TrustStore.load(context.settings().trust_file).anchors + _manifest_pins(chain_id)


@app.command("add")
def add(
    manifest: Annotated[
        Path | None, typer.Option("--manifest", metavar="FILE", help="Pin the deployment this manifest names.")
    ] = None,
    chain_id: Annotated[int | None, typer.Option("--chain-id", metavar="N", help="The deployment's chain id.")] = None,
    ledger: Annotated[str | None, typer.Option("--ledger", metavar="0x…", help="The ledger's address.")] = None,
    registry: Annotated[str | None, typer.Option("--registry", metavar="0x…", help="The registry's address.")] = None,
    label: Annotated[str, typer.Option("--label", metavar="L", help="A name for the deployment.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Pin a deployment, read from the node: the ledger's registry() must be the registry; code hashes are pinned."""
    from notary.chain import code
    from notary.deployment import Deployment

    explicit = (chain_id, ledger, registry)
    if manifest is not None and any(x is not None for x in explicit):
        raise InvalidInputError("name the deployment once: --manifest FILE, or --chain-id, --ledger and --registry")
    if manifest is not None:
        d = Deployment.load(manifest)
        chain_id, ledger, registry = d.chain_id, d.ledger.address, d.registry.address
    if chain_id is None or ledger is None or registry is None:
        raise InvalidInputError(
            "name the deployment: --manifest FILE, or all of --chain-id N --ledger 0x… --registry 0x…"
        )
    wanted = Pin(chain_id, _address(ledger, "ledger"), _address(registry, "registry"), label=label.strip())
    chain = context.chain()
    if chain.chain_id != chain_id:
        raise ChainIdMismatchError(
            f"the node at {chain.url} serves chain {chain.chain_id}, not the deployment's chain {chain_id}",
            hint="point --rpc-url (NOTARY_RPC_URL) at a node of that chain: the contracts are read before pinning",
        )
    seen = code.observe(chain, wanted.ledger, wanted.registry)
    reasons, warnings = judge(wanted, seen)
    if reasons:
        raise InvalidInputError(
            "not pinned: " + "; ".join(reasons), hint="check the addresses and the chain, and that NOTARY_RPC_URL is it"
        )
    pin = Pin(
        wanted.chain_id, wanted.ledger, wanted.registry, seen.ledger_code_hash, seen.registry_code_hash, wanted.label
    )
    path = context.settings().trust_file
    store = TrustStore.load(path).with_pin(pin)
    store.save()
    pinned = next(p for p in store.pins if (p.chain_id, p.ledger) == (pin.chain_id, pin.ledger))
    if as_json:
        print_json({**pinned.to_json(), "warnings": warnings})
        return
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False, soft_wrap=True)
    console.print(f"[green]✓[/] pinned {escape(pinned.describe())}", highlight=False, soft_wrap=True)


@app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """The pinned deployments: the trust store's, and the configured manifest's."""
    path = context.settings().trust_file
    pins = TrustStore.load(path).pins + _manifest_pins().pins
    if as_json:
        print_json({"trustStore": str(path), "deployments": [p.to_json() for p in pins]})
        return
    if not pins:
        console.print(f"no deployment is pinned (trust store {escape(str(path))}): add one with `notary trust add`")
    for p in pins:
        console.print(f"• {escape(p.describe())}", highlight=False, soft_wrap=True)
        if p.ledger_code_hash:
            console.print(
                f"  code: ledger {p.ledger_code_hash}, registry {p.registry_code_hash}", highlight=False, soft_wrap=True
            )


@app.command("remove")
def remove(
    ledger: Annotated[str, typer.Argument(metavar="LEDGER", help="The ledger's address.")],
    chain_id: Annotated[int | None, typer.Option("--chain-id", metavar="N", help="Only on this chain.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Unpin a deployment from the trust store (a manifest's deployment stays pinned by the manifest)."""
    address = _address(ledger, "ledger")
    path = context.settings().trust_file
    store, removed = TrustStore.load(path).without(address, chain_id)
    if not removed:
        raise InvalidInputError(f"ledger {address} is not in the trust store {path}", hint="see `notary trust list`")
    store.save()
    still = [p for p in _manifest_pins().pins if p.ledger == address]
    if as_json:
        print_json({"removed": [p.to_json() for p in removed], "stillPinnedBy": [p.to_json() for p in still]})
        return
    for p in removed:
        console.print(f"[green]✓[/] unpinned {escape(p.describe())}", highlight=False, soft_wrap=True)
    for p in still:
        console.print(f"[yellow]![/] still pinned by the manifest {escape(p.origin)}", highlight=False, soft_wrap=True)
