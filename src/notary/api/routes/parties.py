"""`GET /v1/parties/{code}`: a party, its signer keys and their history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from notary.api import answers, problems
from notary.api.deps import PARTY_PATTERN, ServicesDep
from notary.api.schemas import PartyOut

router = APIRouter(tags=["parties"])


@router.get("/v1/parties/{code}", response_model=PartyOut, responses=problems.responses(404, 422, 503))
async def get_party(
    code: Annotated[str, Path(pattern=PARTY_PATTERN, description="Party code, e.g. FRA, SGP, UN.", examples=["FRA"])],
    svc: ServicesDep,
) -> Response:
    """A party's controller and status, its pending controller change (a proposal or a
    depositary's scheduled reset) and the registry's delays, every signer key with its window,
    status (active, revoked, compromised, …) and any back-dated revocation awaiting the
    depositary, and the key history (SignerAdded, SignerRevoked, BackdatedRevocation*).
    Read from the event index when it is current, else from the chain (header `Notary-Source`)."""
    return (await answers.answer(svc, ("party", code.strip().upper()))).response()
