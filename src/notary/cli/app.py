"""The `notary` command: a table of its commands, loaded lazily, and the one error handler.

Each command's module is imported only when that command runs (or shows its own `--help`):
`notary --help` lists every command from `COMMANDS`, a table of import targets and one-line
helps, without importing any of them (tests/unit/test_cli_lazy.py checks that each one-line
help is the command's own, so the two never drift).
"""

from __future__ import annotations

import importlib
import sys
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup

from notary import __version__
from notary.cli import exit_codes
from notary.cli._coerce import install as _install_coerce
from notary.cli._help import install as _install_help

#: Every command, in the order `notary --help` lists them: name → ("module:attribute", one-line help).
#: The attribute is a command function (made a command of that name) or a `typer.Typer` (a group).
#: The help is the first paragraph of the command's own help, exactly as `--help` shows it.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "notary.cli.demo:demo",
        "The whole product on an in-process chain: an MoU signed offline, a receipt, a treaty in force, an\n"
        "amendment, a key compromise undone, 1,000 certificates in one batch, an audit export verified.",
    ),
    "init": (
        "notary.cli.setup:init",
        "Write the config file (RPC URL, deployment manifest, keystore folder) for this user.",
    ),
    "deploy": (
        "notary.cli.setup:deploy",
        "Deploy the identity registry and the ledger, and write the deployment manifest.",
    ),
    "notarise": (
        "notary.cli.acts:notarise",
        "Notarise a document, or an instrument of several texts: sign it as PARTY, submit it and wait.",
    ),
    "sign": (
        "notary.cli.acts:sign",
        "Co-sign (or ratify) a notarised record as PARTY: the signature binds the record's full terms.",
    ),
    "submit": (
        "notary.cli.acts:submit",
        "Relay payloads signed offline: the relayer pays gas and cannot alter what was signed.",
    ),
    "withdraw": (
        "notary.cli.acts:withdraw",
        "Withdraw PARTY from an executed record, with a reason recorded on chain.",
    ),
    "cancel": ("notary.cli.acts:cancel", "Cancel a record PARTY notarised, before any other party has signed it."),
    "annul": ("notary.cli.acts:annul", "Sign the annulment of an executed record; a quorum of annulments annuls it."),
    "void": (
        "notary.cli.void:void",
        "Void every act on the record whose key was not authorised when it signed (anyone may do it).",
    ),
    "terms": (
        "notary.cli.void:terms",
        "Write a record's terms for an air-gapped signer (`notary sign … --offline --terms FILE`).",
    ),
    "status": (
        "notary.cli.inspect:status",
        "Show every record of a document (or one record, by its id): state, where signing and\n"
        "ratification stand and what can be done next, and each act with its health and confirmations.",
    ),
    "verify": (
        "notary.cli.inspect:verify",
        "Exit 0 only if an executed record with valid signatures binds this document, meets the policy and\n"
        "is not disputed by another record of it (annulled or terminated by its signatories).",
    ),
    "receipt": (
        "notary.cli.receipts:receipt",
        "Write a receipt: everything needed to verify the record offline, read from the chain now.",
    ),
    "publish": (
        "notary.cli.publish:publish",
        "Publish batch bundles and instrument manifests so that each document (a batch member, a text, an\n"
        "annex) verifies by its own digest: `notary verify`, `GET /v1/verify/{digest}` and the verifier page.",
    ),
    "serve": ("notary.cli.serve:serve", "Serve the verification API and the verifier page at http://HOST:PORT/."),
    "pending": (
        "notary.cli.pending:pending",
        "List the acts sent from this machine that are not final yet (and re-send any the node lost).",
    ),
    "batch": (
        "notary.cli.batch:app",
        "Anchor many documents under one signed Merkle root; prove a document's membership.",
    ),
    "keys": ("notary.cli.keys:app", "Create, import and inspect the encrypted signing keys on this machine."),
    "party": ("notary.cli.party:app", "Register parties and manage their controllers and signer keys."),
    "node": ("notary.cli.node:app", "Run a local anvil node whose chain state persists in the notary data directory."),
    "index": ("notary.cli.index:app", "Follow both contracts' events into the index database, and query it."),
    "audit": ("notary.cli.audit:app", "Export the audit trail and verify exports against the chain."),
    "trust": ("notary.cli.trust:app", "Pinned deployments: which ledgers receipts may be verified against."),
    "agent": (
        "notary.cli.agent:app",
        "A key agent: unlock a key once, then sign a series of acts without its password.",
    ),
}


def _extend_batch(batch_app: typer.Typer) -> None:
    """`batch publish` lives beside `publish` (notary.cli.publish), not in the batch module."""
    from notary.cli.publish import publish_batch

    batch_app.command("publish")(publish_batch)


#: Commands added to a group from another module when the group is loaded.
_EXTEND = {"batch": _extend_batch}


@cache
def load_command(name: str) -> _click.Command:
    """The real click command `name` of `COMMANDS`, importing only its module (once per process)."""
    target, _ = COMMANDS[name]
    module_name, _, attribute = target.partition(":")
    obj = getattr(importlib.import_module(module_name), attribute)
    if isinstance(obj, typer.Typer):
        if name in _EXTEND:
            _EXTEND[name](obj)
        command: _click.Command = typer.main.get_group(obj)  # as `add_typer` would: no completion options
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(obj)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root group: lists `COMMANDS` from the table and imports a command only to run it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._listing = False

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in COMMANDS:  # a command added to `app` eagerly (none today)
            return super().get_command(ctx, cmd_name)
        if self._listing:  # `notary --help`: the name and the one-line help are all it shows
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        return load_command(cmd_name)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


_install_help()  # no `<bool>` after flags in --help
_install_coerce()  # plain option values converted without importing pydantic
app = typer.Typer(
    name="notary",
    help="Notarise diplomatic documents on a blockchain ledger, and verify them.",
    cls=LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"notary {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    rpc_url: Annotated[
        str | None,
        typer.Option("--rpc-url", help="JSON-RPC URL of the node (env NOTARY_RPC_URL; default http://127.0.0.1:8545)."),
    ] = None,
    deployment: Annotated[
        Path | None, typer.Option("--deployment", help="Deployment manifest (env NOTARY_DEPLOYMENT).")
    ] = None,
    keystore_dir: Annotated[
        Path | None, typer.Option("--keystore-dir", help="Folder of encrypted keys (env NOTARY_KEYSTORE_DIR).")
    ] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Data folder (env NOTARY_DATA_DIR).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    from notary.cli import context

    context.reset()
    context.state.debug = debug
    context.state.overrides = {
        "rpc_url": rpc_url,
        "deployment": deployment,
        "keystore_dir": keystore_dir,
        "data_dir": data_dir,
    }


def _debug() -> bool:
    context = sys.modules.get("notary.cli.context")  # not loaded: the root callback never ran
    return bool(context is not None and context.state.debug)  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, map errors to messages and exit codes."""
    from notary.errors import ChainError, NotaryError

    args = sys.argv[1:] if argv is None else argv
    if (sending := sys.modules.get("notary.cli._act_send")) is not None:  # loaded by an earlier in-process run
        sending.reset_progress()  # type: ignore[attr-defined]
    try:
        result = app(args=argv, standalone_mode=False)
    except NotaryError as exc:
        if _debug():
            raise
        from rich.markup import escape

        from notary.cli.output import err_console

        err_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
        if exc.hint:
            err_console.print(f"[yellow]hint:[/] {escape(exc.hint)}", highlight=False, soft_wrap=True)
        state = _act_state(args) if isinstance(exc, ChainError) else None
        if state is not None and "the act is " not in exc.message:  # a fault before or after the send
            err_console.print(f"the act is {escape(state)}", highlight=False, soft_wrap=True)
        return exit_codes.for_error(exc)
    except KeyboardInterrupt:
        return _interrupted(args)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort as exc:  # click's form of Ctrl-C, or a declined confirmation
        if isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):
            return _interrupted(args)
        print("aborted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except typer.TyperException as exc:  # usage errors (typer bundles its own click)
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        return int(getattr(exc, "exit_code", exit_codes.USAGE))
    if result == exit_codes.INTERRUPTED:  # typer (non-standalone) turns Ctrl-C in a command into 130
        return _interrupted(args)
    return int(result) if isinstance(result, int) else exit_codes.OK


def _act_state(args: list[str]) -> str | None:
    from notary.cli import _act_send  # only on an error or an interruption

    return _act_send.act_state(args)


def _interrupted(args: list[str]) -> int:
    """Ctrl-C: say what state the act is in (if the command submits one), and how to finish it."""
    try:
        state = _act_state(args)
    except Exception:  # the journal unreadable mid-write: say nothing wrong rather than crash
        state = None
    if state is None:
        print("interrupted", file=sys.stderr)
    else:
        print(
            f"interrupted: the act is {state}; run the same command again to finish it safely "
            "(it never sends a duplicate)",
            file=sys.stderr,
        )
    return exit_codes.INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
