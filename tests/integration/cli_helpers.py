"""Run the `notary` command in process, isolated from the user's config, keys and data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from notary.cli.app import main

PASSWORD = "correct horse battery"
ENV = ("NOTARY_RPC_URL", "NOTARY_DEPLOYMENT", "NOTARY_KEYSTORE_DIR", "NOTARY_DATA_DIR", "NOTARY_TX_TIMEOUT")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    """`cli("party", "list", "--json")` runs `notary [prefix…] party list --json`."""

    def __init__(self, capsys: pytest.CaptureFixture[str], *prefix: str) -> None:
        self.capsys = capsys
        self.prefix = prefix

    def __call__(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = main([*self.prefix, *args])
        out, err = self.capsys.readouterr()
        return Result(code, out, err)

    def ok(self, *args: str) -> Result:
        """Run and require exit 0."""
        result = self(*args)
        assert result.code == 0, f"notary {' '.join(args)} exited {result.code}: {result.err}"
        return result


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path, password: str | None = PASSWORD) -> None:
    """Point the CLI's config and data folders into `home` and set (or clear) NOTARY_PASSWORD."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NOTARY_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("NOTARY_DATA_DIR", str(home / "data"))
    if password is None:
        monkeypatch.delenv("NOTARY_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("NOTARY_PASSWORD", password)


def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Encrypt new keys with a cheap scrypt cost (2**10) so each unlock takes milliseconds.

    The files stay standard scrypt keystores; decryption reads the cost from the file.
    """
    from eth_account import Account

    encrypt = Account.encrypt

    def cheap(private_key: Any, password: str, kdf: Any = None, iterations: int | None = None) -> Any:
        return encrypt(private_key, password, kdf=kdf, iterations=iterations or 2**10)

    monkeypatch.setattr(Account, "encrypt", staticmethod(cheap))
