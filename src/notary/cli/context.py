"""What every chain-touching command needs: settings, a connection, the gateway, keys.

The root callback stores global flags here; commands call `gateway()`, `unlock()` etc.
Heavy imports (web3) happen only when a command needs the chain.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from notary import config
from notary.errors import ConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from notary.chain.connect import Chain
    from notary.chain.gateway import LedgerGateway
    from notary.keystore import Keystore

DEV_CHAIN_IDS = {31337}


@dataclass
class State:
    overrides: dict[str, Any] = field(default_factory=dict)
    debug: bool = False
    _settings: config.Settings | None = None
    _chain: Any = None
    _gateway: Any = None


state = State()


def settings() -> config.Settings:
    if state._settings is None:
        state._settings = config.load().with_overrides(**state.overrides)
    return state._settings


def reset() -> None:
    """Forget cached settings and connections (tests run many commands in one process)."""
    global state
    state = State()


def chain() -> Chain:
    if state._chain is None:
        from notary.chain.connect import connect

        state._chain = connect(settings().rpc_url)
    return state._chain  # type: ignore[no-any-return]


def deployment_path() -> Path:
    return settings().deployment_path(chain().chain_id)


def gateway() -> LedgerGateway:
    if state._gateway is None:
        from notary.chain.gateway import open_gateway
        from notary.deployment import Deployment

        state._gateway = open_gateway(chain(), Deployment.load(deployment_path()))
    return state._gateway  # type: ignore[no-any-return]


def keystore() -> Keystore:
    from notary.keystore import Keystore

    return Keystore(settings().resolved_keystore_dir)


def read_password(password_file: Path | None, confirm: bool = False, name: str = "") -> str:
    """Password from a file, else NOTARY_PASSWORD, else an interactive prompt."""
    if password_file is not None:
        try:
            return password_file.read_text().rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"cannot read password file {password_file}: {exc.strerror}") from None
    env = os.environ.get("NOTARY_PASSWORD")
    if env:
        return env
    return secret_prompt(
        f"Password for key {name}".strip(),
        "no password given",
        "type it at the prompt, or give --password-file FILE or set NOTARY_PASSWORD",
        confirm=confirm,
    )


def secret_prompt(text: str, missing: str, hint: str, confirm: bool = False) -> str:
    """A hidden prompt; end of input (stdin closed, Ctrl-D) is a usage mistake, not an interruption.

    Ctrl-C stays an interruption (exit 130). click turns both into `Abort`, keeping the
    original exception as its context, which tells them apart."""
    try:
        return str(typer.prompt(text, hide_input=True, confirmation_prompt=confirm))
    except typer.Abort as exc:
        if isinstance(exc.__context__, EOFError):
            raise ConfigError(missing, hint=hint) from None
        raise


def unlock(name: str, password_file: Path | None, use_agent: bool = True) -> LocalAccount:
    """The account of key `name`: the key agent's (NOTARY_AGENT_SOCK) if it holds that key, no
    password asked; else the keystore's, unlocked with the password (file, env, prompt).

    An agent that is unreachable or lacks the key costs a one-line notice, not an error; one
    that runs as another user is an error (AgentPeerError)."""
    if use_agent:
        account = _agent_account(name)
        if account is not None:
            return account
    return keystore().unlock(name, read_password(password_file, name=name))


def _agent_account(name: str) -> LocalAccount | None:
    from notary.agent.sockets import ENV

    path = os.environ.get(ENV)
    if not path:
        return None
    from notary.agent.errors import AgentKeyMissingError, AgentUnreachableError
    from notary.agent.signer import agent_account
    from notary.keystore import KeystoreError

    try:
        account = agent_account(Path(path).expanduser(), name)
    except (AgentUnreachableError, AgentKeyMissingError) as exc:
        _notice(f"{exc.message}; unlocking it from the keystore")
        return None
    try:
        local = keystore().info(name).address
    except KeystoreError:
        return account  # the key lives in the agent only (its keystore is on another machine or folder)
    if local != account.address:
        _notice(f"the key agent's {name!r} is {account.address}, the keystore's is {local}; unlocking the keystore's")
        return None
    return account


def _notice(text: str) -> None:
    print(f"notice: {text}", file=sys.stderr)


def ensure_gas(account: LocalAccount) -> None:
    """On a development chain, fund an empty account from the node's dev account."""
    c = chain()
    if c.balance(account.address) > 0:
        return
    if c.chain_id in DEV_CHAIN_IDS or c.is_in_process:
        c.fund(account.address)
        return
    raise ConfigError(
        f"account {account.address} has no funds to pay gas on chain {c.chain_id}",
        hint="fund it, or relay the signed act through another account with `notary submit --relayer`",
    )
