"""`GET /v1/proofs/{digest}` and its receipt: inclusion proofs of batch-anchored documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from notary.api import problems, proofs, receipt_files
from notary.api.deps import DIGEST_PATTERN, DigestDep, Services, ServicesDep
from notary.api.schemas import ProofsOut
from notary.errors import RecordNotFoundError
from notary.hashing import parse_digest
from notary.published import PublishedStore

router = APIRouter(tags=["proofs"])


def _index(svc: Services) -> PublishedStore:
    if svc.published is None:
        raise RecordNotFoundError(
            "this service keeps no published batches (it runs without an index)",
            hint="ask whoever anchored the batch for the document's receipt",
        )
    return svc.published


@router.get("/v1/proofs/{digest}", response_model=ProofsOut, responses=problems.responses(404, 422, 503))
async def get_proofs(digest: DigestDep, svc: ServicesDep) -> ProofsOut:
    """The Merkle inclusion proof of a batch-anchored document in each batch holding it, with the
    batch's anchor, and whether the ledger's verifyInclusion accepts it now. 404 when in no batch."""
    return await run_in_threadpool(proofs.proofs_of, svc.gateway, _index(svc), digest)


@router.get(
    "/v1/proofs/{digest}/receipt",
    response_class=Response,
    responses=problems.responses(404, 422, ok=receipt_files.OK),
)
async def get_proof_receipt(
    digest: DigestDep,
    svc: ServicesDep,
    anchor: Annotated[
        str | None, Query(pattern=DIGEST_PATTERN, description="The batch's anchor id (default: the first batch).")
    ] = None,
) -> Response:
    """The portable receipt of a batch-anchored document: verifies offline with
    `notary verify FILE --receipt R --offline`."""
    aid = parse_digest(anchor) if anchor else None
    body = await run_in_threadpool(proofs.receipt, _index(svc), digest, aid)
    return Response(body, media_type=receipt_files.MEDIA_TYPE, headers=receipt_files.disposition(digest, "-batch"))
