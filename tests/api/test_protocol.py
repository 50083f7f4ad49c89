"""`notary serve`'s HTTP protocol turns Nagle's algorithm off even on the sockets of `--workers N`."""

from __future__ import annotations

import asyncio
import socket

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from notary.api.protocol import HTTP_PROTOCOL, NoDelayHTTPProtocol


async def _app(scope: object, receive: object, send: object) -> None:  # never called: no request is sent
    raise AssertionError("no request expected")


def _nodelay_of_accepted(protocol: type[asyncio.Protocol]) -> int:
    """TCP_NODELAY of a connection accepted on a socket bound as `uvicorn --workers` binds it
    (`socket.socket(family)`: protocol number 0), served by `protocol`."""
    config = Config(_app, http=protocol)
    config.load()
    state = ServerState()

    async def run() -> int:
        listener = socket.socket(socket.AF_INET)  # as uvicorn's Config.bind_socket
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: config.http_protocol_class(config=config, server_state=state, app_state={}),  # type: ignore[call-arg]
            sock=listener,
        )
        try:
            _, writer = await asyncio.open_connection(*listener.getsockname())
            while not state.connections:
                await asyncio.sleep(0.01)
            accepted = next(iter(state.connections)).transport.get_extra_info("socket")  # type: ignore[attr-defined]
            value = int(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()
            return value
        finally:
            server.close()

    return asyncio.run(run())


def test_workers_sockets_get_tcp_nodelay() -> None:
    """uvicorn's own protocol leaves Nagle on for such a socket (each response then waits for the
    client's delayed ACK); the protocol `notary serve` names turns it off."""
    assert _nodelay_of_accepted(HttpToolsProtocol) == 0
    assert _nodelay_of_accepted(NoDelayHTTPProtocol) == 1
    named = Config(_app, http=HTTP_PROTOCOL)  # the import path `notary serve` hands its workers
    named.load()
    assert named.http_protocol_class is NoDelayHTTPProtocol
