"""The API's settings: `NOTARY_*` environment variables → one frozen object, checked at start-up.

| variable | meaning | default |
| --- | --- | --- |
| `NOTARY_RPC_URL`, `NOTARY_DEPLOYMENT`, `NOTARY_DATA_DIR` | as for the CLI (`notary.config`) | |
| `NOTARY_UPLOAD_LIMIT` | largest file `POST /v1/verify` hashes: bytes, or `KiB`/`MiB`/`GiB` | `100MiB` |
| `NOTARY_RELAY_ENABLED` | `true` enables `POST /v1/relay` | `false` |
| `NOTARY_API_KEYS` | comma-separated `NAME:SHA256HEX[:SCOPE+SCOPE]`; scopes `relay` (default), `audit` | none |
| `NOTARY_RELAY_RATE_LIMIT` | relay requests per API key, `N/s`, `N/min` or `N/h` (token bucket, burst N) | `30/min` |
| `NOTARY_PUBLIC_RATE_LIMIT` | requests without a valid API key, all clients in one bucket (`off`: none) | `50/s` |
| `NOTARY_RELAYER_KEYSTORE`, `NOTARY_RELAYER_PASSWORD_FILE` | the account paying gas: keystore and password | |
| `NOTARY_RELAYER_PRIVATE_KEY` | development chains only: the paying account's private key | |
| `NOTARY_INDEX` | `false` turns the background indexer (and index reads, audit exports) off | `true` |
| `NOTARY_INDEX_URL`, `_RANGE`, `_CONFIRMATIONS` | as for `notary index` | `notary index`'s |
| `NOTARY_INDEX_POLL` | seconds between the background indexer's passes | `2` |
| `NOTARY_INDEX_MAX_LAG` | blocks the index may lag and still answer reads | the confirmations |
| `NOTARY_BUNDLE_DIR` | batch bundles (`*.json`) published at start-up as by `POST /v1/publish/batch` | none |

`/healthz`, `/readyz` and `/metrics` are exempt from the public limit (probes must not see an outage).
Only SHA-256 hashes of API keys are configured, never the keys. Unsafe combinations
(relay enabled without API keys or without a relayer key) are refused by `check()`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from notary import config
from notary.errors import ConfigError

SCOPES = frozenset({"relay", "audit", "publish"})
DEFAULT_SCOPES = frozenset({"relay"})
DEFAULT_UPLOAD_LIMIT = 100 * 1024 * 1024
_SIZE = re.compile(r"^\s*([0-9]{1,15})\s*(B|KiB|MiB|GiB)?\s*$")
_UNITS = {None: 1, "B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}
_RATE = re.compile(r"^\s*([0-9]{1,9})\s*/\s*(s|sec|second|min|minute|h|hour)\s*$")
_PERIODS = {"s": 1.0, "sec": 1.0, "second": 1.0, "min": 60.0, "minute": 60.0, "h": 3600.0, "hour": 3600.0}
_KEY_ENTRY = re.compile(r"^([A-Za-z0-9._-]{1,64}):([0-9a-fA-F]{64})(?::([a-z+]*))?$")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class ApiKey:
    """A client of the relay: a name (for logs and limits), the key's SHA-256, its scopes."""

    name: str
    sha256: bytes = field(repr=False)
    scopes: frozenset[str] = DEFAULT_SCOPES


@dataclass(frozen=True)
class IndexSettings:
    """The background indexer of `notary serve`; None values mean "as `notary index` decides"."""

    enabled: bool = True
    url: str | None = None  # None: SQLite under the data directory
    range_size: int = 1000
    confirmations: int | None = None  # None: 0 on development chains, else 12
    poll_interval: float = 2.0
    max_lag: int | None = None  # None: the confirmations
    #: False: read the index, never write it (the workers of `notary serve --workers N`: one process follows).
    follow: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> IndexSettings:
        range_size, poll = _int(env, "NOTARY_INDEX_RANGE"), _float(env, "NOTARY_INDEX_POLL")
        return cls(
            enabled=parse_bool(env.get("NOTARY_INDEX", "true"), "NOTARY_INDEX"),
            url=env.get("NOTARY_INDEX_URL") or None,
            range_size=cls.range_size if range_size is None else range_size,
            confirmations=_int(env, "NOTARY_INDEX_CONFIRMATIONS"),
            poll_interval=cls.poll_interval if poll is None else poll,
            max_lag=_int(env, "NOTARY_INDEX_MAX_LAG"),
            follow=parse_bool(env.get("NOTARY_INDEX_FOLLOW", "true"), "NOTARY_INDEX_FOLLOW"),
        )

    def check(self) -> None:
        if self.range_size < 1 or self.poll_interval <= 0:
            raise ConfigError("NOTARY_INDEX_RANGE must be at least 1 and NOTARY_INDEX_POLL positive")
        if self.confirmations is not None and self.max_lag is not None and self.max_lag < self.confirmations:
            raise ConfigError(
                f"NOTARY_INDEX_MAX_LAG ({self.max_lag}) is below NOTARY_INDEX_CONFIRMATIONS ({self.confirmations}): "
                "the index could never answer reads",
                hint="leave NOTARY_INDEX_MAX_LAG unset (it defaults to the confirmations)",
            )


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: `burst` requests at once, refilled at `burst / period` per second."""

    burst: int = 30
    period: float = 60.0

    @property
    def per_second(self) -> float:
        return self.burst / self.period


#: Requests per second without a valid API key, all clients together (a public verifier on one node).
DEFAULT_PUBLIC_RATE_LIMIT = RateLimit(50, 1.0)


@dataclass(frozen=True)
class RelayerSource:
    """Where the relayer's key comes from: a keystore file and its password file, or (dev) a raw key."""

    keystore: Path | None = None
    password_file: Path | None = None
    private_key: str | None = field(default=None, repr=False)

    @property
    def configured(self) -> bool:
        return self.keystore is not None or self.private_key is not None


@dataclass(frozen=True)
class ApiSettings:
    """Everything `create_app` needs; `base` holds the RPC URL, manifest and data folder."""

    base: config.Settings = field(default_factory=config.Settings)
    upload_limit: int = DEFAULT_UPLOAD_LIMIT
    relay_enabled: bool = False
    api_keys: tuple[ApiKey, ...] = ()
    rate_limit: RateLimit = field(default_factory=RateLimit)
    #: One bucket for all traffic without a valid API key (None: unlimited).
    public_rate_limit: RateLimit | None = field(default_factory=lambda: DEFAULT_PUBLIC_RATE_LIMIT)
    relayer: RelayerSource = field(default_factory=RelayerSource)
    index: IndexSettings = field(default_factory=IndexSettings)
    bundle_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, base: config.Settings | None = None) -> ApiSettings:
        env = os.environ if environ is None else environ
        relayer = RelayerSource(
            keystore=_path(env.get("NOTARY_RELAYER_KEYSTORE")),
            password_file=_path(env.get("NOTARY_RELAYER_PASSWORD_FILE")),
            private_key=env.get("NOTARY_RELAYER_PRIVATE_KEY") or None,
        )
        return cls(
            base=base if base is not None else config.load(environ=dict(env)),
            upload_limit=parse_size(env.get("NOTARY_UPLOAD_LIMIT", "")) or DEFAULT_UPLOAD_LIMIT,
            relay_enabled=parse_bool(env.get("NOTARY_RELAY_ENABLED", ""), "NOTARY_RELAY_ENABLED"),
            api_keys=parse_api_keys(env.get("NOTARY_API_KEYS", "")),
            rate_limit=parse_rate(env.get("NOTARY_RELAY_RATE_LIMIT", "")) or RateLimit(),
            public_rate_limit=_public_rate(env.get("NOTARY_PUBLIC_RATE_LIMIT", "")),
            relayer=relayer,
            index=IndexSettings.from_env(env),
            bundle_dir=_path(env.get("NOTARY_BUNDLE_DIR")),
        )

    def check(self) -> None:
        """Refuse unsafe or contradictory settings (no chain access needed)."""
        if self.upload_limit < 1:
            raise ConfigError("NOTARY_UPLOAD_LIMIT must be at least 1 byte")
        names = [k.name for k in self.api_keys]
        if len(set(names)) != len(names):
            raise ConfigError("NOTARY_API_KEYS names a key twice", hint="give every key its own name")
        if self.relayer.keystore is not None and self.relayer.private_key is not None:
            raise ConfigError("both NOTARY_RELAYER_KEYSTORE and NOTARY_RELAYER_PRIVATE_KEY are set; choose one")
        if self.relayer.keystore is not None and self.relayer.password_file is None:
            raise ConfigError("NOTARY_RELAYER_KEYSTORE is set without NOTARY_RELAYER_PASSWORD_FILE")
        self.index.check()
        if self.bundle_dir is not None and not self.bundle_dir.is_dir():
            raise ConfigError(f"NOTARY_BUNDLE_DIR {self.bundle_dir} is not a directory")
        if self.bundle_dir is not None and not self.index.enabled:
            raise ConfigError(
                "NOTARY_BUNDLE_DIR needs the index: published batches are stored there",
                hint="unset NOTARY_INDEX=false (or set NOTARY_INDEX_URL), or leave NOTARY_BUNDLE_DIR unset",
            )
        if not self.relay_enabled:
            return
        if not any("relay" in k.scopes for k in self.api_keys):
            raise ConfigError(
                "the relay is enabled but no API key with the relay scope is configured: anyone could spend its gas",
                hint="set NOTARY_API_KEYS=name:<sha256 hex of the key>:relay (printf %s KEY | sha256sum)",
            )
        if not self.relayer.configured:
            raise ConfigError(
                "the relay is enabled but no relayer key is configured to pay gas",
                hint="set NOTARY_RELAYER_KEYSTORE and NOTARY_RELAYER_PASSWORD_FILE "
                "(or NOTARY_RELAYER_PRIVATE_KEY on a development chain)",
            )


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value else None


def _int(env: Mapping[str, str], name: str) -> int | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 18:  # bounded before int()
        raise ConfigError(f"{name} must be a whole number, not {text!r}")
    return int(text)


def _float(env: Mapping[str, str], name: str) -> float | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {text!r}") from None


def parse_bool(text: str, name: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {text!r}")


def parse_size(text: str) -> int | None:
    """`1048576`, `512KiB`, `100MiB`, `2GiB`; empty means unset (None)."""
    if not text.strip():
        return None
    m = _SIZE.match(text)
    if not m:
        raise ConfigError(f"NOTARY_UPLOAD_LIMIT {text!r} is not a size", hint="e.g. 100MiB, 512KiB or 1048576")
    return int(m.group(1)) * _UNITS[m.group(2)]


def parse_rate(text: str, name: str = "NOTARY_RELAY_RATE_LIMIT") -> RateLimit | None:
    """`30/min`, `5/s`, `1000/h`; empty means unset (None)."""
    if not text.strip():
        return None
    m = _RATE.fullmatch(text)
    if not m or int(m.group(1)) < 1:
        raise ConfigError(f"{name} {text!r} is not a rate", hint="e.g. 30/min, 5/s or 1000/h")
    return RateLimit(int(m.group(1)), _PERIODS[m.group(2)])


def _public_rate(text: str) -> RateLimit | None:
    """NOTARY_PUBLIC_RATE_LIMIT: a rate, `off` (no limit), or empty (the default)."""
    if text.strip().lower() in {"off", "none", "unlimited"}:
        return None
    return parse_rate(text, "NOTARY_PUBLIC_RATE_LIMIT") or DEFAULT_PUBLIC_RATE_LIMIT


def parse_api_keys(text: str) -> tuple[ApiKey, ...]:
    """`ops:<sha256 hex>:relay,auditor:<sha256 hex>:audit+relay,monitor:<sha256 hex>:`
    (no scope list: relay; an empty one grants nothing)."""
    keys = []
    for entry in filter(None, (e.strip() for e in text.split(","))):
        m = _KEY_ENTRY.match(entry)
        if not m:
            shown = entry.split(":", 1)[0]  # never echo what may be a key
            raise ConfigError(
                f"NOTARY_API_KEYS entry {shown!r}… is not NAME:SHA256HEX[:SCOPES]",
                hint="configure the SHA-256 of each key, never the key itself (printf %s KEY | sha256sum)",
            )
        scopes = DEFAULT_SCOPES if m.group(3) is None else frozenset(filter(None, m.group(3).split("+")))
        if scopes - SCOPES:
            raise ConfigError(f"API key {m.group(1)!r} has unknown scopes {sorted(scopes - SCOPES)}")
        keys.append(ApiKey(m.group(1), bytes.fromhex(m.group(2)), scopes))
    return tuple(keys)
