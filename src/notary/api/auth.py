"""API keys (configured as SHA-256 hashes), a per-key token-bucket rate limit, and one
shared bucket for all traffic without a valid key (`PublicRateLimit`).

A client sends its key as `Authorization: Bearer KEY` or `X-API-Key: KEY`. The key is
hashed and compared, in constant time, with every configured hash; the key itself is
never stored or logged, only the name it is configured under.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from notary.api import problems
from notary.api.problems import ForbiddenError, RateLimitedError, UnauthorisedError
from notary.api.settings import ApiKey, RateLimit

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="notary"'}


def presented_key(request: Request) -> str | None:
    """The API key a request carries, if any."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key") or None


def authenticate(keys: tuple[ApiKey, ...], presented: str | None, scope: str) -> ApiKey:
    """The configured key matching `presented`, which must hold `scope`; else 401 or 403."""
    if presented is None:
        raise UnauthorisedError(
            "this endpoint needs an API key",
            hint="send it as `Authorization: Bearer KEY` or `X-API-Key: KEY`",
            headers=_CHALLENGE,
        )
    found = known_key(keys, presented)
    if found is None:
        raise UnauthorisedError("the API key is not valid", headers=_CHALLENGE)
    if scope not in found.scopes:
        raise ForbiddenError(f"API key {found.name!r} may not use the {scope} endpoints")
    return found


def known_key(keys: tuple[ApiKey, ...], presented: str) -> ApiKey | None:
    """The configured key whose hash is the presented key's, if any."""
    digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
    found = None
    for key in keys:  # compare with every key, so timing does not tell which one matched
        if hmac.compare_digest(digest, key.sha256):
            found = key
    return found


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """One token bucket per key name; `take` raises 429 with Retry-After when empty."""

    limit: RateLimit
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, name: str, who: str | None = None) -> None:
        """Spend one token of `name`'s bucket; `who` names the client in the 429 (default: the API key)."""
        with self._lock:
            now = self.clock()
            bucket = self._buckets.setdefault(name, _Bucket(float(self.limit.burst), now))
            bucket.tokens = min(float(self.limit.burst), bucket.tokens + (now - bucket.updated) * self.limit.per_second)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = math.ceil((1 - bucket.tokens) / self.limit.per_second)
        raise RateLimitedError(
            f"{who or f'API key {name!r}'} has used its {self.limit.burst} requests per {self.limit.period:g} s",
            hint=f"retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )


#: Operations probes and scrapers reach: never limited, so an overload does not look like an outage.
EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
PUBLIC = "<public>"


class PublicRateLimit:
    """ASGI middleware: every request without a valid API key takes a token from one bucket shared
    by all such clients (NOTARY_PUBLIC_RATE_LIMIT); an empty bucket answers 429 with Retry-After.

    Requests with a valid key pass (the routes that need a key limit it per key); so do the
    `EXEMPT` operations paths. The bucket protects the node behind the service, so it is global,
    not per address: behind a load balancer every client would share one address anyway.
    """

    def __init__(self, app: ASGIApp, limiter: RateLimiter | None, keys: tuple[ApiKey, ...]) -> None:
        self.app, self.limiter, self.keys = app, limiter, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.limiter is None or scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        presented = presented_key(request)
        if presented is None or known_key(self.keys, presented) is None:
            try:
                self.limiter.take(PUBLIC, "unauthenticated traffic (all clients without an API key)")
            except RateLimitedError as exc:
                response = problems.problem(
                    429,
                    exc.code,
                    "Rate limit exceeded",
                    exc.message,
                    request=request,
                    hint=exc.hint,
                    headers=exc.headers,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
