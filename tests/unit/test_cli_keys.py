"""`notary keys …` and `notary init`: encrypted key files and the config file, no chain needed."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer
from eth_account import Account

from notary import config
from notary.cli import context
from notary.cli.app import main
from notary.cli.keys import resolve_address
from notary.errors import InvalidInputError
from notary.keystore import KeystoreError

PASSWORD = "correct horse battery"
# A well-known test key (eth-account's documentation); never holds value.
PRIVATE_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and data folders under tmp_path, NOTARY_PASSWORD set, cheap scrypt for speed."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "integration"))
    from cli_helpers import fast_scrypt, isolate

    isolate(monkeypatch, tmp_path, password=PASSWORD)
    fast_scrypt(monkeypatch)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def keystore(home: Path) -> Path:
    return home / "config" / "keystore"


# --------------------------------------------------------------------------- keys new / show / list


def test_keys_new_writes_a_0600_scrypt_keystore_and_prints_json(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`keys new --json` encrypts a fresh key with scrypt into NAME.json, mode 0600, folder 0700."""
    code, out, _ = run(capsys, "keys", "new", "fra-ctl", "--json")
    assert code == 0
    data = json.loads(out)
    path = keystore(home) / "fra-ctl.json"
    assert data == {"name": "fra-ctl", "address": data["address"], "path": str(path), "mode": "0600"}
    assert data["address"].startswith("0x") and len(data["address"]) == 42
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keystore(home).stat().st_mode) == 0o700
    body = json.loads(path.read_text())
    assert body["crypto"]["kdf"] == "scrypt"
    assert Account.from_key(Account.decrypt(body, PASSWORD)).address == data["address"]


def test_keys_new_with_the_real_scrypt_cost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """Without the test shortcut, new keys use eth-account's standard scrypt cost (n = 2**18)."""
    monkeypatch.delenv("NOTARY_KEYSTORE_DIR", raising=False)
    monkeypatch.setenv("NOTARY_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("NOTARY_PASSWORD", PASSWORD)
    assert run(capsys, "keys", "new", "real")[0] == 0
    body = json.loads((tmp_path / "keystore" / "real.json").read_text())
    assert body["crypto"]["kdfparams"]["n"] == 2**18


def test_password_file_is_used_and_checked(home: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A password from --password-file (first line) encrypts the key and unlocks it again."""
    monkeypatch.delenv("NOTARY_PASSWORD")
    secret = home / "pw.txt"
    secret.write_text("from a file, 2026\n")
    assert run(capsys, "keys", "new", "sgp", "--password-file", str(secret))[0] == 0
    code, out, _ = run(capsys, "keys", "show", "sgp", "--check-password", "--password-file", str(secret), "--json")
    assert code == 0 and json.loads(out)["passwordChecked"] is True
    body = json.loads((keystore(home) / "sgp.json").read_text())
    Account.decrypt(body, "from a file, 2026")  # the newline is not part of the password


def test_wrong_password_is_a_clear_error_with_exit_3(home: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Unlocking with a wrong password exits 3 with 'wrong password for key …' and no traceback."""
    run(capsys, "keys", "new", "fra")
    monkeypatch.setenv("NOTARY_PASSWORD", "not the password")
    code, out, err = run(capsys, "keys", "show", "fra", "--check-password")
    assert code == 3
    assert "wrong password for key 'fra'" in err
    assert "Traceback" not in err and out == ""


def test_missing_password_file_is_an_input_error(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A password file that does not exist exits 3 and names the file."""
    code, _, err = run(capsys, "keys", "new", "x", "--password-file", str(home / "nope"))
    assert code == 3 and "cannot read password file" in err and "nope" in err


def test_duplicate_key_name_is_refused_before_any_prompt(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A second `keys new` with the same name exits 3, names the existing key, and keeps the file."""
    _, out, _ = run(capsys, "keys", "new", "fra", "--json")
    before = (keystore(home) / "fra.json").read_bytes()
    code, _, err = run(capsys, "keys", "new", "fra")
    assert code == 3
    assert "a key named 'fra' already exists" in err and json.loads(out)["address"] in err
    assert "choose another name" in err
    assert (keystore(home) / "fra.json").read_bytes() == before


def test_short_password_and_bad_name_are_refused(home: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Passwords under 8 characters and names with '/' exit 3; no file is written."""
    monkeypatch.setenv("NOTARY_PASSWORD", "short")
    code, _, err = run(capsys, "keys", "new", "fra")
    assert code == 3 and "at least 8 characters" in err
    code, _, err = run(capsys, "keys", "new", "../escape")
    assert code == 3 and "not valid" in err
    assert not keystore(home).exists() or not list(keystore(home).iterdir())


def test_prompted_password_asks_for_confirmation(home: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Without a file or NOTARY_PASSWORD, `keys new` prompts hidden, with a confirmation."""
    monkeypatch.delenv("NOTARY_PASSWORD")
    asked: list[dict[str, Any]] = []

    def prompt(text: str, **kwargs: Any) -> str:
        asked.append({"text": text, **kwargs})
        return PASSWORD

    monkeypatch.setattr(typer, "prompt", prompt)
    assert run(capsys, "keys", "new", "fra")[0] == 0
    assert asked == [{"text": "Password for key fra", "hide_input": True, "confirmation_prompt": True}]


def test_keys_list_and_show(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`keys list --json` lists every key by name with its address; `keys show` prints one."""
    addresses = {name: json.loads(run(capsys, "keys", "new", name, "--json")[1])["address"] for name in ("b", "a")}
    code, out, _ = run(capsys, "keys", "list", "--json")
    assert code == 0
    assert [(k["name"], k["address"], k["mode"]) for k in json.loads(out)] == [
        ("a", addresses["a"], "0600"),
        ("b", addresses["b"], "0600"),
    ]
    code, out, _ = run(capsys, "keys", "show", "a")
    assert code == 0 and addresses["a"] in out and "0600" in out
    code, out, _ = run(capsys, "keys", "list")
    assert code == 0 and addresses["b"] in out


def test_empty_keystore_and_unknown_key(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """An empty keystore lists nothing; showing an unknown key exits 3 and suggests `keys new`."""
    code, out, _ = run(capsys, "keys", "list", "--json")
    assert code == 0 and json.loads(out) == []
    code, _, err = run(capsys, "keys", "show", "ghost")
    assert code == 3 and "no key named 'ghost'" in err and "notary keys new" in err


def test_keystore_dir_flag_overrides_the_default(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The global --keystore-dir puts keys in another folder."""
    other = home / "elsewhere"
    assert run(capsys, "--keystore-dir", str(other), "keys", "new", "k")[0] == 0
    assert (other / "k.json").exists() and not keystore(home).exists()


# --------------------------------------------------------------------------- keys import


def test_import_from_a_file_never_prints_the_private_key(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`keys import --private-key-file` stores the key encrypted; output shows the address only."""
    key_file = home / "key.hex"
    key_file.write_text(PRIVATE_KEY + "\n")
    code, out, err = run(capsys, "keys", "import", "old", "--private-key-file", str(key_file), "--json")
    assert code == 0
    expected = Account.from_key(PRIVATE_KEY).address
    assert json.loads(out)["address"] == expected
    stored = (keystore(home) / "old.json").read_text()
    assert PRIVATE_KEY[2:] not in stored and PRIVATE_KEY[2:] not in out + err
    assert Account.decrypt(json.loads(stored), PASSWORD).hex().removeprefix("0x") == PRIVATE_KEY[2:]


def test_import_from_a_hidden_prompt(home: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Without a file, the private key is read from a hidden prompt (no flag takes its value)."""
    asked: list[dict[str, Any]] = []

    def prompt(text: str, **kwargs: Any) -> str:
        asked.append({"text": text, **kwargs})
        return PRIVATE_KEY[2:]  # without 0x is accepted too

    monkeypatch.setattr(typer, "prompt", prompt)
    code, out, _ = run(capsys, "keys", "import", "old", "--json")
    assert code == 0 and json.loads(out)["address"] == Account.from_key(PRIVATE_KEY).address
    assert asked[0]["hide_input"] is True and "Private key" in asked[0]["text"]


def test_malformed_private_key_is_refused_without_echo(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A malformed key exits 3 and says what is expected, without repeating the input."""
    key_file = home / "key.hex"
    key_file.write_text("0xsecretsecretsecret\n")
    code, out, err = run(capsys, "keys", "import", "bad", "--private-key-file", str(key_file))
    assert code == 3 and "64 hex digits" in err
    assert "secretsecret" not in out + err
    assert not (keystore(home) / "bad.json").exists()


# --------------------------------------------------------------------------- addresses


def test_resolve_address_accepts_key_names_and_addresses(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """ADDRESS_OR_KEYNAME: a key name gives its address; a lower-case address is checksummed."""
    address = json.loads(run(capsys, "keys", "new", "fra", "--json")[1])["address"]
    context.reset()
    assert resolve_address("fra") == address
    assert resolve_address(address.lower()) == address
    with pytest.raises(InvalidInputError, match="not a valid address"):
        resolve_address("0x1234")
    typo = "0x" + address[2:].swapcase()
    if typo[2:] not in (address[2:].lower(), address[2:].upper()):  # mixed case: checksummed
        with pytest.raises(InvalidInputError, match="fails its checksum"):
            resolve_address(typo)
    with pytest.raises(KeystoreError, match="no key named 'nobody'"):
        resolve_address("nobody")


# --------------------------------------------------------------------------- init


def test_init_writes_the_config_and_refuses_to_overwrite(home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`init` writes config.toml under NOTARY_CONFIG_DIR; a second run exits 3 unless --force."""
    keys = home / "keys"
    code, out, _ = run(capsys, "init", "--rpc-url", "http://127.0.0.1:8600", "--keystore-dir", str(keys), "--json")
    assert code == 0
    file = home / "config" / "config.toml"
    data = json.loads(out)
    assert data["configFile"] == str(file)
    assert data["settings"]["rpc_url"] == "http://127.0.0.1:8600"
    assert data["settings"]["keystore_dir"] == str(keys)
    assert tomllib.loads(file.read_text())["rpc_url"] == "http://127.0.0.1:8600"
    assert config.load().keystore_dir == keys

    code, _, err = run(capsys, "init", "--rpc-url", "http://127.0.0.1:9999")
    assert code == 3 and "already exists" in err and "--force" in err
    assert config.load().rpc_url == "http://127.0.0.1:8600"

    code, out, _ = run(capsys, "init", "--rpc-url", "http://127.0.0.1:9999", "--force")
    assert code == 0 and str(file) in out and "http://127.0.0.1:9999" in out
    assert config.load().rpc_url == "http://127.0.0.1:9999"
    assert config.load().keystore_dir is None  # a fresh file: only what was given


def test_init_takes_global_flags_and_makes_paths_absolute(home: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`notary --rpc-url U init --deployment rel.json` stores U and an absolute manifest path."""
    monkeypatch.chdir(home)
    code, _, _ = run(capsys, "--rpc-url", "http://node:8545", "init", "--deployment", "rel.json")
    assert code == 0
    settings = config.load()
    assert settings.rpc_url == "http://node:8545"
    assert settings.deployment == home.resolve() / "rel.json"


def test_init_notes_environment_overrides_and_rejects_bad_urls(home: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`init` warns that NOTARY_RPC_URL overrides the file; a non-http URL exits 3 and writes nothing."""
    code, _, err = run(capsys, "init", "--rpc-url", "127.0.0.1:8545")
    assert code == 3 and "not an http(s) URL" in err
    assert not (home / "config" / "config.toml").exists()
    monkeypatch.setenv("NOTARY_RPC_URL", "http://from-env:8545")
    code, out, _ = run(capsys, "init", "--json")
    data = json.loads(out)
    assert code == 0 and data["environment"] == ["NOTARY_DATA_DIR", "NOTARY_RPC_URL"]
    assert data["settings"]["rpc_url"] == "http://from-env:8545"


# --------------------------------------------------------------------------- start-up


def test_key_and_party_help_do_not_import_web3() -> None:
    """`notary keys --help`, `party --help`, `deploy --help` and `keys list` run without importing web3."""
    code = (
        "import sys; from notary.cli.app import main\n"
        "for argv in (['keys', '--help'], ['party', '--help'], ['deploy', '--help'], ['init', '--help']):\n"
        "    main(argv)\n"
        "print('web3' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")
