"""A route's answer as the bytes it sends, and the bounded, thread-safe map that keeps them
(`notary.api.answers` says when an answer may be kept and what its key holds)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

#: Answers kept per worker (the newest block's questions; older blocks' entries age out first): a
#: verdict with its model is a few KiB to a few tens of KiB, so at most some tens of MiB.
CACHE_SIZE = 1024


@dataclass(frozen=True)
class Answer:
    body: bytes
    source: str  # "index" or "chain": the Notary-Source header
    notarised: bool = False  # for the verification metrics
    verified: bool = False
    model: BaseModel | None = None  # a verdict's model, to answer an upload of the same digest

    def response(self) -> Response:
        return Response(self.body, media_type="application/json", headers={"Notary-Source": self.source})


class AnswerCache:
    """A bounded map from (question, head hash, published stamp) to an answer; thread-safe."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[Any, ...]) -> Answer | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
            return found

    def put(self, key: tuple[Any, ...], answer: Answer) -> None:
        with self._lock:
            self._entries[key] = answer
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
