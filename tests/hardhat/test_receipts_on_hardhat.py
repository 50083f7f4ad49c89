"""tests/receipts/test_cli.py's receipt flow on Hardhat: `notarise`/`sign --receipt-out`, `verify
--receipt` offline and online, `notary receipt` refreshing a pending receipt."""

from __future__ import annotations

from test_cli import ledger, run, test_notarise_and_sign_write_receipts_as_they_go

__all__ = ["ledger", "run", "test_notarise_and_sign_write_receipts_as_they_go"]
