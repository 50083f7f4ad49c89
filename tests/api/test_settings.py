"""ApiSettings: NOTARY_* parsing, and unsafe configurations refused at start-up."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account import Account

from notary import config
from notary.api import ApiSettings, create_app
from notary.api.settings import RateLimit, RelayerSource, parse_api_keys
from notary.errors import ConfigError
from notary.testing import World

HASH = hashlib.sha256(b"k").hexdigest()


def test_from_env_reads_every_setting(tmp_path: Path) -> None:
    env = {
        "NOTARY_RPC_URL": "http://node:8545",
        "NOTARY_UPLOAD_LIMIT": "5MiB",
        "NOTARY_RELAY_ENABLED": "true",
        "NOTARY_API_KEYS": f"ops:{HASH}:relay, monitor:{HASH.upper()}:",
        "NOTARY_RELAY_RATE_LIMIT": "10/s",
        "NOTARY_RELAYER_PRIVATE_KEY": "0x" + "22" * 32,
        "NOTARY_CONFIG_DIR": str(tmp_path),
    }
    s = ApiSettings.from_env(env, base=config.Settings(rpc_url=env["NOTARY_RPC_URL"]))
    assert s.upload_limit == 5 * 1024 * 1024 and s.relay_enabled and s.rate_limit == RateLimit(10, 1.0)
    assert [(k.name, sorted(k.scopes)) for k in s.api_keys] == [("ops", ["relay"]), ("monitor", [])]
    assert s.relayer.private_key is not None
    assert "22" * 32 not in repr(s) and HASH not in repr(s)  # secrets stay out of logs
    s.check()


def test_defaults_are_safe() -> None:
    s = ApiSettings.from_env({}, base=config.Settings())
    assert not s.relay_enabled and s.upload_limit == 100 * 1024 * 1024
    s.check()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NOTARY_UPLOAD_LIMIT": "lots"}, "not a size"),
        ({"NOTARY_RELAY_ENABLED": "maybe"}, "true or false"),
        ({"NOTARY_RELAY_RATE_LIMIT": "0/min"}, "not a rate"),
        ({"NOTARY_API_KEYS": "ops:plain-secret-key"}, "NAME:SHA256HEX"),
        ({"NOTARY_API_KEYS": f"ops:{HASH}:admin"}, "unknown scopes"),
    ],
)
def test_malformed_environment_is_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        ApiSettings.from_env(env, base=config.Settings())
    assert "plain-secret-key" not in str(info.value)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (ApiSettings(relay_enabled=True, relayer=RelayerSource(private_key="0x" + "11" * 32)), "no API key"),
        (ApiSettings(relay_enabled=True, api_keys=parse_api_keys(f"ops:{HASH}:")), "no API key"),
        (ApiSettings(relay_enabled=True, api_keys=parse_api_keys(f"ops:{HASH}")), "no relayer key"),
        (ApiSettings(relayer=RelayerSource(keystore=Path("k.json"))), "PASSWORD_FILE"),
        (ApiSettings(api_keys=parse_api_keys(f"a:{HASH},a:{HASH}")), "twice"),
        (ApiSettings(upload_limit=0), "at least 1 byte"),
    ],
)
def test_unsafe_settings_refuse_to_start(settings: ApiSettings, message: str, world: World) -> None:
    """create_app refuses: relay without API keys (or none with the relay scope), without a relayer, …"""
    with pytest.raises(ConfigError, match=message):
        create_app(settings, gateway=world.gw)


def test_raw_relayer_key_refused_on_a_non_dev_chain(world: World, relay_settings: Callable[..., ApiSettings]) -> None:
    """NOTARY_RELAYER_PRIVATE_KEY is for development chains only."""
    chain = dataclasses.replace(world.chain, chain_id=1, tester=None)
    gw = type(world.gw)(chain, world.gw.deployment)
    with pytest.raises(ConfigError, match="development chains"):
        create_app(relay_settings(), gateway=gw)


def test_relayer_from_keystore_and_password_file(
    world: World, relay_settings: Callable[..., ApiSettings], tmp_path: Path
) -> None:
    """A keystore file and its password file give the relayer; a wrong password refuses to start."""
    account = Account.create()
    (tmp_path / "relayer.json").write_text(json.dumps(Account.encrypt(account.key, "correct horse", iterations=2)))
    (tmp_path / "pw").write_text("correct horse\n")
    source = RelayerSource(keystore=tmp_path / "relayer.json", password_file=tmp_path / "pw")
    app = create_app(relay_settings(relayer=source), gateway=world.gw)
    assert app.state.services.relayer.address == account.address
    (tmp_path / "pw").write_text("wrong")
    with pytest.raises(ConfigError, match="wrong password"):
        create_app(relay_settings(relayer=source), gateway=world.gw)


def test_index_and_bundle_settings_from_env(tmp_path: Path) -> None:
    """NOTARY_INDEX*, NOTARY_BUNDLE_DIR and the audit scope; the index is on by default."""
    from notary.api.settings import IndexSettings

    assert ApiSettings.from_env({}, base=config.Settings()).index == IndexSettings()
    env = {
        "NOTARY_INDEX": "off",
        "NOTARY_INDEX_URL": "postgresql://u@db/notary",
        "NOTARY_INDEX_RANGE": "50",
        "NOTARY_INDEX_CONFIRMATIONS": "3",
        "NOTARY_INDEX_POLL": "0.5",
        "NOTARY_INDEX_MAX_LAG": "5",
        "NOTARY_BUNDLE_DIR": str(tmp_path),
        "NOTARY_API_KEYS": f"auditor:{HASH}:audit,both:{HASH}:audit+relay,plain:{HASH}",
    }
    s = ApiSettings.from_env(env, base=config.Settings())
    assert s.index == IndexSettings(False, "postgresql://u@db/notary", 50, 3, 0.5, 5) and s.bundle_dir == tmp_path
    assert [sorted(k.scopes) for k in s.api_keys] == [["audit"], ["audit", "relay"], ["relay"]]
    with pytest.raises(ConfigError, match="NOTARY_BUNDLE_DIR needs the index"):
        s.check()  # published batches live in the index
    on = ApiSettings.from_env({**env, "NOTARY_INDEX": "on", "NOTARY_INDEX_FOLLOW": "false"}, base=config.Settings())
    assert on.index.enabled and not on.index.follow
    on.check()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NOTARY_INDEX": "sometimes"}, "true or false"),
        ({"NOTARY_INDEX_RANGE": "many"}, "whole number"),
        ({"NOTARY_INDEX_POLL": "soon"}, "number of seconds"),
        ({"NOTARY_INDEX_CONFIRMATIONS": "12", "NOTARY_INDEX_MAX_LAG": "2"}, "could never answer"),
        ({"NOTARY_INDEX_RANGE": "0"}, "at least 1"),
    ],
)
def test_unusable_index_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ApiSettings.from_env(env, base=config.Settings()).check()
