"""`notary node start|stop|status`: a local anvil node whose ledger survives any kill.

The node's state is saved every --state-interval seconds as rotated generations
(`notary.chain.node_state`); `start` loads the newest intact one and says what was lost.
Failures raise NotaryError subclasses (NodeError); the main app turns them into a
message and an exit code.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # imported when a node command runs, not for every `notary` command
    from notary.chain.node import LocalNode, NodeStatus

app = typer.Typer(
    help="Run a local anvil node whose chain state persists in the notary data directory.",
    no_args_is_help=True,
)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the node keeps its state generations (state-*.json), anvil.log and anvil.pid "
        "[default: $NOTARY_DATA_DIR/anvil, else the user data directory's notary/anvil].",
        file_okay=False,
    ),
]
PortOption = Annotated[int, typer.Option("--port", help="JSON-RPC port.", min=1, max=65535)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the status as JSON.")]


def default_data_dir() -> Path:
    """The node's directory: $NOTARY_DATA_DIR/anvil, else <user data dir>/notary/anvil."""
    root = os.environ.get("NOTARY_DATA_DIR")
    if root:
        return Path(root).expanduser() / "anvil"
    from platformdirs import user_data_dir

    return Path(user_data_dir("notary")) / "anvil"


def _node(
    data_dir: Path | None,
    port: int,
    host: str = "127.0.0.1",
    chain_id: int = 31337,
    state_interval: float = 1,
    generations: int = 3,
) -> LocalNode:
    from notary.chain.node import LocalNode

    return LocalNode(
        data_dir or default_data_dir(),
        host=host,
        port=port,
        chain_id=chain_id,
        state_interval=state_interval,
        generations=generations,
    )


def _saved(status: NodeStatus) -> str:
    if status.state_file is None:
        return "nothing saved yet"
    age = f", {status.saved_age:.1f} s ago" if status.saved_age is not None else ""
    return f"{status.state_file} (block {status.saved_block}{age})"


def _print(status: NodeStatus, as_json: bool, headline: str, **extra: object) -> None:
    if as_json:
        typer.echo(json.dumps({**extra, **status.to_json()}))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    state = "[green]running[/]" if status.running else "[yellow]not running[/]"
    table.add_row("state", state + (f" (pid {status.pid})" if status.pid else ""))
    table.add_row("url", status.url)
    if status.running:
        table.add_row("chain id", str(status.chain_id) if status.chain_id is not None else "?")
        table.add_row("block", str(status.block_number) if status.block_number is not None else "?")
    table.add_row("saved state", _saved(status))
    table.add_row("log", str(status.log_file))
    console = Console()
    console.print(headline)
    console.print(table)
    if status.recovery:
        warn = Console(stderr=True)
        for line in status.recovery:
            text = f"[bold red]{escape(line)}[/]" if line.startswith("LOST") else escape(line)
            warn.print(text, highlight=False, soft_wrap=True)


@app.command()
def start(
    port: PortOption = 8545,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    chain_id: Annotated[int, typer.Option("--chain-id", help="Chain id to serve.")] = 31337,
    data_dir: DataDirOption = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the node.")] = 15,
    state_interval: Annotated[
        float,
        typer.Option(
            "--state-interval",
            help="Seconds between state saves: a kill loses at most this much of the newest blocks.",
            min=0.1,
        ),
    ] = 1,
    generations: Annotated[
        int, typer.Option("--generations", help="State generations kept (the newest first).", min=2)
    ] = 3,
    as_json: JsonOption = False,
) -> None:
    """Start anvil in the background, loading the newest intact saved state (and saying what was lost)."""
    node = _node(data_dir, port, host, chain_id, state_interval, generations)
    status = node.start(timeout=timeout)
    _print(status, as_json, f"anvil started at [bold]{status.url}[/]")


@app.command()
def stop(
    port: PortOption = 8545,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stop the node; a final state generation is saved before anvil exits."""
    node = _node(data_dir, port)
    url = node.status().url  # the running node's, from its pid file
    stopped = node.stop()
    after = dataclasses.replace(node.status(), url=url)
    headline = (
        f"anvil stopped; its chain state is saved up to block {after.saved_block}"
        if stopped
        else f"no anvil was running for {node.data_dir}"
    )
    _print(after, as_json, headline, stopped=stopped)


@app.command()
def status(
    port: PortOption = 8545,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show whether the node runs, its URL, chain id, latest block and newest saved state."""
    node = _node(data_dir, port)
    _print(node.status(), as_json, f"local node for {node.data_dir}")
