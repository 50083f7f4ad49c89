"""Exporting 100,000 events holds memory flat (measured with tracemalloc)."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from notary.audit import export
from notary.index import IndexReader, open_index
from notary.index import schema as s

SIGNATURE = "0x" + "ab" * 65


def _detail(time: int) -> str:
    return f'{{"deadline":{time + 3600},"signature":"{SIGNATURE}","time":{time}}}'


def _synthetic_index(path: Path, n: int) -> IndexReader:
    """An index of `n` signed acts (the rows need not be on any chain to be exported)."""
    engine = open_index(f"sqlite:///{path}")
    signer = "0x" + "5a" * 20
    with engine.begin() as conn:
        conn.execute(
            s.index_state.insert().values(
                id=1, chain_id=1, registry="0x" + "11" * 20, ledger="0x" + "22" * 20, start_block=1,
                last_block=n, last_block_hash="0x" + f"{n:064x}",
            )
        )  # fmt: skip
        conn.execute(s.blocks.insert().values(number=n, hash="0x" + f"{n:064x}", timestamp=1_800_000_000 + n))
        batch = []
        for i in range(1, n + 1):
            batch.append(
                {
                    "block_number": i, "log_index": 0, "contract": "ledger", "event": "ActRecorded",
                    "block_hash": "0x" + f"{i:064x}", "tx_hash": "0x" + f"{i:064x}"[::-1], "tx_index": 0,
                    "time": 1_800_000_000 + i, "record": "0x" + f"{i % 977:064x}", "digest": f"{i % 977:064x}",
                    "kind": "certificate", "party": ("FRA", "SGP", "DEU")[i % 3], "signer": signer,
                    "intent": "signature", "reason": "", "detail": _detail(1_800_000_000 + i),
                    "recovered": signer, "recovery_note": "",
                }
            )  # fmt: skip
            if len(batch) == 10_000:
                conn.execute(s.events.insert(), batch)
                batch = []
        if batch:
            conn.execute(s.events.insert(), batch)
    return IndexReader(engine)


def _peak(index: IndexReader, out: Path, fmt: str) -> tuple[int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    manifest = export(index, out, fmt)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert manifest.row_count == index.count()
    return peak, seconds


@pytest.mark.parametrize(("fmt", "small_n", "large_n"), [("csv", 10_000, 100_000), ("jsonl", 2_000, 20_000)])
def test_export_memory_is_flat_as_rows_grow_tenfold(fmt: str, small_n: int, large_n: int, tmp_path: Path) -> None:
    """Peak traced memory for 10x the rows (100,000 in CSV) stays within 1.5x, and under 16 MiB."""
    small = _peak(_synthetic_index(tmp_path / "small.sqlite3", small_n), tmp_path / f"small.{fmt}", fmt)
    large = _peak(_synthetic_index(tmp_path / "large.sqlite3", large_n), tmp_path / f"large.{fmt}", fmt)
    print(f"{fmt}: {small_n} rows peak {small[0] / 2**20:.2f} MiB in {small[1]:.1f} s; "
          f"{large_n} rows peak {large[0] / 2**20:.2f} MiB in {large[1]:.1f} s (under tracemalloc)")  # fmt: skip
    assert large[0] < 1.5 * small[0] + 512 * 1024
    assert large[0] < 16 * 2**20
