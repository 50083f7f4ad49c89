"""Trust anchors: the deployments (chain, ledger, registry) that receipts may be verified against.

A receipt names its chain and both contracts, and anyone can deploy copies of the contracts,
register FRA and SGP there with their own keys, and write receipts for that copy. So a
receipt verifies only if its deployment is *pinned* (offline and online alike):

- by the configured deployment manifest (`NOTARY_DEPLOYMENT`, else
  `$NOTARY_DATA_DIR/deployments/<chain id>.json`): addresses only, the user deployed or
  chose it;
- or in the trust store, `$NOTARY_CONFIG_DIR/trust.json`, written by `notary trust add`,
  which reads the contracts from a node: the ledger's `registry()` must be the registry, and
  the runtime code hashes (keccak-256 of the deployed bytecode, immutables included) are
  pinned too; online verification then requires the same code at those addresses.

The trust store format (JSON, UTF-8, at most 256 KiB and 256 deployments), media type
`application/vnd.notary.trust+json`, major version 1, read strictly (unknown version,
unknown or missing fields, malformed values, a deployment pinned twice: `TrustStoreError`):

    {
      "mediaType": "application/vnd.notary.trust+json",
      "version": 1,
      "deployments": [
        {"chainId": 31337, "ledger": "0x…", "registry": "0x…",
         "ledgerCodeHash": "0x…", "registryCodeHash": "0x…", "label": "production"}
      ]
    }

`unsafe_receipt_deployment` trusts whatever deployment a receipt names: only for a receipt
whose deployment the user has checked by other means (`--trust-receipt-deployment`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notary.eip712 import is_checksum_address, to_checksum_address
from notary.errors import InvalidInputError

if TYPE_CHECKING:
    from notary.deployment import Deployment

MEDIA_TYPE = "application/vnd.notary.trust+json"
MAJOR_VERSION = 1
MAX_BYTES = 256 * 1024
MAX_DEPLOYMENTS = 256
MAX_LABEL = 200
FILE_NAME = "trust.json"

MANIFEST = "manifest"
TRUST_STORE = "trust store"
RECEIPT = "receipt (unsafe: --trust-receipt-deployment)"

_FIELDS = {"mediaType", "version", "deployments"}
_PIN_FIELDS = {"chainId", "ledger", "registry", "ledgerCodeHash", "registryCodeHash", "label"}


class TrustStoreError(InvalidInputError):
    """The trust store file is malformed (what was expected, what was found)."""

    code = "trust-store"


@dataclass(frozen=True)
class Pin:
    """One trusted deployment. Code hashes are None when pinned by a manifest (never read from a node)."""

    chain_id: int
    ledger: str
    registry: str
    ledger_code_hash: str | None = None
    registry_code_hash: str | None = None
    label: str = ""
    source: str = TRUST_STORE
    origin: str = ""  # the file that pins it

    def __post_init__(self) -> None:
        object.__setattr__(self, "ledger", to_checksum_address(self.ledger))
        object.__setattr__(self, "registry", to_checksum_address(self.registry))

    def describe(self) -> str:
        where = f"the {self.source}" + (f" {self.origin}" if self.origin else "")
        label = f" [{self.label}]" if self.label else ""
        return f"chain {self.chain_id}, ledger {self.ledger}, registry {self.registry}{label}, pinned by {where}"

    def to_json(self) -> dict[str, Any]:
        return {
            "chainId": self.chain_id,
            "ledger": self.ledger,
            "registry": self.registry,
            "ledgerCodeHash": self.ledger_code_hash,
            "registryCodeHash": self.registry_code_hash,
            "label": self.label,
            "pinnedBy": self.source,
            "pinFile": self.origin,
        }


def add_command(chain_id: int, ledger: str, registry: str) -> str:
    return f"notary trust add --chain-id {chain_id} --ledger {ledger} --registry {registry}"


@dataclass(frozen=True)
class Anchors:
    """The pins one verification trusts. Empty trusts nothing: every receipt then fails."""

    pins: tuple[Pin, ...] = ()

    def __add__(self, other: Anchors) -> Anchors:
        return Anchors(self.pins + other.pins)

    def check(self, chain_id: int, ledger: str, registry: str) -> tuple[Pin | None, str]:
        """The pin of exactly this deployment, or None and the reason (naming the deployment and the fix)."""
        same_ledger = [p for p in self.pins if p.chain_id == chain_id and p.ledger.lower() == ledger.lower()]
        for p in same_ledger:
            if p.registry.lower() == registry.lower():
                return p, ""
        if same_ledger:
            p = same_ledger[0]
            return None, (
                f"the receipt names registry {registry} for ledger {ledger} on chain {chain_id}, but that ledger is "
                f"pinned with registry {p.registry} (by the {p.source}): the receipt's key entries are not the "
                "ledger's registry's, do not trust it"
            )
        return None, (
            f"the receipt's deployment (chain {chain_id}, ledger {ledger}, registry {registry}) is not pinned: "
            "anyone can deploy copies of the contracts and write receipts for them. If you trust this deployment, "
            f"pin it with `{add_command(chain_id, ledger, registry)}` (or the manifest of its deployment)"
        )


def of_manifest(deployment: Deployment, origin: str = "") -> Anchors:
    """The deployment a manifest names, pinned by its addresses."""
    d = deployment
    return Anchors((Pin(d.chain_id, d.ledger.address, d.registry.address, source=MANIFEST, origin=origin),))


def unsafe_receipt_deployment(chain_id: int, ledger: str, registry: str) -> Anchors:
    """Trust whatever deployment a receipt names: a forged deployment then verifies. Unsafe."""
    return Anchors((Pin(chain_id, ledger, registry, source=RECEIPT),))


# --------------------------------------------------------------------- the trust store file


@dataclass(frozen=True)
class TrustStore:
    pins: tuple[Pin, ...] = ()
    path: Path | None = None

    @property
    def anchors(self) -> Anchors:
        return Anchors(self.pins)

    def with_pin(self, pin: Pin) -> TrustStore:
        """This store with `pin` added, replacing any earlier pin of the same ledger on the same chain."""
        kept = tuple(p for p in self.pins if (p.chain_id, p.ledger) != (pin.chain_id, pin.ledger))
        if len(kept) >= MAX_DEPLOYMENTS:
            raise TrustStoreError(f"the trust store holds {MAX_DEPLOYMENTS} deployments, its limit")
        origin = str(self.path) if self.path else ""
        return replace(self, pins=(*kept, replace(pin, source=TRUST_STORE, origin=origin)))

    def without(self, ledger: str, chain_id: int | None = None) -> tuple[TrustStore, tuple[Pin, ...]]:
        """This store without the pins of `ledger` (on `chain_id`, or any chain), and the pins removed."""

        def hit(p: Pin) -> bool:
            return p.ledger.lower() == ledger.lower() and chain_id in (None, p.chain_id)

        return replace(self, pins=tuple(p for p in self.pins if not hit(p))), tuple(p for p in self.pins if hit(p))

    def to_json(self) -> str:
        rows = [{k: v for k, v in p.to_json().items() if k in _PIN_FIELDS} for p in self.pins]
        body = {"mediaType": MEDIA_TYPE, "version": MAJOR_VERSION, "deployments": rows}
        return json.dumps(body, indent=2, sort_keys=True) + "\n"

    def save(self, path: Path | None = None) -> Path:
        from notary.files import write_atomic

        target = path or self.path
        if target is None:
            raise TrustStoreError("the trust store has no path to be written to")
        write_atomic(target, self.to_json().encode())
        return target

    @classmethod
    def load(cls, path: Path) -> TrustStore:
        """The trust store at `path`; an empty one if there is no file yet."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls((), path)
        except OSError as exc:
            raise TrustStoreError(f"cannot read the trust store {path}: {exc.strerror}") from None
        return cls.from_json(raw, path)

    @classmethod
    def from_json(cls, raw: bytes, path: Path | None = None) -> TrustStore:
        where = f"trust store {path}" if path else "trust store"
        if len(raw) > MAX_BYTES:
            raise TrustStoreError(f"{where} is {len(raw)} bytes; the limit is {MAX_BYTES}")
        try:
            body = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except (UnicodeDecodeError, ValueError) as exc:
            raise TrustStoreError(f"{where} is not valid UTF-8 JSON: {exc}") from None
        if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
            raise TrustStoreError(f"{where} is not a trust store (mediaType must be {MEDIA_TYPE})")
        if body.get("version") != MAJOR_VERSION or isinstance(body.get("version"), bool):
            raise TrustStoreError(f"{where} version {body.get('version')!r} is not supported (this reads 1)")
        if set(body) != _FIELDS:
            raise TrustStoreError(f"{where} fields {sorted(set(body) ^ _FIELDS)} differ from the format")
        rows = body["deployments"]
        if not isinstance(rows, list) or len(rows) > MAX_DEPLOYMENTS:
            raise TrustStoreError(f"{where} deployments must be a list of at most {MAX_DEPLOYMENTS}")
        origin = str(path) if path else ""
        pins = tuple(_pin(row, f"{where} deployment {i + 1}", origin) for i, row in enumerate(rows))
        keys = [(p.chain_id, p.ledger) for p in pins]
        if len(set(keys)) != len(keys):
            raise TrustStoreError(f"{where} pins the same ledger twice")
        return cls(pins, path)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _address(value: Any, where: str) -> str:
    if not isinstance(value, str) or not is_checksum_address(value):
        raise TrustStoreError(f"{where} must be an EIP-55 checksummed address, not {value!r}")
    return value


def _code_hash(value: Any, where: str) -> str:
    if not isinstance(value, str) or len(value) != 66 or not value.startswith("0x"):
        raise TrustStoreError(f"{where} must be 0x and 64 lower-case hex digits")
    try:
        bytes.fromhex(value[2:])
    except ValueError:
        raise TrustStoreError(f"{where} is not hex") from None
    if value != value.lower():
        raise TrustStoreError(f"{where} must be lower-case hex")
    return value


def _pin(row: Any, where: str, origin: str) -> Pin:
    if not isinstance(row, dict) or set(row) != _PIN_FIELDS:
        found = sorted(set(row) ^ _PIN_FIELDS) if isinstance(row, dict) else type(row).__name__
        raise TrustStoreError(f"{where}: fields differ from the format ({found})")
    chain_id, label = row["chainId"], row["label"]
    if not isinstance(chain_id, int) or isinstance(chain_id, bool) or not 0 < chain_id < 2**64:
        raise TrustStoreError(f"{where}: chainId must be a positive integer")
    if not isinstance(label, str) or len(label) > MAX_LABEL:
        raise TrustStoreError(f"{where}: label must be a string of at most {MAX_LABEL} characters")
    return Pin(
        chain_id=chain_id,
        ledger=_address(row["ledger"], f"{where}: ledger"),
        registry=_address(row["registry"], f"{where}: registry"),
        ledger_code_hash=_code_hash(row["ledgerCodeHash"], f"{where}: ledgerCodeHash"),
        registry_code_hash=_code_hash(row["registryCodeHash"], f"{where}: registryCodeHash"),
        label=label,
        source=TRUST_STORE,
        origin=origin,
    )


# --------------------------------------------------------------------- what a node says about a deployment


@dataclass(frozen=True)
class Observed:
    """A deployment's contracts as read from a node (`notary.chain.code.observe`)."""

    ledger_code_hash: str | None  # None: no code at the address
    registry_code_hash: str | None
    registry_of_ledger: str | None  # the ledger's registry(); None if it does not answer like a ledger
    ledger_is_known: bool  # the code is this version's NotaryLedger artifact (immutables masked)
    registry_is_known: bool


def judge(pin: Pin, seen: Observed) -> tuple[list[str], list[str]]:
    """Reasons to reject and warnings: the node's contracts against the pinned deployment."""
    reasons: list[str] = []
    warnings: list[str] = []
    if seen.ledger_code_hash is None or seen.registry_code_hash is None:
        missing = "ledger " + pin.ledger if seen.ledger_code_hash is None else "registry " + pin.registry
        reasons.append(f"no contract at {missing} on chain {pin.chain_id} (another chain, or it was reset)")
        return reasons, warnings
    if seen.registry_of_ledger is None or seen.registry_of_ledger.lower() != pin.registry.lower():
        reasons.append(
            f"the ledger {pin.ledger} on chain says its registry is {seen.registry_of_ledger or 'nothing'}, "
            f"not {pin.registry}: the receipt's key entries are not the ledger's registry's"
        )
    for what, want, got in (
        ("ledger", pin.ledger_code_hash, seen.ledger_code_hash),
        ("registry", pin.registry_code_hash, seen.registry_code_hash),
    ):
        if want is not None and want != got:
            reasons.append(f"the {what}'s code on chain hashes to {got}, not the pinned {want}")
    unknown = [n for n, ok in (("ledger", seen.ledger_is_known), ("registry", seen.registry_is_known)) if not ok]
    if unknown:
        checked = "its pinned code hash" if pin.ledger_code_hash is not None else "no code hash (pinned by address)"
        warnings.append(
            f"the {' and '.join(unknown)} code is not this version's compiled contract (immutables masked); "
            f"checked against {checked}"
        )
    return reasons, warnings
