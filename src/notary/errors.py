"""Every exception notary raises: one root, typed leaves, one class per Solidity error.

Each error carries a human diagnostic (`message`) and, where it helps, a `hint` saying
what to do next. The CLI and the API turn these into exit codes and problem details;
nothing else in the package should print or exit.
"""

from __future__ import annotations

from typing import Any, ClassVar


class NotaryError(Exception):
    """Root of every error notary raises on purpose."""

    code: ClassVar[str] = "notary-error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


# --------------------------------------------------------------------- input and config


class InvalidInputError(NotaryError, ValueError):
    """A value supplied by the user is malformed (party code, digest, time, file)."""

    code = "invalid-input"


class ConfigError(NotaryError, ValueError):
    """Configuration is missing or unsafe."""

    code = "config"


class ArtifactError(NotaryError, RuntimeError):
    """A compiled contract artifact is missing or does not match its sources."""

    code = "artifact"


class DeploymentNotFoundError(NotaryError, FileNotFoundError):
    """No deployment manifest for the selected chain."""

    code = "deployment-not-found"


# --------------------------------------------------------------------- chain access


class ChainError(NotaryError, RuntimeError):
    """The node could not be reached or a transaction could not be completed."""

    code = "chain"


class ChainUnreachableError(ChainError, ConnectionError):
    """The JSON-RPC endpoint does not answer."""

    code = "chain-unreachable"


class ChainIdMismatchError(ChainError):
    """The node serves another chain than the one expected."""

    code = "chain-id-mismatch"


class TransactionTimeoutError(ChainError, TimeoutError):
    """A sent transaction was not mined in time; it may still be pending."""

    code = "transaction-timeout"


class TransactionFailedError(ChainError):
    """A mined transaction reverted without a decodable reason."""

    code = "transaction-failed"


class NodeError(ChainError):
    """The local anvil node could not be started, stopped or found."""

    code = "node"


class WrongDomainError(NotaryError, ValueError):
    """A signed payload was signed for another chain or contract than the connected ledger."""

    code = "wrong-domain"


class VerificationError(NotaryError):
    """A document, record or signature failed verification."""

    code = "verification-failed"


class RecordNotFoundError(VerificationError, LookupError):
    """No record exists for a digest."""

    code = "record-not-found"


# --------------------------------------------------------------------- contract reverts


class ContractRevertError(NotaryError):
    """A contract call reverted with a custom error; subclasses name each Solidity error.

    `args_by_name` holds the decoded arguments as the ABI names them.
    """

    code = "contract-revert"
    solidity_name: ClassVar[str] = ""
    template: ClassVar[str] = "the contract rejected the call"
    hint_text: ClassVar[str | None] = None
    registry: ClassVar[dict[str, type[ContractRevertError]]] = {}

    def __init__(self, args_by_name: dict[str, Any] | None = None, rendered: dict[str, str] | None = None):
        self.args_by_name = dict(args_by_name or {})
        values = rendered or {k: str(v) for k, v in self.args_by_name.items()}
        try:
            message = self.template.format(**values)
        except (KeyError, IndexError):
            message = f"{self.template} {values}"
        super().__init__(message, hint=self.hint_text)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.solidity_name:
            ContractRevertError.registry[cls.solidity_name] = cls


def _revert(
    name: str, template: str, *bases: type, hint: str | None = None, code: str | None = None
) -> type[ContractRevertError]:
    """Build the Python class for Solidity error `name` (one class per error)."""
    attrs = {
        "solidity_name": name,
        "template": template,
        "hint_text": hint,
        "code": code or name,
        "__doc__": f"Solidity error `{name}`: {template}",
    }
    return type(name + "Error", (ContractRevertError, *bases), attrs)


# Identity registry
RegistryInvalidCodeError = _revert("RegistryInvalidCode", "party code {code!s} is empty", ValueError)
RegistryZeroAddressError = _revert("RegistryZeroAddress", "an address argument is the zero address", ValueError)
RegistryPartyExistsError = _revert("RegistryPartyExists", "party {code} is already registered")
RegistryUnknownPartyError = _revert(
    "RegistryUnknownParty",
    "party {code} is not registered",
    LookupError,
    hint="the depositary registers parties with `notary party register`",
)
RegistryNotControllerError = _revert(
    "RegistryNotController",
    "{caller} is not the controller of party {code}",
    PermissionError,
    hint="only the party's controller key may manage its signers",
)
RegistryPartySuspendedError = _revert("RegistryPartySuspended", "party {code} is suspended")
RegistryPartyNotSuspendedError = _revert("RegistryPartyNotSuspended", "party {code} is not suspended")
RegistrySignerExistsError = _revert("RegistrySignerExists", "key {key} is already registered for party {code}")
RegistryUnknownSignerError = _revert(
    "RegistryUnknownSigner", "key {key} was never registered for party {code}", LookupError
)
RegistryInvalidWindowError = _revert(
    "RegistryInvalidWindow",
    "validity window [{validFrom}, {validUntil}) is empty",
    ValueError,
    hint="valid-until must be after valid-from",
)
RegistryRevocationNotEarlierError = _revert(
    "RegistryRevocationNotEarlier",
    "key {key} of party {code} is already revoked from {existing}; a revocation may only move "
    "earlier, not to {requested}",
)
RegistryNoPendingRevocationError = _revert(
    "RegistryNoPendingRevocation",
    "no back-dated revocation of key {key} of party {code} awaits confirmation",
    LookupError,
)
RegistryNoPendingControlError = _revert(
    "RegistryNoPendingControl",
    "no pending controller change of party {code} for {caller}",
    PermissionError,
    hint="`notary party show CODE` lists pending changes",
)
RegistryResetNotDueError = _revert(
    "RegistryResetNotDue",
    "the controller reset of party {code} takes effect at {effectiveAt} (chain time now {time})",
    hint="a reset waits out the registry's controller-reset delay so that the party can see it coming",
)
RegistryRenounceDisabledError = _revert(
    "RegistryRenounceDisabled",
    "the depositary cannot renounce its role",
    PermissionError,
    hint="hand it over with transferOwnership and acceptOwnership",
)
OwnableUnauthorizedAccountError = _revert(
    "OwnableUnauthorizedAccount",
    "{account} is not the depositary of the registry",
    PermissionError,
    hint="only the depositary key may register, suspend or reset parties",
)
OwnableInvalidOwnerError = _revert("OwnableInvalidOwner", "{owner} cannot be the depositary", ValueError)

# Notary ledger
NotaryDuplicateRecordError = _revert(
    "NotaryDuplicateRecord",
    "record {recordId} already exists: this party has already notarised this digest",
    hint="use `notary status` to see it",
)
NotaryUnknownRecordError = _revert("NotaryUnknownRecord", "no record {recordId} on this ledger", LookupError)
NotaryZeroDigestError = _revert("NotaryZeroDigest", "the digest is zero", ValueError)
NotaryInvalidQuorumError = _revert(
    "NotaryInvalidQuorum",
    "quorum {quorum} is invalid for {parties} required parties (1 to 32 parties, 1 <= quorum <= parties)",
    ValueError,
)
NotaryDuplicatePartyError = _revert("NotaryDuplicateParty", "party {party} is listed twice", ValueError)
NotaryUnknownPartyError = _revert("NotaryUnknownParty", "required party {party} is not registered", LookupError)
NotaryPartyInactiveError = _revert(
    "NotaryPartyInactive", "party {party} is not registered or is suspended", PermissionError
)
NotaryPartyNotRequiredError = _revert(
    "NotaryPartyNotRequired", "party {party} is not a required party of record {recordId}", PermissionError
)
NotaryAlreadyAttestedError = _revert(
    "NotaryAlreadyAttested", "party {party} has already recorded {intent} on record {recordId}"
)
NotaryNotSignatoryError = _revert(
    "NotaryNotSignatory",
    "party {party} has not signed record {recordId} (or has withdrawn from it)",
    PermissionError,
)
NotaryExpiredDeadlineError = _revert(
    "NotaryExpiredDeadline",
    "the signed payload expired at {deadline} (chain time {time})",
    hint="sign the act again with a later deadline",
)
NotaryUnauthorisedSignerError = _revert(
    "NotaryUnauthorisedSigner",
    "key {signer} is not authorised for party {party} at {time}",
    PermissionError,
    hint="the party's controller adds keys with `notary party add-signer`",
)
NotaryInvalidSignatureError = _revert(
    "NotaryInvalidSignature",
    "the signature is not {signer}'s over this payload for party {party} on this chain and ledger",
    ValueError,
)
NotaryMalleableSignatureError = _revert(
    "NotaryMalleableSignature",
    "the signature's s value {s} is in the upper half of the curve order (malleable)",
    ValueError,
)
NotaryWrongStateError = _revert(
    "NotaryWrongState", "record {recordId} is {status}; this act is not allowed in that state"
)
NotaryInvalidIntentError = _revert("NotaryInvalidIntent", "intent {intent} is not allowed here", ValueError)
NotaryNotSubmitterError = _revert(
    "NotaryNotSubmitter", "only the submitting party may cancel record {recordId}, not {party}", PermissionError
)
NotaryAlreadyCosignedError = _revert(
    "NotaryAlreadyCosigned",
    "record {recordId} cannot be cancelled: another party has signed it",
    hint="once co-signed, parties withdraw instead",
)
NotaryDuplicateAnchorError = _revert("NotaryDuplicateAnchor", "batch {anchorId} is already anchored by this party")
NotaryTermsMismatchError = _revert(
    "NotaryTermsMismatch",
    "the terms given are not those of record {recordId} (their hash is {termsHash})",
    ValueError,
    hint="an act binds the record's exact terms: sign it against the terms on chain (`notary status`)",
)
NotaryAmendmentPartiesError = _revert(
    "NotaryAmendmentParties",
    "amendment {recordId} must list the parties of record {supersedes} first, in the same order",
    ValueError,
)
NotaryNoSuchActError = _revert(
    "NotaryNoSuchAct", "party {party} has no standing act {intent} on record {recordId}", LookupError
)
NotaryActValidError = _revert(
    "NotaryActValid",
    "party {party}'s act {intent} on record {recordId} was signed with an authorised key: it cannot be voided",
    PermissionError,
)
NotaryHistoryMismatchError = _revert(
    "NotaryHistoryMismatch",
    "the act history given does not match record {recordId}'s on chain (the node's logs are incomplete?)",
)
NotaryUnknownAnchorError = _revert("NotaryUnknownAnchor", "no batch {anchorId} on this ledger", LookupError)

# OpenZeppelin errors reachable through the ledger's views
ECDSAInvalidSignatureError = _revert("ECDSAInvalidSignature", "the signature is invalid", ValueError)
StringTooLongError = _revert("StringTooLong", "a string is too long: {str}", ValueError)
InvalidShortStringError = _revert("InvalidShortString", "a short string is malformed", ValueError)


# --------------------------------------------------------------------- the send path (outcomes)


class TransactionOutcomeUnknownError(ChainError):
    """A transaction may have reached the node, but its answer was lost: it may be pending."""

    code = "transaction-outcome-unknown"


class TransactionRefusedError(ChainError):
    """The node refused the transaction (funds, fees, nonce): it was not taken, nothing was recorded."""

    code = "transaction-refused"


# --------------------------------------------------------------------- the verification service (as a client)


class ServiceUnreachableError(ChainError):
    """The notary service (`--service URL`) could not be reached or answered with a server error."""

    code = "service-unreachable"
