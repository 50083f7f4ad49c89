"""The key agent: a ministry signing a series of acts pays the scrypt unlock once (as ssh-agent).

A background process holds unlocked keys for a bounded time (default 15 minutes, at most
8 hours) and signs on request over a Unix socket that only its user can open; the keys
never leave it, are never written to disk and are forgotten when they expire or when the
agent stops.

- `notary.agent.errors`: the typed errors (unreachable or stale socket, wrong peer,
  unsafe folder, refused request).
- `notary.agent.ttl`: how long keys are held (parsing, bounds, human text).
- `notary.agent.sockets`: where the socket lives, its folder's and its own permissions,
  the peer's uid (SO_PEERCRED).
- `notary.agent.protocol`: the framed JSON messages, with their size limit.
- `notary.agent.server`: the agent process (`python -m notary.agent.server`).
- `notary.agent.client`: `AgentClient`, one request per connection; `launch` starts an agent.
- `notary.agent.signer`: `AgentAccount`, the agent-backed stand-in for a `LocalAccount`.
"""
