"""What routes need, built once by `create_app` and handed to them as a dependency."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Path, Request

from notary.api.answer_cache import AnswerCache
from notary.api.auth import RateLimiter
from notary.api.indexing import IndexService
from notary.api.metrics import Metrics
from notary.api.reading import Readings
from notary.api.relayer import Relayer
from notary.api.settings import ApiSettings
from notary.chain.gateway import LedgerGateway
from notary.chain.head import Head, HeadReader
from notary.hashing import parse_digest
from notary.published import PublishedStore


@dataclass(frozen=True)
class Services:
    settings: ApiSettings
    gateway: LedgerGateway
    metrics: Metrics
    limiter: RateLimiter
    relayer: Relayer | None  # None: the relay is disabled
    index: IndexService | None = None  # None: no background indexer (NOTARY_INDEX=false)
    published: PublishedStore | None = None  # None: no index (NOTARY_INDEX=false), so nothing published
    heads: HeadReader | None = None  # None: one of its own
    answers: AnswerCache = field(default_factory=AnswerCache)  # answers of the index at the head block
    readings: Readings = field(init=False)  # the head and the index's state, shared by concurrent requests

    def __post_init__(self) -> None:
        if self.heads is None:
            object.__setattr__(self, "heads", HeadReader(self.gateway))
        object.__setattr__(self, "readings", Readings(self.heads, self.index))  # type: ignore[arg-type]

    def head(self) -> Head:
        """The chain's head now (one node call)."""
        assert self.heads is not None
        return self.heads.read()


# The dependencies are `async def`: FastAPI runs a plain `def` dependency in the thread pool, a
# hop that cost more than the whole answer to a question kept for the head block.
async def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


ServicesDep = Annotated[Services, Depends(services)]

DIGEST_PATTERN = r"^(0x)?[0-9a-fA-F]{64}$"
# What the parameters' validation enforces is what the OpenAPI schema says (FastAPI checks these
# patterns and bounds before a route runs): ASCII only, bounded lengths, no integer past uint63.
_CODE = r"[A-Za-z][A-Za-z0-9-]{1,15}"
PARTY_PATTERN = rf"^{_CODE}$"
PARTIES_PATTERN = rf"^{_CODE}(,{_CODE}){{0,31}}$"
KIND_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"
_HH_MM = r"([01][0-9]|2[0-3]):[0-5][0-9]"
_DATE = r"[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
#: UNIX seconds, `now`, an offset such as -2h or +30d, or ISO 8601 (UTC unless a zone is given).
TIME_PATTERN = (
    rf"^(now|[0-9]{{1,12}}|[+-][0-9]{{1,9}}[smhdw]|{_DATE}([T ]{_HH_MM}(:[0-5][0-9](\.[0-9]{{1,6}})?)?"
    rf"(Z|[+-]{_HH_MM})?)?)$"
)
#: The largest block number a query may name (SQLite's and PostgreSQL's BIGINT).
MAX_BLOCK = 2**63 - 1


async def digest_param(
    digest: Annotated[
        str, Path(pattern=DIGEST_PATTERN, description="SHA-256 of the document: 64 hex digits.", examples=["ab" * 32])
    ],
) -> bytes:
    return parse_digest(digest)


DigestDep = Annotated[bytes, Depends(digest_param)]
