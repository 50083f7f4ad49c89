"""Evidence files are never overwritten silently.

Receipts, signed payloads, terms files and batch bundles are evidence. Before the CLI
writes one over an existing file, it reads what the file holds: the same evidence of the
same subject (the same record's receipt, the same party's same act, the same anchor) is
refreshed in place; anything else (another document's receipt, another act's payload, a
file that is no evidence at all) is refused unless `--force`. Writes themselves are
atomic (`notary.files.write_atomic`: a temporary sibling renamed over the target).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from notary.errors import InvalidInputError, NotaryError

if TYPE_CHECKING:
    from notary.eip712 import Domain
    from notary.ledger import SignedPayload
    from notary.models import Act, BatchAnchor, Notarisation
    from notary.receipts import Receipt

#: A file larger than this is not read to find out what it holds (the largest bundles are ~100 MB).
MAX_INSPECTED = 512 * 1024 * 1024

ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Replace an existing output file even if it holds other evidence."),
]


@dataclass(frozen=True)
class Held:
    """What an evidence file is about: its kind, the deployment it names (a terms file names
    none) and its subject; `about` describes it to a person."""

    kind: str
    deployment: tuple[int, str] | None
    subject: tuple[Any, ...]
    about: str
    receipt: Receipt | None = None

    def same(self, other: Held) -> bool:
        return (self.kind, self.deployment, self.subject) == (other.kind, other.deployment, other.subject)


def _short(value: bytes) -> str:
    return f"0x{value.hex()[:12]}…"


def _deployment(chain_id: int, ledger: str) -> tuple[int, str]:
    return (chain_id, ledger.lower())


def record_receipt(chain_id: int, ledger: str, record_id: bytes, digest: bytes | None = None) -> Held:
    of = f" (document {digest.hex()[:12]}…)" if digest is not None else ""
    about = f"the receipt of record {_short(record_id)}{of}"
    return Held("receipt", _deployment(chain_id, ledger), ("record", record_id), about)


def batch_receipt(chain_id: int, ledger: str, anchor_id: bytes, digest: bytes) -> Held:
    about = f"the batch receipt of document {digest.hex()[:12]}… in anchor {_short(anchor_id)}"
    return Held("receipt", _deployment(chain_id, ledger), ("batch", anchor_id, digest), about)


def payload(signed: SignedPayload) -> Held:
    """A signed payload: the same party's same act on the same record (or the same anchor)."""
    return payload_of(signed.domain, signed.payload)


def payload_of(domain: Domain, p: Notarisation | Act | BatchAnchor) -> Held:
    """What a payload signed for `domain` is about (known before signing)."""
    from notary.codes import bytes32_to_text
    from notary.models import Act, Notarisation, anchor_id, record_id

    party = bytes32_to_text(p.party)
    where = _deployment(domain.chain_id, domain.verifying_contract)
    if isinstance(p, Notarisation):
        rid = record_id(p.digest, p.party)
        return Held("payload", where, (rid, party, "notarisation"), f"{party}'s signed notarisation {_short(rid)}")
    if isinstance(p, Act):
        label = p.intent.label
        return Held("payload", where, (p.record_id, party, label), f"{party}'s signed {label} on {_short(p.record_id)}")
    aid = anchor_id(p.root, p.party)
    return Held("payload", where, (aid, party, "anchor"), f"{party}'s signed batch anchor {_short(aid)}")


def terms(record_id: bytes) -> Held:
    return Held("terms", None, (record_id,), f"the terms of record {_short(record_id)}")


def bundle(chain_id: int, ledger: str, anchor_id: bytes) -> Held:
    about = f"the bundle of batch anchor {_short(anchor_id)}"
    return Held("bundle", _deployment(chain_id, ledger), (anchor_id,), about)


def _of_receipt(r: Receipt) -> Held:
    c = r.chain
    if r.record is not None:
        held = record_receipt(c.chain_id, c.ledger, r.record.record_id, r.document.digest)
    else:
        assert r.batch is not None
        held = batch_receipt(c.chain_id, c.ledger, r.batch.anchor_id, r.document.digest)
    return Held(held.kind, held.deployment, held.subject, held.about, r)


def identify(raw: bytes) -> Held | str | None:
    """What an evidence file holds; a reason if it looks like evidence but does not read
    (an editor added a newline, say); None if it is no receipt, payload, terms or bundle."""
    from notary import receipts, signed_payload, terms_file
    from notary.batch import MEDIA_TYPE as BUNDLE_TYPE
    from notary.batch import Bundle
    from notary.models import anchor_id

    def of_bundle() -> Held:
        b = Bundle.from_json(raw)
        p = b.payload
        return bundle(b.chain.chain_id, b.chain.ledger, anchor_id(p.root, p.party))

    readers: list[tuple[str, str, Callable[[], Held]]] = [
        (receipts.MEDIA_TYPE, "a receipt", lambda: _of_receipt(receipts.loads(raw))),
        (signed_payload.MEDIA_TYPE, "a signed payload", lambda: payload(signed_payload.from_json(raw))),
        (terms_file.MEDIA_TYPE, "a terms file", lambda: terms(terms_file.from_json(raw).record_id)),
        (BUNDLE_TYPE, "a batch bundle", of_bundle),
    ]
    unreadable = None
    for media_type, what, read in readers:
        if media_type.encode() in raw:
            try:
                return read()
            except NotaryError as exc:
                unreadable = unreadable or f"holds {what} that does not read ({exc.message})"
    return unreadable


def guard(path: Path, new: Held, force: bool) -> Held | None:
    """Check that `new` may be written to `path`; returns what the file holds when it is the same subject.

    Raises `InvalidInputError` (nothing is written) when the file holds other evidence, or
    something that is not evidence, unless `force`."""
    if path.exists() and not path.is_file():
        raise InvalidInputError(f"{path} exists and is not a regular file", hint="choose a file path for the output")
    if not path.exists() or force:
        return None
    size = path.stat().st_size
    if size == 0:
        return None  # an empty file (from mktemp, say) holds nothing to lose
    try:
        raw = path.read_bytes() if size <= MAX_INSPECTED else b""
    except OSError as exc:
        raise InvalidInputError(f"cannot read the existing file {path}: {exc.strerror}") from None
    held = identify(raw) if raw else None
    if isinstance(held, Held) and held.same(new):
        return held
    if held is None:
        found = "exists and is not a receipt, signed payload, terms file or bundle"
    elif isinstance(held, str):
        found = held
    elif (held.kind, held.subject) == (new.kind, new.subject):
        found = f"already holds {held.about} from another deployment"
    else:
        found = f"already holds {held.about}, not {new.about}"
    raise InvalidInputError(
        f"{path} {found}; nothing was written over it",
        hint="write to another file, or add --force to replace it",
    )
