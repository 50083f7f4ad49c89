"""The `notary` command: wiring of command groups and the one error handler."""

from __future__ import annotations

import sys

import typer

from notary import __version__
from notary.cli import demo as demo_cmd
from notary.cli import exit_codes, node

app = typer.Typer(
    name="notary",
    help="Notarise diplomatic documents on a blockchain ledger, and verify them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("demo")(demo_cmd.demo)
app.add_typer(node.app, name="node")

_debug = False


def _version(value: bool) -> None:
    if value:
        print(f"notary {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    global _debug
    _debug = debug


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, map errors to messages and exit codes."""
    from notary.errors import NotaryError

    try:
        app(args=argv, standalone_mode=False)
    except NotaryError as exc:
        if _debug:
            raise
        from notary.cli.output import err_console

        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        if exc.hint:
            err_console.print(f"[yellow]hint:[/] {exc.hint}", highlight=False, soft_wrap=True)
        return exit_codes.for_error(exc)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return exit_codes.OK


if __name__ == "__main__":
    sys.exit(main())
