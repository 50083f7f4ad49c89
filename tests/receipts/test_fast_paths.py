"""The fast paths of reading and verifying a receipt decide exactly what the reference paths decide.

`loads` reads JSON without the duplicate-key hook (the canonical check makes it redundant) and
parses the per-act parts and the proof nodes with precompiled checks; state proofs share one
trie-node cache across a receipt's blocks. Each fast path falls back to, or stands beside, a
reference path that is kept. Here both run on the golden receipts, on receipts with state
proofs from a real anvil, and on thousands of mutations of them (values of the wrong type or
form, duplicate keys, escapes, whitespace, tampered trie nodes and headers, nodes moved between
blocks, duplicated acts): the receipt read (or the error, with its message) and the verdict
must be the same. A fast path that accepted what the reference refuses would be a forgery's
way in; so would a node cache that let one block's proof borrow another block's node.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import rfc8785
from goldens import GOLDEN, GOLDEN_PIN, MEMBER
from hypothesis import given, settings
from hypothesis import strategies as st

from notary import batch, ledger, receipts, trust
from notary.chain.connect import rpc
from notary.chain.node import ephemeral_anvil
from notary.receipts import format as receipt_format
from notary.receipts import parse, proofs, state
from notary.receipts.build import anchor_evidence, anchor_proofs, batch_receipt, chain_ref, record_receipt
from notary.receipts.state_proofs import Witness
from notary.receipts.verify import PROVED, REFUTED, verify_offline
from notary.testing import World

GOLDEN_DOCUMENTS = {
    "valid-bilateral-record.receipt.json": "mou.txt",
    "valid-multi-text.receipt.json": "treaty-fr.txt",
    "valid-batch-member.receipt.json": f"certificate-{MEMBER:04d}.txt",
}


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    digest: bytes
    pinned: trust.Anchors


def _not_plain(raw: bytes) -> Any:
    raise receipt_format._NotPlain("the reference reading, for the test")


@contextmanager
def reference_only() -> Iterator[None]:
    """Every fast path off: JSON reading, the per-act and node parsers, the shared trie-node cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(receipt_format, "_parse_plain_json", _not_plain)
        for name in ("_evidence_fast", "_terms_fast", "_payload_fast", "_key_fast"):
            mp.setattr(parse, name, lambda *args: None)
        mp.setattr(proofs, "_nodes_fast", lambda value: None)
        mp.setattr(state, "Witness", lambda nodes, cache=None: Witness(nodes))
        yield


def outcome(raw: bytes, digest: bytes, pinned: trust.Anchors) -> tuple[Any, ...]:
    """What reading and verifying `raw` gives: the error (class, message, hint), or the receipt read,
    the digests its seal is checked against and the whole verdict."""
    try:
        r = receipts.loads(raw)
    except Exception as exc:  # noqa: BLE001 - whatever is raised, both paths must raise the same
        return ("refused", type(exc).__name__, str(exc), getattr(exc, "hint", None))
    v = verify_offline(r, digest, pinned)
    return ("read", r, receipts.sealed_digests(r), v.to_json())


def both(case: Case, raw: bytes) -> tuple[Any, ...]:
    fast = outcome(raw, case.digest, case.pinned)
    with reference_only():
        reference = outcome(raw, case.digest, case.pinned)
    assert fast == reference, f"{case.name}: the fast path decides otherwise than the reference"
    return fast


# --------------------------------------------------------------------- receipts


@pytest.fixture(scope="module")
def anvil_cases() -> list[Case]:
    """A record of 3 parties (acts in 3 blocks) and a batch member, both with state proofs, from anvil."""
    parties = (("FRA", "French Republic"), ("SGP", "Singapore"), ("DEU", "Germany"))
    with ephemeral_anvil() as url:
        world = World.build(rpc(url), parties)
        digest = sha(b"a trilateral declaration")
        rid = world.notarise(digest, "FRA", parties=("FRA", "SGP", "DEU"), quorum=2)
        world.act(rid, "SGP")
        world.act(rid, "DEU")
        record = record_receipt(world.gw, rid)
        digests = [sha(b"certificate %d" % i) for i in range(8)]
        tree = batch.tree_of(digests)
        meta = batch.anchor_metadata(8, "certificates")
        anchor = batch.prepare_anchor(tree.root, "FRA", world.deadline(), meta)
        ledger.submit(world.gw, world.relayer, ledger.sign(anchor, world.gw.domain, world.signers["FRA"]))
        observed = world.chain.block_number()
        evidence = anchor_evidence(world.gw, tree.root, "FRA", observed)
        member = batch_receipt(
            chain_ref(world.gw), evidence, digests[5], tree.proof(5), meta, anchor_proofs(world.gw, evidence, observed)
        )
        pinned = world.pinned
    assert record.proofs is not None and len(record.proofs.blocks) >= 3 and member.proofs is not None
    return [
        Case("anvil record", receipts.dumps(record), digest, pinned),
        Case("anvil batch member", receipts.dumps(member), digests[5], pinned),
    ]


def golden_cases() -> list[Case]:
    return [
        Case(name, (GOLDEN / name).read_bytes(), sha((GOLDEN / document).read_bytes()), GOLDEN_PIN)
        for name, document in GOLDEN_DOCUMENTS.items()
    ]


# --------------------------------------------------------------------- mutations


def _encode(body: Any) -> bytes:
    try:
        return bytes(rfc8785.dumps(body))
    except Exception:  # noqa: BLE001 - a value RFC 8785 refuses (a large integer): written as Python writes it
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def resealed(body: dict[str, Any]) -> bytes:
    """The receipt with its seal recomputed, as a forger would (so that the content, not the seal, decides)."""
    sections = {k: v for k, v in body.items() if k not in ("mediaType", "version", "seal")}
    with contextlib.suppress(Exception):  # a section that cannot be sealed: left as it is
        body["seal"]["sections"] = receipts.seal_of(sections)
    return _encode(body)


def _values(v: Any) -> list[Any]:
    """Replacements for one JSON value: other types, and near misses of its own form."""
    if isinstance(v, bool):
        return [not v, 0, 1, "true", None]
    if isinstance(v, int):
        return [v + 1, -1, 2**53, 2**64, float(v), True, str(v), None]
    if isinstance(v, str):
        out = [v.upper(), v + "0", v[:-1], " " + v, v + "\n", "", "é" + v, "\U0001d11e" + v, 5, None]
        if v.startswith("0x"):
            out += ["0X" + v[2:], v + "00", v[:-2], "0x" + v[2:].upper(), v[2:], v[:4] + " " + v[4:]]
        if v.isdigit():
            out += ["0" + v, str(2**64), str(2**64 - 1), "-" + v, v + ".0"]
        return out
    if v is None:
        return [0, "", {}, [], False]
    if isinstance(v, list):
        return [[], v[:1] + v, v[::-1], v[:-1], v + [None], "x"]
    if isinstance(v, dict):
        first = next(iter(v), None)
        dropped = {k: x for k, x in v.items() if k != first}
        return [{}, dropped, {**v, "extra": 1}, [v]]
    return []


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _set(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


def value_mutations(raw: bytes, sample: int | None, seed: int) -> Iterator[tuple[str, bytes]]:
    """Each (or a sample of `sample`) value of the receipt replaced by each of `_values`, resealed."""
    body = json.loads(raw)
    paths = [p for p in _paths(body) if p and p[0] not in ("mediaType",)]
    edits = [(p, i) for p in paths for i in range(len(_values(_get(body, p))))]
    if sample is not None and len(edits) > sample:
        edits = random.Random(seed).sample(edits, sample)
    for path, i in edits:
        mutated = copy.deepcopy(body)
        new = _values(_get(mutated, path))[i]
        yield f"{'.'.join(map(str, path))} := {new!r:.40}", resealed(_set(mutated, path, new))


def _get(body: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        body = body[step]
    return body


def text_mutations(raw: bytes) -> Iterator[tuple[str, bytes]]:
    """Changes of the text alone: the same values written otherwise, duplicate keys, trailing data."""
    text = raw.decode()
    yield "trailing newline", raw + b"\n"
    yield "leading space", b" " + raw
    yield "space after the first colon", raw.replace(b":", b": ", 1)
    yield "an escaped letter", raw.replace(b'"FRA"', b'"\\u0046RA"', 1)
    yield "an escaped slash", raw.replace(b'"0x', b'"\\/0x', 1)
    yield "a surrogate pair escape", raw.replace(b'"reason":"', b'"reason":"\\ud834\\udd1e', 1)
    yield "a lone surrogate", raw.replace(b'"reason":"', b'"reason":"\\ud834', 1)
    yield "a float for an integer", raw.replace(b'"blockNumber":', b'"blockNumber":1.0e0+', 1).replace(b"+", b"", 1)
    yield "a float that equals it", raw.replace(b'"logIndex":0', b'"logIndex":0.0', 1)
    yield "NaN", raw.replace(b'"quorum":', b'"quorum":NaN,"q":', 1)
    yield "a huge integer", raw.replace(b'"logIndex":', b'"logIndex":1' + b"0" * 30 + b',"x":', 1)
    yield "invalid UTF-8", raw.replace(b'"FRA"', b'"\xffRA"', 1)
    yield "not JSON", raw[:-1]
    for key in ("intent", "party", "signer", "blockHash", "chainId", "mediaType", "version", "stateProofs"):
        start = text.find(f'"{key}":')
        if start < 0:
            continue
        end = _value_end(text, start + len(key) + 3)
        entry = text[start:end]
        yield f"duplicate {key} (same value)", (text[:start] + entry + "," + text[start:]).encode()
        yield f"duplicate {key} (null first)", (text[:start] + f'"{key}":null,' + text[start:]).encode()
        yield f"duplicate {key} (null last)", (text[:end] + f',"{key}":null' + text[end:]).encode()


def _value_end(text: str, at: int) -> int:
    """Where the JSON value starting at `at` ends."""
    _, end = json.JSONDecoder().raw_decode(text, at)
    return end


def proof_mutations(raw: bytes) -> Iterator[tuple[str, bytes]]:
    """Attacks on the state proofs and acts, resealed: each must be refuted as the reference refutes it."""
    body = json.loads(raw)
    if not body.get("stateProofs"):
        return
    blocks = body["stateProofs"]["blocks"]
    for bi, b in enumerate(blocks):
        for ni in range(len(b["nodes"])):
            for offset in (4, len(b["nodes"][ni]) // 2, len(b["nodes"][ni]) - 1):
                m = copy.deepcopy(body)
                node = m["stateProofs"]["blocks"][bi]["nodes"][ni]
                flipped = node[:offset] + ("1" if node[offset] != "1" else "2") + node[offset + 1 :]
                nodes = m["stateProofs"]["blocks"][bi]["nodes"]
                nodes[ni] = flipped
                nodes.sort()
                yield f"block {bi} node {ni} byte {offset} changed", resealed(m)
        m = copy.deepcopy(body)
        header = m["stateProofs"]["blocks"][bi]["header"]
        m["stateProofs"]["blocks"][bi]["header"] = header[:-2] + ("00" if header[-2:] != "00" else "01")
        yield f"block {bi} header changed", resealed(m)
        m = copy.deepcopy(body)
        m["stateProofs"]["blocks"][bi]["blockHash"] = "0x" + "ab" * 32
        yield f"block {bi} hash changed", resealed(m)
        m = copy.deepcopy(body)
        del m["stateProofs"]["blocks"][bi]["nodes"][0]
        yield f"block {bi} first node removed", resealed(m)
        m = copy.deepcopy(body)
        nodes = m["stateProofs"]["blocks"][bi]["nodes"]
        nodes.insert(0, nodes[0])
        yield f"block {bi} first node repeated", resealed(m)
    for (bi, a), (bj, b) in ((x, y) for x in enumerate(blocks) for y in enumerate(blocks) if x[0] != y[0]):
        for shared in sorted(set(a["nodes"]) & set(b["nodes"]))[:3]:
            m = copy.deepcopy(body)
            m["stateProofs"]["blocks"][bj]["nodes"].remove(shared)
            yield f"a node of block {bi} removed from block {bj}", resealed(m)
    if len(blocks) > 1:
        m = copy.deepcopy(body)
        m["stateProofs"]["blocks"].reverse()
        yield "blocks reversed", resealed(m)
        m = copy.deepcopy(body)
        m["stateProofs"]["blocks"][0]["header"] = body["stateProofs"]["blocks"][1]["header"]
        yield "another block's header", resealed(m)
    if "record" in body:
        acts = body["record"]["attestations"]
        for i in range(len(acts)):
            m = copy.deepcopy(body)
            m["record"]["attestations"].insert(i, copy.deepcopy(acts[i]))
            yield f"act {i} duplicated", resealed(m)
            m = copy.deepcopy(body)
            del m["record"]["attestations"][i]
            yield f"act {i} removed", resealed(m)
        m = copy.deepcopy(body)
        m["record"]["attestations"][-1]["voided"] = {
            "time": acts[-1]["time"], "transaction": acts[-1]["transaction"], "blockNumber": acts[-1]["blockNumber"],
            "blockHash": acts[-1]["blockHash"], "logIndex": acts[-1]["logIndex"] + 1,
        }  # fmt: skip
        yield "the last act claimed voided", resealed(m)


def run_all(case: Case, mutations: Iterator[tuple[str, bytes]]) -> dict[str, int]:
    """Every mutation read and verified both ways; how many were refused, failed or (still) verified."""
    counts = {"refused": 0, "failed": 0, "verified": 0}
    for what, raw in mutations:
        try:
            got = both(case, raw)
        except AssertionError as exc:
            raise AssertionError(f"{case.name}, {what}: {exc}") from None
        counts["refused" if got[0] == "refused" else "verified" if got[3]["verified"] else "failed"] += 1
    return counts


# --------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.receipt.json")))
def test_every_golden_reads_and_verifies_alike(name: str) -> None:
    """Each golden receipt, valid or invalid, gives the same receipt or error and the same verdict both ways."""
    raw = (GOLDEN / name).read_bytes()
    document = GOLDEN_DOCUMENTS.get(name, "mou.txt")
    got = both(Case(name, raw, sha((GOLDEN / document).read_bytes()), GOLDEN_PIN), raw)
    if name.startswith("valid-"):
        assert got[0] == "read" and got[3]["verified"], got


def test_the_fast_paths_run_on_a_valid_receipt() -> None:
    """A valid receipt is read by the fast paths (so the comparisons above compare two paths, not one)."""
    calls: list[str] = []
    raw = (GOLDEN / "valid-bilateral-record.receipt.json").read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(receipt_format, "reference_loads", lambda raw: calls.append("reference") or pytest.fail())
        for name in ("_evidence_fast", "_terms_fast"):
            real = getattr(parse, name)
            mp.setattr(parse, name, lambda *a, real=real, name=name: calls.append(name) or real(*a))
        r = receipts.loads(raw)
    assert r.record is not None and calls == ["_terms_fast"] + ["_evidence_fast"] * len(r.record.attestations)


def test_mutated_goldens_decide_alike() -> None:
    """A sample of value and text mutations of each valid golden: the same receipt or error, the same verdict."""
    for case in golden_cases():
        counts = run_all(case, value_mutations(case.raw, 250, seed=1))
        run_all(case, text_mutations(case.raw))
        assert counts["refused"] and counts["failed"], counts  # the sample reaches both the reader and the verdict


def test_text_changes_of_an_anvil_receipt_decide_alike(anvil_cases: list[Case]) -> None:
    """Duplicate keys, escapes, whitespace, floats and huge integers in receipts with state proofs."""
    for case in anvil_cases:
        assert both(case, case.raw)[3]["stateProofs"] == PROVED
        run_all(case, text_mutations(case.raw))


def test_mutated_anvil_receipts_decide_alike(anvil_cases: list[Case]) -> None:
    """A sample of value mutations of receipts with state proofs, resealed: the same outcome both ways."""
    for case in anvil_cases:
        counts = run_all(case, value_mutations(case.raw, 300, seed=2))
        assert counts["refused"] and counts["failed"], counts


def test_attacks_on_state_proofs_are_refuted_alike(anvil_cases: list[Case]) -> None:
    """Tampered nodes and headers, a node taken from another block's list, repeated or removed acts: none
    verifies, and the fast path refutes each exactly as the reference does."""
    for case in anvil_cases:
        counts = run_all(case, proof_mutations(case.raw))
        assert counts["verified"] == 0 and counts["failed"] > 0, counts


def test_a_node_of_another_block_does_not_prove_this_one(anvil_cases: list[Case]) -> None:
    """The trie-node cache is shared by a receipt's blocks, but a block proves only with its own nodes."""
    case = anvil_cases[0]
    moved = [raw for what, raw in proof_mutations(case.raw) if "removed from block" in what]
    assert moved, "the record's blocks share no node: the test proves nothing"
    for raw in moved:
        v = both(case, raw)[3]
        assert not v["verified"] and v["stateProofs"] == REFUTED
        assert any("lacks a trie node" in reason for reason in v["reasons"]), v["reasons"]


@pytest.mark.deep
def test_every_value_mutation_decides_alike(anvil_cases: list[Case]) -> None:
    """Every value of every receipt (goldens and anvil ones) replaced by each near miss: the same outcome."""
    for case in [*golden_cases(), *anvil_cases]:
        run_all(case, value_mutations(case.raw, None, seed=0))


_window_text = st.one_of(
    st.from_regex(r"(0|[1-9][0-9]{0,21})", fullmatch=True),
    st.sampled_from(["", "00", "01", "-1", "1|2", "|", "1 ", "١", "18446744073709551615", "18446744073709551616"]),
    st.text(alphabet="0129|\n ", max_size=6),
)


@settings(max_examples=400)
@given(values=st.lists(_window_text | st.integers(0, 3) | st.none(), min_size=4, max_size=4))
def test_key_windows_read_fast_as_the_generic_reader_reads_them(values: list[Any]) -> None:
    """Four window values, as text or not: the fast reading gives the generic key, or gives way to the
    generic reader, which then refuses them."""
    value = dict(zip(("validFrom", "validUntil", "revokedAt", "addedAt"), values, strict=True))
    signer = "0x" + "ab" * 20
    fast = parse._key_fast(value, "FRA", signer)
    with reference_only():
        try:
            generic: Any = parse._key(value, "k", "FRA", signer)
        except receipts.ReceiptFormatError:
            generic = None
    assert fast == generic or (fast is None and generic is not None)
    assert all(isinstance(v, str) for v in values) or fast is None


def test_the_state_proofs_text_is_their_canonical_encoding(anvil_cases: list[Case]) -> None:
    """The fast reading writes the checked proofs section itself: the bytes the canonical encoder writes."""
    for case in anvil_cases:
        section = json.loads(case.raw)["stateProofs"]
        assert proofs.parse(section) is not None
        assert proofs.canonical_text(section) == receipt_format.canonical(section) == bytes(rfc8785.dumps(section))
