"""Run the indexer in its own process and SIGKILL it in the middle of its N-th range transaction.

Usage: python index_crash_runner.py RPC_URL DEPLOYMENT_JSON DB_URL RANGE_SIZE N
The kill comes right after the range's events were inserted and before the commit.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from notary.chain.connect import rpc
from notary.chain.events import EventReader
from notary.deployment import Deployment
from notary.index import Indexer, open_index

url, manifest, db, range_size, crash_on = sys.argv[1:]
calls = 0
insert = Indexer._insert_events


def crashing(self: Indexer, conn: Any, inserted: Any) -> None:
    global calls
    insert(self, conn, inserted)
    calls += 1
    if calls == int(crash_on):
        os.kill(os.getpid(), signal.SIGKILL)


Indexer._insert_events = crashing  # type: ignore[method-assign]
reader = EventReader(rpc(url), Deployment.load(Path(manifest)))
Indexer(reader, open_index(db), range_size=int(range_size)).run_once()
sys.exit(3)  # never reached: the kill comes first
