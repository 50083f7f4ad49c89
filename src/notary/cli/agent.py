"""`notary agent start|add|list|remove|stop`: pay the scrypt unlock once for a series of acts.

The agent (`notary.agent`) holds unlocked keys for a bounded time and signs on request
over a Unix socket only its user can open; commands use it when NOTARY_AGENT_SOCK points
at it and it holds the key they name, and unlock from the keystore otherwise.
"""

from __future__ import annotations

import os
import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from notary.cli import context
from notary.cli.output import console, plural, print_json

if TYPE_CHECKING:
    from notary.agent.client import AgentClient

app = typer.Typer(
    help="A key agent: unlock a key once, then sign a series of acts without its password.\n\n"
    "Like ssh-agent, it holds keys for a bounded time on a socket only you can open, and signs on request.",
    no_args_is_help=True,
)

SocketOption = Annotated[
    Path | None,
    typer.Option(
        "--socket",
        metavar="PATH",
        help="The agent's socket (default: $NOTARY_AGENT_SOCK, else $XDG_RUNTIME_DIR/notary-agent/agent.sock, "
        "else $NOTARY_DATA_DIR/agent/agent.sock).",
        dir_okay=False,
    ),
]
TtlOption = Annotated[
    str | None,
    typer.Option(
        "--ttl", metavar="DURATION", help="How long keys are held, e.g. 15m, 2h, 90s (default 15m, at most 8h)."
    ),
]
AddTtlOption = Annotated[
    str | None,
    typer.Option(
        "--ttl",
        metavar="DURATION",
        help="How long the agent holds this key, e.g. 15m, 2h (default: the agent's own, see `start --ttl`; at most "
        "8h).",
    ),
]
NameArgument = Annotated[str, typer.Argument(help="Key name in the keystore.", show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="Read the key's password from this file's first line (else env NOTARY_PASSWORD, else a prompt).",
        dir_okay=False,
    ),
]


def _default_socket() -> Path:
    from notary.agent.sockets import default_socket

    return default_socket(context.settings().resolved_data_dir)


def _socket(given: Path | None) -> Path:
    """--socket, else NOTARY_AGENT_SOCK, else the default path."""
    from notary.agent.sockets import ENV

    if given is not None:
        return given.expanduser().absolute()
    env = os.environ.get(ENV)
    return Path(env).expanduser().absolute() if env else _default_socket()


def _client(given: Path | None) -> AgentClient:
    from notary.agent.client import AgentClient

    return AgentClient(_socket(given))


def _expiry(expires_at: int, now: float | None = None) -> str:
    from notary.agent.ttl import duration_text
    from notary.models import timestamp_text

    left = int(expires_at - (time.time() if now is None else now))
    return f"{timestamp_text(expires_at)} (in {duration_text(left)})" if left > 0 else "now"


@app.command()
def start(
    ttl: TtlOption = None,
    socket: SocketOption = None,
    sh: Annotated[
        bool, typer.Option("--sh", help='Print only a shell line: eval "$(notary agent start --sh)".')
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Start a key agent in the background and print how to point commands at it."""
    from notary.agent.client import AgentClient
    from notary.agent.errors import AgentUnreachableError
    from notary.agent.launch import launch
    from notary.agent.sockets import ENV
    from notary.agent.ttl import DEFAULT_TTL, duration_text, parse_ttl

    seconds = DEFAULT_TTL if ttl is None else parse_ttl(ttl)
    path = _socket(socket)
    already = None
    if os.path.lexists(path):
        try:
            already = AgentClient(path).ping()
        except AgentUnreachableError:  # a stale socket among others: the new agent replaces it
            already = None
    info = already if already is not None else launch(path, seconds)
    held = int(already["defaultTtl"]) if already is not None else seconds
    data = {
        "socket": str(path),
        "pid": int(info["pid"]),
        "ttl": held,
        "alreadyRunning": already is not None,
        "env": {ENV: str(path)},
    }
    if as_json:
        print_json(data)
        return
    export = f"export {ENV}={shlex.quote(str(path))}"
    if sh:
        print(export)
        return
    if already is not None:
        headline = f"a key agent already runs at {escape(str(path))} (pid {data['pid']})"
    else:
        headline = f"key agent started (pid {data['pid']}); it holds keys {duration_text(held)} unless told otherwise"
    console.print(headline, highlight=False, soft_wrap=True)
    console.print(f"socket: {escape(str(path))} (folder 0700, socket 0600)", highlight=False, soft_wrap=True)
    console.print("point commands at it, then add a key with `notary agent add NAME`:", highlight=False)
    print(f"  {export}")


@app.command()
def add(
    name: NameArgument,
    ttl: AddTtlOption = None,
    socket: SocketOption = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Unlock key NAME once (its password as for any command) and hand it to the agent."""
    from notary.agent.ttl import parse_ttl

    seconds = None if ttl is None else parse_ttl(ttl)
    client = _client(socket)
    client.ping()  # the agent answers before the password is asked for
    account = context.unlock(name, password_file, use_agent=False)
    held = client.add(name, bytes(account.key), seconds)
    del account
    data = {**held, "socket": str(client.path)}
    if as_json:
        print_json(data)
        return
    console.print(
        f"the agent holds key [bold]{escape(name)}[/] ({held['address']}) until {_expiry(held['expiresAt'])}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("list")
def list_keys(socket: SocketOption = None, as_json: JsonOption = False) -> None:
    """List the keys the agent holds, with their addresses and when it forgets them."""
    client = _client(socket)
    now = time.time()
    held = client.list_keys()
    if as_json:
        print_json({"socket": str(client.path), "keys": held})
        return
    if not held:
        console.print(
            f"the agent at {escape(str(client.path))} holds no key; add one with `notary agent add NAME`",
            highlight=False,
            soft_wrap=True,
        )
        return
    from rich.table import Table

    table = Table(title=f"Keys held by the agent at {escape(str(client.path))}", title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("address", no_wrap=True)
    table.add_column("forgotten at")
    for key in held:
        table.add_row(escape(str(key["name"])), str(key["address"]), _expiry(int(key["expiresAt"]), now))
    console.print(table)


@app.command()
def remove(name: NameArgument, socket: SocketOption = None, as_json: JsonOption = False) -> None:
    """Make the agent forget key NAME now."""
    client = _client(socket)
    gone = client.remove(name)
    if as_json:
        print_json({**gone, "socket": str(client.path), "removed": True})
        return
    console.print(f"the agent forgot key [bold]{escape(name)}[/] ({gone['address']})", highlight=False)


@app.command()
def stop(socket: SocketOption = None, as_json: JsonOption = False) -> None:
    """Stop the agent: it forgets every key and removes its socket."""
    client = _client(socket)
    result = client.stop()
    _wait_gone(client.path)
    data: dict[str, Any] = {"socket": str(client.path), "stopped": True, "forgot": int(result["forgot"])}
    if as_json:
        print_json(data)
        return
    console.print(
        f"the agent at {escape(str(client.path))} stopped and forgot {plural(data['forgot'], 'key')}",
        highlight=False,
        soft_wrap=True,
    )


def _wait_gone(path: Path, timeout: float = 5.0) -> None:
    """Until the agent has removed its socket (it does so right after answering `stop`)."""
    deadline = time.monotonic() + timeout
    while os.path.lexists(path) and time.monotonic() < deadline:
        time.sleep(0.02)
