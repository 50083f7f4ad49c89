"""The read routes' answers as JSON bytes, reused while the chain's head block stays the same.

`GET /v1/verify/{digest}`, `GET /v1/records/{digest}` and `GET /v1/parties/{code}` are
functions of the facts at one block: the index at that block, the published documents, the
head's number and time. When the index's checkpoint is the head block itself (by hash), the
answer depends on nothing else, so it is kept (`answer_cache.AnswerCache`, keyed by the
question, the head's hash and the stamp of the published documents) and served again, as
the same bytes, until a new block or a publication changes the key. Every request still
waits for a reading of the head and of the index's state started after it arrived
(`notary.api.reading`): nothing older than its request is served. Answers read from the
chain (index off, behind, or on another branch) are never kept.

`answer(...)` runs on the event loop and leaves it (for the thread pool, where the database
and node reads block) only when nothing is kept for the question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from notary.api import indexed, indexed_party
from notary.api.answer_cache import Answer
from notary.api.deps import Services
from notary.api.reading import Reading
from notary.api.schemas import UploadOut
from notary.verify import Policy


def body(model: BaseModel) -> bytes:
    """The JSON FastAPI would send for `model` as a route's response model (pydantic, by alias)."""
    return model.model_dump_json(by_alias=True).encode()


async def answer(svc: Services, question: tuple[Any, ...], at: Reading | None = None) -> Answer:
    """The answer to `question` ("verify", digest, policy | "records", digest, submitter | "party",
    code) at `at`, a reading taken after the request arrived (default: one taken from now)."""
    at = at or await svc.readings.get()
    serving = at.serving
    key = (*question, *serving.key) if serving.at_head else None
    if key is not None and (kept := svc.answers.get(key)) is not None:
        return kept
    found: Answer = await run_in_threadpool(_COMPUTE[question[0]], svc, at, *question[1:])
    if key is not None and found.source == indexed.INDEX:
        svc.answers.put(key, found)
    return found


def with_file(found: Answer, upload: UploadOut) -> Answer:
    """`POST /v1/verify`: the verdict of the file's digest, naming the file."""
    assert found.model is not None
    named = found.model.model_copy(update={"file": upload})
    return Answer(body(named), found.source, found.notarised, found.verified)


def _verdict(svc: Services, at: Reading, digest: bytes, policy: Policy) -> Answer:
    out, source = indexed.verdict_of(svc, digest, None, policy, (at.head, at.serving.reader))
    return Answer(body(out), source, out.notarised, out.verified, out)


def _records(svc: Services, at: Reading, digest: bytes, submitter: str | None) -> Answer:
    out, source = indexed.records_of(svc, digest, submitter, (at.head, at.serving.reader))
    return Answer(body(out), source)


def _party(svc: Services, at: Reading, code: str) -> Answer:
    out, source = indexed_party.party_of(svc, code, (at.head, at.serving.reader))
    return Answer(body(out), source)


_COMPUTE: dict[str, Callable[..., Answer]] = {"verify": _verdict, "records": _records, "party": _party}
