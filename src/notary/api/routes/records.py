"""`GET /v1/records/{digest}`: every record of a digest, as the ledger holds it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from notary.api import answers, problems, receipt_files
from notary.api.deps import PARTY_PATTERN, DigestDep, ServicesDep
from notary.api.schemas import RecordsOut

router = APIRouter(tags=["records"])
SubmitterQuery = Annotated[
    str | None, Query(pattern=PARTY_PATTERN, description="Only the record notarised by this party.")
]


@router.get("/v1/records/{digest}", response_model=RecordsOut, responses=problems.responses(404, 422, 503))
async def get_records(
    digest: DigestDep,
    svc: ServicesDep,
    submitter: SubmitterQuery = None,
) -> Response:
    """Records of a digest: fields, state, parties, attestations with signer, time, transaction,
    health and confirmations, and supersession links. 404 when the digest is not notarised.
    Read from the event index when it is current, else from the chain (header `Notary-Source`)."""
    return (await answers.answer(svc, ("records", digest, submitter))).response()


@router.get(
    "/v1/records/{digest}/receipt",
    response_class=Response,
    responses=problems.responses(404, 409, 422, 503, ok=receipt_files.OK),
)
async def get_record_receipt(digest: DigestDep, svc: ServicesDep, submitter: SubmitterQuery = None) -> Response:
    """The record's portable receipt, read from the chain now (RFC 8785 bytes, as `notary receipt` writes):
    it verifies offline. 409 when several parties notarised the digest and `submitter` is not given."""
    body = await run_in_threadpool(receipt_files.record_receipt_bytes, svc.gateway, digest, submitter, svc.published)
    return Response(body, media_type=receipt_files.MEDIA_TYPE, headers=receipt_files.disposition(digest))
