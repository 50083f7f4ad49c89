"""What can go wrong between a command and the key agent: one typed error per cause, each with a hint."""

from __future__ import annotations

from notary.errors import NotaryError


class AgentError(NotaryError):
    """Root of the key agent's errors."""

    code = "agent"


class AgentUnreachableError(AgentError, ConnectionError):
    """No agent answers at the socket path (nothing there, or not a socket)."""

    code = "agent-unreachable"


class AgentStaleSocketError(AgentUnreachableError):
    """The socket file is there but its agent has exited."""

    code = "agent-stale-socket"


class AgentPeerError(AgentError, PermissionError):
    """The process at the other end of the socket runs as another user."""

    code = "agent-peer"


class AgentUnsafePathError(AgentError, PermissionError):
    """The socket's folder (or the socket) can be opened by other users, or is not the user's own."""

    code = "agent-unsafe-path"


class AgentRunningError(AgentError):
    """`agent start` found an agent answering at that socket already."""

    code = "agent-running"


class AgentKeyMissingError(AgentError, LookupError):
    """The agent does not hold the key asked for (never added, removed, or expired)."""

    code = "agent-key-missing"


class AgentRefusedError(AgentError, ValueError):
    """The agent refused a request (malformed, too large, an unknown operation, a signing failure)."""

    code = "agent-refused"


class AgentKeyHeldError(AgentError, PermissionError):
    """An operation needs the private key itself, which the agent never gives out."""

    code = "agent-key-held"


class AgentConnectionClosedError(AgentRefusedError):
    """The other end closed the connection before a whole message arrived."""

    code = "agent-connection-closed"

    def __init__(self, received: int, size: int) -> None:
        super().__init__(
            f"the connection closed after {received} of {size} bytes of a message",
            hint="the other end stopped mid-message; try again",
        )
        self.received = received


def from_answer(error: object, fallback: str) -> AgentError:
    """The typed error an agent's failure answer ({"code", "message", "hint"}) stands for."""
    fields = error if isinstance(error, dict) else {}
    classes = (
        AgentKeyMissingError,
        AgentRefusedError,
        AgentPeerError,
        AgentUnsafePathError,
        AgentRunningError,
    )
    cls: type[AgentError] = next((c for c in classes if c.code == fields.get("code")), AgentRefusedError)
    hint = fields.get("hint")
    return cls(str(fields.get("message") or fallback), hint=hint if isinstance(hint, str) else None)
