"""Journal entries of acts whose transaction was replaced for its fees: every signed version is kept,
any of them may be the one mined, and the entry follows the one that was."""

from __future__ import annotations

from pathlib import Path

import pytest

from notary.chain.tx import TxResult
from notary.journal import MINED, Journal, JournalEntry, JournalError, JournalKey

KEY = JournalKey("0x" + "ab" * 20, bytes(range(32)), "FRA", "notarisation")
FIRST, SECOND = "0x" + "11" * 32, "0x" + "22" * 32


def entry() -> JournalEntry:
    return JournalEntry(KEY, 31337, FIRST, b"\x02first", 2_000_000_000, 1_700_000_000)


def result(tx_hash: str) -> TxResult:
    return TxResult(tx_hash, 7, "0x" + "77" * 32, 21_000, ())


def test_a_replacement_keeps_the_replaced_transaction_and_round_trips(tmp_path: Path) -> None:
    journal = Journal(tmp_path, 31337)
    replaced = entry().replaced_by(SECOND, b"\x02second")
    assert replaced.transaction == SECOND and replaced.raw_transaction == b"\x02second"
    assert replaced.hashes == (SECOND, FIRST) and dict(replaced.replaced) == {FIRST: b"\x02first"}
    assert replaced.describe().endswith("(in place of 1 earlier transaction of the same nonce, at lower fees)")
    assert "in place of" not in entry().describe()
    journal.save(replaced)
    assert journal.load(KEY) == replaced


def test_the_entry_follows_whichever_version_was_mined() -> None:
    replaced = entry().replaced_by(SECOND, b"\x02second")
    mined = replaced.at(MINED, result(FIRST))  # the lower-fee one made it after all
    assert (mined.transaction, mined.raw_transaction) == (FIRST, b"\x02first")
    assert dict(mined.replaced) == {SECOND: b"\x02second"} and mined.block_number == 7
    with pytest.raises(ValueError):
        entry().replaced_by("0x" + "33" * 32, b"")


def test_an_entry_written_before_replacements_existed_is_still_read(tmp_path: Path) -> None:
    journal = Journal(tmp_path, 31337)
    journal.save(entry())
    path = journal.path(KEY)
    text = path.read_text().replace('  "replaced": [],\n', "")
    assert '"replaced"' not in text
    path.write_text(text)
    assert journal.load(KEY) == entry()


@pytest.mark.parametrize("bad", ['[{"transaction": 1}]', '["0x00"]', '[{"transaction": "0x1", "rawTransaction": 5}]'])
def test_a_malformed_replaced_list_is_a_journal_error(tmp_path: Path, bad: str) -> None:
    journal = Journal(tmp_path, 31337)
    journal.save(entry())
    path = journal.path(KEY)
    path.write_text(path.read_text().replace('"replaced": []', f'"replaced": {bad}'))
    with pytest.raises(JournalError, match="unreadable"):
        journal.load(KEY)
