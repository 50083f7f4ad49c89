"""`POST /v1/verify` (upload, hashed as it streams) and `GET /v1/verify/{digest}`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from notary.api import presenters, problems
from notary.api.deps import DigestDep, Services, ServicesDep
from notary.api.schemas import UploadOut, VerdictOut
from notary.api.upload import hash_upload

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


async def _verdict(svc: Services, digest: bytes, upload: UploadOut | None = None) -> VerdictOut:
    verdict = await run_in_threadpool(presenters.verdict_of, svc.gateway, digest, upload)
    svc.metrics.verified(verdict.notarised, verdict.verified)
    return verdict


@router.post(
    "/v1/verify",
    response_model=VerdictOut,
    responses=problems.responses(413, 415, 422, 503),
    openapi_extra=_UPLOAD_BODY,
)
async def verify_upload(request: Request, svc: ServicesDep) -> VerdictOut:
    """Verify an uploaded file (multipart field `file`, or a raw body), up to the size limit (else 413).
    `verified` is true only for an executed or in-force record with a valid quorum; `reasons` say why not."""
    up = await hash_upload(request, svc.settings.upload_limit)
    return await _verdict(svc, up.digest, UploadOut(name=up.filename, size=up.size))


@router.get("/v1/verify/{digest}", response_model=VerdictOut, responses=problems.responses(422, 503))
async def verify_digest(digest: DigestDep, svc: ServicesDep) -> VerdictOut:
    """Verify a document by its SHA-256 digest, without uploading it (what the verifier page does)."""
    return await _verdict(svc, digest)
