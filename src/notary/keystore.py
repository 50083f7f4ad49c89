"""Encrypted key files: eth-account's standard scrypt keystore JSON, one file per key name.

Files are written with mode 0600 in a folder of mode 0700. The private key is only ever
decrypted in memory, for signing.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary.errors import InvalidInputError, NotaryError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class KeystoreError(NotaryError, ValueError):
    """A key file is missing, malformed, or its password is wrong."""

    code = "keystore"


@dataclass(frozen=True)
class KeyInfo:
    name: str
    address: str
    path: Path


class Keystore:
    """A folder of named, encrypted keys."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise InvalidInputError(f"key name {name!r} is not valid", hint="use letters, digits, '.', '_' or '-'")
        return self.folder / f"{name}.json"

    def create(self, name: str, password: str, private_key: bytes | str | None = None) -> KeyInfo:
        """Encrypt a new (or imported) key under `name`; refuses to overwrite."""
        if len(password) < 8:
            raise InvalidInputError("a key password needs at least 8 characters")
        path = self._path(name)
        if path.exists():
            raise KeystoreError(f"a key named {name!r} already exists at {path}", hint="choose another name")
        try:
            account = Account.from_key(private_key) if private_key is not None else Account.create()
        except (ValueError, TypeError) as exc:
            raise InvalidInputError(f"not a valid private key: {exc}") from None
        body = Account.encrypt(account.key, password, kdf="scrypt")
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(body, f)
        return KeyInfo(name, account.address, path)

    def list(self) -> list[KeyInfo]:
        if not self.folder.exists():
            return []
        return [self.info(p.stem) for p in sorted(self.folder.glob("*.json"))]

    def info(self, name: str) -> KeyInfo:
        path = self._path(name)
        try:
            body = json.loads(path.read_text())
        except FileNotFoundError:
            known = ", ".join(p.stem for p in sorted(self.folder.glob("*.json"))) or "none"
            raise KeystoreError(
                f"no key named {name!r} in {self.folder} (known: {known})",
                hint="create one with `notary keys new NAME`",
            ) from None
        except json.JSONDecodeError as exc:
            raise KeystoreError(f"key file {path} is not JSON: {exc}") from None
        address = body.get("address")
        if not isinstance(address, str):
            raise KeystoreError(f"key file {path} has no address")
        return KeyInfo(name, _checksum(address), path)

    def unlock(self, name: str, password: str) -> LocalAccount:
        info = self.info(name)
        try:
            key = Account.decrypt(json.loads(info.path.read_text()), password)
        except ValueError:
            raise KeystoreError(
                f"wrong password for key {name!r}",
                hint="the password comes from --password-file, else NOTARY_PASSWORD, else the prompt",
            ) from None
        return Account.from_key(key)


def _checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(address if address.startswith("0x") else "0x" + address)
