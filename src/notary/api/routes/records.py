"""`GET /v1/records/{digest}`: every record of a digest, as the ledger holds it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from notary.api import presenters, problems
from notary.api.deps import DigestDep, ServicesDep
from notary.api.schemas import RecordsOut

router = APIRouter(tags=["records"])


@router.get("/v1/records/{digest}", response_model=RecordsOut, responses=problems.responses(404, 422, 503))
async def get_records(
    digest: DigestDep,
    svc: ServicesDep,
    submitter: Annotated[str | None, Query(description="Only the record notarised by this party.")] = None,
) -> RecordsOut:
    """Records of a digest: fields, state, parties, attestations with signer, time, transaction,
    health and confirmations, and supersession links. 404 when the digest is not notarised."""
    return await run_in_threadpool(presenters.records_of, svc.gateway, digest, submitter)
