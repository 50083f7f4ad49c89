"""`POST /v1/verify` (upload, hashed as it streams) and `GET /v1/verify/{digest}`."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from notary.api import answers, problems
from notary.api.answer_cache import Answer
from notary.api.deps import PARTIES_PATTERN, PARTY_PATTERN, DigestDep, Services, ServicesDep
from notary.api.schemas import UploadOut, VerdictOut
from notary.api.upload import hash_upload
from notary.verify import Policy

router = APIRouter(tags=["verify"])

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The document, hashed as it arrives and never stored.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def _policy(
    signed_by: Annotated[
        str | None,
        Query(
            pattern=PARTIES_PATTERN,
            description="Comma-separated parties that must be bound by a passing record, e.g. FRA,SGP.",
        ),
    ] = None,
    in_force: Annotated[bool, Query(description="Only a record in force (ratified) passes.")] = False,
    submitter: Annotated[
        str | None, Query(pattern=PARTY_PATTERN, description="Only a record notarised by this party passes.")
    ] = None,
) -> Policy:
    """The verifier's policy from the query (a malformed party code is a 422 problem)."""
    return Policy.of(signed_by, in_force, submitter)


PolicyDep = Annotated[Policy, Depends(_policy)]


async def _respond(svc: Services, answer: Answer) -> Response:
    svc.metrics.verified(answer.notarised, answer.verified)
    return answer.response()


@router.post(
    "/v1/verify",
    response_model=VerdictOut,
    responses=problems.responses(413, 415, 422, 503),
    openapi_extra=_UPLOAD_BODY,
)
async def verify_upload(request: Request, svc: ServicesDep, policy: PolicyDep) -> Response:
    """Verify an uploaded file (multipart field `file`, or a raw body), up to the size limit (else 413).
    `verified` is true only for an executed or in-force record with a valid quorum that meets the policy
    and is not disputed by another record of the digest; `reasons` say why not."""
    reading = asyncio.ensure_future(svc.readings.get())  # the head and the index, read while the body arrives
    reading.add_done_callback(lambda f: f.cancelled() or f.exception())  # a refused upload never awaits it
    try:
        up = await hash_upload(request, svc.settings.upload_limit)
    except BaseException:
        reading.cancel()
        raise
    found = await answers.answer(svc, ("verify", up.digest, policy), await reading)
    return await _respond(svc, answers.with_file(found, UploadOut(name=up.filename, size=up.size)))


@router.get("/v1/verify/{digest}", response_model=VerdictOut, responses=problems.responses(422, 503))
async def verify_digest(digest: DigestDep, svc: ServicesDep, policy: PolicyDep) -> Response:
    """Verify a document by its SHA-256 digest, without uploading it (what the verifier page does).
    A member of a published batch, or a text of a published instrument, is found too (`batches`,
    `instrumentTexts`). Read from the event index when it is current, else from the chain (header
    `Notary-Source`)."""
    return await _respond(svc, await answers.answer(svc, ("verify", digest, policy)))
