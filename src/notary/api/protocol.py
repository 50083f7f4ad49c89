"""uvicorn's HTTP protocol (httptools when installed, else h11), with TCP_NODELAY on every connection.

asyncio turns Nagle's algorithm off for the TCP connections it accepts, but only when the
socket says its protocol is TCP. `uvicorn --workers N` binds the listening socket itself
without naming the protocol, so the connections its workers accept keep Nagle on: a response
written as headers then body waits for the client's delayed acknowledgement, about 40 ms,
and `/healthz` fell from 4,600 to 1,100 requests per second with two workers (measured here;
one worker, whose socket asyncio binds, was unaffected). `notary serve` names this protocol
(`HTTP_PROTOCOL`), which sets the option on each connection before uvicorn's own handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

try:
    import httptools  # noqa: F401 — only whether it is there
except ImportError:  # pragma: no cover — httptools is a dependency; h11 is uvicorn's fallback
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base
else:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base  # type: ignore[assignment]

#: What `notary serve` passes as uvicorn's `http` option (an import path, as its worker processes need).
HTTP_PROTOCOL = "notary.api.protocol:NoDelayHTTPProtocol"


class NoDelayHTTPProtocol(_Base):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # a socket that refuses it still serves, as before
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
