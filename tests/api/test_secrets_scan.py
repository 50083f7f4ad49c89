"""No secret in any log, response or CLI output: a realistic flow with known secrets, scanned.

On a real anvil, through real `notary` subprocesses: a ministry notarises with a key from its
keystore (password in NOTARY_PASSWORD) over an RPC URL that carries credentials (a basic-auth
password and an `apikey` query token, as hosted nodes issue them); a second party signs offline;
`notary serve` relays that payload with its own relayer private key, behind an API key; the
verifier reads. Failure paths too: a wrong keystore password, an unreachable tokenised URL, a
wrong API key, an over-long body. Every byte the CLI printed and the service logged or answered
is then searched for each secret, in the forms it could leak (as is, without 0x, URL-encoded).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from eth_account import Account

from notary import registry
from notary.chain.connect import rpc
from notary.chain.deploy import deploy
from notary.chain.gateway import LedgerGateway
from notary.keystore import Keystore

pytestmark = pytest.mark.anvil

NOTARY = str(Path(sys.executable).with_name("notary"))
PASSWORD = "keystore-pw-" + secrets.token_hex(8)
TOKEN = "rpc-token-" + secrets.token_hex(12)
URL_PASSWORD = "rpc-basic-pw-" + secrets.token_hex(8)
API_KEY = "api-key-" + secrets.token_hex(12)
SIGNER_KEYS = {"FRA": "0x" + secrets.token_hex(32), "SGP": "0x" + secrets.token_hex(32)}
RELAYER_KEY = "0x" + secrets.token_hex(32)


def _forms(secret: str) -> set[str]:
    return {secret, secret.removeprefix("0x"), urllib.parse.quote(secret, safe="")} - {""}


SECRETS = {
    name: _forms(value)
    for name, value in {
        "keystore password": PASSWORD,
        "RPC token": TOKEN,
        "RPC URL password": URL_PASSWORD,
        "API key": API_KEY,
        "relayer private key": RELAYER_KEY,
        **{f"{p} signer private key": k for p, k in SIGNER_KEYS.items()},
    }.items()
}


def _secret_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(
        (parts.scheme, f"ministry:{URL_PASSWORD}@{parts.netloc}", "/", f"apikey={TOKEN}", "")
    )


class Transcript:
    """Everything the flow's programs printed, logged and answered, by where it came from."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def add(self, where: str, text: str) -> None:
        self.parts.append((where, text))

    def leaks(self) -> list[str]:
        return [
            f"{name} in {where}: …{text[max(0, text.find(form) - 60) : text.find(form) + 10]!r}…"
            for where, text in self.parts
            for name, forms in SECRETS.items()
            for form in forms
            if form in text
        ]


@pytest.fixture
def deployment(anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A deployment with FRA and SGP, each with a keystore on its own 'machine' holding its known key
    (encrypted with a cheap scrypt cost, so that each unlock takes milliseconds)."""
    encrypt = Account.encrypt
    monkeypatch.setattr(Account, "encrypt", staticmethod(lambda k, pw, **kw: encrypt(k, pw, iterations=2**10)))
    chain = rpc(anvil_url)
    depositary = Account.create()
    chain.fund(depositary.address, 10**18)
    dep = deploy(chain, depositary)
    manifest = tmp_path / "deployment.json"
    dep.save(manifest)
    gw = LedgerGateway(chain, dep)
    machines = {}
    for code in SIGNER_KEYS:
        folder = tmp_path / f"keys-{code}"
        info = Keystore(folder).create(f"{code.lower()}-signer", PASSWORD, SIGNER_KEYS[code])
        controller = Account.create()
        for who in (controller.address, info.address):
            chain.fund(who, 10**18)
        registry.register_party(gw, depositary, code, code, controller.address)
        registry.add_signer(gw, controller, code, info.address, 0)
        machines[code] = folder
    chain.fund(Account.from_key(RELAYER_KEY).address, 10**18)
    return {"url": _secret_url(anvil_url), "manifest": manifest, "machines": machines, "root": tmp_path}


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    return env | {"NOTARY_CONFIG_DIR": str(home / "config"), "NOTARY_DATA_DIR": str(home / "data"), **extra}


def _notary(t: Transcript, d: dict[str, Any], machine: str, *args: str, password: str = PASSWORD) -> int:
    flags = ["--rpc-url", d["url"], "--deployment", str(d["manifest"]), "--keystore-dir", str(d["machines"][machine])]
    home = d["root"] / f"home-{machine}"
    started = time.monotonic()
    done = subprocess.run(
        [NOTARY, *flags, *args],
        env=_env(home, NOTARY_PASSWORD=password),
        capture_output=True,
        text=True,
        timeout=120,
    )
    t.add(f"`notary {' '.join(args[:2])}` output", done.stdout + done.stderr)
    print(f"notary {' '.join(args[:2])}: exit {done.returncode} after {time.monotonic() - started:.1f} s")
    return done.returncode


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def service(deployment: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    """`notary serve` with the relay on, its relayer key and the API key's hash, logging at debug."""
    port, log = _free_port(), deployment["root"] / "serve.log"
    env = _env(
        deployment["root"] / "home-service",
        NOTARY_RPC_URL=deployment["url"],
        NOTARY_DEPLOYMENT=str(deployment["manifest"]),
        NOTARY_RELAY_ENABLED="true",
        NOTARY_API_KEYS=f"ops:{hashlib.sha256(API_KEY.encode()).hexdigest()}:relay",
        NOTARY_RELAYER_PRIVATE_KEY=RELAYER_KEY,
        NOTARY_INDEX_POLL="0.2",
    )
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [NOTARY, "serve", "--port", str(port), "--log-level", "debug"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
            assert proc.poll() is None, log.read_text()
        yield base, log
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_no_secret_reaches_any_output_log_or_response(
    deployment: dict[str, Any], service: tuple[str, Path], tmp_path: Path
) -> None:
    t, d = Transcript(), deployment
    base, log = service
    doc = tmp_path / "mou.txt"
    doc.write_text("Memorandum of Understanding on secret handling\n")
    digest = hashlib.sha256(doc.read_bytes()).hexdigest()
    # The ministries' CLI: notarise online, co-sign offline, then failure paths.
    assert _notarise(t, d, doc) == 0, t.parts[-1]
    payload = tmp_path / "sgp.json"
    terms = tmp_path / "terms.json"
    assert _notary(t, d, "SGP", "terms", digest, "--submitter", "FRA", "-o", str(terms)) == 0, t.parts[-1]
    sign = (
        "sign",
        digest,
        "--as",
        "SGP",
        "--key",
        "sgp-signer",
        "--terms",
        str(terms),
        "--offline",
        "-o",
        str(payload),
    )
    assert _notary(t, d, "SGP", *sign) == 0, t.parts[-1]
    assert _notary(t, d, "SGP", *sign[:-3], "--json", password="wrong-" + PASSWORD) != 0
    unreachable = {**d, "url": d["url"].replace(urllib.parse.urlsplit(d["url"]).netloc.split("@")[1], "127.0.0.1:9")}
    assert _notary(t, unreachable, "FRA", "verify", str(doc)) != 0
    assert _notary(t, d, "FRA", "--debug", "verify", str(doc)) == 1  # not executed yet: "verification failed"
    # The service: relay with the API key, then the verifier's reads, then failures.
    body = payload.read_bytes()
    headers = {"Content-Type": "application/vnd.notary.signed-payload+json"}
    answers = [
        requests.post(f"{base}/v1/relay", data=body, headers=headers | {"Authorization": f"Bearer {API_KEY}"}),
        requests.post(f"{base}/v1/relay", data=body, headers=headers | {"X-API-Key": API_KEY}),
        requests.post(f"{base}/v1/relay", data=body, headers=headers | {"X-API-Key": API_KEY + "x"}),
        requests.post(f"{base}/v1/relay", data=b"{" * 70_000, headers=headers | {"X-API-Key": API_KEY}),
        requests.get(f"{base}/v1/verify/{digest}"),
        requests.get(f"{base}/v1/records/{digest}"),
        requests.get(f"{base}/readyz"),
        requests.get(f"{base}/metrics"),
        requests.get(f"{base}/openapi.json"),
        requests.get(f"{base}/v1/parties/FRA"),
    ]
    assert [a.status_code for a in answers[:4]] == [200, 200, 401, 413], [a.text for a in answers]
    assert answers[4].json()["verified"] is True
    assert _notary(t, d, "SGP", "verify", str(doc), "--json") == 0, t.parts[-1]
    for a in answers:
        t.add(
            f"response {a.request.method} {urllib.parse.urlsplit(a.request.url or '').path}",
            json.dumps(dict(a.headers)) + a.text,
        )
        t.add("(the test's own request URLs: a control)", "")
    time.sleep(0.5)  # the log lines of the last requests
    t.add("the service's log", log.read_text())
    for folder in (tmp_path / "home-FRA" / "data", tmp_path / "home-service" / "data"):
        for f in folder.rglob("*.json"):
            t.add(f"data file {f.name}", f.read_text())
    assert len(t.parts) > 15 and t.leaks() == []


def _notarise(t: Transcript, d: dict[str, Any], doc: Path) -> int:
    return _notary(t, d, "FRA", "notarise", str(doc), "--as", "FRA", "--key", "fra-signer", "--parties", "FRA,SGP",
                   "--kind", "mou", "--json")  # fmt: skip
