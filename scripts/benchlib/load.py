"""A bounded HTTP load generator, run as its own process (so it never shares the server's cores'
scheduler slot with the code under test): `python scripts/benchlib/load.py URL ...` prints JSON.

    python scripts/benchlib/load.py http://127.0.0.1:8000/healthz --connections 50 --seconds 5
    python scripts/benchlib/load.py http://127.0.0.1:8000/v1/verify --body-file doc.pdf --connections 1 --requests 5

Each of `--connections` keep-alive connections sends one request after another until
`--seconds` have passed or `--requests` were sent in all (both bounded, at most 1,000,000
requests); loopback addresses only. `{random}` in the URL becomes 64 new random hex digits in
each request (a digest asked about once: nothing the server kept answers it). Reports
requests, non-2xx answers, requests per second, MiB/s of request bodies, and latency
percentiles (seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

MAX_REQUESTS = 1_000_000
RANDOM = "{random}"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(url: str, connections: int, seconds: float, requests: int, body: bytes | None) -> dict[str, object]:
    import aiohttp

    host = urlsplit(url).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise SystemExit(f"load.py sends traffic to loopback addresses only, not {host!r}")
    latencies: list[float] = []
    failures = 0
    budget = min(requests, MAX_REQUESTS)
    sent = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=120)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal sent, failures
        while sent < budget and time.perf_counter() < deadline:
            sent += 1
            start = time.perf_counter()
            try:
                if body is None:
                    target = url.replace(RANDOM, secrets.token_hex(32)) if RANDOM in url else url
                    async with session.get(target) as response:
                        await response.read()
                        ok = response.status < 300
                else:
                    headers = {"Content-Type": "application/octet-stream"}
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                        ok = response.status < 300
            except (TimeoutError, aiohttp.ClientError):
                ok = False
            latencies.append(time.perf_counter() - start)
            failures += 0 if ok else 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    count = len(latencies)
    return {
        "url": url,
        "connections": connections,
        "requests": count,
        "failures": failures,
        "seconds": round(elapsed, 3),
        "rps": round(count / elapsed, 2) if elapsed else 0.0,
        "mibps": round(count * len(body or b"") / elapsed / 2**20, 2) if elapsed else 0.0,
        "p50": round(percentile(latencies, 0.50), 4),
        "p99": round(percentile(latencies, 0.99), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=MAX_REQUESTS)
    parser.add_argument("--body-file", type=Path, default=None, help="POST this file's bytes as the raw body.")
    args = parser.parse_args(argv)
    body = args.body_file.read_bytes() if args.body_file else None
    print(json.dumps(asyncio.run(run(args.url, args.connections, args.seconds, args.requests, body))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
