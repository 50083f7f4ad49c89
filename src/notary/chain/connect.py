"""Connections: the in-process chain (eth-tester + py-evm) or any JSON-RPC node.

Every JSON-RPC call goes through one provider that classifies what went wrong on the
way (`fault_of`): the request provably never reached the node (NOT_SENT: connection
refused, HTTP 429), or it may have (UNKNOWN: reset, timeout, HTTP 5xx, a truncated or
garbled answer). Idempotent reads are retried a few times with back-off whatever the
fault; a send is never retried here. What is left is always a `NotaryError`: a read
that kept failing is a `ChainUnreachableError`, a send with an UNKNOWN fault a
`TransactionOutcomeUnknownError` (the caller keeps the signed transaction and looks it up
later), a send NOT_SENT a `ChainUnreachableError`. A JSON-RPC error answer (the node
refusing something) is not a transport fault: web3 raises it as usual.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eth_typing import URI
from web3 import HTTPProvider, Web3
from web3.providers.eth_tester import EthereumTesterProvider
from web3.types import RPCEndpoint, RPCResponse, Wei

from notary.errors import (
    ChainError,
    ChainIdMismatchError,
    ChainUnreachableError,
    ConfigError,
    TransactionOutcomeUnknownError,
)

IN_PROCESS = "in-process"
DEV_FUNDING_WEI = 10**18  # 1 ether on development chains: anvil's dev account holds 10,000


@dataclass
class Chain:
    """A live connection. `tester` is set for the in-process chain only."""

    w3: Web3
    chain_id: int
    url: str
    tester: Any = field(default=None, repr=False)

    @property
    def is_in_process(self) -> bool:
        return self.tester is not None

    def latest_timestamp(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def block_number(self) -> int:
        return int(self.w3.eth.block_number)

    def has_code(self, address: str) -> bool:
        """Whether a contract is deployed at `address`."""
        return bool(self.w3.eth.get_code(Web3.to_checksum_address(address)))

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(Web3.to_checksum_address(address)))

    def block_timestamp(self, number: int) -> int:
        return int(self.w3.eth.get_block(number)["timestamp"])

    def gas_used(self, tx_hash: str) -> int:
        return int(self.w3.eth.get_transaction_receipt(tx_hash)["gasUsed"])  # type: ignore[arg-type]

    def fund(self, address: str, wei: int = DEV_FUNDING_WEI) -> None:
        """Give `address` gas money from the node's first unlocked account (dev chains only)."""
        accounts = self.w3.eth.accounts
        if not accounts:
            raise ConfigError(
                f"the node at {self.url} has no unlocked account to fund {address} from",
                hint="fund the relayer account yourself, or use the in-process chain or anvil",
            )
        tx = self.w3.eth.send_transaction(
            {"from": accounts[0], "to": Web3.to_checksum_address(address), "value": Wei(wei)}
        )
        self.w3.eth.wait_for_transaction_receipt(tx, timeout=30)

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """JSON-RPC requests in one round trip (a node that refuses batches gets them one by one):
        each answer's JSON-RPC object, with its "result" or its "error". JSON-RPC nodes only."""
        if not calls:
            return []
        provider: Any = self.w3.provider
        answers = provider.make_batch_request([(RPCEndpoint(m), p) for m, p in calls])
        if isinstance(answers, dict):
            answers = [provider.make_request(RPCEndpoint(m), p) for m, p in calls]
        return [dict(a) for a in answers]

    def time_travel(self, timestamp: int) -> None:
        """Move the in-process chain's clock forward (tests and demos)."""
        if self.tester is None:
            self.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
            self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        else:
            self.tester.time_travel(timestamp)


def in_process() -> Chain:
    """A fresh in-process chain (eth-tester, py-evm); nothing to start, gone at exit."""
    from eth_tester import EthereumTester, PyEVMBackend

    tester = EthereumTester(PyEVMBackend())
    w3 = Web3(EthereumTesterProvider(tester))
    return Chain(w3=w3, chain_id=int(w3.eth.chain_id), url=IN_PROCESS, tester=tester)


# --------------------------------------------------------------------- node answers

#: The request never reached the node (nothing it asked for can have happened).
NOT_SENT = "not-sent"
#: The request may have reached the node and been acted on; its answer is lost or garbled.
UNKNOWN = "unknown"

#: Reads: asking again cannot change anything, so transport faults are retried.
IDEMPOTENT = frozenset(
    {
        "eth_chainId", "net_version", "web3_clientVersion", "eth_blockNumber", "eth_getBalance",
        "eth_getCode", "eth_getStorageAt", "eth_getBlockByNumber", "eth_getBlockByHash",
        "eth_getTransactionByHash", "eth_getTransactionReceipt", "eth_getTransactionCount",
        "eth_call", "eth_estimateGas", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory",
        "eth_getLogs", "eth_accounts", "eth_syncing", "eth_getProof",
    }
)  # fmt: skip
#: Writes whose fault means "a transaction may be pending" rather than "nothing happened".
SENDS = frozenset({"eth_sendRawTransaction", "eth_sendTransaction"})
READ_ATTEMPTS = 6
BACKOFF_SECONDS = 0.05  # doubled after each failed attempt: 0.05 … 0.8 s, about 1.5 s in all


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it wraps (requests → urllib3 → socket errors), each once."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [*e.args, getattr(e, "reason", None), e.__cause__, e.__context__]


def fault_of(exc: BaseException) -> str | None:
    """How a failed JSON-RPC request over HTTP ended: NOT_SENT, UNKNOWN, or None if `exc` is
    not a transport fault (e.g. the node's own error answer, a programming error)."""
    import requests
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, requests.HTTPError):
        status = exc.response.status_code if exc.response is not None else None
        return NOT_SENT if status == 429 else UNKNOWN  # a 5xx may come after the node acted
    if isinstance(exc, requests.ConnectTimeout):
        return NOT_SENT
    if isinstance(exc, requests.ConnectionError):
        refused = any(isinstance(e, NewConnectionError | ConnectionRefusedError) for e in _causes(exc))
        return NOT_SENT if refused else UNKNOWN
    if isinstance(exc, OSError | ValueError):  # other transport errors; truncated or garbled JSON
        return UNKNOWN
    return None


class FaultTolerantHTTPProvider(HTTPProvider):
    """web3's HTTP provider with one rule for faults: reads retried, sends never, errors typed.

    (web3's own retry names the builtin ConnectionError, which requests' errors are not, and
    treats a truncated answer as a ValueError like any refusal.)
    """

    #: The node's first answer to eth_chainId. web3 asks it before every eth_call, eth_estimateGas
    #: and send (its validation middleware), twice per contract call: a node's chain cannot change
    #: under a connection, so it is asked once (`rpc` checks it against the manifest's).
    _chain_id_answer: RPCResponse | None = None

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        if method == "eth_chainId":
            if self._chain_id_answer is None:
                answer = self._forward(method, params)
                if "result" not in answer:
                    return answer  # an error answer is not remembered
                self._chain_id_answer = answer
            return self._chain_id_answer
        return self._forward(method, params)

    def _forward(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        def answer(response: Any) -> Any:
            if not isinstance(response, dict) or not ({"result", "error"} & set(response)):
                raise ValueError("not a JSON-RPC response")
            return response

        attempts = READ_ATTEMPTS if method in IDEMPOTENT else 1
        return self._post(method, attempts, self.encode_rpc_request(method, params), answer)  # type: ignore[no-any-return]

    def make_batch_request(self, batch_requests: list[tuple[RPCEndpoint, Any]]) -> Any:
        """Several requests in one HTTP round trip, under the same rule: retried only if every one
        is a read; a lost answer to a batch with a send is a `TransactionOutcomeUnknownError`."""

        def answers(response: Any) -> Any:
            if isinstance(response, dict) and "error" in response:
                return response  # the node refuses batches (or this one) as a whole
            if not isinstance(response, list) or len(response) != len(batch_requests):
                raise ValueError("not a JSON-RPC batch response")
            return sorted(response, key=lambda r: int(r.get("id", 0)) if isinstance(r, dict) else 0)

        reads = all(method in IDEMPOTENT for method, _ in batch_requests)
        named = next((m for m, _ in batch_requests if m in SENDS), batch_requests[0][0])
        return self._post(named, READ_ATTEMPTS if reads else 1, self.encode_batch_rpc_request(batch_requests), answers)

    def _post(self, method: str, attempts: int, body: bytes, decoded: Callable[[Any], Any]) -> Any:
        """POST `body`, retried `attempts` times on a transport fault; `decoded` checks the decoded
        answer (a garbled one raises ValueError: a fault like any other). What is left is typed."""
        for attempt in range(attempts):
            try:
                raw = self._request_session_manager.make_post_request(
                    URI(str(self.endpoint_uri)), body, **self.get_request_kwargs()
                )
                return decoded(self.decode_rpc_response(raw))
            except Exception as exc:
                fault = fault_of(exc)
                if fault is None:
                    raise
                if attempt + 1 < attempts:
                    time.sleep(BACKOFF_SECONDS * 2**attempt)
                    continue
                raise self._typed(method, fault, exc, attempts) from exc
        raise AssertionError("unreachable")

    def _typed(self, method: str, fault: str, exc: BaseException, attempts: int) -> ChainError:
        why = type(exc).__name__
        if method in SENDS and fault == UNKNOWN:
            return TransactionOutcomeUnknownError(
                f"the answer of {redact_url(str(self.endpoint_uri))} to {method} was lost ({why}): the node may have "
                "taken the transaction or not",
                hint="run the same command again: it looks the transaction up and sends no duplicate",
            )
        tried = f" ({attempts} attempts)" if attempts > 1 else ""
        sent = "; it did not reach the node" if fault == NOT_SENT else ""
        return ChainUnreachableError(
            f"{redact_url(str(self.endpoint_uri))} did not answer {method}{tried}: {why}{sent}",
            hint="check that the node is up (`notary node status`, NOTARY_RPC_URL), then run the command again",
        )


def redact_url(url: str) -> str:
    """`url` as shown to people and logs: no user or password, no query values, no long path
    segment (hosted nodes carry API keys in all three: `https://KEY@host`, `?apikey=`, `/v3/KEY`)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<the RPC URL>"
    user, at, host = parts.netloc.rpartition("@")
    path = "/".join("***" if len(seg) >= 16 else seg for seg in parts.path.split("/"))
    query = "&".join(f"{k.partition('=')[0]}=***" for k in parts.query.split("&") if k)
    return urllib.parse.urlunsplit((parts.scheme, ("***@" if at else "") + host, path, query, ""))


def rpc(url: str, expected_chain_id: int | None = None, timeout: float = 10.0) -> Chain:
    """Connect to a JSON-RPC node, checking it answers and serves the expected chain."""
    shown = redact_url(url)  # errors, logs and `Chain.url` never show the URL's credentials
    provider = FaultTolerantHTTPProvider(url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None)
    w3 = Web3(provider)
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as exc:  # requests/aiohttp/OS errors all mean the same to the user
        raise ChainUnreachableError(
            f"RPC {shown} not reachable ({type(exc).__name__})",
            hint="start a local node with `notary node start`, or check NOTARY_RPC_URL",
        ) from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise ChainIdMismatchError(
            f"RPC {shown} serves chain {chain_id}, but the deployment is on chain {expected_chain_id}",
            hint="point NOTARY_RPC_URL at the node of that chain, or use that chain's manifest",
        )
    return Chain(w3=w3, chain_id=chain_id, url=shown)


def connect(url: str, expected_chain_id: int | None = None) -> Chain:
    """`in-process` for the embedded chain, else a JSON-RPC URL."""
    return in_process() if url == IN_PROCESS else rpc(url, expected_chain_id)
