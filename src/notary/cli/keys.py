"""`notary keys new|import|list|show`: the encrypted signing keys on this machine.

Keys are eth-account's standard scrypt keystore JSON, one file per name, mode 0600.
Passwords come from `--password-file`, `NOTARY_PASSWORD` or a hidden prompt; a private
key being imported comes from a file or a hidden prompt, never from a command-line value
(which would land in the shell history and the process list).
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from notary.cli import context
from notary.cli.output import console, print_json
from notary.errors import InvalidInputError

if TYPE_CHECKING:
    from notary.keystore import Keystore

app = typer.Typer(help="Create, import and inspect the encrypted signing keys on this machine.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="Key name: letters, digits, '.', '_' or '-'.", show_default=False)]
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="Read the key's password from this file's first line (else env NOTARY_PASSWORD, else a prompt).",
        dir_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def resolve_address(value: str, what: str = "address") -> str:
    """A checksummed address from a 0x address or the name of a key in the keystore."""
    text = value.strip()
    if text[:2].lower() == "0x":
        from eth_utils import is_checksum_address, is_checksum_formatted_address, is_hex_address, to_checksum_address

        if not is_hex_address(text):
            raise InvalidInputError(
                f"{what} {value!r} is not a valid address",
                hint="give 0x and 40 hex digits, or the name of a key in your keystore",
            )
        if is_checksum_formatted_address(text) and not is_checksum_address(text):
            raise InvalidInputError(
                f"{what} {value!r} fails its checksum (the mixed case): it may hold a typo",
                hint="copy the address again, or give it in lower case to skip the check",
            )
        return str(to_checksum_address(text))
    return context.keystore().info(text).address


def address_labels() -> dict[str, str]:
    """Local key names by address, to label addresses in human output (best effort)."""
    from notary.errors import NotaryError

    try:
        return {k.address: k.name for k in context.keystore().list()}
    except NotaryError:
        return {}


def _read_private_key(path: Path | None) -> str:
    if path is None:
        hint = "type it at the prompt, or give --private-key-file FILE"
        text = context.secret_prompt("Private key (hex, input hidden)", "no private key given", hint)
    else:
        try:
            text = path.read_text()
        except OSError as exc:
            raise InvalidInputError(f"cannot read private key file {path}: {exc.strerror}") from None
    hex_digits = text.strip().removeprefix("0x").removeprefix("0X")
    if len(hex_digits) != 64 or any(c not in "0123456789abcdefABCDEF" for c in hex_digits):
        # Never echo the input: it may be a (mistyped) secret.
        raise InvalidInputError(
            f"a private key is 64 hex digits (32 bytes), optionally prefixed 0x; got {len(hex_digits)} characters",
            hint="a file holding the key on one line is expected",
        )
    return "0x" + hex_digits


def _free_name(name: str) -> Keystore:
    """The keystore, after checking `name` is valid and free (before asking for secrets)."""
    from notary.keystore import KeystoreError

    store = context.keystore()
    try:
        info = store.info(name)  # an invalid name raises InvalidInputError here
    except KeystoreError:
        return store  # no such key (a malformed file of that name is refused by create)
    raise KeystoreError(
        f"a key named {name!r} already exists: {info.address} in {info.path}", hint="choose another name"
    )


def _mode(path: Path) -> str:
    return f"{stat.S_IMODE(path.stat().st_mode):04o}"


def _info_dict(name: str) -> dict[str, Any]:
    info = context.keystore().info(name)
    return {"name": info.name, "address": info.address, "path": str(info.path), "mode": _mode(info.path)}


def _print_key(data: dict[str, Any], headline: str | None = None) -> None:
    from rich.table import Table

    if headline:
        console.print(headline, highlight=False, soft_wrap=True)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row("name", data["name"])
    table.add_row("address", data["address"])
    table.add_row("file", escape(data["path"]))
    mode = data["mode"]
    table.add_row("mode", mode if mode == "0600" else f"[red]{mode}[/] (expected 0600: chmod 600 the file)")
    if data.get("passwordChecked"):
        table.add_row("password", "[green]correct[/]")
    console.print(table)


@app.command()
def new(name: NameArgument, password_file: PasswordFileOption = None, as_json: JsonOption = False) -> None:
    """Create a new random key, encrypted with a password (at least 8 characters)."""
    store = _free_name(name)
    info = store.create(name, context.read_password(password_file, confirm=True, name=name))
    data = _info_dict(info.name)
    if as_json:
        print_json(data)
    else:
        _print_key(data, f"created key [bold]{name}[/]; keep its password safe, it cannot be recovered")


@app.command("import")
def import_key(
    name: NameArgument,
    private_key_file: Annotated[
        Path | None,
        typer.Option(
            "--private-key-file",
            help="File holding the hex private key (default: a hidden prompt). Delete it once imported.",
            dir_okay=False,
        ),
    ] = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import an existing private key and encrypt it under NAME."""
    store = _free_name(name)
    private_key = _read_private_key(private_key_file)
    info = store.create(name, context.read_password(password_file, confirm=True, name=name), private_key)
    data = _info_dict(info.name)
    if as_json:
        print_json(data)
    else:
        _print_key(data, f"imported key [bold]{name}[/]")


@app.command("list")
def list_keys(as_json: JsonOption = False) -> None:
    """List the keys in the keystore folder with their addresses."""
    store = context.keystore()
    rows = [_info_dict(k.name) for k in store.list()]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(
            f"no keys in {escape(str(store.folder))}; create one with `notary keys new NAME`",
            highlight=False,
            soft_wrap=True,
        )
        return
    from rich.table import Table

    table = Table(title=f"Keys in {escape(str(store.folder))}", title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("address", no_wrap=True)
    table.add_column("mode")
    for row in rows:
        table.add_row(row["name"], row["address"], row["mode"] if row["mode"] == "0600" else f"[red]{row['mode']}[/]")
    console.print(table)


@app.command()
def show(
    name: NameArgument,
    check_password: Annotated[
        bool, typer.Option("--check-password", help="Decrypt the key to check its password (nothing is shown).")
    ] = False,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a key's address, file and file mode; optionally check its password."""
    data = _info_dict(name)
    if check_password:
        context.unlock(name, password_file, use_agent=False)  # raises on a wrong password
        data["passwordChecked"] = True
    if as_json:
        print_json(data)
    else:
        _print_key(data)
