"""Settings: config file → `NOTARY_*` environment → command-line flags, in one object.

`notary init` writes the config file under the user's config directory. Library code
reads no globals: the CLI and the API build a `Settings` and pass its values down.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

from notary.errors import ConfigError

DEFAULT_RPC_URL = "http://127.0.0.1:8545"
ENV_PREFIX = "NOTARY_"


def default_config_dir() -> Path:
    return Path(os.environ.get("NOTARY_CONFIG_DIR") or user_config_dir("notary"))


def default_data_dir() -> Path:
    return Path(os.environ.get("NOTARY_DATA_DIR") or user_data_dir("notary"))


@dataclass(frozen=True)
class Settings:
    """Everything the CLI needs to reach a ledger and the user's keys."""

    rpc_url: str = DEFAULT_RPC_URL
    deployment: Path | None = None  # None: <data_dir>/deployments/<chain id>.json
    keystore_dir: Path | None = None  # None: <config_dir>/keystore
    data_dir: Path | None = None
    tx_timeout: float = 120.0
    confirmations: int | None = None  # blocks on top before an act is "recorded"; None: 0 on dev chains, else 12

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir or default_data_dir()

    @property
    def resolved_keystore_dir(self) -> Path:
        return self.keystore_dir or default_config_dir() / "keystore"

    @property
    def trust_file(self) -> Path:
        """The trust store of pinned deployments (`notary trust`)."""
        return default_config_dir() / "trust.json"

    def deployment_path(self, chain_id: int) -> Path:
        return self.deployment or self.resolved_data_dir / "deployments" / f"{chain_id}.json"

    def with_overrides(self, **values: Any) -> Settings:
        """Apply flags given on the command line (None means not given)."""
        given = {k: v for k, v in values.items() if v is not None}
        return replace(self, **_coerce(given))


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name not in values:
            continue
        raw = values[f.name]
        if f.name in ("deployment", "keystore_dir", "data_dir"):
            out[f.name] = Path(raw).expanduser()
        elif f.name == "tx_timeout":
            try:
                out[f.name] = float(raw)
            except ValueError:
                raise ConfigError(f"tx_timeout must be a number of seconds, not {raw!r}") from None
        elif f.name == "confirmations":
            if not (str(raw).isdigit() and len(str(raw)) <= 5 and int(raw) <= 10_000):
                raise ConfigError(f"confirmations must be a number of blocks (0 to 10000), not {raw!r}")
            out[f.name] = int(raw)
        else:
            out[f.name] = str(raw)
    return out


def config_file() -> Path:
    return default_config_dir() / "config.toml"


def load(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the config file (if any), then apply `NOTARY_*` environment variables."""
    env = os.environ if environ is None else environ
    file = path or config_file()
    values: dict[str, Any] = {}
    if file.exists():
        try:
            values.update(tomllib.loads(file.read_text()))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {file} is not valid TOML: {exc}") from exc
        unknown = set(values) - {f.name for f in fields(Settings)}
        if unknown:
            raise ConfigError(f"config file {file} has unknown settings {sorted(unknown)}")
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if env.get(key):
            values[f.name] = env[key]
    return Settings(**_coerce(values))


def write(settings: Settings, path: Path | None = None) -> Path:
    """Write `settings` as the config file (only values that differ from the defaults)."""
    file = path or config_file()
    file.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# notary configuration; NOTARY_* environment variables and flags override it"]
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if value is None:
            continue
        if isinstance(value, (str, Path)):
            lines.append(f"{f.name} = {json.dumps(str(value))}")
        else:
            lines.append(f"{f.name} = {value!r}")
    file.write_text("\n".join(lines) + "\n")
    return file
