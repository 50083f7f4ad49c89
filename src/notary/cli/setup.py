"""`notary init` and `notary deploy`: configure this machine, and put a ledger on a chain."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from notary import config
from notary.cli import context
from notary.cli.output import console, print_json
from notary.errors import ConfigError, InvalidInputError

if TYPE_CHECKING:
    from notary.chain.connect import Chain

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def register(app: typer.Typer) -> None:
    """Add `init` and `deploy` to the root app."""
    app.command("init")(init)
    app.command("deploy")(deploy)


# --------------------------------------------------------------------------- init


def init(
    rpc_url: Annotated[str | None, typer.Option("--rpc-url", help="JSON-RPC URL of the node to use.")] = None,
    keystore_dir: Annotated[
        Path | None, typer.Option("--keystore-dir", help="Folder of encrypted keys.", file_okay=False)
    ] = None,
    deployment: Annotated[
        Path | None, typer.Option("--deployment", help="Deployment manifest to use.", dir_okay=False)
    ] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Data folder.", file_okay=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing config file.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write the config file (RPC URL, deployment manifest, keystore folder) for this user.

    Values not given keep their defaults; `NOTARY_*` environment variables and flags
    still override the file for each command.
    """
    file = config.config_file()
    if file.exists() and not force:
        raise ConfigError(
            f"a config file already exists at {file}",
            hint="pass --force to replace it, or edit it by hand",
        )
    given = {k: v for k, v in context.state.overrides.items() if v is not None}
    mine = {"rpc_url": rpc_url, "keystore_dir": keystore_dir, "deployment": deployment, "data_dir": data_dir}
    given.update({k: v for k, v in mine.items() if v is not None})
    if "rpc_url" in given:
        _check_url(str(given["rpc_url"]))
    for key in ("keystore_dir", "deployment", "data_dir"):
        if key in given:  # absolute, so the file means the same from any folder
            given[key] = Path(given[key]).expanduser().resolve()
    written = config.write(config.Settings().with_overrides(**given), file)
    effective = config.load(written).with_overrides(**context.state.overrides)
    overridden = sorted(
        config.ENV_PREFIX + k.upper()
        for k in _settings_dict(effective)
        if os.environ.get(config.ENV_PREFIX + k.upper())
    )
    if as_json:
        print_json({"configFile": str(written), "settings": _settings_dict(effective), "environment": overridden})
        return
    console.print(f"wrote [bold]{escape(str(written))}[/]", highlight=False, soft_wrap=True)
    _print_settings(effective)
    if overridden:
        verb = "overrides" if len(overridden) == 1 else "override"
        console.print(
            f"[yellow]note:[/] {', '.join(overridden)} in your environment {verb} the file",
            highlight=False,
            soft_wrap=True,
        )


def _check_url(url: str) -> None:
    if url != "in-process" and not url.startswith(("http://", "https://")):
        raise InvalidInputError(
            f"RPC URL {url!r} is not an http(s) URL",
            hint="e.g. http://127.0.0.1:8545 (the default of `notary node start`)",
        )


def _settings_dict(s: config.Settings) -> dict[str, Any]:
    return {
        "rpc_url": s.rpc_url,
        "deployment": str(s.deployment) if s.deployment else None,
        "keystore_dir": str(s.resolved_keystore_dir),
        "data_dir": str(s.resolved_data_dir),
        "tx_timeout": s.tx_timeout,
    }


def _print_settings(s: config.Settings) -> None:
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row("rpc url", escape(s.rpc_url))
    table.add_row("deployment", escape(str(s.deployment or s.resolved_data_dir / "deployments" / "<chain id>.json")))
    table.add_row("keystore", escape(str(s.resolved_keystore_dir)))
    table.add_row("data", escape(str(s.resolved_data_dir)))
    table.add_row("tx timeout", f"{s.tx_timeout:g} s")
    console.print(table, highlight=False)


# --------------------------------------------------------------------------- deploy


def deploy(
    key: Annotated[
        str, typer.Option("--key", help="Name of the depositary's key; it will own the registry.", show_default=False)
    ],
    password_file: Annotated[
        Path | None,
        typer.Option("--password-file", help="Read the key's password from this file.", dir_okay=False),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Deploy even if the manifest names a ledger that is live on this chain.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Deploy the identity registry and the ledger, and write the deployment manifest."""
    from notary.chain.deploy import deploy as deploy_contracts

    chain = context.chain()
    path = context.settings().deployment_path(chain.chain_id)
    backup = _check_existing(chain, path, force)
    depositary = context.unlock(key, password_file)
    context.ensure_gas(depositary)
    if not as_json:
        console.print(
            f"deploying from [bold]{key}[/] ({depositary.address}) to chain {chain.chain_id} …",
            highlight=False,
            soft_wrap=True,
        )
    dep = deploy_contracts(chain, depositary)
    if backup is not None:
        path.replace(backup)
    dep.save(path)
    contracts: dict[str, dict[str, Any]] = {
        name: {
            "address": c.address,
            "block": c.block_number,
            "transaction": c.transaction,
            "gasUsed": chain.gas_used(c.transaction),
        }
        for name, c in (("registry", dep.registry), ("ledger", dep.ledger))
    }
    result = {
        "chainId": dep.chain_id,
        "rpcUrl": chain.url,
        "manifest": str(path),
        "replacedManifest": str(backup) if backup else None,
        "depositary": dep.depositary,
        **contracts,
    }
    if as_json:
        print_json(result)
        return
    from rich import box
    from rich.table import Table

    table = Table(title=f"Deployed on chain {dep.chain_id}", title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("contract", "address", "block", "gas used"):
        table.add_column(col, no_wrap=True)
    for name, c in contracts.items():
        table.add_row(name, c["address"], str(c["block"]), f"{c['gasUsed']:,}")
    console.print(table)
    console.print(f"depositary {dep.depositary}\nmanifest   {escape(str(path))}", highlight=False, soft_wrap=True)
    if backup:
        console.print(
            f"[yellow]the previous manifest is kept as {escape(str(backup))}[/]", highlight=False, soft_wrap=True
        )


def _check_existing(chain: Chain, path: Path, force: bool) -> Path | None:
    """Refuse to replace a manifest that may still matter; return where to keep the old one."""
    from notary.deployment import Deployment

    if not path.exists():
        return None
    backup = path.with_name(f"{path.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    try:
        old = Deployment.load(path)
    except InvalidInputError as exc:
        problem = f"{path} exists but is not a deployment manifest ({exc.message})"
    else:
        if old.chain_id != chain.chain_id:
            problem = f"the manifest {path} is for chain {old.chain_id}, not chain {chain.chain_id}"
        elif chain.has_code(old.ledger.address):
            problem = (
                f"a ledger is already deployed on chain {chain.chain_id} at {old.ledger.address} (manifest {path})"
            )
        else:
            return backup  # stale: the node was reset, the old contracts are gone
    if not force:
        raise ConfigError(
            problem, hint=f"keep using it; or pass --force to deploy anew (the old file is kept as {backup.name})"
        )
    return backup
