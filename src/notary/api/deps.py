"""What routes need, built once by `create_app` and handed to them as a dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from notary.api.auth import RateLimiter
from notary.api.indexing import IndexService
from notary.api.metrics import Metrics
from notary.api.proofs import ProofIndex
from notary.api.relayer import Relayer
from notary.api.settings import ApiSettings
from notary.chain.gateway import LedgerGateway
from notary.hashing import parse_digest


@dataclass(frozen=True)
class Services:
    settings: ApiSettings
    gateway: LedgerGateway
    metrics: Metrics
    limiter: RateLimiter
    relayer: Relayer | None  # None: the relay is disabled
    index: IndexService | None = None  # None: no background indexer (NOTARY_INDEX=false)
    proofs: ProofIndex | None = None  # None: no NOTARY_BUNDLE_DIR


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


ServicesDep = Annotated[Services, Depends(services)]

DIGEST_PATTERN = r"^(0x)?[0-9a-fA-F]{64}$"


def digest_param(
    digest: Annotated[
        str, Path(pattern=DIGEST_PATTERN, description="SHA-256 of the document: 64 hex digits.", examples=["ab" * 32])
    ],
) -> bytes:
    return parse_digest(digest)


DigestDep = Annotated[bytes, Depends(digest_param)]
