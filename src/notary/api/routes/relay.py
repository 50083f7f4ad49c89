"""`POST /v1/relay`: submit a payload signed by a ministry key; the service pays gas."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from notary import signed_payload
from notary.api import problems
from notary.api.auth import authenticate, presented_key
from notary.api.deps import ServicesDep
from notary.api.problems import RelayDisabledError
from notary.api.schemas import RelayOut
from notary.api.upload import read_body

router = APIRouter(tags=["relay"])

_BODY = {
    "requestBody": {
        "required": True,
        "description": "A signed payload file as written by `notary sign|notarise --offline` (at most 64 KiB).",
        "content": {
            signed_payload.MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/SignedPayload"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/SignedPayload"}},
        },
    }
}


@router.post(
    "/v1/relay",
    response_model=RelayOut,
    responses=problems.responses(401, 403, 404, 409, 413, 422, 429, 502, 503, 504),
    openapi_extra={**_BODY, "security": [{"bearer": []}, {"apiKey": []}]},
)
async def relay(request: Request, response: Response, svc: ServicesDep) -> RelayOut:
    """Relay a signed notarisation, act (signature, ratification, withdrawal, annulment, cancellation)
    or batch anchor. Idempotent by EIP-712 signing hash: the same payload again returns the first
    answer; an act already on chain returns its transaction. Needs an API key with the relay scope."""
    if svc.relayer is None:
        raise RelayDisabledError("this service does not relay signed payloads", hint="submit with `notary submit`")
    client = authenticate(svc.settings.api_keys, presented_key(request), "relay")
    svc.limiter.take(client.name)
    signed = signed_payload.from_json(await read_body(request, signed_payload.MAX_BYTES, "a signed payload"))
    answer, replayed = await run_in_threadpool(svc.relayer.relay, signed)
    svc.metrics.relays.labels(answer.primaryType, "replayed" if replayed else answer.outcome).inc()
    response.headers["Idempotent-Replayed"] = "true" if replayed else "false"
    return answer
