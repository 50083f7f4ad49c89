"""Publishing a large bundle holds its leaves and tree, never the bundle: peak memory, traced, per document.

Memory (not time) is asserted, as a ratio to the reference measured in the same run: reading the
same bundle whole (`Bundle.read` and its tree), as the service did before publishing existed.
"""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest
from published_helpers import anchor_bundle

from notary.batch import Bundle
from notary.index import open_index
from notary.published import PublishedStore, publish_bundle
from notary.testing import World


def _peaks(world: World, tmp_path: Path, n: int) -> tuple[float, float]:
    digests = [hashlib.sha256(f"certificate {i}".encode()).digest() for i in range(n)]
    anchor_bundle(world, tmp_path / "big.json", digests)
    del digests
    store = PublishedStore(open_index(f"sqlite:///{tmp_path / 'index.sqlite3'}"))
    tracemalloc.start()
    try:
        Bundle.read(tmp_path / "big.json").tree()
        whole = tracemalloc.get_traced_memory()[1] / n
        tracemalloc.stop()
        tracemalloc.start()
        done = publish_bundle(world.gw, store, tmp_path / "big.json")
        streamed = tracemalloc.get_traced_memory()[1] / n
    finally:
        tracemalloc.stop()
    assert done.documents == n and len(store.memberships(hashlib.sha256(b"certificate 7").digest())) == 1
    return whole, streamed


def test_a_large_bundle_is_published_in_far_less_memory_than_reading_it(world: World, tmp_path: Path) -> None:
    whole, streamed = _peaks(world, tmp_path, 50_000)
    assert streamed < 0.6 * whole, (whole, streamed)


@pytest.mark.deep
def test_a_million_document_bundle(world: World, tmp_path: Path) -> None:
    """The deep tier: a million documents; about 150 bytes per document at the peak (leaves and tree)."""
    whole, streamed = _peaks(world, tmp_path, 1_000_000)
    print(f"peak per document: whole read {whole:.0f} B, publish {streamed:.0f} B ({streamed / whole:.2f}x)")
    assert streamed < 0.4 * whole, (whole, streamed)
