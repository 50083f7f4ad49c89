"""The `notary` command: wiring of command groups and the one error handler."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from notary import __version__
from notary.cli import acts, context, exit_codes, inspect, keys, node, party, pending, setup, void
from notary.cli import audit as audit_cmd
from notary.cli import batch as batch_cmd
from notary.cli import demo as demo_cmd
from notary.cli import index as index_cmd
from notary.cli import publish as publish_cmd
from notary.cli import receipts as receipts_cmd
from notary.cli import serve as serve_cmd
from notary.cli import trust as trust_cmd
from notary.cli._help import install as _install_help

_install_help()  # no `<bool>` after flags in --help
app = typer.Typer(
    name="notary",
    help="Notarise diplomatic documents on a blockchain ledger, and verify them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("demo")(demo_cmd.demo)
setup.register(app)  # init, deploy
acts.register(app)  # notarise, sign, submit, withdraw, cancel, annul
void.register(app)  # void
inspect.register(app)  # status, verify
receipts_cmd.register(app)  # receipt
batch_cmd.register(app)  # batch anchor, batch prove
publish_cmd.register(app, batch_cmd.app)  # publish, batch publish
serve_cmd.register(app)  # serve
pending.register(app)  # pending
app.add_typer(keys.app, name="keys")
app.add_typer(party.app, name="party")
app.add_typer(node.app, name="node")
app.add_typer(index_cmd.app, name="index")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(trust_cmd.app, name="trust")


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
    context.reset()
    context.state.debug = debug
    context.state.overrides = {
        "rpc_url": rpc_url,
        "deployment": deployment,
        "keystore_dir": keystore_dir,
        "data_dir": data_dir,
    }


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, map errors to messages and exit codes."""
    from notary.cli import _act_send
    from notary.errors import ChainError, NotaryError

    args = sys.argv[1:] if argv is None else argv
    _act_send.reset_progress()
    try:
        result = app(args=argv, standalone_mode=False)
    except NotaryError as exc:
        if context.state.debug:
            raise
        from rich.markup import escape

        from notary.cli.output import err_console

        err_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False, soft_wrap=True)
        if exc.hint:
            err_console.print(f"[yellow]hint:[/] {escape(exc.hint)}", highlight=False, soft_wrap=True)
        state = _act_send.act_state(args) if isinstance(exc, ChainError) else None
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


def _interrupted(args: list[str]) -> int:
    """Ctrl-C: say what state the act is in (if the command submits one), and how to finish it."""
    from notary.cli import _act_send

    try:
        state = _act_send.act_state(args)
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
