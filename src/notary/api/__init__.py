"""The verification API and the verifier web page (FastAPI).

Public surface: `create_app(settings, gateway=None)` and `ApiSettings.from_env()`;
`notary serve` runs the app with uvicorn. Routes are thin over the use cases
(`notary.verify`, `notary.registry`, `notary.ledger`); `problems` is the one place
errors become HTTP responses (RFC 9457).

    routes/      records, verify, parties, relay, health (+ /metrics)
    presenters   ledger reads shaped as the response models in `schemas`
    upload       streamed hashing of uploads within a size limit
    relayer      idempotent relay of signed payloads; the service pays gas
    auth         hashed API keys, per-key token-bucket rate limit
    settings     NOTARY_* environment → ApiSettings, unsafe settings refused
    static/      the verifier page: hashes files in the browser, sends only the digest
"""

from notary.api.app import create_app
from notary.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
