"""What a read is answered at: the chain's head and whether the index may answer for it.

Every read route needs the head block (one node call) and the index's state (one query)
before it can answer, and under load a worker has many requests waiting for the same two
facts. `Readings.get()` shares them: it returns a reading whose node call *began after the
call* (so no answer is older than its request): requests that arrive before a reading's
call begins share it, and those that arrive while one is under way wait for the next one
together. One thread-pool hop, one node call and one query then serve
every request of that moment; an answer kept for that block (`notary.api.answers`) is sent
without leaving the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from notary.api.indexing import IndexService, Serving
from notary.chain.head import Head, HeadReader


@dataclass(frozen=True)
class Reading:
    head: Head
    serving: Serving  # reader None: read the chain


class Readings:
    """Coalesced readings of one app (one event loop: uvicorn runs one per worker)."""

    def __init__(self, heads: HeadReader, index: IndexService | None) -> None:
        self.heads, self.index = heads, index
        self._started = 0  # readings created so far; the one in flight (if any) is number `_started`
        self._begun = 0  # the newest reading whose node call has begun (set by its thread)
        self._task: asyncio.Task[Reading | Exception] | None = None
        self.reads = 0  # readings taken (each one node call and one query)

    def read(self) -> Reading:
        """A reading now (blocking)."""
        head = self.heads.read()
        self.reads += 1
        return Reading(head, self.index.serving(head) if self.index is not None else Serving(None))

    async def get(self) -> Reading:
        need = self._begun + 1  # any reading that has not begun yet begins after this call
        loop = asyncio.get_running_loop()
        while True:
            if self._task is not None and self._task.get_loop() is not loop:
                self._task = None  # left by a closed loop (a test client's portal): not ours to wait for
            if self._task is None:
                self._started += 1
                self._task = loop.create_task(self._run(self._started))
            task, number = self._task, self._started
            await asyncio.wait({task})
            if number >= need:
                outcome = task.result()
                if isinstance(outcome, Exception):
                    raise outcome
                return outcome

    async def _run(self, number: int) -> Reading | Exception:
        def read() -> Reading:
            self._begun = number
            return self.read()

        try:
            return await run_in_threadpool(read)
        except Exception as exc:  # each request waiting for it answers with it (the node down: 503)
            return exc
        finally:
            self._task = None
